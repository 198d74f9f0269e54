"""Fast numeric evaluation of sympy trees at a point, in complex arithmetic.

Used for WeBWorK-style equivalence: both expressions are evaluated at the
same random points. Complex arithmetic keeps identities such as
``sqrt(x)^2 = x`` true for negative x; a point where an expression is
undefined (division by zero, overflow) is reported as ``None``.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable

import sympy
from sympy.core.function import AppliedUndef

from grader.core import speed

Point = dict[sympy.Symbol, complex]

_UNARY: dict[type, Callable[[complex], complex]] = {
    sympy.exp: cmath.exp, sympy.log: cmath.log, sympy.sin: cmath.sin, sympy.cos: cmath.cos,
    sympy.tan: cmath.tan, sympy.asin: cmath.asin, sympy.acos: cmath.acos, sympy.atan: cmath.atan,
    sympy.sinh: cmath.sinh, sympy.cosh: cmath.cosh, sympy.tanh: cmath.tanh, sympy.Abs: lambda z: abs(z),
}
_REAL_ONLY: dict[type, Callable[[float], float]] = {sympy.floor: math.floor, sympy.ceiling: math.ceil}
# the functions students type beyond the basics (issue 9)
_UNARY.update({
    sympy.sec: lambda z: 1 / cmath.cos(z), sympy.csc: lambda z: 1 / cmath.sin(z),
    sympy.cot: lambda z: cmath.cos(z) / cmath.sin(z), sympy.asec: lambda z: cmath.acos(1 / z),
    sympy.acsc: lambda z: cmath.asin(1 / z), sympy.acot: lambda z: cmath.atan(1 / z),
    sympy.asinh: cmath.asinh, sympy.acosh: cmath.acosh, sympy.atanh: cmath.atanh,
})
_REAL_ONLY[sympy.sign] = lambda v: float((v > 0) - (v < 0))


def _unknown_function(name: str, args: list[complex]) -> complex:
    """f(x) for an undeclared-body function: the same for both answers, so f(x)+1 = 1+f(x) but f(x) != f(2x)."""
    seed = sum(ord(ch) * (k + 1) for k, ch in enumerate(name))
    a, b = 0.7 + (seed % 7) / 10, 0.3 + (seed % 5) / 10
    return sum(cmath.sin(a * (k + 1) * z + b) + z * z / (3 + k) for k, z in enumerate(args))


class Undefined(Exception):
    """The expression has no finite value at this point."""


def evaluate(expression: sympy.Basic, point: Point) -> complex | None:
    try:
        value = compiled(expression)(point) if speed.FAST else _eval(expression, point)
    except (Undefined, ZeroDivisionError, OverflowError, ValueError, RecursionError):
        return None
    if not (cmath.isfinite(value)):
        return None
    return value


def _real(value: complex) -> float:
    if abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        raise Undefined
    return value.real


def _eval(node: sympy.Basic, point: Point) -> complex:
    if node.is_Symbol:
        return point[node]
    if node.is_Number:
        return complex(float(node))
    if node is sympy.pi:
        return complex(math.pi)
    if node is sympy.E:
        return complex(math.e)
    if node is sympy.I:
        return 1j
    if node.is_Add:
        return sum((_eval(arg, point) for arg in node.args), 0j)
    if node.is_Mul:
        result = 1 + 0j
        for arg in node.args:
            result *= _eval(arg, point)
        return result
    if node.is_Pow:
        base, exponent = node.args
        base_value = _eval(base, point)
        if exponent.is_Integer:
            if base_value == 0 and exponent < 0:
                raise Undefined
            return base_value ** int(exponent)
        exponent_value = _eval(exponent, point)
        if base_value == 0:
            if exponent_value.real > 0:
                return 0j
            raise Undefined
        return cmath.exp(exponent_value * cmath.log(base_value))
    func = node.func
    if func in _UNARY and len(node.args) == 1:
        return _UNARY[func](_eval(node.args[0], point))
    if func is sympy.log and len(node.args) == 2:
        return cmath.log(_eval(node.args[0], point)) / cmath.log(_eval(node.args[1], point))
    if func in _REAL_ONLY:
        return complex(_REAL_ONLY[func](_real(_eval(node.args[0], point))))
    if func in (sympy.Min, sympy.Max):
        values = [_real(_eval(arg, point)) for arg in node.args]
        return complex(min(values) if func is sympy.Min else max(values))
    if func is sympy.atan2:
        return complex(math.atan2(_real(_eval(node.args[0], point)), _real(_eval(node.args[1], point))))
    if isinstance(node, AppliedUndef):  # a part's unknown function f: one fixed smooth function per name
        return _unknown_function(str(func), [_eval(arg, point) for arg in node.args])
    if func is sympy.factorial:
        n = _real(_eval(node.args[0], point))
        return complex(math.gamma(n + 1))
    if node.is_number:
        return complex(sympy.N(node, 17))
    raise Undefined


# The fast path: the same walk, done once per tree object into nested closures that then run at every
# point. Each closure does the very operations ``_eval`` does, in the same order (constants are turned
# into floats once instead of at every point), so every value is the same float; a node it does not
# know is handed to ``_eval`` itself.

Compiled = Callable[[Point], complex]
_CACHE_SIZE = 2048
_compiled = speed.ByObject(_CACHE_SIZE)


def compiled(expression: sympy.Basic) -> Compiled:
    """``lambda point: _eval(expression, point)``, compiled once per expression object."""
    return _compiled.get(expression, lambda: _compiled_now(expression))


def _compiled_now(expression: sympy.Basic) -> Compiled:
    try:
        return _compile(expression)
    except RecursionError:
        return lambda point: _eval(expression, point)  # a tree too deep to compile


def clear() -> None:
    _compiled.clear()


def _constant(value: complex) -> Compiled:
    return lambda point: value


def _walked(node: sympy.Basic) -> Compiled:
    return lambda point: _eval(node, point)


def _compile(node: sympy.Basic) -> Compiled:  # noqa: C901  (one branch per branch of _eval, in its order)
    if node.is_Symbol:
        return lambda point: point[node]
    if node.is_Number:
        try:
            return _constant(complex(float(node)))
        except (TypeError, ValueError, OverflowError):
            return _walked(node)  # raises at each point, as _eval does
    if node is sympy.pi:
        return _constant(complex(math.pi))
    if node is sympy.E:
        return _constant(complex(math.e))
    if node is sympy.I:
        return _constant(1j)
    if node.is_Add:
        terms = [_compile(arg) for arg in node.args]
        return lambda point: sum([term(point) for term in terms], 0j)
    if node.is_Mul:
        factors = [_compile(arg) for arg in node.args]

        def product(point: Point) -> complex:
            result = 1 + 0j
            for factor in factors:
                result *= factor(point)
            return result
        return product
    if node.is_Pow:
        return _compile_power(node)
    func, args = node.func, node.args
    if func in _UNARY and len(args) == 1:
        unary, only = _UNARY[func], _compile(args[0])
        return lambda point: unary(only(point))
    if func is sympy.log and len(args) == 2:
        value, base = _compile(args[0]), _compile(args[1])
        return lambda point: cmath.log(value(point)) / cmath.log(base(point))
    if func in _REAL_ONLY:
        real_only, first = _REAL_ONLY[func], _compile(args[0])
        return lambda point: complex(real_only(_real(first(point))))
    if func in (sympy.Min, sympy.Max):
        pick, each = (min if func is sympy.Min else max), [_compile(arg) for arg in args]
        return lambda point: complex(pick([_real(one(point)) for one in each]))
    return _walked(node)  # atan2, unknown functions, factorial, other numbers: as _eval does them


def _compile_power(node: sympy.Basic) -> Compiled:
    base, exponent = node.args
    base_of = _compile(base)
    if exponent.is_Integer:
        power, negative = int(exponent), exponent < 0

        def integer_power(point: Point) -> complex:
            base_value = base_of(point)
            if base_value == 0 and negative:
                raise Undefined
            return base_value ** power
        return integer_power
    exponent_of = _compile(exponent)

    def power(point: Point) -> complex:
        base_value = base_of(point)
        exponent_value = exponent_of(point)
        if base_value == 0:
            if exponent_value.real > 0:
                return 0j
            raise Undefined
        return cmath.exp(exponent_value * cmath.log(base_value))
    return power
