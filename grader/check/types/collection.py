"""Sets and tuples of numbers or expressions: the roots of a polynomial ``{-2, 3}``, a point ``(1, 2)``.

``set`` is unordered (duplicates are pointed out), ``tuple`` is ordered. Elements are compared as
expressions (at test points when there are variables). Feedback says how many elements are missing or
extra, whether one is repeated, and for a tuple whether only the order is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy

from grader.check.base import Checker, Diagnosis
from grader.check.kinds_common import guard_length, read_expression, reference_value, same_value, split_top_level
from grader.check.types.expression import _AnswerPrinter
from grader.core.errors import FormatError
from grader.core.messages import feedback

DEFAULT_RTOL = 1e-9
_BRACKETS = {"set": ("{", "}"), "tuple": ("(", ")")}


class SetChecker(Checker):
    name = "set"
    ordered = False
    settings = {"variables": [], "rtol": DEFAULT_RTOL, "partial": False}

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        variables = spec.get("variables", [])
        if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
            return ["variables must be a list of names"]
        return []

    def reference(self, value: Any, spec: Mapping[str, Any]) -> tuple[sympy.Basic, ...]:
        if isinstance(value, sympy.MatrixBase):
            return tuple(value)
        if isinstance(value, (sympy.FiniteSet, sympy.Tuple)):
            return tuple(value.args)
        if isinstance(value, (list, tuple, set, frozenset)):
            return tuple(reference_value(item) for item in value)
        if isinstance(value, sympy.Basic):
            return (value,)
        raise ValueError(f"a {self.name} part needs a list of values, not {value!r}")

    def parse(self, raw: str, spec: Mapping[str, Any]) -> tuple[sympy.Basic, ...]:
        guard_length(raw)
        text = raw.strip()
        start = raw.index(text[0])
        end = start + len(text)
        if text[0] in "{([" and text[-1] in "})]" and _encloses(text):
            start, end = start + 1, end - 1
        if not raw[start:end].strip():
            return ()
        return tuple(read_expression(piece, at, raw, spec) for piece, at in split_top_level(raw, [",", ";"], start, end)
                     if _nonempty(piece, at, raw))

    def score(self, value: tuple, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        missing, extra, duplicates = _compare(value, reference, spec, self.ordered)
        if not (missing or extra or duplicates):
            return 1.0, "correct", ""
        if spec.get("partial") and reference:
            right = len(reference) - missing
            return max(0.0, (right - extra - duplicates) / len(reference)), "partial-elements", _summary(missing, extra, duplicates)
        return 0.0, "", ""

    def diagnose(self, value: tuple, reference: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
        missing, extra, duplicates = _compare(value, reference, spec, self.ordered)
        if self.ordered and not any(_compare(value, reference, spec, False)):
            return Diagnosis("order", feedback("set-order"))
        if duplicates and not missing and not extra:
            return Diagnosis("duplicate", feedback("set-duplicate"))
        if missing and not extra and not duplicates:
            return Diagnosis("missing", feedback("set-missing", count=missing))
        if extra and not missing and not duplicates:
            return Diagnosis("extra", feedback("set-extra", count=extra))
        return Diagnosis("elements", _summary(missing, extra, duplicates))

    def format(self, reference: Any, spec: Mapping[str, Any]) -> str:
        opening, closing = _BRACKETS[self.name]
        printer = _AnswerPrinter()
        return opening + ", ".join(printer.doprint(item) for item in reference) + closing


class TupleChecker(SetChecker):
    name = "tuple"
    ordered = True


def _nonempty(piece: str, at: int, raw: str) -> bool:
    if not piece.strip():
        raise FormatError("an element is missing between the commas", raw, at)
    return True


def _encloses(text: str) -> bool:
    """Whether the first bracket closes at the very end ("(1, 2)" yes, "(1)+(2)" no)."""
    depth = 0
    for index, ch in enumerate(text):
        depth += (ch in "{([") - (ch in "})]")
        if depth == 0:
            return index == len(text) - 1
    return False


def _compare(value: tuple, reference: tuple, spec: Mapping[str, Any], ordered: bool) -> tuple[int, int, int]:
    """(missing, extra, duplicates) of the answer against the reference."""
    rtol = float(spec.get("rtol", DEFAULT_RTOL))
    if ordered:
        if len(value) == len(reference) and all(same_value(a, b, spec, rtol) for a, b in zip(value, reference)):
            return 0, 0, 0
        wrong = sum(not same_value(a, b, spec, rtol) for a, b in zip(value, reference))
        return wrong + max(0, len(reference) - len(value)), max(0, len(value) - len(reference)), 0
    distinct: list[sympy.Basic] = []
    duplicates = 0
    for item in value:
        if any(same_value(item, seen, spec, rtol) for seen in distinct):
            duplicates += 1
        else:
            distinct.append(item)
    matched = [any(same_value(item, wanted, spec, rtol) for item in distinct) for wanted in reference]
    extra = sum(not any(same_value(item, wanted, spec, rtol) for wanted in reference) for item in distinct)
    return matched.count(False), extra, duplicates


def _summary(missing: int, extra: int, duplicates: int) -> str:
    lines = []
    if missing:
        lines.append(feedback("set-missing", count=missing))
    if extra:
        lines.append(feedback("set-extra", count=extra))
    if duplicates:
        lines.append(feedback("set-duplicate"))
    return " ".join(lines)
