"""Commands on a submission's way: ``grade``, the student's ``check``, and the ``demo``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.core import ParameterSource

from grader.cli.app import (
    DEFAULT_JOBS,
    _echo,
    _progress,
    _read_roster,
    _secret,
    _secret_value,
    main,
    secret_options,
    user_errors,
)


def _grade(bank_path: str, submissions: tuple[str, ...], roster: str, out_dir: str, jobs: int, secret: str | None,
           id_column: str | None, demo: bool = False, allow_demo_secret: bool = False, fresh: bool = False,
           quiet: bool = False):
    from grader.jobs.plot_helper import start_plot_helper

    plots = start_plot_helper(jobs)  # first: it imports matplotlib while this process loads the bank
    try:
        from grader.bank.model import load_bank
        from grader.course.config import refuse_demo_secret
        from grader.jobs.grade_class import grade_class

        bank = load_bank(bank_path)
        students = _read_roster(roster, id_column, quiet=quiet)
        secret_value, _ = _secret(secret, Path(bank_path), demo=demo)
        refuse_demo_secret(secret_value, "grade a roster other than the sample class",
                           roster_ids=[s.id for s in students], allowed=allow_demo_secret)
        total = len(students)
        with _progress(0 if quiet else total, "grading") as progress:
            task = progress.add_task("", total=total)
            result = grade_class(bank, secret_value, students, [Path(p) for p in submissions], Path(out_dir),
                                 jobs, progress=lambda: progress.advance(task),
                                 on_total=lambda n: progress.update(task, total=n), fresh=fresh, plots=plots)
    finally:
        if plots is not None:
            plots.close()
    return bank, result


def _class_line(result) -> str:
    """One line for the whole run: counts by status, what was kept and removed, the mean."""
    from collections import Counter

    from grader.bank.templates import points

    graded = [result.results[sid] for sid in result.graded]
    statuses = Counter(item.status for item in graded)
    scored = [item.points for item in result.results.values() if item.status == "graded"]
    counts = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())) or "none"
    line = f"this run: {len(graded)} student(s) ({counts})"
    if result.kept:
        line += f", kept {len(result.kept)} from earlier runs"
    if result.removed:
        line += f", removed {len(result.removed)} no longer graded"
    if scored:
        line += f"; mean {points(sum(scored) / len(scored))} over the {len(scored)} graded"
    return line


def _print_class(bank, result, quiet: bool = False) -> None:
    from grader.bank.templates import points
    from grader.cli.table import table_text

    for notice in result.notices:
        click.echo(f"note: {notice}")
    if quiet:
        click.echo(_class_line(result))
        return
    rows = []
    for student_id, item in ((sid, result.results[sid]) for sid in result.graded):
        pending = sum(p.max_points for p in item.pending)
        notes = item.message or "; ".join(item.warnings)
        rows.append([student_id, item.status, f"{points(item.points)} / {points(item.max_points - pending)}", notes[:70]])
    click.echo(table_text(f"{bank.title}: {len(result.graded)} graded in this run",
                          ["student", "status", "score", "notes"], rows))
    for name in result.unmatched:
        _echo(f"note: {name} matches no roster id; graded under its file name and listed in the gradebook")
    click.echo(_class_line(result))


@main.command()
@click.argument("bank_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False), help="Roster CSV.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--jobs", default=DEFAULT_JOBS, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each has a time limit per submission).")
@secret_options
@click.option("--id-column", help="Roster column that identifies students.")
@click.option("--fresh", is_flag=True, help="Regrade from scratch: drop every earlier result in --out (hand scores stay).")
@click.option("--quiet", "-q", is_flag=True, help="Print one summary line instead of a row per student.")
@click.option("--compare", "compare_out", type=click.Path(exists=True, file_okay=False),
              help="An earlier graded folder: write regrade-report.csv/.md (whose score changed, and why).")
@click.option("--manual", "manual_sheet", type=click.Path(exists=True, dir_okay=False),
              help="A filled grading sheet (from grader manual) to merge after grading.")
@click.option("--allow-demo-secret", is_flag=True, help="Let the public demo secret grade any roster (a trial run).")
@user_errors
def grade(bank_path: str, submissions: tuple[str, ...], roster: str, out_dir: str, jobs: int, secret: str | None,
          secret_file: str | None, id_column: str | None, fresh: bool, quiet: bool, compare_out: str | None,
          manual_sheet: str | None, allow_demo_secret: bool) -> None:
    """Grade answers files; write feedback, results.json, gradebook and summary.

    Grading into an existing --out updates the students graded in this run and keeps everyone else's
    results (unless --fresh). The new output is built beside --out and swapped in when complete.
    """
    previous = None
    if compare_out:
        from grader.jobs.regrade import read_previous

        previous = read_previous(Path(compare_out))  # before grading: --compare may be --out itself
    bank, result = _grade(bank_path, submissions, roster, out_dir, jobs, _secret_value(secret, secret_file),
                          id_column, allow_demo_secret=allow_demo_secret, fresh=fresh, quiet=quiet)
    if manual_sheet:
        from grader.cli.term_commands import merge_into
        from grader.jobs.export_grades import current_results

        merge_into(bank, Path(out_dir), Path(manual_sheet))
        result.results.update(current_results(Path(out_dir)))  # the table and the mean count the hand scores
    _print_class(bank, result, quiet)
    if previous is not None:
        from grader.cli.term_commands import regrade_report

        regrade_report(bank, Path(out_dir), previous)
    click.echo(f"wrote feedback, gradebook.csv and summary to {out_dir}")


@main.command()
@click.argument("bank_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("answers", type=click.Path(exists=True, dir_okay=False))
@click.option("--student", help="Your student id, as on the roster (needed only for a practice bank).")
@click.option("--secret", envvar="GRADER_SECRET", help="Course secret (practice mode only).")
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False),
              help="Read the course secret from a file (practice mode only).")
@user_errors
def check(bank_path: str, answers: str, student: str | None, secret: str | None, secret_file: str | None) -> None:
    """Check an answers file before submitting: missing parts and unreadable answers.

    BANK_PATH may be the student copy (student-bank.yaml from grader generate): it holds no answers and
    needs no secret. Only a bank with practice: true, with its secret, also says what is right.
    """
    from grader.bank.student_bank import load_shape
    from grader.grading.selfcheck import self_check

    shape = load_shape(bank_path)
    practice = None
    secret = _secret_value(secret, secret_file)
    if shape.practice:
        from grader.bank.model import load_bank

        if not student:
            raise click.UsageError("this bank has practice: true, so --student is needed to find your variant")
        secret_value, _ = _secret(secret, Path(bank_path))
        practice = (load_bank(bank_path), secret_value)
    elif secret_file or click.get_current_context().get_parameter_source("secret") == ParameterSource.COMMANDLINE:
        click.echo("warning: --secret is ignored: this bank is not a practice bank, so nothing here needs it",
                   err=True)
    report = self_check(shape, student or "", answers, practice)
    for warning in report.warnings:
        _echo(f"warning: {warning}")
    for label in report.missing:
        _echo(f"missing: {label}")
    for message in report.unreadable:
        _echo(f"cannot read: {message}")
    for verdict in report.verdicts:
        _echo(f"practice: {verdict}")
    click.echo(f"{report.answered} answered, {len(report.missing)} missing, {len(report.unreadable)} unreadable")
    if not report.ok:
        sys.exit(1)


@main.command()
@click.option("--out", "out_dir", default="demo-out", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the generated problem sets, keys and the graded class.")
@click.option("--jobs", default=DEFAULT_JOBS, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for grading.")
@user_errors
def demo(out_dir: str, jobs: int) -> None:
    """Generate the bundled CNN problem sets, grade the sample class and show where it all is."""
    from grader.bank.model import load_bank
    from grader.course.roster import read_roster
    from grader.documents.generate import generate as run_generate

    root = _project_root()
    bank_path, roster = root / "questions" / "cnn.yaml", root / "submissions" / "roster.csv"
    bank = load_bank(bank_path)
    students = read_roster(roster)
    secret_value, _ = _secret(None, bank_path, demo=True)
    out = Path(out_dir)
    generated = run_generate(bank, students, secret_value, out / "generated", key=True)
    click.echo(f"generated {len(generated.problem_sets)} problem sets and answer keys in {out / 'generated'}")
    bank, result = _grade(str(bank_path), (str(root / "submissions"),), str(roster), str(out / "graded"), jobs,
                          None, None, demo=True)
    _print_class(bank, result)
    click.echo(f"problem sets: {out / 'generated' / 'problem-sets'}")
    click.echo(f"answer keys:  {out / 'generated' / 'keys'} and {out / 'generated' / 'answer_key.csv'}")
    click.echo(f"feedback:     {out / 'graded' / 'feedback'}")
    click.echo(f"gradebook:    {out / 'graded' / 'gradebook.csv'}")
    click.echo(f"summary:      {out / 'graded' / 'summary.md'} (histogram.png beside it)")
    click.echo("homework in the browser: grader serve questions/cnn.yaml --roster submissions/roster.csv, then open "
               "a sign-in link from: grader links questions/cnn.yaml --roster submissions/roster.csv "
               "--base-url http://127.0.0.1:8000")


def _project_root() -> Path:
    """The folder with questions/ and submissions/: the checkout, or the current folder."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (candidate / "questions" / "cnn.yaml").exists() and (candidate / "submissions").is_dir():
            return candidate
    raise click.ClickException("run the demo from the project folder (with questions/ and submissions/)")
