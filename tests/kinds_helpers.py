"""Shared by the issue-9 test files: a resolved part spec built the way make_variant builds it."""

from __future__ import annotations

from typing import Any

import grader.check.types  # noqa: F401  (registers the checkers)
from grader.check.answer import check_answer
from grader.check.base import CheckResult
from grader.check.registry import REGISTRY


def spec(kind: str, answer: Any = None, mistakes: tuple[tuple[Any, str, str], ...] = (), **settings: Any) -> dict:
    checker = REGISTRY.get(kind)
    part: dict[str, Any] = {"type": kind, **settings}
    part["answer"] = checker.reference(answer, part) if checker.needs_answer else None
    part["mistakes"] = [{"answer": checker.reference(value, part), "note": note, "feedback": message}
                        for value, note, message in mistakes]
    return part


def check(part: dict, raw: str) -> CheckResult:
    return check_answer(part, raw)


def key(part: dict) -> str:
    """The reference as the answer key prints it (what validate checks against itself)."""
    return REGISTRY.get(part["type"]).format(part["answer"], part)
