"""The ``grader`` command: a thin layer over the library API.

Each command parses options, calls one library function and prints the
result. User errors become one line from ``grader.core.messages`` and exit
code 2, never a traceback.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from grader.core.errors import BankError, GraderError
from grader.core.messages import format_error
from grader.core.safe_text import terminal_text

EXIT_USER_ERROR = 2


def _echo(text: str, err: bool = False) -> None:
    """Print a line that may hold file names, keys or answers: escape sequences cannot reach the terminal."""
    click.echo(terminal_text(text), err=err)


def _cell(text: str) -> str:
    """A table cell from outside text: control characters stripped and rich markup shown, not applied."""
    from rich.markup import escape

    return escape(terminal_text(text))


def _console(stderr: bool = True):
    """Progress goes to stderr; tables are results, so they go to stdout."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def user_errors(command):
    """Turn GraderError into a one-line message and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except GraderError as error:
            _echo(f"error: {format_error(error)}", err=True)
            sys.exit(EXIT_USER_ERROR)

    return wrapper


def _progress(total: int, label: str):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=_console(), transient=False, disable=total < 2)
    return progress


def _banks(paths: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.glob("*.yaml") if p.name != "course.yaml"))
        else:
            found.append(path)
    return found


DEFAULT_JOBS = 2  # the same default for every command that grades (see docs/term.md on --jobs)


def secret_options(command):
    """--secret and --secret-file, the same on every command that needs the course secret."""
    command = click.option("--secret-file", type=click.Path(exists=True, dir_okay=False),
                           help="Read the course secret from this file (make one with: grader secret new FILE).")(command)
    return click.option("--secret", envvar="GRADER_SECRET", help="Course secret (or set GRADER_SECRET).")(command)


def _secret_value(secret: str | None, secret_file: str | None) -> str | None:
    """--secret-file wins over --secret; an empty or unreadable file is an error, never the demo secret."""
    if secret_file is not None:
        from grader.course.config import read_secret_file

        return read_secret_file(secret_file)
    return secret


def _secret(secret: str | None, bank_path: Path, *, demo: bool = False) -> tuple[str, object]:
    from grader.course.config import find_config, load_config, resolve_secret

    config = load_config(find_config(bank_path))
    value, warning = resolve_secret(secret, config, demo=demo)
    if warning:
        click.echo(warning, err=True)
    return value, config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="grader")
def main() -> None:
    """Randomized question banks, per-student variants and auto-grading."""


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


def _read_roster(roster: str, id_column: str | None, *, quiet: bool = False):
    """The roster's students; says which column is the id and lists every row that was skipped, with why."""
    from grader.course.roster import read_roster_report

    report = read_roster_report(roster, id_column)
    if not quiet or report.skipped:
        kind = " (a Canvas export: SIS User ID, not Canvas's internal ID)" if report.canvas and not id_column else ""
        click.echo(f"roster: {len(report.students)} students, id from column '{report.id_column}'{kind}", err=True)
    for line, reason in report.skipped:
        click.echo(f"roster: skipped line {line}: {reason}", err=True)
    return report.students


def _grade(bank_path: str, submissions: tuple[str, ...], roster: str, out_dir: str, jobs: int, secret: str | None,
           id_column: str | None, demo: bool = False, allow_demo_secret: bool = False, fresh: bool = False,
           quiet: bool = False):
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
        result = grade_class(bank, secret_value, students, [Path(p) for p in submissions], Path(out_dir), jobs,
                             progress=lambda: progress.advance(task),
                             on_total=lambda n: progress.update(task, total=n), fresh=fresh)
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
    from rich.table import Table

    from grader.bank.templates import points

    for notice in result.notices:
        click.echo(f"note: {notice}")
    if quiet:
        click.echo(_class_line(result))
        return
    table = Table(title=f"{bank.title}: {len(result.graded)} graded in this run")
    for column in ("student", "status", "score", "notes"):
        table.add_column(column)
    for student_id, item in ((sid, result.results[sid]) for sid in result.graded):
        pending = sum(p.max_points for p in item.pending)
        notes = item.message or "; ".join(item.warnings)
        table.add_row(_cell(student_id), item.status, f"{points(item.points)} / {points(item.max_points - pending)}",
                      _cell(notes[:70]))
    _console(stderr=False).print(table)
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
        from grader.cli_term import merge_into

        merge_into(bank, Path(out_dir), Path(manual_sheet))
    _print_class(bank, result, quiet)
    if previous is not None:
        from grader.cli_term import regrade_report

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


