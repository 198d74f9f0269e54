"""The course config (``course.yaml`` beside the banks) and the course secret.

The secret decides every variant, so it comes from ``--secret`` or the
``GRADER_SECRET`` environment variable. The bundled demo's config carries
a public demo secret; using it for anything but the demo prints a warning.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from grader.core.errors import BankError, GraderError, Location
from grader.core.yamlload import YamlError, load_file

DEMO_SECRET = "grader-demo-secret-do-not-use-for-a-real-course"
SAMPLE_CLASS_IDS = frozenset(f"s{number:03d}" for number in range(1, 11))  # submissions/roster.csv
IDENTITY_FIELDS = ("sid", "email", "id")


@dataclass(frozen=True)
class CourseConfig:
    name: str = ""
    secret: str | None = None
    identity: str = "sid"
    path: Path | None = None


def find_config(bank_path: str | Path) -> Path | None:
    candidate = Path(bank_path)
    folder = candidate if candidate.is_dir() else candidate.parent
    path = folder / "course.yaml"
    return path if path.exists() else None


def load_config(path: str | Path | None) -> CourseConfig:
    if path is None:
        return CourseConfig()
    try:
        data = load_file(str(path)).data or {}
    except YamlError as error:
        raise BankError(error.message, Location(str(path), error.line, error.column)) from error
    identity = str(data.get("identity", "sid"))
    if identity not in IDENTITY_FIELDS:
        raise BankError(f"identity must be one of {', '.join(IDENTITY_FIELDS)}", Location(str(path)))
    secret = data.get("secret")
    return CourseConfig(str(data.get("course", "")), None if secret is None else str(secret), identity, Path(path))


def resolve_secret(option: str | None, config: CourseConfig, *, demo: bool = False) -> tuple[str, str | None]:
    """(secret, warning or None). Order: option, GRADER_SECRET, the config file."""
    secret = (option or os.environ.get("GRADER_SECRET") or config.secret or "").strip()
    if not secret:
        raise BankError("no course secret: pass --secret or set GRADER_SECRET", Location(str(config.path or "")))
    warning = None
    if secret == DEMO_SECRET and not demo:
        warning = ("warning: using the public demo secret; every student can recompute these variants. "
                   "Set GRADER_SECRET for a real course.")
    return secret, warning


def refuse_demo_secret(secret: str, action: str, *, roster_ids: list[str] | None = None,
                       allowed: bool = False) -> None:
    """Stop the public demo secret from reaching a real course.

    Anyone with the public repository can compute every variant from it, so it may not be packed into
    an autograder or export, nor grade a roster other than the bundled sample class, unless the caller
    passes ``allowed`` (the CLI's ``--allow-demo-secret``, for a trial run).
    """
    if secret != DEMO_SECRET or allowed:
        return
    if roster_ids is not None and set(roster_ids) <= SAMPLE_CLASS_IDS:
        return
    raise GraderError(f"the public demo secret cannot be used to {action}",
                      hint="set GRADER_SECRET or pass --secret-file with your course's own secret; "
                           "--allow-demo-secret overrides this for a trial run")


def read_secret_file(path: str | Path) -> str:
    """The secret in a file; an empty file is an error, never a fallback to another secret."""
    try:
        secret = Path(path).read_text(encoding="utf-8-sig").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise GraderError(f"cannot read the secret file: {getattr(error, 'strerror', None) or error}",
                          Location(str(path))) from error
    if not secret:
        raise GraderError("the secret file is empty", Location(str(path)),
                          "put the course secret on its first line")
    return secret
