"""Number mistakes: relations between a wrong number and the right one (or a declared mistake).

A percentage saved against the share kept (100 - x), a ratio given for a
percentage or the reverse, a power of ten, a result rounded too early or
the wrong way. A wrong answer that is a rounded version of a declared
mistake names that mistake (its own note and feedback), never another.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
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


_FACTORS = {power: Fraction(10) ** power for power in POWERS_OF_TEN}


def number_candidates(spec: dict[str, Any], checker: Any,
                      near: Callable[[float], bool] | None = None) -> Iterator[Candidate]:
    """Relations to the reference; rounded versions of declared (and inexact) mistakes.

    ``near(value)`` is a cheap pre-test against the student's number: a candidate far from it can
    neither explain the answer nor rival another explanation, so it is not built at all.
    """
    reference = _value(spec.get("answer"))
    if reference is None:
        return
    as_reference = _converter(spec, checker)

    def make(code: str, message: str, raw: Fraction | float, note: str = "", weak: bool = False) -> Candidate | None:
        try:
            if near is not None and not near(float(raw)):
                return None
        except (OverflowError, ValueError):
            return None
        return Candidate(code, message, as_reference(raw), note=note, weak=weak)

    def relations() -> Iterator[Candidate | None]:
        if spec.get("percent"):
            yield make("complement", "Your answer is 100 minus the expected percentage: did you give the share "
                       "kept instead of saved (or the reverse)?", 100 - reference)
            yield make("ratio-not-percent", feedback("factor-percent"), reference / 100, note="factor-100")
            yield make("complement-ratio", "Your answer is 1 minus the expected fraction, and a fraction where a "
                       "percentage was asked.", 1 - reference / 100)
        else:
            # the relations the number checkers have always named keep their notes
            yield make("percent-not-ratio", feedback("factor-percent"), reference * 100, note="factor-100")
            yield make("ratio-of-100", feedback("factor-percent"), reference / 100, note="factor-100")
        for power, factor in _FACTORS.items():
            yield make(f"power-of-ten:{power:+d}", feedback("power-of-ten", factor=f"10^{power}"),
                       reference * factor, note="power-of-ten")
        for code, how, rounded in _rounded(reference):
            yield make(code, f"Your answer is the right value {how}.", rounded, weak=True)
        for mistake in _mistake_values(spec):
            mistake_value = _value(mistake["answer"])
            if mistake_value is None:
                continue
            for code, _how, rounded in _rounded(mistake_value):
                yield make(f"{mistake['note']}:{code}", mistake["feedback"], rounded, note=mistake["note"], weak=True)

    yield from (candidate for candidate in relations() if candidate is not None)


def _mistake_values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec.get("mistakes") or ()) + list(spec.get("inexact_mistakes") or ())


def _converter(spec: dict[str, Any], checker: Any):
    def convert(value: Any) -> Any:
        try:
            return checker.reference(value, spec)
        except (ValueError, TypeError, OverflowError, ZeroDivisionError):
            return None
    return convert
