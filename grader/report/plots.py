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


def _png(plt, figure, lay_out: bool = True) -> bytes:
    if lay_out:
        figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


class _Prepared:
    """A figure laid out before its data is known (``key``: what the layout depends on), filled in and saved
    once by ``png``."""

    key: Any

    def _laid_out(self) -> None:
        self.figure.tight_layout()
        self.figure.canvas.draw()  # the fonts and text layouts, ready for the real drawing

    def close(self) -> None:
        self.plt.close(self.figure)


def _reuse(prepared: _Prepared | None, key: Any, make: Any) -> _Prepared:
    """``prepared`` if it was laid out for ``key``, else a new one (``make(key)``), the other closed."""
    if prepared is not None and prepared.key == key:
        return prepared
    if prepared is not None:
        prepared.close()
    return make(key)


SHOWN_TITLE, EMPTY_TITLE = "Parts (red: flagged)", "Parts (too few students to correlate)"


class ItemFigure(_Prepared):
    """The item-analysis axes laid out (fixed limits and labels), no points yet: filled in and saved once."""

    def __init__(self, title: str = SHOWN_TITLE) -> None:
        self.key = title
        self.plt, self.figure, grid = _figure()
        self.axes = axes = grid[0][0]
        axes.axhline(0, color="#999999", linewidth=0.8)
        axes.set_xlim(-0.05, 1.05)
        axes.set_ylim(-1.05, 1.05)
        axes.set_xlabel("difficulty (mean score)")
        axes.set_ylabel("discrimination (point-biserial)")
        axes.set_title(title)
        self._laid_out()

    def png(self, items: list[dict[str, Any]]) -> bytes:
        shown = _shown_items(items)
        if shown:
            self.axes.scatter([i["difficulty"] for i in shown], [i["point_biserial"] for i in shown],
                              color=["#c0392b" if i["flags"] else "#3b6ea8" for i in shown])
        for item in shown:
            if item["flags"]:  # only flagged parts are named, so the labels stay readable in a big bank
                self.axes.annotate(f"{item['question']}.{item['part']}", (item["difficulty"], item["point_biserial"]),
                                   fontsize=6, xytext=(3, 3), textcoords="offset points")
        return _png(self.plt, self.figure, lay_out=False)


def _shown_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if i["difficulty"] is not None and i["point_biserial"] is not None]


def item_plot_png(items: list[dict[str, Any]], prepared: ItemFigure | None = None) -> bytes:
    """Difficulty (x) against point-biserial discrimination (y), one point per scored part, the flagged ones
    red and named. ``prepared``: the axes laid out beforehand, used if they have this title."""
    return _reuse(prepared, SHOWN_TITLE if _shown_items(items) else EMPTY_TITLE, ItemFigure).png(items)


Panels = tuple[tuple[str, tuple[bool, ...]], ...]  # per choice part: its title, and each option's correctness
SHARE_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


def option_panels(items: list[dict[str, Any]]) -> Panels:
    """What the option bars' layout depends on: nothing of the class's answers, so the figure can be laid out
    before the class is graded (grader.report.item_analysis.option_panels gives the same from the bank)."""
    return tuple((f"{i['question']} ({i['part']})", tuple(bool(o["correct"]) for o in i["options"]))
                 for i in items if i.get("options"))


class OptionsFigure(_Prepared):
    """The option bars laid out, every bar at zero: filled in and saved once (``options_plot_png``)."""

    def __init__(self, panels: Panels) -> None:
        self.key = panels
        rows = (len(panels) + PANELS_PER_ROW - 1) // PANELS_PER_ROW
        self.plt, self.figure, grid = _figure(3.2 * PANELS_PER_ROW, 2.4 * rows, rows, PANELS_PER_ROW)
        axes_list = list(grid.flat)
        self.bars = []
        for axes, (title, correct) in zip(axes_list, panels):
            self.bars.append(axes.bar([str(number) for number in range(1, len(correct) + 1)], [0.0] * len(correct),
                                      color=["#2e8b57" if right else "#3b6ea8" for right in correct]))
            # shares, on the same fixed scale in every panel: the layout never depends on the counts
            axes.set_ylim(0, 1)
            axes.set_yticks(SHARE_TICKS, [f"{100 * tick:.0f}%" for tick in SHARE_TICKS])
            axes.set_title(title, fontsize=8)
            axes.tick_params(labelsize=7)
        for axes in axes_list[len(panels):]:
            axes.axis("off")
        self.figure.supxlabel("option, numbered as in the bank (green = correct)", fontsize=8)
        self.figure.supylabel("share of the students who answered", fontsize=8)
        self._laid_out()

    def png(self, items: list[dict[str, Any]]) -> bytes:
        shown = [i for i in items if i.get("options")]
        for bars, item in zip(self.bars, shown):
            for bar, option in zip(bars, item["options"]):
                bar.set_height(option.get("share") or 0.0)
        return _png(self.plt, self.figure, lay_out=False)


def options_plot_png(items: list[dict[str, Any]], prepared: OptionsFigure | None = None) -> bytes | None:
    """A bar chart per choice/checkbox part of the share of students who chose each option; the correct ones
    in green. ``prepared``: the figure laid out beforehand, used if it has these panels."""
    panels = option_panels(items)
    if not panels:
        return None
    return _reuse(prepared, panels, OptionsFigure).png(items)


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
