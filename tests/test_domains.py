"""Issue 9 section 3: test points where the reference is defined, and points that see discontinuities."""

from __future__ import annotations

import pytest
import sympy

from grader.check.domains import choose_points, positive_variables
from tests.kinds_helpers import check, spec

a, b, x, n = sympy.symbols("a b x n")

EQUIVALENT_ONLY_WHERE_DEFINED = [  # reference, variables, answer, verdict
    (sympy.log(a**2 * b), ["a", "b"], "2*log(a) + log(b)", "correct"),  # only for positive a
    (sympy.log(a**2 * b), ["a", "b"], "log(a) + log(b)", "incorrect"),
    (sympy.sqrt(a * b), ["a", "b"], "sqrt(a)*sqrt(b)", "correct"),
    (a ** sympy.Rational(3, 2), ["a"], "a*sqrt(a)", "correct"),
    (sympy.log(x) / sympy.log(2), ["x"], "log(x, 2)", "correct"),
    (sympy.sqrt(x**2), ["x"], "x", "incorrect"),  # sqrt(x^2) is real everywhere: no positive domain
    (sympy.sqrt(x**2), ["x"], "|x|", "correct"),
]


@pytest.mark.parametrize(("reference", "variables", "answer", "verdict"), EQUIVALENT_ONLY_WHERE_DEFINED)
def test_positive_domain_is_inferred(reference: sympy.Expr, variables: list[str], answer: str, verdict: str) -> None:
    assert check(spec("expression", reference, variables=variables), answer).verdict == verdict


def test_positive_variables_use_where_the_argument_can_be_negative() -> None:
    assert positive_variables(sympy.log(a**2 * b)) == {"a", "b"}
    assert positive_variables(sympy.log(x**2 + 1)) == set()
    assert positive_variables(sympy.sqrt(x)) == {"x"}


def test_an_author_domain_is_kept() -> None:
    points = choose_points({"variables": ["a"], "domain": {"a": [-5, -4]}}, sympy.log(a))
    assert all(-5 <= p[sympy.Symbol("a")].real <= -4 for p in points)


LOOK_ALIKES = [  # reference, answer: equal at random points of [-2, 2] but not equivalent
    (sympy.ceiling(x), "floor(x) + 1"),  # differ only at integers
    (sympy.Integer(3), "max(x, 3)"),  # differ only beyond x = 3
    (sympy.Abs(x - 1), "x - 1"),
    (sympy.sign(x) * x, "x"),
]


@pytest.mark.parametrize(("reference", "answer"), LOOK_ALIKES)
def test_step_functions_get_integer_kink_and_wide_points(reference: sympy.Expr, answer: str) -> None:
    assert check(spec("expression", reference, variables=["x"]), answer).verdict == "incorrect"


@pytest.mark.parametrize(("reference", "answer"), [(sympy.ceiling(x), "-floor(-x)"), (sympy.Max(x, 3), "max(3, x)"),
                                                    (sympy.Abs(x), "sqrt(x^2)"), (sympy.sign(x) * x, "abs(x)")])
def test_step_functions_still_accept_equivalents(reference: sympy.Expr, answer: str) -> None:
    assert check(spec("expression", reference, variables=["x"]), answer).verdict == "correct"


DECIMALS_NEAR_EXACT = [  # an exact reference: decimals must be exact, or the author sets a tolerance
    (x / 3, "0.3333333*x", "incorrect"),
    (x, "x + 0.0000001", "incorrect"),
    (x / 2, "0.5*x", "correct"),  # exactly equal
    (x / 4, "0.25x", "correct"),
]


@pytest.mark.parametrize(("reference", "answer", "verdict"), DECIMALS_NEAR_EXACT)
def test_decimals_against_an_exact_reference(reference: sympy.Expr, answer: str, verdict: str) -> None:
    result = check(spec("expression", reference, variables=["x"]), answer)
    assert result.verdict == verdict
    if verdict == "incorrect":
        assert result.note == "inexact-decimals" and "exact" in result.feedback


def test_an_author_tolerance_lets_decimals_pass() -> None:
    assert check(spec("expression", x / 3, variables=["x"], rtol=1e-6), "0.3333333*x").verdict == "correct"


def test_validate_says_when_too_few_points_are_usable() -> None:
    from grader.check.registry import REGISTRY

    expression = REGISTRY.get("expression")
    narrow = spec("expression", sympy.log(x - 10), variables=["x"], domain={"x": [-2, 2]})
    assert "test points are usable" in expression.advice(narrow)[0]
    assert expression.advice(spec("expression", sympy.log(x), variables=["x"])) == []


@pytest.mark.parametrize(("expression", "kink"), [
    (sympy.floor(sympy.pi * (x - 1)), 1.0),  # sympy keeps the constant outside the bracket
    (sympy.ceiling(sympy.sqrt(2) * (x + 3)), -3.0),
    (sympy.Abs(sympy.pi * (x - 1)), 1.0),  # written pi*Abs(x - 1) by sympy
    (sympy.floor((x - 1) / 3), 1.0),
    (sympy.sign(sympy.E * (1 - x)), 1.0),
])
def test_the_root_of_a_scaled_linear_argument_is_a_kink(expression: sympy.Expr, kink: float) -> None:
    from grader.check.domains import kinks

    assert kink in kinks(expression)