@main.command()
@click.argument("bank_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False), help="The zip to write.")
@click.option("--secret", envvar="GRADER_SECRET", help="Course secret (or set GRADER_SECRET).")
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False), help="Read the secret from a file.")
@click.option("--identity", type=click.Choice(["sid", "email", "id"]), default=None,
              help="Which submission_metadata users[] field identifies the student (default: course.yaml).")
@click.option("--allow-demo-secret", is_flag=True, help="Pack the public demo secret all the same (a trial run).")
@user_errors
def autograder(bank_path: str, out_file: str, secret: str | None, secret_file: str | None,
               identity: str | None, allow_demo_secret: bool) -> None:
    """Build a Gradescope autograder zip for a bank."""
    from grader.course.config import read_secret_file, refuse_demo_secret
    from grader.integrations.autograder import build_zip

    if secret_file is not None:
        secret = read_secret_file(secret_file)
    secret_value, config = _secret(secret, Path(bank_path))
    refuse_demo_secret(secret_value, "build an autograder", allowed=allow_demo_secret)
    path = build_zip(bank_path, out_file, secret_value, identity or config.identity)
    click.echo(f"wrote {path} (upload it as the autograder; the secret inside is not shown to students)")


@main.command()
@click.argument("bank_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder.")
@secret_options
@click.option("--identity", type=click.Choice(["sid", "email", "id"]), default=None,
              help="Which submission_metadata users[] field identifies the student (default: course.yaml).")
@click.option("--assign/--no-assign", default=True, show_default=True,
              help="Also run otter assign: the student notebook and the otter autograder zip.")
@click.option("--allow-demo-secret", is_flag=True, help="Pack the public demo secret all the same (a trial run).")
@user_errors
def otter(bank_path: str, out_dir: str, secret: str | None, secret_file: str | None, identity: str | None,
          assign: bool, allow_demo_secret: bool) -> None:
    """Export the bank's code parts as an otter-assign master notebook (needs the otter extra)."""
    from grader.bank.model import load_bank
    from grader.integrations.otter_export import assignment_name, export_otter, run_otter_assign

    try:
        import nbformat  # noqa: F401
    except ImportError as error:
        raise click.ClickException('this needs the otter extra: pip install "grader[otter]"') from error
    from grader.course.config import refuse_demo_secret

    bank = load_bank(bank_path)
    secret_value, config = _secret(_secret_value(secret, secret_file), Path(bank_path))
    refuse_demo_secret(secret_value, "build an otter autograder", allowed=allow_demo_secret)
    try:
        master = export_otter(bank, out_dir, secret_value, identity or config.identity)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"wrote {master} (assignment {assignment_name(bank)})")
    if not assign:
        click.echo(f"next: cd {Path(out_dir)} && otter assign {master.name} dist")
        return
    try:
        student, autograder_zip = run_otter_assign(master)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"student notebook: {student}")
    click.echo(f"otter autograder: {autograder_zip} (grade with: otter run -a {autograder_zip} -o OUT NOTEBOOK)")


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
def _web_secret(bank_path: str, secret: str | None, secret_file: str | None) -> str:
    value, _ = _secret(_secret_value(secret, secret_file), Path(bank_path))
    return value


