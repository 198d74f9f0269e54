"""The class's own outputs: gradebook, summary with item analysis and its plots, and the roster used."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from grader.bank.model import Bank
from grader.core.files import write_atomic
from grader.course.roster import Student, roster_json
from grader.documents.render import html_page
from grader.grading.grade import SubmissionResult
from grader.report.gradebook import gradebook_csv
from grader.report.item_analysis_view import ITEM_PLOT, OPTIONS_PLOT, item_plot_png, options_plot_png
from grader.report.summary import class_summary, histogram_png, summary_markdown


def write_class_outputs(bank: Bank, students: list[Student], results: dict[str, SubmissionResult],
                        out_dir: Path, draw_histogram: Callable[[dict], bytes] | None = None) -> None:
    write_atomic(out_dir / "gradebook.csv", gradebook_csv(bank, students, results))
    write_atomic(out_dir / "roster.json", roster_json(students))  # later commands (merge, export) read it
    summary = class_summary(bank, results, {s.id for s in students})
    write_atomic(out_dir / "summary.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    markdown = summary_markdown(bank, summary)
    write_atomic(out_dir / "summary.md", markdown)
    write_atomic(out_dir / "summary.html", html_page(f"Summary: {bank.title}", summary_markdown(bank, summary, math=True)))
    write_atomic(out_dir / "histogram.png", (draw_histogram or histogram_png)(summary))
    write_atomic(out_dir / ITEM_PLOT, item_plot_png(summary["items"]))
    options = options_plot_png(summary["items"])
    if options is not None:
        write_atomic(out_dir / OPTIONS_PLOT, options)
