"""The one interface every answer type implements, and ``check_answer``.

A checker turns the raw text into a value (or raises ``FormatError``),
scores that value against the variant's reference, and, when it is wrong,
tries to say how it relates to the reference. Declared ``mistakes:`` are
matched by the same comparison, so a mistake is just another reference
with a message and a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import FormatError
from ..messages import feedback, format_answer_error

VERDICTS = ("correct", "incorrect", "partial", "invalid", "pending")


@dataclass(frozen=True)
class CheckResult:
    verdict: str
    score: float
    feedback: str
    note: str
    answer: str = ""  # the answer as the checker understood it, for statistics

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict}")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score {self.score} outside [0, 1]")


@dataclass(frozen=True)
class Diagnosis:
    """How a wrong answer relates to the reference: a note and its message."""

    note: str
    message: str


class CheckTimeout(Exception):
    """A check ran out of time or memory in its worker process."""


class Checker:
    """Base class: subclasses set ``name`` and ``settings`` and override the phases."""

    name: ClassVar[str] = ""
    #: allowed part settings and their defaults (beyond the common ones)
    settings: ClassVar[dict[str, Any]] = {}
    #: whether a reference is needed (free response has none)
    needs_answer: ClassVar[bool] = True
    #: whether the part is answered in an answers file (code parts are graded from the notebook)
    in_answers_file: ClassVar[bool] = True

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        """Problems with the part's settings, as short sentences."""
        return []

    def reference(self, value: Any, spec: Mapping[str, Any]) -> Any:
        """Normalise a solver's output into this type's reference value."""
        return value

    def parse(self, raw: str, spec: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def score(self, value: Any, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        """(score in [0,1], note, feedback) for a parsed value."""
        raise NotImplementedError

    def matches(self, value: Any, reference: Any, spec: Mapping[str, Any]) -> bool:
        return self.score(value, reference, spec)[0] >= 1.0

    def diagnose(self, value: Any, reference: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
        return None

    def format(self, reference: Any, spec: Mapping[str, Any]) -> str:
        """The reference written as a student would type it."""
        return str(reference)


@dataclass
class Registry:
    checkers: dict[str, Checker] = field(default_factory=dict)

    def register(self, checker: Checker) -> Checker:
        self.checkers[checker.name] = checker
        return checker

    def get(self, name: str) -> Checker:
        return self.checkers[name]


REGISTRY = Registry()


def register(cls: type[Checker]) -> type[Checker]:
    REGISTRY.register(cls())
    return cls


def answers_file_parts(question: Any) -> list:
    """The parts of a question that an answers file answers."""
    from . import types  # noqa: F401  (registers the checkers)

    return [part for part in question.parts if part.type in REGISTRY.checkers and REGISTRY.get(part.type).in_answers_file]


def auto_graded(part_type: str) -> bool:
    """Scored by the grader from an answers file (not by hand, not from a notebook)."""
    checker = REGISTRY.get(part_type)
    return checker.needs_answer and checker.in_answers_file


def check_answer(part_spec: Mapping[str, Any], raw_text: Any) -> CheckResult:
    """Check one answer against one part of one variant.

    ``part_spec`` is the part as written in the bank with ``answer`` (and
    each mistake's ``answer``) already resolved for the variant.
    """
    from . import types  # noqa: F401  (registers the checkers)

    checker = REGISTRY.get(part_spec["type"])
    raw = "" if raw_text is None else str(raw_text)
    if not checker.needs_answer:
        value = checker.parse(raw, part_spec)
        score, note, message = checker.score(value, None, part_spec)
        return CheckResult("pending", 0.0, message, note, raw.strip())
    if not raw.strip():
        return CheckResult("incorrect", 0.0, feedback("blank"), "blank", "")
    try:
        value = checker.parse(raw, part_spec)
    except FormatError as error:
        if not error.text:
            error.text = raw
        return CheckResult("invalid", 0.0, format_answer_error(error), "invalid", raw.strip()[:200])
    shown = checker.format(value, part_spec) if value is not None else raw.strip()
    try:
        score, note, message = checker.score(value, part_spec["answer"], part_spec)
        if score >= 1.0:
            return CheckResult("correct", 1.0, message or feedback("correct"), note or "correct", shown)
        declared = _declared_mistake(checker, value, part_spec)
        diagnosis = declared or (checker.diagnose(value, part_spec["answer"], part_spec) if score == 0 else None)
    except CheckTimeout:
        return CheckResult("invalid", 0.0, feedback("timeout"), "timeout", shown)
    lines = [message] if message else []
    if diagnosis:
        lines.append(diagnosis.message)
        if declared or score == 0:
            note = diagnosis.note
    if not lines:
        lines.append(feedback("incorrect"))
    if part_spec.get("show_answer"):
        lines.append(feedback("reveal", answer=checker.format(part_spec["answer"], part_spec)))
    verdict = "partial" if score > 0 else "incorrect"
    return CheckResult(verdict, round(score, 6), " ".join(lines), note or verdict, shown)


def _declared_mistake(checker: Checker, value: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
    for mistake in spec.get("mistakes") or ():
        if mistake.get("answer") is None:
            continue
        if checker.matches(value, mistake["answer"], spec):
            return Diagnosis(mistake["note"], mistake["feedback"])
    return None
