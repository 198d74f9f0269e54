"""Bank expressions compiled once into exact Python functions of the parameters.

Derived parameters, ``where:`` rules and answer expressions used to be substituted into with sympy
(``xreplace``) for every draw of every student; sympy rebuilds and re-simplifies the whole tree each
time. Here each expression is compiled once (per process) into nested Python closures over ``int``
and ``Fraction``: rational arithmetic, integer powers, ``%``, floor, ceiling, abs, min, max,
comparisons and and/or/not, which are exactly what sympy computes for rational inputs, so the
result (turned back into a sympy Integer, Rational or true/false) is the same object sympy would give.

Anything outside that (sqrt, a float, a matrix, a text parameter, a variable that is not a
parameter, division by zero, a huge power) is not guessed at: ``evaluate`` falls back to sympy's
own substitution for that expression, so results never change, only their cost.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import lru_cache
from typing import Any

import sympy

from grader.core import speed

Exact = int | Fraction | bool
Function = Callable[[Mapping[str, Exact]], Exact]
MAX_EXPONENT = 4096  # past this, leave the power to sympy (it would be slow either way)


class NotExact(Exception):
    """These values or this expression need sympy."""


def evaluate(expression: sympy.Basic, exact: Mapping[str, Any], substitution: Mapping | None = None) -> Any:
    """``expression.xreplace`` of the parameters' exact values, computed in Python when that is exact.

    ``substitution`` is the sympy substitution to fall back on (by default, one built from ``exact``).
    """
    value = _python_value(expression, exact)
    if value is not _NEEDS_SYMPY:
        return _to_sympy(value)
    if substitution is None:
        substitution = {sympy.Symbol(name): value for name, value in exact.items() if value is not None}
    return expression.xreplace(substitution)


def exact_value(expression: sympy.Basic, exact: Mapping[str, Any]) -> int | Fraction | None:
    """The expression's value as a Python int or Fraction where the compiled function covers it, else None.

    For callers that turn the value into a Fraction anyway: it is the number ``evaluate`` would wrap
    in a sympy Integer or Rational. None (sympy must decide) for a fallback, a division by zero or a truth value.
    """
    value = _python_value(expression, exact)
    return None if value is _NEEDS_SYMPY or isinstance(value, bool) else value


_NEEDS_SYMPY = object()


def _python_value(expression: sympy.Basic, exact: Mapping[str, Any]) -> Exact | object:
    """The compiled function's value for these parameters, or ``_NEEDS_SYMPY`` when it does not cover them."""
    function = compiled(expression) if speed.FAST else None
    if function is None:
        return _NEEDS_SYMPY
    try:
        return function(_inputs(exact, expression))
    except (NotExact, ZeroDivisionError, OverflowError, ValueError, TypeError):
        return _NEEDS_SYMPY


def _inputs(exact: Mapping[str, Any], expression: sympy.Basic) -> dict[str, Exact]:
    values: dict[str, Exact] = {}
    for name in names_of(expression):
        value = exact.get(name)
        if isinstance(value, sympy.Integer):
            values[name] = int(value.p)
        elif isinstance(value, sympy.Rational):
            values[name] = Fraction(int(value.p), int(value.q))
        else:  # a matrix, a float, text, or a variable that is not a parameter
            raise NotExact(name)
    return values


@lru_cache(maxsize=4096)
def names_of(expression: sympy.Basic) -> tuple[str, ...]:
    """The names of the expression's free symbols, sorted (remembered: bank expressions recur for every draw)."""
    return tuple(sorted(str(symbol) for symbol in expression.free_symbols))


def _to_sympy(value: Exact) -> Any:
    if isinstance(value, bool):
        return sympy.true if value else sympy.false
    if isinstance(value, int):
        return sympy.Integer(value)
    return sympy.Rational(value.numerator, value.denominator)


@lru_cache(maxsize=4096)
def compiled(expression: sympy.Basic) -> Function | None:
    """The expression as an exact Python function of the parameter values, or None."""
    try:
        return _compile(expression)
    except NotExact:
        return None


def _number(value: Exact) -> int | Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        raise NotExact("not a number")
    return value


def _truth(value: Exact) -> bool:
    if not isinstance(value, bool):
        raise NotExact("not true or false")
    return value


def _power(base: Exact, exponent: Exact) -> int | Fraction:
    base, exponent = _number(base), _number(exponent)
    if isinstance(exponent, Fraction):
        if exponent.denominator != 1:
            raise NotExact("a root")
        exponent = exponent.numerator
    if abs(exponent) > MAX_EXPONENT:
        raise NotExact("a huge power")
    if exponent >= 0:
        return base**exponent
    return Fraction(1) / Fraction(base) ** -exponent  # ZeroDivisionError for 1/0: sympy says zoo


def _sum(values: list[Exact]) -> int | Fraction:
    total: int | Fraction = 0
    for value in values:
        total += _number(value)
    return _normal(total)


def _product(values: list[Exact]) -> int | Fraction:
    total: int | Fraction = 1
    for value in values:
        total *= _number(value)
    return _normal(total)


def _normal(value: int | Fraction) -> int | Fraction:
    return value.numerator if isinstance(value, Fraction) and value.denominator == 1 else value


_COMPARE = {sympy.Eq: operator.eq, sympy.Ne: operator.ne, sympy.Lt: operator.lt, sympy.Le: operator.le,
            sympy.Gt: operator.gt, sympy.Ge: operator.ge}
_UNARY = {sympy.floor: math.floor, sympy.ceiling: math.ceil, sympy.Abs: abs}


def _compile(node: sympy.Basic) -> Function:
    if node is sympy.true or node is sympy.false:
        constant_truth = node is sympy.true
        return lambda values: constant_truth
    if node.is_Integer:
        integer = int(node.p)
        return lambda values: integer
    if node.is_Rational:
        fraction = Fraction(int(node.p), int(node.q))
        return lambda values: fraction
    if node.is_Symbol:
        name = str(node)
        return lambda values: values[name]
    args = [_compile(arg) for arg in node.args]
    if node.is_Add:
        return lambda values: _sum([arg(values) for arg in args])
    if node.is_Mul:
        return lambda values: _product([arg(values) for arg in args])
    if node.is_Pow:
        base, exponent = args
        return lambda values: _normal(_power(base(values), exponent(values)))
    func = node.func
    if func is sympy.Mod:
        dividend, divisor = args
        return lambda values: _normal(_number(dividend(values)) % _number(divisor(values)))
    if func in _UNARY and len(args) == 1:
        unary, (only,) = _UNARY[func], args
        return lambda values: _normal(unary(_number(only(values))))
    if func in (sympy.Min, sympy.Max):
        pick = min if func is sympy.Min else max
        return lambda values: pick(_number(arg(values)) for arg in args)
    if func in _COMPARE and len(args) == 2:
        compare, (left, right) = _COMPARE[func], args
        return lambda values: compare(_number(left(values)), _number(right(values)))
    if func is sympy.And:
        return lambda values: all([_truth(arg(values)) for arg in args])
    if func is sympy.Or:
        return lambda values: any([_truth(arg(values)) for arg in args])
    if func is sympy.Not and len(args) == 1:
        (only,) = args
        return lambda values: not _truth(only(values))
    raise NotExact(type(node).__name__)
