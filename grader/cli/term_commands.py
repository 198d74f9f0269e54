"""The commands of a term: impact of a bank edit, hand grading, grades out, and the course secret.

A thin layer like ``grader.cli`` (whose helpers it shares): each command parses options and calls one
library function. ``register`` adds them to the ``grader`` group.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from grader.cli.app import _console, _read_roster, _secret, _secret_value, secret_options, user_errors

# --- a term: regrades, impact, hand grading, grades out ---------------------------------------------------------

def merge_into(bank, out_dir: Path, sheet: Path) -> None:
    from grader.jobs.manual import merge_sheet

    report = merge_sheet(bank, out_dir, sheet)
    for notice in report.notices:
        click.echo(f"note: {notice}")
    click.echo(f"merged {report.merged} hand score(s) for {len(report.students)} student(s) from {sheet}")


def regrade_report(bank, out_dir: Path, previous) -> None:
    from grader.bank.fingerprint import grader_version
    from grader.core.files import write_atomic
    from grader.course.roster import students_from_json
    from grader.grading.records import part_settings
    from grader.jobs.export_grades import current_results
    from grader.jobs.regrade import REPORT_CSV, REPORT_MD, compare, report_csv, report_markdown

    results = current_results(out_dir)
    changes = compare(previous, results, lambda q, p: part_settings(bank, q, p), grader_version())
    students = students_from_json((out_dir / "roster.json").read_text(encoding="utf-8"))
    write_atomic(out_dir / REPORT_CSV, report_csv(changes, students))
    write_atomic(out_dir / REPORT_MD, report_markdown(changes, bank.title))
    for change in changes:
        click.echo(f"regrade: {change.student_id} {change.old_score:g} -> {change.new_score:g}")
    click.echo(f"{len(changes)} student(s) have a new score; wrote {out_dir / REPORT_CSV} and {out_dir / REPORT_MD}")


@click.command()
@click.argument("old_bank")
@click.argument("new_bank")
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False), help="Roster CSV.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="Also write the per-student CSV here.")
@secret_options
@click.option("--id-column", help="Roster column that identifies students.")
@user_errors
def impact(old_bank: str, new_bank: str, roster: str, out_file: str | None, secret: str | None,
           secret_file: str | None, id_column: str | None) -> None:
    """Which students' variants a bank edit changes: parameters, text, references.

    OLD_BANK and NEW_BANK are files, or git:REV:path for the bank (and its solvers) at a git revision,
    e.g. grader impact git:HEAD:questions/cnn.yaml questions/cnn.yaml --roster roster.csv
    """
    from rich.table import Table

    from grader.core.files import write_atomic
    from grader.jobs.impact import impact as run_impact
    from grader.jobs.impact import impact_csv, load_bank_spec, per_question, temporary_folder

    students = _read_roster(roster, id_column)
    with temporary_folder() as work:
        old, new = load_bank_spec(old_bank, Path(work)), load_bank_spec(new_bank, Path(work))
        secret_value, _ = _secret(_secret_value(secret, secret_file),
                                  Path(new_bank) if not new_bank.startswith("git:") else Path.cwd())
        rows = run_impact(old, new, students, secret_value)
    table = Table(title=f"impact of {old_bank} -> {new_bank} on {len(students)} students")
    for column in ("question", "students", "params changed", "text changed", "references changed", "status"):
        table.add_column(column)
    for question, count, params, text, refs, status in per_question(rows):
        table.add_row(question, str(count), str(params), str(text), str(refs), status)
    _console(stderr=False).print(table)
    changed = [row for row in rows if row.status != "unchanged"]
    click.echo(f"{len({row.student_id for row in changed})} of {len(students)} students have a changed variant "
               f"({len(changed)} student-question pairs)")
    if out_file:
        write_atomic(out_file, impact_csv(rows))
        click.echo(f"wrote {out_file}")


@click.command()
@click.argument("bank_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("graded_out", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False), help="The grading sheet (CSV).")
@user_errors
def manual(bank_path: str, graded_out: str, out_file: str) -> None:
    """Write a grading sheet of every part still to grade by hand, one column per rubric item."""
    from grader.bank.model import load_bank
    from grader.core.files import write_atomic
    from grader.jobs.manual import grading_sheet

    text, rows = grading_sheet(load_bank(bank_path), Path(graded_out))
    write_atomic(out_file, text)
    click.echo(f"wrote {rows} part(s) to grade by hand to {out_file}: fill score (or the rubric item columns, "
               "in points) and comment, then run grader merge")


@click.command()
@click.argument("bank_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("graded_out", type=click.Path(exists=True, file_okay=False))
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False))
@user_errors
def merge(bank_path: str, graded_out: str, sheet: str) -> None:
    """Merge a filled grading sheet into a graded folder: gradebook, feedback, results.json and summary."""
    from grader.bank.model import load_bank

    merge_into(load_bank(bank_path), Path(graded_out), Path(sheet))


@click.command()
@click.argument("graded_out", type=click.Path(exists=True, file_okay=False))
@click.option("--format", "format_name", required=True, type=click.Choice(["canvas", "gradescope", "long"]),
              help="canvas: Canvas gradebook import; gradescope: matched by email or SID; long: one row per part.")
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False), help="The CSV to write.")
@click.option("--assignment", help="The assignment column's name for Canvas (default: the bank's title).")
@user_errors
def gradebook(graded_out: str, format_name: str, out_file: str, assignment: str | None) -> None:
    """Write a graded folder's scores as the CSV Canvas or Gradescope imports."""
    from grader.core.files import write_atomic
    from grader.jobs.export_grades import export_grades

    export = export_grades(Path(graded_out), format_name, assignment)
    write_atomic(out_file, export.text)
    for warning in export.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"wrote {export.rows} row(s) for {format_name} to {out_file}")


@click.group()
def secret() -> None:
    """The course secret, which decides every student's variant."""


@secret.command("new")
@click.argument("path", type=click.Path(dir_okay=False))
@user_errors
def secret_new(path: str) -> None:
    """Make a new random course secret in PATH (readable only by you); never overwrites one."""
    import secrets

    target = Path(path)
    if target.exists():
        raise click.ClickException(f"{target} exists; a course secret is never overwritten (it decides every variant)")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(secrets.token_urlsafe(32) + "\n")
    click.echo(f"wrote a new course secret to {target}; keep it out of version control and pass --secret-file {target}")


def register(group: click.Group) -> None:
    for command in (impact, manual, merge, gradebook, secret):
        group.add_command(command)
