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

from grader.core.errors import GraderError
from grader.core.messages import format_error

EXIT_USER_ERROR = 2


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
            click.echo(f"error: {format_error(error)}", err=True)
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
@user_errors
def validate(paths: tuple[str, ...], seeds: int) -> None:
    """Lint banks and run every question's tests on many seeds."""
    from rich.table import Table

    from grader.bank.model import load_bank
    from grader.core.messages import place
    from grader.jobs.validate import validate_bank

    failed = False
    for path in _banks(paths):
        bank = load_bank(path)
        with _progress(len(bank.questions), f"validating {path.name}") as progress:
            task = progress.add_task("", total=len(bank.questions))
            reports = validate_bank(bank, seeds, progress=lambda _, t=task: progress.advance(t))
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
                click.echo(f"{finding.level}: {place(finding.location)}: {finding.message}")
        failed |= any(report.errors for report in reports)
    if failed:
        sys.exit(1)


@main.command()
@click.argument("bank_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False), help="Roster CSV.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--key", is_flag=True, help="Also write instructor answer keys and answer_key.csv.")
@click.option("--secret", envvar="GRADER_SECRET", help="Course secret (or set GRADER_SECRET).")
@click.option("--id-column", help="Roster column that identifies students.")
@user_errors
def generate(bank_path: str, roster: str, out_dir: str, key: bool, secret: str | None, id_column: str | None) -> None:
    """Write a problem set per student (Markdown and HTML), and with --key the answer keys."""
    from grader.bank.model import load_bank
    from grader.course.roster import read_roster
    from grader.documents.generate import generate as run_generate

    bank = load_bank(bank_path)
    students = read_roster(roster, id_column)
    secret_value, _ = _secret(secret, Path(bank_path))
    with _progress(len(students), "generating") as progress:
        task = progress.add_task("", total=len(students))
        result = run_generate(bank, students, secret_value, out_dir, key=key, progress=lambda: progress.advance(task))
    click.echo(f"wrote {len(result.problem_sets)} problem sets to {Path(out_dir) / 'problem-sets'}")
    if key:
        click.echo(f"wrote {len(result.keys)} answer keys to {Path(out_dir) / 'keys'} and {result.key_csv}")


def _grade(bank_path: str, submissions: tuple[str, ...], roster: str, out_dir: str, jobs: int, secret: str | None,
           id_column: str | None, demo: bool = False):
    from grader.bank.model import load_bank
    from grader.course.roster import read_roster
    from grader.jobs.grade_class import grade_class

    bank = load_bank(bank_path)
    students = read_roster(roster, id_column)
    secret_value, _ = _secret(secret, Path(bank_path), demo=demo)
    total = len(students)
    with _progress(total, "grading") as progress:
        task = progress.add_task("", total=total)
        result = grade_class(bank, secret_value, students, [Path(p) for p in submissions], Path(out_dir), jobs,
                             progress=lambda: progress.advance(task),
                             on_total=lambda n: progress.update(task, total=n))
    return bank, result


def _print_class(bank, result) -> None:
    from rich.table import Table

    from grader.bank.templates import points

    table = Table(title=f"{bank.title}: {len(result.results)} students")
    for column in ("student", "status", "score", "notes"):
        table.add_column(column)
    for student_id, item in result.results.items():
        pending = sum(p.max_points for p in item.pending)
        notes = item.message or "; ".join(item.warnings)
        table.add_row(student_id, item.status, f"{points(item.points)} / {points(item.max_points - pending)}", notes[:70])
    _console(stderr=False).print(table)
    for name in result.unmatched:
        click.echo(f"note: {name} matches no roster id; graded under its file name and listed in the gradebook")


@main.command()
@click.argument("bank_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False), help="Roster CSV.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 64), help="Grade in parallel.")
@click.option("--secret", envvar="GRADER_SECRET", help="Course secret (or set GRADER_SECRET).")
@click.option("--id-column", help="Roster column that identifies students.")
@user_errors
def grade(bank_path: str, submissions: tuple[str, ...], roster: str, out_dir: str, jobs: int, secret: str | None,
          id_column: str | None) -> None:
    """Grade answers files; write feedback, results.json, gradebook and summary."""
    bank, result = _grade(bank_path, submissions, roster, out_dir, jobs, secret, id_column)
    _print_class(bank, result)
    click.echo(f"wrote feedback, gradebook.csv and summary to {out_dir}")


