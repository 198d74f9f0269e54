"""grader: randomized question banks, per-student variants, and auto-grading with feedback.

The public API, for programs and tests; the CLI and the web app are thin layers over it:

- ``load_bank(path) -> Bank``
- ``make_variant(bank, question, secret, student_id) -> Variant``
- ``check_answer(part_spec, raw_text) -> CheckResult`` (pure, unbounded)
- ``check_part(part_spec, raw_text, time_limit=None) -> CheckResult`` (the same under the part's time and
  memory limit: what grading, ``grader check``, the autograder and the web app call)
- ``grade_submission(bank, secret, submission) -> SubmissionResult``
- ``assigned_questions(bank, secret, student_id) -> list[Question]`` (which questions a bank's pools give)

The data flows one way through the subpackages: ``core`` -> ``check`` -> ``bank`` -> ``documents``
(bank to documents), and ``grading`` -> ``report`` (a submission to reports); ``jobs`` compose them,
``integrations``, ``cli`` and ``web`` sit at the edge. Names load lazily, so ``import grader.cli``
stays light (no sympy, no numpy).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"  # pyproject.toml reads it from here

_API = {
    "load_bank": "grader.bank.model",
    "make_variant": "grader.bank.variant",
    "check_answer": "grader.check.answer",
    "check_part": "grader.check.limits",
    "grade_submission": "grader.grading.grade",
    "assigned_questions": "grader.bank.pools",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
