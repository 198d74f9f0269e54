"""Commands that build adapters: the Gradescope ``autograder`` zip and ``otter`` notebooks.
"""

from __future__ import annotations

from pathlib import Path

import click

from grader.cli.app import _secret, _secret_value, main, secret_options, user_errors


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
