"""The ``grader`` group and what every command shares: one-line user errors (exit 2), safe terminal
output, progress bars, the course secret and the roster report.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from grader.core.errors import GraderError
from grader.core.messages import format_error
from grader.core.safe_text import terminal_text

EXIT_USER_ERROR = 2


def _echo(text: str, err: bool = False) -> None:
    """Print a line that may hold file names, keys or answers: escape sequences cannot reach the terminal."""
    click.echo(terminal_text(text), err=err)


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
