"""The one function through which the web app grades an answer.

It is the same ``check_part`` (``check_answer`` under the part's time and
memory limit) that ``grader grade`` uses on an answers file, so the same text
gets the same verdict, score and note. It runs in a worker process of
``grader.web.worker`` (whose task limit is a second guard), never on the
event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.check.base import CheckResult
from grader.check.limits import check_part
from grader.check.registry import REGISTRY
from grader.core.errors import FormatError
from grader.core.messages import format_answer_error


def grade_answer(part_spec: Mapping[str, Any], raw_text: str) -> CheckResult:
    # The reveal line is the app's decision (after the last attempt, if the bank allows), not the checker's.
    return check_part({**part_spec, "show_answer": False}, raw_text)  # under the part's time limit, as grader grade


def read_answer(part_spec: Mapping[str, Any], raw_text: str) -> tuple[bool, str]:
    """Parse only, never compare: (readable, "how we read it" or the caret message). Uses no attempt."""
    checker = REGISTRY.get(part_spec["type"])
    if not raw_text.strip():
        return False, "No answer yet."
    if not checker.needs_answer:
        return True, raw_text.strip()
    try:
        value = checker.parse(raw_text, part_spec)
    except FormatError as error:
        if not error.text:
            error.text = raw_text
        return False, format_answer_error(error)
    shown = checker.format(value, part_spec) if value is not None else raw_text.strip()
    # Show powers the way students type them: (x + 1)^2/3, not Python's **.
    return True, shown.replace("**", "^") if part_spec["type"] in ("expression", "matrix") else shown
