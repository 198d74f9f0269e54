"""Intervals and inequalities: ``x > 3``, ``(3, inf)``, ``[0, 1) U (2, 5]``, ``-1 <= x < 2``, ``x < 0 or x > 1``.

The answer is read into a union of intervals (endpoints through the safe parser, exact) and compared with
the reference set piece by piece, so the feedback can name the wrong endpoint or the wrong bracket, as
WeBWorK's Interval objects do. The bank writes the reference as an inequality (``x > 3``, ``(x >= 0) and
(x < 1)``) or a solver returns a sympy set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy

from grader.check.base import Checker, Diagnosis
from grader.check.kinds_common import guard_length, read_expression, split_top_level
from grader.check.types.expression import _AnswerPrinter
from grader.core.errors import FormatError
from grader.core.messages import feedback

DEFAULT_RTOL = 1e-9
_INFINITY = {"inf", "infinity", "oo", "∞"}
_EVERYTHING = {"r", "reals", "all reals", "all real numbers", "ℝ"}
_NOTHING = {"empty", "{}", "∅", "none", "no solution"}
_UNION_LETTER = re.compile(r"(?<![A-Za-z])[Uu](?![A-Za-z])")
_COMPARATOR = re.compile(r"<=|>=|≤|≥|<|>")


@dataclass(frozen=True)
class Piece:
    low: sympy.Expr
    high: sympy.Expr
    low_open: bool
    high_open: bool


class IntervalChecker(Checker):
    name = "interval"
    settings = {"variable": "x", "rtol": DEFAULT_RTOL}

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        variable = spec.get("variable", "x")
        return [] if isinstance(variable, str) and variable.isidentifier() else ["variable must be a name"]

    def answer_names(self, spec: Mapping[str, Any]) -> list[str]:
        return [str(spec.get("variable", "x"))]

    def reference(self, value: Any, spec: Mapping[str, Any]) -> sympy.Set:
        if isinstance(value, (sympy.core.relational.Relational, sympy.logic.boolalg.BooleanFunction)):
            return value.as_set()
        if isinstance(value, sympy.Set):
            return value
        raise ValueError(f"an interval part needs an inequality such as 'x > 3' or a sympy set, not {value!r}")

    def parse(self, raw: str, spec: Mapping[str, Any]) -> sympy.Set:
        guard_length(raw)
        text = raw.strip()
        if text.lower() in _EVERYTHING:
            return sympy.S.Reals
        if text.lower() in _NOTHING:
            return sympy.S.EmptySet
        marked = _UNION_LETTER.sub("∪", raw)  # one character for one, so offsets stay right
        result: sympy.Set = sympy.S.EmptySet
        for piece, at in split_top_level(marked, ["∪", " or "]):
            result = sympy.Union(result, self.piece(raw[at:at + len(piece)], at, raw, spec))
        return result

    def piece(self, text: str, at: int, raw: str, spec: Mapping[str, Any]) -> sympy.Set:
        stripped = text.strip()
        start = at + len(text) - len(text.lstrip())
        if not stripped:
            raise FormatError("a part of the set is empty", raw, start)
        if stripped[0] in "([" and stripped[-1] in ")]":
            return self.bracketed(stripped, start, raw)
        if stripped[0] == "{" and stripped[-1] == "}":
            items = split_top_level(raw, [","], start + 1, start + len(stripped) - 1)
            return sympy.FiniteSet(*[self.endpoint(t, a, raw) for t, a in items])
        return self.inequality(stripped, start, raw, str(spec.get("variable", "x")))

    def bracketed(self, text: str, at: int, raw: str) -> sympy.Set:
        ends = split_top_level(raw, [","], at + 1, at + len(text) - 1)
        if len(ends) != 2:
            raise FormatError("an interval has two endpoints, like (3, 5]", raw, at)
        low, high = (self.endpoint(t, a, raw) for t, a in ends)
        low_open, high_open = text[0] == "(", text[-1] == ")"
        for value, is_open, where in ((low, low_open, at), (high, high_open, at + len(text) - 1)):
            if value in (sympy.oo, -sympy.oo) and not is_open:
                raise FormatError("an infinite end is always open: use ( or )", raw, where)
        if (low > high) == sympy.true:
            raise FormatError("the left endpoint is larger than the right one", raw, at)
        return sympy.Interval(low, high, low_open, high_open)

    def endpoint(self, text: str, at: int, raw: str) -> sympy.Expr:
        word = text.strip().lower().replace(" ", "")
        sign = -1 if word.startswith("-") else 1
        if word.lstrip("+-") in _INFINITY:
            return sign * sympy.oo
        value = read_expression(text, at, raw, {})
        if not (isinstance(value, sympy.Expr) and value.is_number and value.is_real):
            raise FormatError("an endpoint must be a real number", raw, at)
        return value

    def inequality(self, text: str, at: int, raw: str, variable: str) -> sympy.Set:
        matches = list(_COMPARATOR.finditer(text))
        if not matches or len(matches) > 2:
            raise FormatError("write an interval like (3, inf) or an inequality like x > 3", raw, at)
        sides, previous = [], 0
        for match in matches:
            sides.append((text[previous:match.start()], at + previous))
            previous = match.end()
        sides.append((text[previous:], at + previous))
        operators = [m.group().replace("≤", "<=").replace("≥", ">=") for m in matches]
        names = [side.strip() == variable for side, _ in sides]
        if names.count(True) != 1 or (len(sides) == 3 and not names[1]):
            raise FormatError(f"the inequality must compare {variable} with numbers, like {variable} > 3", raw, at)
        values = [None if is_name else self.endpoint(side, where, raw) for (side, where), is_name in zip(sides, names)]
        result: sympy.Set = sympy.S.Reals
        for left, op, right in zip(values, operators, values[1:]):
            result = sympy.Intersection(result, _ray(left, op, right))
        return result


    def score(self, value: sympy.Set, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        return (1.0, "correct", "") if _same_set(value, reference, spec) else (0.0, "", "")

    def diagnose(self, value: sympy.Set, reference: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
        mine, theirs = pieces(value), pieces(reference)
        if len(mine) != len(theirs):
            return Diagnosis("interval-pieces", feedback("interval-pieces", given=len(mine), expected=len(theirs)))
        rtol = float(spec.get("rtol", DEFAULT_RTOL))
        for a, b in zip(mine, theirs):
            for side, given, wanted, given_open, wanted_open in (
                    ("left", a.low, b.low, a.low_open, b.low_open), ("right", a.high, b.high, a.high_open, b.high_open)):
                if not _near(given, wanted, rtol):
                    return Diagnosis("interval-endpoint", feedback("interval-endpoint", side=side, given=_show(given)))
                if given_open != wanted_open:
                    bracket = ("(" if side == "left" else ")") if wanted_open else ("[" if side == "left" else "]")
                    return Diagnosis(f"interval-{side}-bracket", feedback(
                        "interval-bracket", side=side, given=_show(given), bracket=bracket,
                        wanted="open" if wanted_open else "closed"))
        return Diagnosis("interval-wrong", feedback("interval-wrong"))

    def format(self, reference: Any, spec: Mapping[str, Any]) -> str:
        if reference == sympy.S.Reals:
            return "(-inf, inf)"
        if reference == sympy.S.EmptySet:
            return "empty"
        shown = []
        for piece in pieces(reference):
            if piece.low == piece.high:
                shown.append("{" + _show(piece.low) + "}")
            else:
                shown.append(("(" if piece.low_open else "[") + f"{_show(piece.low)}, {_show(piece.high)}"
                             + (")" if piece.high_open else "]"))
        return " U ".join(shown)


def _ray(left: sympy.Expr | None, op: str, right: sympy.Expr | None) -> sympy.Set:
    """The set one comparison with the variable describes: x > 3 is (3, inf), 3 >= x is (-inf, 3]."""
    if left is None:  # x op right
        bound, op = right, op
    else:  # left op x: mirror it so the variable is on the left
        bound, op = left, {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
    if op in (">", ">="):
        return sympy.Interval(bound, sympy.oo, op == ">", True)
    return sympy.Interval(-sympy.oo, bound, True, op == "<")


def pieces(value: sympy.Set) -> list[Piece]:
    """A set as its sorted intervals (single points as closed degenerate intervals)."""
    parts = value.args if isinstance(value, sympy.Union) else (value,)
    found = []
    for part in parts:
        if isinstance(part, sympy.Interval):
            found.append(Piece(part.start, part.end, bool(part.left_open), bool(part.right_open)))
        elif isinstance(part, sympy.FiniteSet):
            found += [Piece(item, item, False, False) for item in part.args]
        elif part == sympy.S.Reals:
            found.append(Piece(-sympy.oo, sympy.oo, True, True))
    return sorted(found, key=lambda p: (float(p.low), float(p.high)))


def _near(a: sympy.Expr, b: sympy.Expr, rtol: float) -> bool:
    if a == b:
        return True
    if a.is_infinite or b.is_infinite:
        return False
    return abs(float(a) - float(b)) <= rtol * max(abs(float(a)), abs(float(b)), 1e-300)


def _same_set(value: sympy.Set, reference: sympy.Set, spec: Mapping[str, Any]) -> bool:
    mine, theirs = pieces(value), pieces(reference)
    rtol = float(spec.get("rtol", DEFAULT_RTOL))
    return len(mine) == len(theirs) and all(
        _near(a.low, b.low, rtol) and _near(a.high, b.high, rtol) and (a.low_open, a.high_open) == (b.low_open, b.high_open)
        for a, b in zip(mine, theirs))


def _show(value: sympy.Expr) -> str:
    if value == sympy.oo:
        return "inf"
    if value == -sympy.oo:
        return "-inf"
    return _AnswerPrinter().doprint(value)