@main.command()
@click.argument("bank_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False), help="Roster CSV.")
@click.option("--db", "db_url", help="Database URL (default: SQLite in a file beside the bank).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Server processes.")
@click.option("--jobs", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Grading processes per server process.")
@click.option("--secret", envvar="GRADER_SECRET", help="Course secret (or set GRADER_SECRET).")
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False), help="Read the secret from a file.")
@click.option("--id-column", help="Roster column that identifies students.")
@click.option("--secure-cookies", is_flag=True, help="Send the session cookie over HTTPS only (behind TLS).")
@user_errors
def serve(bank_path: str, roster: str, db_url: str | None, host: str, port: int, workers: int, jobs: int,
          secret: str | None, secret_file: str | None, id_column: str | None, secure_cookies: bool) -> None:
    """Serve homework in the browser: students sign in with their link from grader links."""
    from grader.bank.model import load_bank
    from grader.course.roster import read_roster
    from grader.web.app import WebSettings
    from grader.web.db import default_url
    from grader.web.serve import serve as run_server

    secret_value = _web_secret(bank_path, secret, secret_file)
    load_bank(bank_path)  # a bank error is one line here, not a traceback in every worker
    read_roster(roster, id_column)
    url = db_url or default_url(bank_path)
    settings = WebSettings(str(Path(bank_path).resolve()), str(Path(roster).resolve()), url, jobs, id_column,
                           secure_cookies=secure_cookies)
    click.echo(f"serving {bank_path} on http://{host}:{port}/ (database {url}); sign-in links: grader links",
               err=True)
    run_server(settings, secret_value, host, port, workers)


@main.command()
@click.argument("bank_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False), help="Roster CSV.")
@click.option("--base-url", required=True, help="Where students reach grader serve, e.g. https://hw.example.edu")
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="CSV to write (default: stdout).")
@click.option("--db", "db_url", help="Database URL (default: SQLite in a file beside the bank).")
@click.option("--rotate", multiple=True, help="Give this student (or 'instructor') a new link; the old one stops.")
@click.option("--secret", envvar="GRADER_SECRET", help="Course secret (or set GRADER_SECRET).")
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False), help="Read the secret from a file.")
@click.option("--id-column", help="Roster column that identifies students.")
@user_errors
def links(bank_path: str, roster: str, base_url: str, out_file: str | None, db_url: str | None,
          rotate: tuple[str, ...], secret: str | None, secret_file: str | None, id_column: str | None) -> None:
    """Write each student's personal sign-in link (CSV) and print the instructor's."""
    from grader.core.files import write_atomic
    from grader.course.roster import read_roster
    from grader.web import db
    from grader.web.links import instructor_link, links_csv
    from grader.web.tokens import INSTRUCTOR_SUBJECT, student_subject

    secret_value = _web_secret(bank_path, secret, secret_file)
    students = read_roster(roster, id_column)
    engine = db.make_engine(db_url or db.default_url(bank_path))
    db.migrate(engine)
    known = {student.id for student in students}
    for subject in rotate:
        if subject != "instructor" and subject not in known:
            raise click.ClickException(f"--rotate {subject}: not on the roster")
        db.rotate_salt(engine, INSTRUCTOR_SUBJECT if subject == "instructor" else student_subject(subject))
    salts = db.all_salts(engine)
    table = links_csv(students, secret_value, salts, base_url)
    if out_file:
        write_atomic(Path(out_file), table)
        click.echo(f"wrote {len(students)} sign-in links to {out_file}", err=True)
    else:
        click.echo(table, nl=False)
    click.echo(f"instructor: {instructor_link(base_url, secret_value, salts.get(INSTRUCTOR_SUBJECT, ''))}", err=True)


def _project_root() -> Path:
    """The folder with questions/ and submissions/: the checkout, or the current folder."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parent.parent):
        if (candidate / "questions" / "cnn.yaml").exists() and (candidate / "submissions").is_dir():
            return candidate
    raise click.ClickException("run the demo from the project folder (with questions/ and submissions/)")


if __name__ == "__main__":  # python -m grader.cli: run the importable module, where every command is registered
    from grader.cli import main as registered_main

    registered_main()
else:
    from grader import cli_term  # the term's commands (impact, manual, merge, gradebook, secret)

    cli_term.register(main)
