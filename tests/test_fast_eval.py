"""The compiled numeric evaluation and the remembered formula mutations give the old results exactly.

``grader.check.evaluate.compiled`` turns a sympy tree into closures once, and runs them at every test
point; it must give the very same complex number (bit for bit) as the tree walk ``_eval``, or fail at
the same points. ``formulas._remembered_mutations`` builds a bank formula's mutations once; the
misconception engine must name the same candidates, in the same order, with or without it.
"""

from __future__ import annotations

import cmath
import math

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grader.check import evaluate as numeric
from grader.check.misconceptions import formulas
from grader.check.misconceptions.candidates import Budget
from grader.check.parse import parse_expression
from grader.check.registry import REGISTRY
from grader.core import speed

X, Y = sympy.symbols("x y")
TEXTS = [
    "x**2 + 3*x - 1", "(x - y)/(x + y)", "sqrt(x) + x**(1/3)", "exp(-x**2)*sin(y)", "log(x) - log(y, 2)",
    "1/x", "x**-2 + y**0", "abs(x - 2*y)", "floor(x) + ceil(y)", "min(x, y) + max(x, 2)", "atan2(y, x)",
    "tan(x)*sec(y) - cot(x)", "asin(x/10) + acosh(y + 3)", "sign(x - y)", "x**y", "pi*x + e**y",
    "2.5*x - 0.1*y", "factorial(3)*x", "(x + 1)**(2/3)", "sinh(x)/cosh(y) + tanh(x*y)", "x*y*0 + 7",
    "x + y + 10**16", "x*y*1e16 - y*1e16 + x", "sqrt(-1)*x", "(x - y)**-1", "(x - 3)**(-y)", "exp(1000*x)",
]


def _tree(text: str) -> sympy.Basic:
    return parse_expression(text, variables=["x", "y"], trusted=True)


def _outcome(function, *args):
    try:
        value = function(*args)
    except Exception as error:  # both paths must fail alike
        return ("raised", type(error).__name__)
    if isinstance(value, complex):  # compare bits: nan != nan, and -0.0 must stay -0.0
        return ("value", math.copysign(1, value.real), value.real.hex(), math.copysign(1, value.imag),
                value.imag.hex()) if not cmath.isnan(value) else ("nan",)
    return ("other", value)


def _same_everywhere(tree: sympy.Basic, points: list[dict]) -> None:
    function = numeric._compile(tree)
    for point in points:
        assert _outcome(function, point) == _outcome(numeric._eval, tree, point), (tree, point)
        with speed.fast_paths(True):
            fast = _outcome(numeric.evaluate, tree, point)
        with speed.fast_paths(False):
            slow = _outcome(numeric.evaluate, tree, point)
        assert fast == slow, (tree, point)


POINTS = [{X: complex(a), Y: complex(b)} for a, b in
          [(0.37, 1.9), (-2.5, 0.61), (0, 0), (3, -1), (1e-9, 7.25), (-0.001, -3.3), (1, 1)]]


@pytest.mark.parametrize("text", TEXTS)
def test_compiled_evaluation_gives_the_tree_walks_very_floats(text: str) -> None:
    _same_everywhere(_tree(text), POINTS)


def test_a_missing_variable_fails_as_the_walk_fails() -> None:
    tree = _tree("x + y")
    assert _outcome(numeric._compile(tree), {X: 1j}) == _outcome(numeric._eval, tree, {X: 1j}) == ("raised", "KeyError")


def test_the_compiled_function_is_remembered_per_object_and_forgotten_on_clear() -> None:
    tree = _tree("x**2 + 1")
    assert numeric.compiled(tree) is numeric.compiled(tree)
    numeric.clear()
    assert len(numeric._compiled) == 0
    assert numeric.compiled(tree)({X: 2 + 0j}) == 5


_leaves = st.sampled_from([X, Y, sympy.Integer(2), sympy.Integer(-3), sympy.Rational(1, 3), sympy.Float(0.25),
                           sympy.pi, sympy.E, sympy.I])
_unary = st.sampled_from([sympy.sin, sympy.exp, sympy.log, sympy.Abs, sympy.floor, sympy.sqrt, sympy.atan])


def _built(make):
    def build(*args):
        try:
            return make(*args)
        except (ValueError, TypeError, ZeroDivisionError):  # sympy refuses some (Max of I): use a leaf
            return X
    return build


