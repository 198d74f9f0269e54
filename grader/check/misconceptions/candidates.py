"""Candidate wrong computations, and the rules for naming one.

A candidate is a plausible wrong computation evaluated on the student's own
variant. It may be named only when it matches the answer within the part's
tolerance, differs from the right answer, and no other candidate explains the
answer equally well; two explanations are both named, more are left unsaid.
Every candidate is a numeric evaluation, and a budget bounds how many a check
may try, so a wrong answer costs bounded time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from grader.check.base import Diagnosis

#: candidate evaluations one check may make (each is a numeric evaluation on the variant's values)
MAX_CANDIDATES = 400
#: at most this many explanations are named together; more means the answer says too little
MAX_NAMED = 2


@dataclass(frozen=True)
class Candidate:
    code: str  # stable across variants: becomes the note "derived:<code>"
    message: str  # one sentence for the student
    value: Any  # the candidate answer on this variant, in the checker's reference form
    note: str = ""  # overrides "derived:<code>" (a declared mistake named through a relation)
    #: needs a rounding step the student would have seen (a fraction for a width): it never hides an exact
    #: explanation, and is mentioned beside one
    weak: bool = False


class Budget:
    """Counts candidate evaluations; generators stop when it is spent."""

    def __init__(self, limit: int = MAX_CANDIDATES) -> None:
        self.left = limit

    def take(self) -> bool:
        self.left -= 1
        return self.left >= 0


def note_of(candidate: Candidate) -> str:
    return candidate.note or f"derived:{candidate.code}"


def matching(candidates: Iterable[Candidate], explains: Callable[[Any], bool], same: Callable[[Any, Any], bool],
             answer: Any, budget: Budget, taken: set[str] = frozenset(), limit: int = MAX_NAMED) -> list[Candidate]:
    """The candidates that explain the answer (one per note, none equal to the right answer), at most limit + 1.

    ``explains(value)`` says whether the student's answer matches a candidate value; ``same(a, b)``
    compares two candidate values with the part's tolerance; ``answer`` is the right answer; notes in
    ``taken`` are already explained (by a declared mistake).
    """
    found: list[Candidate] = []
    seen_codes: set[str] = set()
    for candidate in candidates:
        if not budget.take():
            break
        if candidate.code in seen_codes or candidate.value is None or note_of(candidate) in taken:
            continue
        seen_codes.add(candidate.code)
        try:
            if not explains(candidate.value) or same(candidate.value, answer):  # explains is rarely true: first
                continue
        except Exception:  # a candidate that cannot be compared (shape, overflow) explains nothing
            continue
        if any(note_of(c) == note_of(candidate) for c in found):
            continue
        found.append(candidate)
        if sum(not c.weak for c in found) > limit:
            break  # too many explanations already: naming any one could name the wrong cause
    return found


def name(explanations: list[Diagnosis]) -> Diagnosis | None:
    """One explanation is named; two are named together (declared first, then by note); more are not named."""
    if not explanations or len(explanations) > MAX_NAMED:
        return None
    if len(explanations) == 1:
        return explanations[0]
    ordered = sorted(explanations, key=lambda d: (d.note.startswith("derived:"), d.note))  # the author's first
    return Diagnosis(" | ".join(d.note for d in ordered),
                     "Two mistakes give your answer here: " + " Or: ".join(d.message for d in ordered))


def as_diagnosis(candidate: Candidate, named_feedback: dict[str, str]) -> Diagnosis:
    note = note_of(candidate)
    return Diagnosis(note, named_feedback.get(note.removeprefix("derived:"), candidate.message))
