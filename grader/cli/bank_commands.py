"""Commands on the way from a bank to documents: ``validate``, ``generate`` and ``export``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.cli.app import (
    EXIT_USER_ERROR,
    _banks,
    _console,
    _echo,
    _progress,
    _read_roster,
    _secret,
    _secret_value,
    main,
    secret_options,
    user_errors,
)
from grader.core.errors import BankError
from grader.core.messages import format_error


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--seeds", default=200, show_default=True, help="Variants to check per question.")
@click.option("--solver-time-limit", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Seconds for the solvers and solution code of one variant.")
@user_errors
def validate(paths: tuple[str, ...], seeds: int, solver_time_limit: float) -> None:
    """Lint banks and run every question's tests on many seeds."""
    from rich.table import Table

    from grader.bank.model import load_bank
    from grader.core.messages import place
    from grader.jobs.validate import validate_bank

    failed = unreadable = False
    for path in _banks(paths):
        try:
            bank = load_bank(path)
        except BankError as error:  # report it, and go on to the next bank: every problem in one run
            for problem in getattr(error, "errors", [error]):
                click.echo(f"error: {format_error(problem)}", err=True)
            unreadable = True
            continue
        with _progress(len(bank.questions), f"validating {path.name}") as progress:
            task = progress.add_task("", total=len(bank.questions))
            reports = validate_bank(bank, seeds, progress=lambda _, t=task: progress.advance(t),
                                    solver_time_limit=solver_time_limit)
        table = Table(title=f"{path} ({bank.id})")
        for column in ("question", "tests", "seeds", "distinct variants", "result"):
            table.add_column(column)
        for report in reports:
            result = "[red]FAIL[/red]" if report.errors else "ok"
            table.add_row(report.question, str(report.tests_run), str(report.seeds_run),
                          str(report.distinct_variants), result)
        _console(stderr=False).print(table)
        for report in reports:
            for finding in report.findings:
                _echo(f"{finding.level}: {place(finding.location)}: {finding.message}")
        failed |= any(report.errors for report in reports)
    if unreadable:
        sys.exit(EXIT_USER_ERROR)
    if failed:
        sys.exit(1)


@main.command()
@click.argument("bank_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False), help="Roster CSV.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--key", is_flag=True, help="Also write instructor answer keys and answer_key.csv.")
@secret_options
@click.option("--id-column", help="Roster column that identifies students.")
@click.option("--pdf", is_flag=True, help="Also print every page to PDF (headless Chromium), plus one class PDF.")
@click.option("--exam", is_flag=True, help="Printable exams: name and id fields, a code on every page, no answers.")
@user_errors
def generate(bank_path: str, roster: str, out_dir: str, key: bool, secret: str | None, secret_file: str | None,
             id_column: str | None, pdf: bool, exam: bool) -> None:
    """Write a problem set per student (Markdown and HTML), and with --key the answer keys."""
    from grader.bank.model import load_bank
    from grader.documents.generate import generate as run_generate

    bank = load_bank(bank_path)
    students = _read_roster(roster, id_column)
    secret_value, _ = _secret(_secret_value(secret, secret_file), Path(bank_path))
    with _progress(len(students), "generating") as progress:
        task = progress.add_task("", total=len(students))
        result = run_generate(bank, students, secret_value, out_dir, key=key, progress=lambda: progress.advance(task),
                              pdf=pdf, exam=exam)
    if exam:
        click.echo(f"wrote {len(result.problem_sets)} exams to {Path(out_dir) / 'exams'} and {result.exam_codes}")
    else:
        click.echo(f"wrote {len(result.problem_sets)} problem sets to {Path(out_dir) / 'problem-sets'}")
    if pdf:
        click.echo(f"wrote {len(result.pdfs)} PDFs beside them; for the printer: "
                   + ", ".join(str(path) for path in result.class_pdfs))
    if key:
        click.echo(f"wrote {len(result.keys)} answer keys to {Path(out_dir) / 'keys'} and {result.key_csv}")


@main.group()
def export() -> None:
    """Export a bank's variants to an LMS quiz (Canvas QTI 1.2 or Moodle XML), with a report."""


def _export(target: str, bank_path: str, variants: int, out_file: str, secret: str | None,
            secret_file: str | None) -> None:
    from grader.bank.model import load_bank

    bank = load_bank(bank_path)
    secret_value, _ = _secret(_secret_value(secret, secret_file), Path(bank_path))
    if target == "canvas":
        from grader.export.canvas import export_canvas as run_export
    else:
        from grader.export.moodle import export_moodle as run_export
    report = run_export(bank, secret_value, variants, out_file)
    report_path = Path(out_file).with_suffix(".report.md")
    exported = report.exported_questions()
    click.echo(f"wrote {out_file}: {len(exported)} questions, {sum(q.variants for q in exported)} variants")
    for question in report.short_questions():
        click.echo(f"note: {question.question} has only {question.variants} distinct variant(s) "
                   f"of {question.requested} asked")
    click.echo(f"report (what maps to what, what could not be kept): {report_path}")


_EXPORT_OPTIONS = [
    click.argument("bank_path", type=click.Path(exists=True, dir_okay=False)),
    click.option("--variants", default=20, show_default=True, type=click.IntRange(1, 500),
                 help="Variants per question (fewer when fewer distinct ones exist)."),
]


def _export_options(command):
    command = secret_options(command)
    for option in reversed(_EXPORT_OPTIONS):
        command = option(command)
    return command


@export.command("canvas")
@_export_options
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False), help="The QTI .zip to write.")
@user_errors
def export_canvas(bank_path: str, variants: int, secret: str | None, secret_file: str | None,
                  out_file: str) -> None:
    """A QTI 1.2 zip for Canvas Classic Quizzes: one question group per question, pick 1 of N variants."""
    _export("canvas", bank_path, variants, out_file, secret, secret_file)


@export.command("moodle")
@_export_options
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False), help="The .xml to write.")
@user_errors
def export_moodle(bank_path: str, variants: int, secret: str | None, secret_file: str | None,
                  out_file: str) -> None:
    """Moodle XML: one category per question holding its variants (for a random-question slot)."""
    _export("moodle", bank_path, variants, out_file, secret, secret_file)