def _grow(children):
    return st.one_of(
        st.builds(_built(lambda a, b: a + b), children, children),
        st.builds(_built(lambda a, b: a * b), children, children),
        st.builds(_built(lambda a, b: a / b), children, children),
        st.builds(_built(lambda a, n: a ** n), children, st.integers(-3, 4)),
        st.builds(_built(lambda a, b: a ** b), children, children),
        st.builds(_built(lambda f, a: f(a)), _unary, children),
        st.builds(_built(lambda a, b: sympy.Max(a, b)), children, children),
    )


_trees = st.recursive(_leaves, _grow, max_leaves=8)
_coordinates = st.floats(-50, 50, allow_nan=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_trees, st.lists(st.tuples(_coordinates, _coordinates), min_size=1, max_size=4))
def test_random_trees_evaluate_identically_on_both_paths(tree, coordinates) -> None:
    # sympy builds numeric powers exactly (4**256 to the power 4**256...): a number with millions of digits
    # takes minutes to become a float on either path; answers never hold one (the parser caps powers)
    assume(all(max(abs(n.p), n.q).bit_length() < 4096 for n in tree.atoms(sympy.Rational)))
    _same_everywhere(tree, [{X: complex(a), Y: complex(b)} for a, b in coordinates])


# ----- the formula mutations, remembered ----------------------------------------------------------------
FORMULAS = ["(I - F + 2*P)/S + 1", "floor((I - F)/S) + 1", "C*F**2*K + K", "(H*W*C)/(S**2)", "K*(C*F*F + 1)"]


def _candidates(spec: dict, fast: bool) -> list[tuple]:
    checker = REGISTRY.get(spec["type"])
    with speed.fast_paths(fast):
        return [(c.code, c.message, c.value) for c in formulas.formula_candidates(spec, checker, Budget())]


@pytest.mark.parametrize("kind", ["number", "integer", "expression"])
@pytest.mark.parametrize("text", FORMULAS)
@pytest.mark.parametrize("values", [dict(I=32, F=3, P=1, S=1, C=3, K=16, H=8, W=8),
                                    dict(I=28, F=5, P=0, S=2, C=1, K=6, H=4, W=6),
                                    dict(I=7, F=7, P=2, S=3, C=2, K=1, H=1, W=9)])
def test_formula_candidates_are_the_same_with_the_mutations_remembered(kind: str, text: str, values: dict) -> None:
    names = sorted(values)
    tree = parse_expression(text, variables=names, trusted=True)
    substitution = {sympy.Symbol(name): sympy.Integer(value) for name, value in values.items()}
    mistake_tree = tree.xreplace({sympy.Symbol("P"): 0}) if tree.has(sympy.Symbol("P")) else tree + 2
    spec = {"type": kind, "answer": REGISTRY.get("number").reference(tree.xreplace(substitution), {}),
            "formula": {"tree": tree, "values": substitution},
            "mistakes": [{"note": "no-padding", "feedback": "Padding left out.", "formula": mistake_tree,
                          "answer": mistake_tree.xreplace(substitution)}]}
    formulas.clear()
    slow = _candidates(spec, fast=False)
    assert len(slow) > 5  # the formula has mutations to remember
    assert any(value is not None for _, _, value in slow)
    assert _candidates(spec, fast=True) == slow  # built now
    assert _candidates(spec, fast=True) == slow  # served from memory
    assert formulas._remembered_mutations.cache_info().hits >= 1


# ----- integer matrices in feedback, as MathML ---------------------------------------------------------------
_cells = st.one_of(st.integers(-10**7, 10**7).map(str), st.sampled_from(["+3", "-0", "+0", "007", "-010", "-1", "0", "1", "-2"]))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.data(), st.booleans(), st.sampled_from(["", " ", "  "]))
def test_integer_matrices_in_feedback_become_the_same_mathml(rows: int, columns: int, data, nested: bool,
                                                            space: str) -> None:
    from grader.report.math_feedback import _fragment

    cells = [[data.draw(_cells) for _ in range(columns)] for _ in range(rows)]
    if nested:
        text = "[" + f",{space}".join("[" + f",{space}".join(row) + "]" for row in cells) + "]"
    else:
        text = f"[{space}" + f"{space};{space}".join(" ".join(row) for row in cells) + f"{space}]"
    markdown = f"Your answer `{text}` is the transpose. Expected: `{text}`."
    with speed.fast_paths(False):
        slow = _fragment(markdown)
    with speed.fast_paths(True):
        fast = _fragment(markdown)
    assert "<mtable>" in slow  # the old path did make MathML of it
    assert fast == slow
