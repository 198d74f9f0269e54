"""The ``grader`` command: a thin layer over the library API.

Each command parses options, calls one library function and prints the
result. User errors become one line from ``grader.messages`` and exit
code 2, never a traceback.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from .errors import GraderError
from .messages import format_error

EXIT_USER_ERROR = 2


def _console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


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
    from .config import find_config, load_config, resolve_secret

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

    from .bank import load_bank
    from .messages import place
    from .validate import validate_bank

    failed = False
    for path in _banks(paths):
        bank = load_bank(path)
        with _progress(len(bank.questions), f"validating {path.name}") as progress:
            task = progress.add_task("", total=len(bank.questions))
            reports = validate_bank(bank, seeds, progress=lambda _: progress.advance(task))
        table = Table(title=f"{path} ({bank.id})")
        for column in ("question", "tests", "seeds", "distinct variants", "result"):
            table.add_column(column)
        for report in reports:
            result = "[red]FAIL[/red]" if report.errors else "ok"
            table.add_row(report.question, str(report.tests_run), str(report.seeds_run),
                          str(report.distinct_variants), result)
        _console().print(table)
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
    from .bank import load_bank
    from .generate import generate as run_generate
    from .roster import read_roster

    bank = load_bank(bank_path)
    students = read_roster(roster, id_column)
    secret_value, _ = _secret(secret, Path(bank_path))
    with _progress(len(students), "generating") as progress:
        task = progress.add_task("", total=len(students))
        result = run_generate(bank, students, secret_value, out_dir, key=key, progress=lambda: progress.advance(task))
    click.echo(f"wrote {len(result.problem_sets)} problem sets to {Path(out_dir) / 'problem-sets'}")
    if key:
        click.echo(f"wrote {len(result.keys)} answer keys to {Path(out_dir) / 'keys'} and {result.key_csv}")


if __name__ == "__main__":
    main()
