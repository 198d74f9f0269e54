"""Test points that respect where the reference is defined, and that can see discontinuities.

WeBWorK compares at random points of a domain. Two rules on top of that:

- A variable under a logarithm, an even root or a non-integer power in the reference gets a positive
  domain (``2*log(a) + log(b)`` and ``log(a^2*b)`` agree only there), unless the author set one; points
  where the reference is not real are not used.
- floor, ceiling, sign, abs, max, min and piecewise functions differ from their look-alikes only at
  integers, at kinks or beyond the default domain (``floor(x) + 1`` against ``ceil(x)``, ``max(x, 3)``
  against ``3``), so such expressions get a wider domain, integer points and their kinks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import sympy

from grader.core.variant_seed import Draws

Point = dict[sympy.Symbol, complex]
DEFAULT_DOMAIN = (-2.0, 2.0)
POSITIVE_DOMAIN = (0.1, 3.0)
WIDE_DOMAIN = (-10.0, 10.0)
INTEGER_POINTS = (-3, -2, -1, 0, 1, 2, 3, 5, 8)
_STEP_FUNCTIONS = (sympy.floor, sympy.ceiling, sympy.sign, sympy.Abs, sympy.Max, sympy.Min, sympy.Piecewise,
                   sympy.Heaviside)


@lru_cache(maxsize=1024)
def positive_variables(reference: sympy.Basic) -> frozenset[str]:
    """Variables under log, an even root or a non-integer power: only positive values keep them real."""
    names: set[str] = set()
    real = {symbol: sympy.Dummy(str(symbol), real=True) for symbol in reference.free_symbols}
    for sub in sympy.preorder_traversal(reference):
        if isinstance(sub, sympy.log):
            argument = sub.args[0]
        elif isinstance(sub, sympy.Pow) and not sub.exp.is_Integer:
            argument = sub.base
        else:
            continue
        if argument.free_symbols and not argument.xreplace(real).is_nonnegative:  # sqrt(x^2 + 1) needs nothing
            names |= {str(symbol) for symbol in argument.free_symbols}
    return frozenset(names)


def has_steps(*expressions: sympy.Basic) -> bool:
    return any(_has_steps(expression) for expression in expressions)


@lru_cache(maxsize=4096)
def _has_steps(expression: sympy.Basic) -> bool:
    return expression.has(*_STEP_FUNCTIONS)


def kinks(*expressions: sympy.Basic) -> list[float]:
    """Numbers where a step function may jump or bend: the constants inside max/min, the roots of abs(linear)."""
    return sorted(set().union(*(_kinks(expression) for expression in expressions)))


@lru_cache(maxsize=1024)
def _kinks(expression: sympy.Basic) -> frozenset[float]:
    found: set[float] = set()
    for sub in sympy.preorder_traversal(expression):
        if isinstance(sub, (sympy.Max, sympy.Min)):
            found |= {float(arg) for arg in sub.args if arg.is_number and arg.is_real}
        elif isinstance(sub, (sympy.Abs, sympy.sign, sympy.floor, sympy.ceiling)):
            argument = sub.args[0]
            symbols = list(argument.free_symbols)
            if len(symbols) != 1:
                continue
            if argument.is_Mul:  # c*(a*x + b), as sympy keeps floor(pi*(x - 1)): the root is the bracket's
                factor, argument = argument.as_independent(symbols[0], as_Add=False)
                if not factor.is_number or factor == 0:
                    continue
            # a*x + b, read off the structure: Poly() would expand abs((x+2)^999) first, for minutes
            constant, varying = argument.as_independent(symbols[0], as_Add=True)
            slope = varying / symbols[0]
            if slope.free_symbols or not slope.is_number or slope == 0 or not constant.is_number:
                continue
            found.add(float(-constant / slope))  # the root of a linear argument
    return frozenset(value for value in found if abs(value) < 1e6)


def domains(names: Sequence[str], spec: Mapping[str, Any], reference: sympy.Basic, steps: bool,
            positive: bool = False) -> dict[str, tuple[float, float]]:
    explicit = spec.get("domain") or {}
    inferred_positive = positive_variables(reference)
    chosen = {}
    for name in names:
        if name in explicit:
            chosen[name] = tuple(explicit[name])
        elif positive or name in inferred_positive:
            chosen[name] = POSITIVE_DOMAIN if not steps else (0.1, WIDE_DOMAIN[1])
        else:
            chosen[name] = WIDE_DOMAIN if steps else DEFAULT_DOMAIN
    return chosen  # type: ignore[return-value]


@lru_cache(maxsize=512)
def _random_points(names: tuple[str, ...], ranges: tuple[tuple[float, float], ...], count: int,
                   positive: bool) -> tuple[Point, ...]:
    """The random part of the points: fixed by the names, so every answer to a part meets the same points."""
    salt = "points|" if not positive else "positive-points|"
    draws = Draws((salt + "|".join(names)).encode())
    points = []
    for index in range(count):
        point = {}
        for name, (low, high) in zip(names, ranges):
            fraction = draws.below(1 << 32, f"{name}:{index}") / float(1 << 32)
            point[sympy.Symbol(name)] = complex(low + (high - low) * fraction)
        points.append(point)
    return tuple(points)


def choose_points(spec: Mapping[str, Any], reference: sympy.Basic, student: sympy.Basic | None = None,
                count: int = 8, positive: bool = False) -> list[Point]:
    """Random points of each variable's domain, plus integer and kink points when step functions appear."""
    names = list(spec.get("variables") or ())
    steps = has_steps(reference, *(() if student is None else (student,)))
    chosen = domains(names, spec, reference, steps, positive)
    points = list(_random_points(tuple(names), tuple(tuple(chosen[name]) for name in names), count, positive))
    if steps and names:
        special = [float(k) for k in INTEGER_POINTS] + [k + d for k in kinks(reference, *(
            () if student is None else (student,))) for d in (0.0, -0.5, 0.5, 1.5)]
        for offset, value in enumerate(special):
            point = {}
            for position, name in enumerate(names):
                low, high = chosen[name]
                # the first variable walks the special values; the others take other integers
                shifted = value if position == 0 else float(INTEGER_POINTS[(offset + position) % len(INTEGER_POINTS)])
                if low <= shifted <= high:
                    point[sympy.Symbol(name)] = complex(shifted)
            if len(point) == len(names):
                points.append(point)
    return points
