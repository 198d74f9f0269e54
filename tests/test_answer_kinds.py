"""Issue 9 section 4: the answer kinds peers grade (equation, interval, set, tuple, complex, quantity,
antiderivative), the syntax students type, and matrices with figures per cell and vector orientation.

Outcomes follow the documented behaviour of WeBWorK's MathObjects (Formula equations, Interval, List,
Complex, NumberWithUnits) and STACK's Int/AddConst answer test.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from grader.check.parse import parse_expression
from grader.check.registry import REGISTRY
from tests.kinds_helpers import check, key, spec

x, y, i, C, n, f = sympy.symbols("x y i C n f")

LINE = spec("equation", sympy.Eq(y, 2 * x + 1), variables=["x", "y"])
CIRCLE = spec("equation", sympy.Eq(x**2, 4), variables=["x"])
EQUATIONS = [
    (LINE, "y = 2x + 1", "correct", "correct"),
    (LINE, "2x - y + 1 = 0", "correct", "correct"),  # same solution set
    (LINE, "4x - 2y = -2", "correct", "correct"),  # a nonzero constant factor
    (LINE, "2x + 1 = y", "correct", "correct"),  # sides swapped
    (LINE, "y = 2x", "incorrect", "equation-not-equivalent"),
    (LINE, "0 = 0", "incorrect", "equation-not-equivalent"),
    (LINE, "2x + 1", "invalid", "invalid"),  # an expression, not an equation
    (LINE, "y = 2x = 1", "invalid", "invalid"),
    (LINE, "y = ", "invalid", "invalid"),
    (CIRCLE, "(x - 2)(x + 2) = 0", "correct", "correct"),
    (CIRCLE, "x = 2", "incorrect", "equation-not-equivalent"),  # loses a root
]


@pytest.mark.parametrize(("part", "answer", "verdict", "note"), EQUATIONS)
def test_equations(part: dict, answer: str, verdict: str, note: str) -> None:
    result = check(part, answer)
    assert (result.verdict, result.note) == (verdict, note), result.feedback


def test_expression_instead_of_an_equation_says_so() -> None:
    assert "equation" in check(LINE, "2x + 1").feedback


OPEN_RAY = spec("interval", sympy.Gt(x, 3))
TWO_PIECES = spec("interval", sympy.Union(sympy.Interval.Ropen(0, 1), sympy.Interval.Lopen(2, 5)))
INTERVALS = [
    (OPEN_RAY, "x > 3", "correct", "correct"),
    (OPEN_RAY, "(3, inf)", "correct", "correct"),
    (OPEN_RAY, "(3, ∞)", "correct", "correct"),
    (OPEN_RAY, "3 < x", "correct", "correct"),
    (OPEN_RAY, "[3, inf)", "incorrect", "interval-left-bracket"),
    (OPEN_RAY, "x >= 3", "incorrect", "interval-left-bracket"),
    (OPEN_RAY, "(4, inf)", "incorrect", "interval-endpoint"),
    (OPEN_RAY, "(3, inf]", "invalid", "invalid"),  # an infinite end is always open
    (OPEN_RAY, "(5, 3)", "invalid", "invalid"),
    (TWO_PIECES, "[0, 1) U (2, 5]", "correct", "correct"),
    (TWO_PIECES, "[0,1)∪(2,5]", "correct", "correct"),
    (TWO_PIECES, "0 <= x < 1 or 2 < x <= 5", "correct", "correct"),
    (TWO_PIECES, "[0, 1] U (2, 5]", "incorrect", "interval-right-bracket"),
    (TWO_PIECES, "[0, 1)", "incorrect", "interval-pieces"),
    (TWO_PIECES, "[0, 1) U (2, 6]", "incorrect", "interval-endpoint"),
]


@pytest.mark.parametrize(("part", "answer", "verdict", "note"), INTERVALS)
def test_intervals(part: dict, answer: str, verdict: str, note: str) -> None:
    result = check(part, answer)
    assert (result.verdict, result.note) == (verdict, note), result.feedback


def test_interval_feedback_names_the_endpoint_and_bracket() -> None:
    assert "right end at 1" in check(TWO_PIECES, "[0, 1] U (2, 5]").feedback
    assert "')'" in check(TWO_PIECES, "[0, 1] U (2, 5]").feedback
    assert "left endpoint 4" in check(OPEN_RAY, "(4, inf)").feedback


ROOTS = spec("set", sympy.Matrix([-2, 3]))
POINT = spec("tuple", sympy.Matrix([1, 2]))
SYMBOLIC = spec("set", sympy.Matrix([x + 1, x - 1]), variables=["x"])
COLLECTIONS = [
    (ROOTS, "{-2, 3}", "correct", "correct"),
    (ROOTS, "{3, -2}", "correct", "correct"),  # unordered
    (ROOTS, "3, -2", "correct", "correct"),
    (ROOTS, "{1 + 2, -4/2}", "correct", "correct"),
    (ROOTS, "{3}", "incorrect", "missing"),
    (ROOTS, "{-2, 3, 4}", "incorrect", "extra"),
    (ROOTS, "{-2, 3, 3}", "incorrect", "duplicate"),
    (ROOTS, "{-2, , 3}", "invalid", "invalid"),
    (POINT, "(1, 2)", "correct", "correct"),
    (POINT, "(2, 1)", "incorrect", "order"),  # ordered
    (POINT, "(1, 2, 3)", "incorrect", "extra"),
    (SYMBOLIC, "{x - 1, 1 + x}", "correct", "correct"),
]


@pytest.mark.parametrize(("part", "answer", "verdict", "note"), COLLECTIONS)
def test_sets_and_tuples(part: dict, answer: str, verdict: str, note: str) -> None:
    result = check(part, answer)
    assert (result.verdict, result.note) == (verdict, note), result.feedback


RECT = spec("complex", 3 - 4 * i)
POLAR = spec("complex", 5 * sympy.exp(i * sympy.pi / 3), form="polar")
RECT_FORM = spec("complex", 5 * sympy.exp(i * sympy.pi / 3), form="rectangular")
WITH_J = spec("complex", 1 + 2 * sympy.Symbol("j"), imaginary="j")
COMPLEX = [
    (RECT, "3 - 4i", "correct", "correct"),
    (RECT, "3-4*i", "correct", "correct"),
    (RECT, "-4i + 3", "correct", "correct"),
    (RECT, "5 e^(-i*atan(4/3))", "correct", "correct"),
    (RECT, "3 + 4i", "incorrect", "conjugate"),
    (RECT, "-3 + 4i", "incorrect", "sign"),
    (RECT, "3 + 2i", "incorrect", "imaginary-part"),
    (RECT, "x", "invalid", "invalid"),
    (POLAR, "5 e^(i pi/3)", "correct", "correct"),
    (POLAR, "5*exp(i*pi/3)", "correct", "correct"),
    (POLAR, "5/2 + 5 sqrt(3)/2 i", "partial", "complex-form-polar"),
    (RECT_FORM, "5/2 + 5 sqrt(3)/2 i", "correct", "correct"),
    (RECT_FORM, "5 e^(i pi/3)", "partial", "complex-form-rectangular"),
    (WITH_J, "1 + 2j", "correct", "correct"),
]


@pytest.mark.parametrize(("part", "answer", "verdict", "note"), COMPLEX)
def test_complex_numbers(part: dict, answer: str, verdict: str, note: str) -> None:
    result = check(part, answer)
    assert (result.verdict, result.note) == (verdict, note), result.feedback


G = spec("quantity", Fraction(98, 10), unit="m/s^2")
G_STRICT = spec("quantity", Fraction(98, 10), unit="m/s^2", require_unit=True)
QUANTITIES = [
    (G, "9.8 m/s^2", "correct", "correct"),
    (G, "980 cm/s^2", "correct", "correct"),  # same dimension, another unit
    (G, "9.8 m/s**2", "correct", "correct"),
    (G, "9.8 m·s⁻²", "correct", "correct"),
    (G, "9.8 m s^-2", "correct", "correct"),
    (G, "32.15 ft/s^2", "correct", "correct"),
    (G, "9.8 m/s", "incorrect", "wrong-dimension"),
    (G, "19.6 m/s^2", "incorrect", "factor-2"),
    (G, "9.8", "invalid", "invalid"),  # a missing unit is a format error
    (G, "9.8 blorps", "invalid", "invalid"),
    (G, "m/s^2", "invalid", "invalid"),
    (G_STRICT, "9.8 m/s^2", "correct", "correct"),
    (G_STRICT, "980 cm/s^2", "partial", "unit-other"),
]


@pytest.mark.parametrize(("part", "answer", "verdict", "note"), QUANTITIES)
def test_quantities_with_units(part: dict, answer: str, verdict: str, note: str) -> None:
    result = check(part, answer)
    assert (result.verdict, result.note) == (verdict, note), result.feedback


def test_wrong_dimension_message_names_both() -> None:
    assert "Your answer is a speed; an acceleration was asked." in check(G, "9.8 m/s").feedback
    assert "unit" in check(G, "9.8").feedback


def test_quantity_settings_are_validated() -> None:
    checker = REGISTRY.get("quantity")
    assert checker.validate({}) and checker.validate({"unit": "blorp"})
    assert checker.validate({"unit": "km/h"}) == []


CUBE = spec("antiderivative", x**3 / 3, variables=["x"])
LOG = spec("antiderivative", sympy.log(x), variables=["x"], require_constant=True)
ANTIDERIVATIVES = [
    (CUBE, "x^3/3", "correct", "correct"),
    (CUBE, "x^3/3 + C", "correct", "correct"),
    (CUBE, "(x^3 + 7)/3", "correct", "correct"),  # any constant
    (CUBE, "x^2", "incorrect", "integrand"),
    (CUBE, "2x", "incorrect", "derivative"),
    (CUBE, "x^3", "incorrect", "not-antiderivative"),
    (CUBE, "x^3/3 + C x", "incorrect", "not-antiderivative"),  # C*x is not a constant
    (LOG, "log(x) + C", "correct", "correct"),
    (LOG, "ln(2x) + C", "correct", "correct"),  # differs by the constant log(2)
    (LOG, "log(x)", "partial", "missing-constant"),
]


@pytest.mark.parametrize(("part", "answer", "verdict", "note"), ANTIDERIVATIVES)
def test_antiderivatives(part: dict, answer: str, verdict: str, note: str) -> None:
    result = check(part, answer)
    assert (result.verdict, result.note) == (verdict, note), result.feedback


@pytest.mark.parametrize("part", [LINE, CIRCLE, OPEN_RAY, TWO_PIECES, ROOTS, POINT, RECT, POLAR, RECT_FORM, G, G_STRICT,
                                  CUBE, LOG], ids=lambda p: p["type"])
def test_every_key_checks_as_correct(part: dict) -> None:
    assert check(part, key(part)).verdict == "correct", key(part)


def test_settings_of_the_new_kinds_are_validated() -> None:
    assert REGISTRY.get("equation").validate({"variables": []})
    assert REGISTRY.get("complex").validate({"imaginary": "k"})
    assert REGISTRY.get("complex").validate({"form": "cartesian"})
    assert REGISTRY.get("antiderivative").validate({"variables": ["x"], "constant": "x"})
    assert REGISTRY.get("interval").validate({"variable": "1x"})
    assert REGISTRY.get("expression").validate({"variables": ["x"], "form": "tidy"})


# ----- syntax students type ---------------------------------------------------------------------------------
alpha, theta, lam = sympy.Symbol("alpha"), sympy.Symbol("theta"), sympy.Symbol("lambda")
SYNTAX = [  # text, variables, expected value
    ("|x|", ["x"], sympy.Abs(x)),
    ("|x - 1| + 2|x|", ["x"], sympy.Abs(x - 1) + 2 * sympy.Abs(x)),
    ("||x| - 1|", ["x"], sympy.Abs(sympy.Abs(x) - 1)),
    ("sec(x) + csc(x) + cot(x)", ["x"], sympy.sec(x) + sympy.csc(x) + sympy.cot(x)),
    ("asec(x) + acsc(x) + acot(x)", ["x"], sympy.asec(x) + sympy.acsc(x) + sympy.acot(x)),
    ("arcsin(x) + arccos(x) + arctan(x)", ["x"], sympy.asin(x) + sympy.acos(x) + sympy.atan(x)),
    ("asinh(x) + acosh(x) + atanh(x)", ["x"], sympy.asinh(x) + sympy.acosh(x) + sympy.atanh(x)),
    ("arcsinh(x)", ["x"], sympy.asinh(x)),
    ("atan2(y, x)", ["x", "y"], sympy.atan2(y, x)),
    ("sign(x)", ["x"], sympy.sign(x)),
    ("ln(x)", ["x"], sympy.log(x)),
    ("log(x, 2)", ["x"], sympy.log(x) / sympy.log(2)),
    ("alpha + theta", ["alpha", "theta"], alpha + theta),
    ("α + θ", ["alpha", "theta"], alpha + theta),
    ("2 lambda", ["lambda"], 2 * lam),
    ("λ x", ["lambda", "x"], lam * x),
    ("n!", ["n"], sympy.factorial(n)),
    ("(n + 1)!", ["n"], sympy.factorial(n + 1)),
    ("3! + 1", [], sympy.Integer(7)),
    ("2^n!", ["n"], 2 ** sympy.factorial(n)),
]


@pytest.mark.parametrize(("text", "variables", "expected"), SYNTAX)
def test_student_syntax(text: str, variables: list[str], expected: sympy.Expr) -> None:
    assert parse_expression(text, variables=variables) == expected


def test_declared_function_names() -> None:
    fx = sympy.Function("f")(x)
    assert parse_expression("f(x) + 1", variables=["x"], unknown_functions=["f"]) == fx + 1
    part = spec("expression", sympy.Function("f")(x) ** 2, variables=["x"], unknown_functions=["f"])
    assert check(part, "f(x)*f(x)").verdict == "correct"
    assert check(part, "f(x^2)").verdict == "incorrect"
    assert check(part, "f(x)").verdict == "incorrect"
    assert check(spec("expression", x, variables=["x"]), "f(x)").verdict == "invalid"  # not declared here


@pytest.mark.parametrize(("reference", "answer"), [(sympy.sec(x), "1/cos(x)"), (sympy.acot(x), "atan(1/x)"),
                                                    (sympy.Abs(x), "|x|"), (sympy.factorial(n), "n!")])
def test_new_functions_are_evaluated_at_points(reference: sympy.Expr, answer: str) -> None:
    names = sorted(str(s) for s in reference.free_symbols)
    domain = {"x": [0.2, 2]} if names == ["x"] else {"n": [1, 5]}
    assert check(spec("expression", reference, variables=names, domain=domain), answer).verdict == "correct"


# ----- matrices -------------------------------------------------------------------------------------------------
PRECISE = spec("matrix", [[sympy.pi, sympy.E], [sympy.sqrt(2), 1]], sigfigs=3)
MATRIX_CELLS = [
    (PRECISE, "[[3.14, 2.72], [1.41, 1.00]]", "correct", "correct"),
    (PRECISE, "[[3.14, 2.73], [1.41, 1.00]]", "incorrect", "incorrect"),  # one cell wrong in its last figure
    (PRECISE, "[[3.142, 2.72], [1.41, 1.00]]", "partial", "sigfigs-too-many"),
    (PRECISE, "[[3.14, 2.72], [1.41, 1]]", "partial", "sigfigs-too-few"),
    (PRECISE, "[[pi, 2.72], [1.41, 1.00]]", "invalid", "invalid"),
    (spec("matrix", [[Fraction(1, 3), 2]], decimals=2), "[0.33 2.00]", "correct", "correct"),
    (spec("matrix", [[Fraction(1, 3), 2]], decimals=2), "[0.33 2]", "partial", "decimals-too-few"),
]


@pytest.mark.parametrize(("part", "answer", "verdict", "note"), MATRIX_CELLS)
def test_matrix_precision_per_cell(part: dict, answer: str, verdict: str, note: str) -> None:
    result = check(part, answer)
    assert (result.verdict, result.note) == (verdict, note), result.feedback


def test_matrix_precision_key() -> None:
    assert key(PRECISE) == "[[3.14, 2.72], [1.41, 1.00]]"


COLUMN = spec("matrix", [[1], [2], [3]])
ROW = spec("matrix", [[1, 2, 3]])


@pytest.mark.parametrize(("part", "answer", "given", "expected"), [(COLUMN, "[1, 2, 3]", "row", "column"),
                                                                   (ROW, "[[1], [2], [3]]", "column", "row")])
def test_vector_orientation_feedback(part: dict, answer: str, given: str, expected: str) -> None:
    result = check(part, answer)
    assert result.note == "vector-orientation"
    assert f"a {given} vector; a {expected} vector was asked" in result.feedback


CARETS = [  # part, answer, the character the caret must point at
    (LINE, "y = 2x = 1", 7),  # the second '='
    (OPEN_RAY, "(3, inf]", 7),  # an infinite end cannot be closed
    (OPEN_RAY, "(3, 4x)", 5),  # 'x' is not a number
    (ROOTS, "{-2, , 3}", 4),  # the empty element
    (G, "9.8 blorps", 4),  # the unknown unit
    (RECT, "3 - 4k", 5),  # k is not the imaginary unit
    (LINE, "y = 2x + ", 9),  # incomplete right side
]


@pytest.mark.parametrize(("part", "answer", "at"), CARETS)
def test_format_errors_of_the_new_kinds_put_a_caret_in_place(part: dict, answer: str, at: int) -> None:
    result = check(part, answer)
    assert result.verdict == "invalid"
    shown, pointer = result.feedback.splitlines()[-2:]
    assert shown.strip() == answer.strip()
    assert pointer.index("^") - shown.index(answer[0]) == at, result.feedback


@pytest.mark.parametrize(("text", "variables", "expected"), [
    ("2 sec", ["sec"], 2 * sympy.Symbol("sec")),  # a declared variable wins over the new function names
    ("sign + 1", ["sign"], sympy.Symbol("sign") + 1),
    ("gamma * beta", ["gamma", "beta"], sympy.Symbol("gamma") * sympy.Symbol("beta")),  # not sympy's functions
    ("γ β", ["gamma", "beta"], sympy.Symbol("gamma") * sympy.Symbol("beta")),
    ("E e", ["E"], sympy.Symbol("E") * sympy.E),  # E the variable, e Euler's number
])
def test_colliding_names(text: str, variables: list[str], expected: sympy.Expr) -> None:
    assert parse_expression(text, variables=variables) == expected


@pytest.mark.parametrize(("answer", "verdict"), [("300.15 K", "correct"), ("27 degC", "correct"), ("27 °C", "correct"),
                                                  ("80.6 degF", "correct"), ("27 K", "incorrect")])
def test_offset_units_convert_the_value_not_a_factor(answer: str, verdict: str) -> None:
    assert check(spec("quantity", Fraction(30015, 100), unit="K"), answer).verdict == verdict
