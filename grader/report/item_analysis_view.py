"""Item analysis as Markdown (for summary.md/.html); its plots are in grader.report.plots."""

from __future__ import annotations

from typing import Any

from grader.report.plots import ITEM_PLOT, OPTIONS_PLOT


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
