"""The class's own outputs: gradebook, summary with item analysis and its plots, and the roster used."""

from __future__ import annotations

import json
from pathlib import Path

from grader.bank.model import Bank
from grader.core.files import write_atomic
from grader.course.roster import Student, roster_json
from grader.documents.render import html_page
from grader.grading.grade import SubmissionResult
from grader.jobs.plot_helper import PlotHelper, class_plots
from grader.report.gradebook import gradebook_csv
from grader.report.summary import class_summary, summary_markdown


def write_class_outputs(bank: Bank, students: list[Student], results: dict[str, SubmissionResult],
                        out_dir: Path, plots: PlotHelper | None = None) -> None:
    """``plots``: a helper process that draws the plots while the rest is written (else drawn here)."""
    summary = class_summary(bank, results, {s.id for s in students})
    if plots is not None:
        plots.start(summary)
    write_atomic(out_dir / "gradebook.csv", gradebook_csv(bank, students, results))
    write_atomic(out_dir / "roster.json", roster_json(students))  # later commands (merge, export) read it
    write_atomic(out_dir / "summary.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    markdown = summary_markdown(bank, summary)
    write_atomic(out_dir / "summary.md", markdown)
    write_atomic(out_dir / "summary.html", html_page(f"Summary: {bank.title}", summary_markdown(bank, summary, math=True)))
    for name, png in (plots.plots() if plots is not None else class_plots(summary)).items():
        if png is not None:
            write_atomic(out_dir / name, png)
        else:  # nothing to show now (no choice parts): an earlier run's plot must not stay behind
            (out_dir / name).unlink(missing_ok=True)
