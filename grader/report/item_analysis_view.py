"""Item analysis as Markdown (for summary.md/.html) and as plots (matplotlib, written as PNG bytes)."""

from __future__ import annotations

import io
from typing import Any

ITEM_PLOT = "item-analysis.png"
OPTIONS_PLOT = "options.png"  # one panel (a bar chart) per choice or checkbox part: one figure is much faster
PANELS_PER_ROW = 3


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("`", "'").replace("\n", " ")[:60]


def item_analysis_markdown(items: list[dict[str, Any]], math: bool = False) -> list[str]:
    """The item analysis; with ``math``, formula and matrix answers as $TeX$ (MathML in HTML), else typed syntax."""
    if not items:
        return []
    lines = ["## Item analysis", "",
             "Difficulty is the mean score (1 = everyone right). Discrimination is the point-biserial correlation "
             "with the rest of the test, and the upper-lower index (top 27% minus bottom 27%). Parts graded by "
             "hand are pending until scored.", "", f"![Difficulty against discrimination]({ITEM_PLOT})", "",
             "| question | part | type | scored | difficulty | point-biserial | upper-lower | flags |",
             "|---|---|---|---|---|---|---|---|"]
    for item in items:
        scored = f"{item['scored']} of {item['students']}" + (" (pending)" if item["status"] == "pending" else "")
        lines.append(f"| {item['question']} | {item['part']} | {item['type']} | {scored} | "
                     f"{_number(item['difficulty'])} | {_number(item['point_biserial'])} | "
                     f"{_number(item['upper_lower'])} | {', '.join(item['flags']) or '-'} |")
    if any(i.get("options") for i in items):
        lines += ["", "## Options chosen", "",
                  "Options are numbered as in the bank, so shuffled letters count as the same option.", "",
                  f"![Options chosen per part]({OPTIONS_PLOT})"]
    for item in (i for i in items if i.get("options")):
        lines += ["", f"### Options of {item['question']} ({item['part']})", "",
                  "| option (as in the bank) | correct | chosen | share |", "|---|---|---|---|"]
        for option in item["options"]:
            share = "-" if option["share"] is None else f"{100 * option['share']:.0f}%"
            lines.append(f"| {option['number']}. {_cell(option['text'])} | {'yes' if option['correct'] else ''} | "
                         f"{option['chosen']} | {share} |")
    noted = [i for i in items if i["notes"]]
    if noted:
        lines += ["", "## Common mistakes by note", "",
                  "Across all variants; the wrong answers are grouped under the note they carried.", "",
                  "| question | part | note | students | wrong answers |", "|---|---|---|---|---|"]
        for item in noted:
            for note in item["notes"]:
                answers = "; ".join(f"{_answer(a, item['type'], math)} ×{n}" for a, n in note["answers"])
                lines.append(f"| {item['question']} | {item['part']} | {_cell(note['note'])} | {note['count']} | "
                             f"{answers} |")
    return lines


def _answer(text: str, part_type: str, math: bool) -> str:
    """A wrong answer for the table: typed syntax in a code span, or as math for formula and matrix parts."""
    if math and text and part_type in ("expression", "matrix"):
        from grader.report.math_feedback import latex_of

        latex = latex_of(text)
        if latex and "|" not in latex and "$" not in latex:  # a | would split the Markdown table
            return f"${latex}$"
    return f"`{_cell(text) or '(blank)'}`"


def _figure(width: float = 6, height: float = 3.4, rows: int = 1, columns: int = 1):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    return plt, *plt.subplots(rows, columns, figsize=(width, height), dpi=100, squeeze=False)


def _png(plt, figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def item_plot_png(items: list[dict[str, Any]]) -> bytes:
    """Difficulty (x) against point-biserial discrimination (y), one labelled point per scored part."""
    plt, figure, grid = _figure()
    axes = grid[0][0]
    shown = [i for i in items if i["difficulty"] is not None and i["point_biserial"] is not None]
    for item in shown:
        flagged = bool(item["flags"])
        axes.scatter(item["difficulty"], item["point_biserial"], color="#c0392b" if flagged else "#3b6ea8")
        if flagged:  # only flagged parts are named, so the labels stay readable in a big bank
            axes.annotate(f"{item['question']}.{item['part']}", (item["difficulty"], item["point_biserial"]),
                          fontsize=6, xytext=(3, 3), textcoords="offset points")
    axes.axhline(0, color="#999999", linewidth=0.8)
    axes.set_xlim(-0.05, 1.05)
    axes.set_ylim(-1.05, 1.05)
    axes.set_xlabel("difficulty (mean score)")
    axes.set_ylabel("discrimination (point-biserial)")
    axes.set_title("Parts (red: flagged)" if shown else "Parts (too few students to correlate)")
    return _png(plt, figure)


def options_plot_png(items: list[dict[str, Any]]) -> bytes | None:
    """A bar chart per choice/checkbox part of how often each option was chosen; the correct ones in green."""
    from matplotlib.ticker import MaxNLocator

    shown = [i for i in items if i.get("options")]
    if not shown:
        return None
    rows = (len(shown) + PANELS_PER_ROW - 1) // PANELS_PER_ROW
    plt, figure, grid = _figure(3.2 * PANELS_PER_ROW, 2.4 * rows, rows, PANELS_PER_ROW)
    panels = list(grid.flat)
    for axes, item in zip(panels, shown):
        options = item["options"]
        axes.bar([str(o["number"]) for o in options], [o["chosen"] for o in options],
                 color=["#2e8b57" if o["correct"] else "#3b6ea8" for o in options])
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # students are counted in whole numbers
        axes.set_title(f"{item['question']} ({item['part']})", fontsize=8)
        axes.tick_params(labelsize=7)
    for axes in panels[len(shown):]:
        axes.axis("off")
    figure.supxlabel("option, numbered as in the bank (green = correct)", fontsize=8)
    figure.supylabel("students", fontsize=8)
    return _png(plt, figure)
