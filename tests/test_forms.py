"""Issue 9 section 2: form tests look at what the student typed, following STACK's FacForm, Expanded,
LowestTerms, SingleFrac, PartFrac and CompSquare (each answer here is equivalent to the reference, so only
the form decides between correct and partial).
"""

from __future__ import annotations

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.check.forms import ParseOptions, form_problem, typed_tree
from tests.kinds_helpers import check, key, spec

x, y = sympy.symbols("x y")
OPTIONS = ParseOptions(("x",))

FORM_CASES = [  # reference, form, answer, in that form?
    (x**2 - 4 * x + 4, "factored", "(x-2)^2", True),
    (x**2 - 4 * x + 4, "factored", "(x-2)(x-2)", True),
    (x**2 - 4 * x + 4, "factored", "(2-x)^2", True),  # up to sign
    (x**2 - 4 * x + 4, "factored", "x*(x-4+4/x)", False),  # a product, but not of polynomial factors
    (x**2 - 4 * x + 4, "factored", "x^2-4x+4", False),
    (2 * x**2 - 2, "factored", "2(x-1)(x+1)", True),
    (2 * x**2 - 2, "factored", "(2x-2)(x+1)", True),  # constants may sit in a factor
    (2 * x**2 - 2, "factored", "2(x^2-1)", False),  # an unexpanded but reducible factor
    (x**2 + 1, "factored", "x^2+1", True),  # irreducible over the rationals
    (x**2 - 2, "factored", "x^2-2", True),  # irreducible over Q (not over the reals)
    (x**3 - x, "factored", "x(x^2-1)", False),
    (x**3 - x, "factored", "x(x-1)(x+1)", True),
    (2 * x - 2, "expanded", "2x-2", True),
    (2 * x - 2, "expanded", "2(x-1)", False),
    (x**2 + 2 * x + 1, "expanded", "(x+1)^2", False),
    (x**2 + 2 * x + 1, "expanded", "x^2+x+x+1", True),  # like terms need not be collected
    (1 / (x + 1), "expanded", "1/(x+1)", True),
    (sympy.Rational(3, 2) * x, "lowest-terms", "3x/2", True),
    (sympy.Rational(3, 2) * x, "lowest-terms", "6x/4", False),
    ((x + 1) / (x - 1), "lowest-terms", "(x^2-1)/(x-1)^2", False),
    ((x + 1) / (x - 1), "lowest-terms", "(x+1)/(x-1)", True),
    (1 / x + 1 / (x + 1), "single-fraction", "(2x+1)/(x(x+1))", True),
    (1 / x + 1 / (x + 1), "single-fraction", "1/x + 1/(x+1)", False),
    (1 / x + 1 / (x + 1), "single-fraction", "(2 + 1/x)/(x+1)", False),  # a fraction inside the fraction
    (1 / x + 1 / (x + 1), "partial-fractions", "1/x + 1/(x+1)", True),
    (1 / x + 1 / (x + 1), "partial-fractions", "(2x+1)/(x^2+x)", False),
    (x / (x**2 + 1) + 1 / (x - 1), "partial-fractions", "x/(x^2+1) + 1/(x-1)", True),
    (1 / (x - 1) ** 2 + 1 / (x - 1), "partial-fractions", "1/(x-1)^2 + 1/(x-1)", True),
    (1 / (x - 1) ** 2 + 1 / (x - 1), "partial-fractions", "x/(x-1)^2", False),  # numerator degree too high
    (x**2 + 2 * x + 3, "completed-square", "(x+1)^2 + 2", True),
    (x**2 + 2 * x + 3, "completed-square", "2 + (x+1)^2", True),
    (2 * x**2 + 4 * x + 3, "completed-square", "2(x+1)^2 + 1", True),
    (x**2 + 2 * x + 3, "completed-square", "x^2 + 2x + 3", False),
    (x**2 + 2 * x + 3, "completed-square", "x(x+2) + 3", False),
    (x / 2, "no-floats", "x/2", True),
    (x / 2, "no-floats", "0.5x", False),
    (x / 2, "no-floats", "5e-1 x", False),
]


@pytest.mark.parametrize(("reference", "form", "answer", "in_form"), FORM_CASES)
def test_forms(reference: sympy.Expr, form: str, answer: str, in_form: bool) -> None:
    result = check(spec("expression", reference, variables=["x"], form=form), answer)
    if in_form:
        assert result.verdict == "correct", result.feedback
    else:
        assert (result.verdict, result.note) == ("partial", f"form-{form}"), result.feedback


@pytest.mark.parametrize("form", ["factored", "expanded", "lowest-terms", "single-fraction", "partial-fractions",
                                  "completed-square", "no-floats"])
def test_each_form_has_its_own_message(form: str) -> None:
    wrong = {"factored": "x^2+2x+1", "expanded": "(x+1)^2", "lowest-terms": "(2x^2+4x+2)/2",
             "single-fraction": "x^2 + 2x + 1/2 + 1/2", "partial-fractions": "(x^3+2x^2+x)/x",
             "completed-square": "x^2+2x+1", "no-floats": "x^2+2x+1.0"}[form]
    result = check(spec("expression", (x + 1) ** 2, variables=["x"], form=form), wrong)
    assert result.note == f"form-{form}"
    assert result.score == 0.5


def test_a_list_of_forms_and_the_key_in_form() -> None:
    part = spec("expression", x**2 - 9, variables=["x"], form=["factored", "no-floats"])
    assert key(part) in ("(x - 3)*(x + 3)", "(x + 3)*(x - 3)")
    assert check(part, key(part)).verdict == "correct"
    assert check(part, "(x-3.0)(x+3)").note == "form-no-floats"
    square = spec("expression", x**2 + 2 * x + 3, variables=["x"], form="completed-square")
    assert check(square, key(square)).verdict == "correct"


def test_the_typed_tree_keeps_the_structure() -> None:
    tree = typed_tree("2*(x-1)", OPTIONS)
    assert isinstance(tree, sympy.Mul) and any(isinstance(arg, sympy.Add) for arg in tree.args)
    fraction = typed_tree("6/4", ParseOptions(()))
    assert {sympy.Integer(6), sympy.Integer(4)} <= set(sympy.preorder_traversal(fraction))  # not yet 3/2
    assert str(typed_tree("x + x", OPTIONS)) == "x + x"


# ----- properties: factor() output is factored, expand() output is not unless a monomial -----------------
polynomials = st.lists(st.integers(min_value=-5, max_value=5), min_size=2, max_size=4).map(
    lambda roots: sympy.Mul(*[(x - r) for r in roots]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(polynomials, st.integers(min_value=1, max_value=4))
def test_factor_output_is_factored_and_expand_output_is_not(polynomial: sympy.Expr, scale: int) -> None:
    polynomial = scale * polynomial
    factored_text = str(sympy.factor(polynomial)).replace("**", "^")
    expanded_text = str(sympy.expand(polynomial)).replace("**", "^")
    assert form_problem(factored_text, OPTIONS, ["factored"], None) is None, factored_text
    monomial = len(sympy.Add.make_args(sympy.expand(polynomial))) == 1
    assert (form_problem(expanded_text, OPTIONS, ["factored"], None) is None) == monomial, expanded_text
    assert form_problem(expanded_text, OPTIONS, ["expanded"], None) is None
