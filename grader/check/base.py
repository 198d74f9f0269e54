"""The one interface every answer type implements.

A checker turns the raw text into a value (or raises ``FormatError``),
scores that value against the variant's reference, and, when it is wrong,
tries to say how it relates to the reference. Declared ``mistakes:`` are
matched by the same comparison, so a mistake is just another reference
with a message and a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

VERDICTS = ("correct", "incorrect", "partial", "invalid", "pending")


@dataclass(frozen=True, slots=True)  # one per part per student: no __dict__ each
class CheckResult:
    verdict: str
    score: float
    feedback: str
    note: str
    answer: str = ""  # the answer as the checker understood it, for statistics

    def __reduce__(self):  # pickled positionally (a class's results travel from the workers), checked again
        return CheckResult, (self.verdict, self.score, self.feedback, self.note, self.answer)

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
    #: whether the input caps alone bound the whole check; if not, it runs in the killable worker
    bounded: ClassVar[bool] = False

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        """Problems with the part's settings, as short sentences."""
        return []

    def advice(self, spec: Mapping[str, Any]) -> list[str]:
        """Warnings for one variant's resolved part (its reference included), shown by ``grader validate``."""
        return []

    def answer_names(self, spec: Mapping[str, Any]) -> list[str]:
        """Names the bank's answer expression may use beyond the part's variables (e.g. the imaginary unit)."""
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
