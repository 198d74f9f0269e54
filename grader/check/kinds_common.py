"""Pieces the newer answer kinds share: reading one expression, comparing two at test points, splitting text.

Every piece of student text still goes through ``grader.check.parse``; the splitting here only finds
top-level separators (commas, '=', 'U') outside brackets, and keeps offsets so a caret lands in place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy

from grader.check.domains import choose_points
from grader.check.evaluate import evaluate
from grader.check.parse import DEFAULT_FUNCTIONS, parse_expression
from grader.core.errors import FormatError

MAX_ITEMS = 50
MAX_ANSWER_LENGTH = 2000


def guard_length(raw: str, limit: int = MAX_ANSWER_LENGTH) -> None:
    """Refuse an over-long answer before any splitting or parsing."""
    if len(raw) > limit:
        raise FormatError(f"the answer is longer than {limit} characters", raw[:limit], limit)
_OPENERS, _CLOSERS = "([{", ")]}"


def read_expression(text: str, offset: int, raw: str, spec: Mapping[str, Any],
                    extra_variables: Sequence[str] = ()) -> sympy.Basic:
    """One piece of a larger answer through the safe parser; a format error points into the whole answer."""
    try:
        return parse_expression(text, variables=[*(spec.get("variables") or ()), *extra_variables],
                                functions=spec.get("functions") or DEFAULT_FUNCTIONS,
                                implicit_multiplication=spec.get("implicit_multiplication", True),
                                unknown_functions=spec.get("unknown_functions") or ())
    except FormatError as error:
        inner = error.offset if error.offset is not None else None
        raise FormatError(error.message, raw, None if inner is None else offset + inner, error.hint) from None


def split_top_level(raw: str, separators: Sequence[str], start: int = 0, end: int | None = None
                    ) -> list[tuple[str, int]]:
    """Split raw[start:end] at separators outside any brackets; (piece, offset) pairs."""
    end = len(raw) if end is None else end
    pieces, depth, piece_start, i = [], 0, start, start
    while i < end:
        ch = raw[i]
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth -= 1
        elif depth == 0:
            separator = next((s for s in separators if raw.startswith(s, i)), None)
            if separator is not None:
                pieces.append((raw[piece_start:i], piece_start))
                i += len(separator)
                piece_start = i
                continue
        i += 1
    pieces.append((raw[piece_start:end], piece_start))
    if len(pieces) > MAX_ITEMS:
        raise FormatError(f"too many parts (at most {MAX_ITEMS})", raw, pieces[MAX_ITEMS][1])
    return pieces


def same_value(a: sympy.Basic, b: sympy.Basic, spec: Mapping[str, Any], rtol: float = 1e-9) -> bool:
    """Two expressions (or numbers) equal at the test points (numbers: directly, with a relative tolerance)."""
    if a == b:
        return True
    names = spec.get("variables") or ()
    points = choose_points(spec, b, a, 6) if names else [{}]
    usable = 0
    for point in points:
        mine, theirs = evaluate(a, point), evaluate(b, point)
        if theirs is None:
            continue
        if mine is None or abs(mine - theirs) > rtol * max(abs(mine), abs(theirs)) + 1e-12:
            return False
        usable += 1
    return usable > 0


def to_number(value: sympy.Basic) -> complex | None:
    return evaluate(value, {}) if isinstance(value, sympy.Basic) else None


def reference_value(item: Any) -> sympy.Basic:
    """A solver's or bank's value as sympy, built by type: text is refused, never handed to sympify."""
    if hasattr(item, "item") and not isinstance(item, sympy.Basic):
        item = item.item()  # a numpy scalar
    if isinstance(item, sympy.Basic):
        return item
    if isinstance(item, bool) or isinstance(item, str):
        raise ValueError(f"a reference element must be a number or an expression, not {item!r}")
    if isinstance(item, int):
        return sympy.Integer(item)
    if isinstance(item, Fraction):
        return sympy.Rational(item.numerator, item.denominator)
    if isinstance(item, float):
        return sympy.Float(item)
    raise ValueError(f"a reference element must be a number or an expression, not {item!r}")
