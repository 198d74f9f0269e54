"""The class's plots, drawn with matplotlib and written as PNG bytes: a view of the class summary.

Light to import (matplotlib is imported when a plot is drawn), so the plot helper can start before
the rest of grader is loaded (grader.jobs.plot_helper).
"""

from __future__ import annotations

import io
from typing import Any

HISTOGRAM = "histogram.png"
ITEM_PLOT = "item-analysis.png"
OPTIONS_PLOT = "options.png"  # one panel (a bar chart) per choice or checkbox part: one figure is much faster
PANELS_PER_ROW = 3


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


def histogram_png(summary: dict[str, Any]) -> bytes:
    """The class's scores, in at most 20 bins from 0 to the maximum."""
    from matplotlib.ticker import MaxNLocator

    plt, figure, grid = _figure(6, 3.2)
    axes = grid[0][0]
    scores = summary["scores"]
    top = max([summary["max_score"] or 1, *scores])
    bins = min(20, max(5, len(set(scores)))) if scores else 5
    axes.hist(scores, bins=bins, range=(0, top), color="#3b6ea8", edgecolor="white")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # students are counted in whole numbers
    axes.set_xlabel("score (points)")
    axes.set_ylabel("students")
    axes.set_title("Score distribution")
    return _png(plt, figure)
