"""Drawing the class's plots in a helper process that starts matplotlib while the class is graded.

Importing matplotlib and drawing the first figure cost about half a second, and the three plots
(the histogram, the item-analysis scatter and the option bars) most of a second more, all paid
after the last student. A helper forked at the start imports matplotlib (and draws a throwaway
figure, which loads the fonts) while the workers grade; at the end it is handed the summary and
draws the real plots with the same functions, on the other core, while this process writes the
gradebook and the summaries, so each PNG is the same bytes. If the helper is not there when asked
(it died, it timed out), the plots are drawn here as before: a slower run, never a different or
missing file.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import time
from typing import Any

from grader.report.plots import (
    HISTOGRAM,
    ITEM_PLOT,
    OPTIONS_PLOT,
    ItemFigure,
    OptionsFigure,
    Panels,
    histogram_png,
    item_plot_png,
    options_plot_png,
)

ANSWER_TIMEOUT = 60.0
FORK_TIMEOUT = 30.0  # for the option bars' fork, well inside the caller's wait for the helper
_WARM_UP = {"scores": [0.0, 1.0], "max_score": 1.0}


def class_plots(summary: dict[str, Any]) -> dict[str, bytes | None]:
    """Every plot of the class summary, by file name (None: that plot has nothing to show)."""
    return {HISTOGRAM: histogram_png(summary), ITEM_PLOT: item_plot_png(summary["items"]),
            OPTIONS_PLOT: options_plot_png(summary["items"])}


def _serve(connection: Any) -> None:
    histogram_png(_WARM_UP)
    message, prepared, item = connection.recv(), None, None
    if isinstance(message, tuple) and message[:1] == ("prepare",):  # the layouts, while the class is graded
        prepared = OptionsFigure(message[1]) if message[1] else None
        item = ItemFigure()
        message = connection.recv()
    connection.send(_plots_on_two_cores(message, prepared, item))


def _read_all(fd: int, timeout: float) -> bytes | None:
    """Everything written to the pipe until its writer closes it, or None if that takes over ``timeout``."""
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def _plots_on_two_cores(summary: dict[str, Any], prepared: OptionsFigure | None = None,
                        item: ItemFigure | None = None) -> dict[str, bytes | None]:
    """``class_plots``, with the option bars (the slowest, a panel per part) drawn by a fork of this
    warmed-up helper while it draws the other two; if the fork fails, drawn here after them.
    ``prepared``, ``item``: the option bars and the item-analysis axes laid out while the class was graded."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the fork: draw, hand the bytes over, leave without running anything of the parent's
        status = 1
        try:
            os.close(read_end)
            png = options_plot_png(summary["items"], prepared)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(b"-" if png is None else b"+" + png)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    plots = {HISTOGRAM: histogram_png(summary), ITEM_PLOT: item_plot_png(summary["items"], item)}
    drawn = _read_all(read_end, FORK_TIMEOUT)
    if drawn is None:  # the fork hangs: it is stopped, and the plot drawn here instead
        os.kill(child, signal.SIGKILL)
    _, status = os.waitpid(child, 0)
    if status != 0 or not drawn:
        plots[OPTIONS_PLOT] = options_plot_png(summary["items"], prepared)
    else:
        plots[OPTIONS_PLOT] = None if drawn == b"-" else drawn[1:]
    return plots


class PlotHelper:
    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        child.close()
        self._summary: dict[str, Any] | None = None

    def prepare(self, panels: Panels) -> None:
        """Lay the plots out now (the option bars' ``grader.report.item_analysis.option_panels``), while the class
        is graded."""
        try:
            self._connection.send(("prepare", panels))
        except (OSError, EOFError):
            pass

    def start(self, summary: dict[str, Any]) -> None:
        """Hand the summary over; the helper draws while the caller goes on."""
        self._summary = summary
        try:
            self._connection.send(summary)
        except (OSError, EOFError):
            pass

    def plots(self) -> dict[str, bytes | None]:
        """The plots of the summary given to ``start``; drawn in this process if the helper cannot."""
        assert self._summary is not None, "start() first"
        try:
            if self._connection.poll(ANSWER_TIMEOUT):
                plots = self._connection.recv()
                if isinstance(plots, dict) and set(plots) == {HISTOGRAM, ITEM_PLOT, OPTIONS_PLOT}:
                    return plots
        except (OSError, EOFError):
            pass
        finally:
            self.close()
        return class_plots(self._summary)

    def close(self) -> None:
        self._connection.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=5)


def start_plot_helper(jobs: int) -> PlotHelper | None:
    """With workers (and the fast paths), a helper that starts matplotlib while the class is graded and
    draws the plots at the end. This module is light, so a command can start it before loading the bank,
    on the core that is idle while this process imports sympy."""
    from grader.core import speed

    return PlotHelper() if jobs > 0 and speed.FAST else None
