"""Compiled exact evaluation gives what sympy's substitution gives, object for object.

Each expression is written as a bank author would (through the trusted parser), evaluated by the
compiled function and by ``xreplace``, and the two results must be equal and of the same sympy type.
Expressions the compiler does not cover (roots, floats, matrices, text) and values it refuses
(division by zero, huge powers) must fall back to sympy, which the last tests pin.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.check.compiled import compiled, evaluate
from grader.check.parse import parse_expression
from grader.core import speed

NAMES = ["a", "b", "c"]
EXPRESSIONS = [
    "(a - b + 2*c)/c + 1", "a*b**2*c", "(a - b + 2*c) % c == 0", "a < b", "a != 2*b", "c/2 + 1/2", "a**-2",
    "floor(a/b)", "ceil(a/b)", "abs(a - b)", "min(a, b, c)", "max(a, b)", "a // b", "a % b", "-a % b",
    "a >= b and b > c", "a <= b or not b == c", "(a + b)**3 - a**3", "a**c", "2**c", "a/b/c", "0*a", "a - a",
    "a**0", "(a/b)**2", "a == a", "1 + a/3 - a/3",
]


def _sympy(text: str) -> sympy.Basic:
    return parse_expression(text, variables=NAMES, trusted=True)


def _old(expression: sympy.Basic, exact: dict) -> sympy.Basic:
    return expression.xreplace({sympy.Symbol(k): v for k, v in exact.items() if v is not None})


def _outcome(function, *args):
    try:
        return function(*args)
    except Exception as error:  # sympy refuses some (Mod(0, 0)); then both paths must refuse alike
        return ("raised", type(error))


def _same(expression: sympy.Basic, exact: dict) -> None:
    with speed.fast_paths(True):
        new = _outcome(evaluate, expression, exact)
    old = _outcome(_old, expression, exact)
    assert new == old and type(new) is type(old), (expression, exact, new, old)


@pytest.mark.parametrize("text", EXPRESSIONS)
@pytest.mark.parametrize("values", [(7, 3, 2), (-7, 3, 5), (28, 5, 1), (sympy.Rational(1, 3), 2, 3), (4, -6, 7)])
def test_compiled_expressions_equal_sympy_substitution(text: str, values: tuple) -> None:
    expression = _sympy(text)
    assert compiled(expression) is not None, text  # these are all within what the compiler covers
    _same(expression, {name: sympy.sympify(value) for name, value in zip(NAMES, values)})


_rationals = st.fractions(min_value=-50, max_value=50, max_denominator=12).map(
    lambda f: sympy.Rational(f.numerator, f.denominator))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([e for e in EXPRESSIONS if e not in ("a**c", "2**c")]), _rationals, _rationals, _rationals)
def test_compiled_matches_sympy_for_any_rationals(text: str, a, b, c) -> None:
    _same(_sympy(text), {"a": a, "b": b, "c": c})


@pytest.mark.parametrize("text, values", [
    ("a/b", (1, 0, 1)),            # 1/0: sympy says zoo
    ("a % b == 0", (3, 0, 1)),     # Mod by zero: nan
    ("a**-1", (0, 1, 1)),
    ("sqrt(a)", (4, 1, 1)),        # a root: sympy's business
    ("a**(1/2)", (9, 1, 1)),
    ("a**b", (1, 4097, 1)),        # a power past MAX_EXPONENT is left to sympy
    ("sin(a)", (1, 1, 1)),
    ("a + x", (1, 1, 1)),          # x is not a parameter
])
def test_what_the_compiler_does_not_cover_falls_back_to_sympy(text: str, values: tuple) -> None:
    variables = NAMES + ["x"]
    expression = parse_expression(text, variables=variables, trusted=True)
    exact = {name: sympy.Integer(value) for name, value in zip(NAMES, values)}
    if text == "a**b":  # compiled, but the value refuses: base 1 keeps sympy's own answer small
        from grader.check.compiled import MAX_EXPONENT, NotExact, _inputs

        assert exact["b"] == MAX_EXPONENT + 1 and compiled(expression) is not None
        with pytest.raises(NotExact):
            compiled(expression)(_inputs(exact, expression))
    _same(expression, exact)


def test_matrix_float_and_text_values_fall_back() -> None:
    expression = _sympy("a + 1")
    _same(expression, {"a": sympy.Matrix([[1, 2]])})
    _same(expression, {"a": sympy.Float("0.5")})
    _same(_sympy("b + 1"), {"a": None, "b": sympy.Integer(2)})


def test_compiled_results_are_exact_fractions_not_floats() -> None:
    value = evaluate(_sympy("a/3 + b/7"), {"a": sympy.Integer(1), "b": sympy.Integer(1)})
    assert value == sympy.Rational(10, 21) and Fraction(int(value.p), int(value.q)) == Fraction(10, 21)
