"""Free response: never scored automatically; kept for manual grading with its rubric."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.check.base import Checker
from grader.core.messages import feedback
from grader.core.safe_text import MAX_HAND_GRADED_ANSWER

MAX_FREE_LENGTH = MAX_HAND_GRADED_ANSWER  # what the grader reads, whole, in the record and the grading sheet


class FreeResponseChecker(Checker):
    name = "free"
    bounded = True
    settings = {"rubric": []}
    needs_answer = False

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        rubric = spec.get("rubric")
        if not isinstance(rubric, list) or not rubric:
            return ["a free-response part needs a rubric: a list of criteria"]
        return []

    def parse(self, raw: str, spec: Mapping[str, Any]) -> str:
        return raw[:MAX_FREE_LENGTH]

    def score(self, value: Any, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        note = "pending" if str(value).strip() else "pending-blank"
        return 0.0, note, feedback("pending")