@main.command()
@click.argument("bank_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("answers", type=click.Path(exists=True, dir_okay=False))
@click.option("--student", required=True, help="Your student id, as on the roster.")
@click.option("--secret", envvar="GRADER_SECRET", help="Course secret (practice mode only).")
@user_errors
def check(bank_path: str, answers: str, student: str, secret: str | None) -> None:
    """Check an answers file before submitting: missing parts and unreadable answers.

    BANK_PATH may be the student copy (student-bank.yaml from grader generate): it holds no answers and
    needs no secret. Only a bank with practice: true, with its secret, also says what is right.
    """
    from grader.bank.student_bank import load_shape
    from grader.grading.selfcheck import self_check

    shape = load_shape(bank_path)
    practice = None
    if shape.practice:
        from grader.bank.model import load_bank

        secret_value, _ = _secret(secret, Path(bank_path))
        practice = (load_bank(bank_path), secret_value)
    report = self_check(shape, student, answers, practice)
    for warning in report.warnings:
        click.echo(f"warning: {warning}")
    for label in report.missing:
        click.echo(f"missing: {label}")
    for message in report.unreadable:
        click.echo(f"cannot read: {message}")
    for verdict in report.verdicts:
        click.echo(f"practice: {verdict}")
    click.echo(f"{report.answered} answered, {len(report.missing)} missing, {len(report.unreadable)} unreadable")
    if not report.ok:
        sys.exit(1)


@main.command()
@click.option("--out", "out_dir", default="demo-out", show_default=True, type=click.Path(file_okay=False))
@click.option("--jobs", default=2, show_default=True, type=click.IntRange(1, 64))
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
@user_errors
def autograder(bank_path: str, out_file: str, secret: str | None, secret_file: str | None,
               identity: str | None) -> None:
    """Build a Gradescope autograder zip for a bank."""
    from grader.integrations.autograder import build_zip

    if secret_file:
        secret = Path(secret_file).read_text(encoding="utf-8").strip()
    secret_value, config = _secret(secret, Path(bank_path))
    path = build_zip(bank_path, out_file, secret_value, identity or config.identity)
    click.echo(f"wrote {path} (upload it as the autograder; the secret inside is not shown to students)")


@main.command()
@click.argument("bank_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--secret", envvar="GRADER_SECRET", help="Course secret (or set GRADER_SECRET).")
@click.option("--identity", type=click.Choice(["sid", "email", "id"]), default=None,
              help="Which submission_metadata users[] field identifies the student (default: course.yaml).")
@click.option("--assign/--no-assign", default=True, show_default=True,
              help="Also run otter assign: the student notebook and the otter autograder zip.")
@user_errors
def otter(bank_path: str, out_dir: str, secret: str | None, identity: str | None, assign: bool) -> None:
    """Export the bank's code parts as an otter-assign master notebook (needs the otter extra)."""
    from grader.bank.model import load_bank
    from grader.integrations.otter_export import assignment_name, export_otter, run_otter_assign

    try:
        import nbformat  # noqa: F401
    except ImportError as error:
        raise click.ClickException('this needs the otter extra: pip install "grader[otter]"') from error
    bank = load_bank(bank_path)
    secret_value, config = _secret(secret, Path(bank_path))
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


def _web_secret(bank_path: str, secret: str | None, secret_file: str | None) -> str:
    if secret_file:
        secret = Path(secret_file).read_text(encoding="utf-8").strip()
    value, _ = _secret(secret, Path(bank_path))
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


if __name__ == "__main__":
    main()
