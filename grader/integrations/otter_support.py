"""Called from the otter tests that ``grader otter`` writes, at grading time.

The test passes the student's global namespace (``env``). We find the
student's identity (Gradescope metadata when present, which the student
cannot change; otherwise the notebook's ``STUDENT_ID``), build their
variant from the bank and secret shipped with the autograder, call their
function on that variant's inputs and raise AssertionError with feedback
when a case fails. The references are computed here, in grader's own
module namespace, not in the student's.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from grader.integrations.otter_export import SECRET_FILE, SUPPORT_CONFIG


def _find(name: str) -> Path | None:
    for folder in (Path.cwd(), Path.cwd().parent, Path(os.environ.get("GRADER_OTTER_DIR", "."))):
        if (folder / name).is_file():
            return folder / name
    return None


def student_id(env: dict[str, Any], identity: str) -> str:
    metadata_path = _find("submission_metadata.json")
    if metadata_path is not None:
        try:
            users = json.loads(metadata_path.read_text(encoding="utf-8")).get("users") or []
        except (OSError, ValueError):
            users = []
        if users and users[0].get(identity):
            return str(users[0][identity])
    value = env.get("STUDENT_ID")
    if not isinstance(value, str) or not value.strip() or value.strip() in ("...", "instructor-placeholder"):
        raise AssertionError("Set STUDENT_ID at the top of the notebook to your student id, as on the roster.")
    return value.strip()


def check_in_notebook(env: dict[str, Any], question_id: str, part_id: str) -> None:
    from grader.bank.model import load_bank
    from grader.bank.variant import make_variant
    from grader.check.code_cases import check_function

    config_path = _find(SUPPORT_CONFIG)
    if config_path is None:
        raise AssertionError(f"grading files are missing ({SUPPORT_CONFIG}); tell your instructor")
    config = json.loads(config_path.read_text(encoding="utf-8"))
    bank = load_bank(config_path.parent / config["bank"])
    secret = os.environ.get("GRADER_SECRET")
    if not secret:
        secret_path = _find(SECRET_FILE)
        secret = secret_path.read_text(encoding="utf-8").strip() if secret_path else ""
    if not secret:
        raise AssertionError("the course secret is missing from the grading environment; tell your instructor")
    question = bank.by_id[question_id]
    variant = make_variant(bank, question, secret, student_id(env, config.get("identity", "sid")))
    spec = variant.parts[part_id]
    result = check_function(spec, env.get(spec["function"]))
    if result.verdict != "correct":
        raise AssertionError(result.feedback)
