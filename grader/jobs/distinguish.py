"""What feedback can tell apart: declared and derived mistakes per part, over many variants.

For each variant, every declared mistake and every candidate of the misconception engine is
evaluated (numerically, as the engine does when grading) and grouped by value. A mistake is *told
apart* on a variant when no other mistake and not the right answer give its value there; otherwise
it coincides with the others of its group, or with the answer. ``grader validate`` prints one line
per part, and a declared mistake that is never told apart (it can never be named on its own) or
that equals the answer on every variant is an error.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from grader.bank.model import Part
from grader.check.misconceptions import candidates_for
from grader.check.misconceptions.candidates import Budget, note_of
from grader.check.registry import REGISTRY

#: derived mistakes listed by name in the report: the ones told apart least often
WEAKEST_DERIVED_SHOWN = 3
ENGINE_TYPES = ("integer", "number", "expression", "matrix")


@dataclass
class MistakeTally:
    told_apart: int = 0
    equals_answer: int = 0
    coincides: Counter = field(default_factory=Counter)


@dataclass
class PartTally:
    variants: int = 0
    declared: dict[str, MistakeTally] = field(default_factory=lambda: defaultdict(MistakeTally))
    derived: dict[str, MistakeTally] = field(default_factory=lambda: defaultdict(MistakeTally))


def _key(value: Any) -> Any:
    """A value as a hashable key: numbers to 9 significant digits, matrices and formulas as text."""
    if hasattr(value, "tolist"):
        return ("matrix", str(value.tolist()))
    try:
        return ("number", float(f"{float(value):.9g}"))
    except (TypeError, ValueError, OverflowError):
        return ("text", str(value))


def tally_variant(tally: PartTally, part: Part, spec: dict[str, Any]) -> None:
    """Add one variant's part spec to the tally."""
    checker = REGISTRY.get(spec["type"])
    if spec["type"] not in ENGINE_TYPES or spec.get("answer") is None:
        return
    tally.variants += 1
    answer_key = _key(spec["answer"])
    groups: dict[Any, set[str]] = defaultdict(set)
    kinds: dict[str, str] = {}
    for mistake in spec["mistakes"]:
        notes = [mistake["note"], *(m["note"] for m in mistake.get("same_as", ()))]
        for note in notes:
            groups[_key(mistake["answer"])].add(note)
            kinds[note] = "declared"
    declared_keys = set(groups)
    for candidate in candidates_for(checker, spec, Budget()):
        if candidate.value is None:
            continue
        if spec["type"] == "matrix" and _key(candidate.value) in declared_keys:
            continue  # as in grading: a matrix equal to a declared mistake is that mistake
        note = note_of(candidate)
        groups[_key(candidate.value)].add(note)
        kinds.setdefault(note, "declared" if not note.startswith("derived:") and note in
                         {m.note for m in part.mistakes} else "derived")
    status: dict[str, tuple[int, set[str]]] = {}  # best status per note: 2 told apart, 1 coincides, 0 answer
    for key, notes in groups.items():
        for note in notes:
            others = notes - {note}
            rank = 0 if key == answer_key else (1 if others else 2)
            if note not in status or rank > status[note][0]:
                status[note] = (rank, others)
    for mistake in part.mistakes:  # dropped on this variant: equal to the answer (or not a possible answer)
        if mistake.note not in status:
            status[mistake.note] = (0, set())
            kinds[mistake.note] = "declared"
    for note, (rank, others) in status.items():
        record = (tally.declared if kinds.get(note) == "declared" else tally.derived)[note]
        if rank == 2:
            record.told_apart += 1
        elif rank == 1:
            record.coincides.update(others)
        else:
            record.equals_answer += 1


def _describe(note: str, record: MistakeTally, variants: int) -> str:
    text = f"{note} told apart on {record.told_apart}/{variants} variants"
    if record.told_apart < variants:
        reasons = []
        if record.coincides:
            top = ", ".join(f"{other} ({count})" for other, count in record.coincides.most_common(2))
            reasons.append(f"it coincides with {top}")
        if record.equals_answer:
            reasons.append(f"equals the answer on {record.equals_answer}")
        if reasons:
            text += ": " + "; ".join(reasons)
    return text


def report_lines(part_label: str, tally: PartTally) -> tuple[str, list[str]]:
    """(the part's line for the report, errors for declared mistakes that can never be named alone)."""
    n = tally.variants
    declared = [_describe(note, record, n) for note, record in tally.declared.items()]
    derived = sorted(tally.derived.items(), key=lambda item: item[1].told_apart)
    well = sum(1 for _, record in derived if record.told_apart >= 0.9 * n)
    line = f"{part_label}: " + ("; ".join(declared) if declared else "no declared mistakes")
    if derived:
        weakest = "; ".join(_describe(note, record, n) for note, record in derived[:WEAKEST_DERIVED_SHOWN]
                            if record.told_apart < 0.9 * n)
        line += f". Derived: {well} of {len(derived)} told apart on >= 90% of variants"
        line += f" (weakest: {weakest})" if weakest else ""
    errors = []
    for note, record in tally.declared.items():
        if record.equals_answer == n:
            errors.append(f"mistake '{note}' equals the right answer on every variant checked ({n}): it can never fire")
        elif record.told_apart == 0:
            errors.append(f"mistake '{note}' is never told apart from the answer or another mistake on {n} variants, "
                          "so its feedback is never given on its own; remove it or add a where: rule")
    return line, errors
