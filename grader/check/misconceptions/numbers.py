"""Number mistakes: relations between a wrong number and the right one (or a declared mistake).

A percentage saved against the share kept (100 - x), a ratio given for a
percentage or the reverse, a power of ten, a result rounded too early or
the wrong way. A wrong answer that is a rounded version of a declared
mistake names that mistake (its own note and feedback), never another.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from grader.check.misconceptions.candidates import Candidate
from grader.core.messages import feedback

POWERS_OF_TEN = (1, 3, 6, 9, -1, -3, -6, -9)  # 10^2 is the percent relation, named on its own
ROUNDING_DECIMALS = range(0, 6)


def _value(reference: Any) -> Fraction | float | None:
    try:
        if isinstance(reference, (int, Fraction)):
            return Fraction(reference)
        return float(reference)
    except (TypeError, ValueError, OverflowError):
        return None


def _rounded(value: Fraction | float) -> Iterator[tuple[str, str, Fraction]]:
    """(code, how, rounded value) for the usual ways a number gets rounded."""
    exact = Fraction(value) if isinstance(value, Fraction) else Fraction(repr(float(value)))
    if exact.denominator == 1:
        return
    yield "floor", "rounded down to a whole number", Fraction(math.floor(exact))
    yield "ceil", "rounded up to a whole number", Fraction(math.ceil(exact))
    for decimals in ROUNDING_DECIMALS:
        scaled = exact * 10**decimals
        if scaled.denominator == 1:
            break
        rounded = Fraction(round(scaled), 10**decimals)
        truncated = Fraction(math.trunc(scaled), 10**decimals)
        yield f"rounded:{decimals}", f"rounded to {decimals} decimal place(s) too early", rounded
        if truncated != rounded:
            yield f"truncated:{decimals}", f"cut off after {decimals} decimal place(s)", truncated


def number_candidates(spec: dict[str, Any], checker: Any) -> Iterator[Candidate]:
    """Relations to the reference; rounded versions of declared (and inexact) mistakes."""
    reference = _value(spec.get("answer"))
    if reference is None:
        return
    percent = bool(spec.get("percent"))
    as_reference = _converter(spec, checker)
    if percent:
        yield Candidate("complement", "Your answer is 100 minus the expected percentage: did you give the share "
                        "kept instead of saved (or the reverse)?", as_reference(100 - reference))
        yield Candidate("ratio-not-percent", feedback("factor-percent"), as_reference(reference / 100),
                        note="factor-100")
        yield Candidate("complement-ratio", "Your answer is 1 minus the expected fraction, and a fraction where a "
                        "percentage was asked.", as_reference(1 - reference / 100))
    else:
        # the relations the number checkers have always named keep their notes
        yield Candidate("percent-not-ratio", feedback("factor-percent"), as_reference(reference * 100),
                        note="factor-100")
        yield Candidate("ratio-of-100", feedback("factor-percent"), as_reference(reference / 100), note="factor-100")
    for power in POWERS_OF_TEN:
        factor = Fraction(10) ** power
        yield Candidate(f"power-of-ten:{power:+d}", feedback("power-of-ten", factor=f"10^{power}"),
                        as_reference(reference * factor), note="power-of-ten")
    for code, how, rounded in _rounded(reference):
        yield Candidate(code, f"Your answer is the right value {how}.", as_reference(rounded))
    for mistake in _mistake_values(spec):
        mistake_value = _value(mistake["answer"])
        if mistake_value is None:
            continue
        for code, _how, rounded in _rounded(mistake_value):
            yield Candidate(f"{mistake['note']}:{code}", mistake["feedback"], as_reference(rounded),
                            note=mistake["note"])


def _mistake_values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec.get("mistakes") or ()) + list(spec.get("inexact_mistakes") or ())


def _converter(spec: dict[str, Any], checker: Any):
    def convert(value: Any) -> Any:
        try:
            return checker.reference(value, spec)
        except (ValueError, TypeError, OverflowError, ZeroDivisionError):
            return None
    return convert
