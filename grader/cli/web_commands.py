"""Commands for homework in the browser: ``serve`` and ``links``.
"""

from __future__ import annotations

from pathlib import Path

import click

from grader.cli.app import _secret, _secret_value, main, user_errors


def _web_secret(bank_path: str, secret: str | None, secret_file: str | None, students: list,
                allow_demo_secret: bool) -> str:
    """The course secret; the public demo secret only for the sample class (anyone could forge its links)."""
    from grader.course.config import refuse_demo_secret

    value, _ = _secret(_secret_value(secret, secret_file), Path(bank_path))
    refuse_demo_secret(value, "sign in a roster other than the sample class (anyone could forge its links)",
                       roster_ids=[s.id for s in students], allowed=allow_demo_secret)
    return value


_ALLOW_DEMO = click.option("--allow-demo-secret", is_flag=True,
                           help="Let the public demo secret sign in any roster (a trial run, never a real course).")


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
@_ALLOW_DEMO
@user_errors
def serve(bank_path: str, roster: str, db_url: str | None, host: str, port: int, workers: int, jobs: int,
          secret: str | None, secret_file: str | None, id_column: str | None, secure_cookies: bool,
          allow_demo_secret: bool) -> None:
    """Serve homework in the browser: students sign in with their link from grader links."""
    from grader.bank.model import load_bank
    from grader.course.roster import read_roster
    from grader.web.app import WebSettings
    from grader.web.db import default_url
    from grader.web.serve import serve as run_server

    students = read_roster(roster, id_column)
    secret_value = _web_secret(bank_path, secret, secret_file, students, allow_demo_secret)
    load_bank(bank_path)  # a bank error is one line here, not a traceback in every worker
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
@_ALLOW_DEMO
@user_errors
def links(bank_path: str, roster: str, base_url: str, out_file: str | None, db_url: str | None,
          rotate: tuple[str, ...], secret: str | None, secret_file: str | None, id_column: str | None,
          allow_demo_secret: bool) -> None:
    """Write each student's personal sign-in link (CSV) and print the instructor's."""
    from grader.core.files import write_atomic
    from grader.course.roster import read_roster
    from grader.web import db
    from grader.web.links import instructor_link, links_csv
    from grader.web.tokens import INSTRUCTOR_SUBJECT, student_subject

    students = read_roster(roster, id_column)
    secret_value = _web_secret(bank_path, secret, secret_file, students, allow_demo_secret)
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
