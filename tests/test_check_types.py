"""Every answer type through ``check_answer``: tables of (spec, typed answer, verdict[, note/score]).

Specs are built the way ``make_variant`` builds them: the raw reference goes through the
type's own ``reference()``. Symbolic references are built from ``sympy.Symbol``, never from
strings, so an expression test passes only if the safe parser reads the student's text itself.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

import pytest
import sympy

import grader.check.types  # noqa: F401  (registers the checkers)
from grader.check.answer import check_answer
from grader.check.base import CheckResult
from grader.check.registry import REGISTRY
from tests.kinds_helpers import spec

x = sympy.Symbol("x")
H, K = sympy.Symbol("H"), sympy.Symbol("K")
k1, k2, k3 = sympy.Symbol("k1"), sympy.Symbol("k2"), sympy.Symbol("k3")
SIR = {name: sympy.Symbol(name) for name in ("S", "I", "N", "E", "Q", "O")}  # also sympy's own names


def check(part: dict, raw: Any) -> CheckResult:
    result = check_answer(part, raw)
    assert isinstance(result, CheckResult)
    assert 0.0 <= result.score <= 1.0
    if result.verdict == "correct":
        assert result.score == 1.0
    if result.verdict in ("incorrect", "invalid", "pending"):
        assert result.score == 0.0
    return result


def ids(table: list[tuple]) -> list[str]:
    return [f"{row[0]['type']}:{row[1]!r}"[:60] for row in table]


# ----- integer ----------------------------------------------------------------------------------
INT = spec("integer", 4704, mistakes=((1568, "forgot-depth", "You left out the 3 input channels."),))

INTEGER = [
    (INT, "4704", "correct", "correct"),
    (INT, " 4704 ", "correct", "correct"),
    (INT, "4704.0", "correct", "correct"),
    (INT, "4.704e3", "correct", "correct"),
    (INT, "4704e0", "correct", "correct"),
    (INT, "+4704", "correct", "correct"),
    (INT, "\t4704\n", "correct", "correct"),
    (INT, "4,704", "invalid", "invalid"),
    (INT, "inf", "invalid", "invalid"),
    (INT, "-inf", "invalid", "invalid"),
    (INT, "nan", "invalid", "invalid"),
    (INT, "NaN", "invalid", "invalid"),
    (INT, "470.4", "invalid", "invalid"),
    (INT, "4704.5", "invalid", "invalid"),
    (INT, "four thousand", "invalid", "invalid"),
    (INT, "0x1260", "invalid", "invalid"),
    (INT, "4705", "incorrect", "off-by-one"),
    (INT, "4703", "incorrect", "off-by-one"),
    (INT, "4706", "incorrect", "off-by-two"),
    (INT, "47040", "incorrect", "power-of-ten"),
    (INT, "470400", "incorrect", "factor-100"),
    (INT, "-4704", "incorrect", "sign"),
    (INT, "9408", "incorrect", "factor-2"),
    (INT, "2352", "incorrect", "factor-1/2"),
    (INT, "14112", "incorrect", "factor-3"),
    (INT, "1568", "incorrect", "forgot-depth"),  # a declared mistake wins over factor-1/3
    (INT, "1000", "incorrect", "incorrect"),
    (INT, "", "incorrect", "blank"),
]


@pytest.mark.parametrize("part, raw, verdict, note", INTEGER, ids=ids(INTEGER))
def test_integer(part: dict, raw: str, verdict: str, note: str) -> None:
    result = check(part, raw)
    assert (result.verdict, result.note) == (verdict, note), result.feedback


def test_integer_thousands_separator_says_how_to_fix() -> None:
    result = check(INT, "4,704")
    assert result.verdict == "invalid"
    assert "thousands separator" in result.feedback
    assert "write 4704" in result.feedback


def test_integer_declared_mistake_feedback_is_the_authors() -> None:
    assert check(INT, "1568").feedback == "You left out the 3 input channels."


def test_integer_off_by_one_feedback_names_the_delta() -> None:
    assert "+1" in check(INT, "4705").feedback
    assert "-1" in check(INT, "4703").feedback


# ----- number -----------------------------------------------------------------------------------
PCT = spec("number", Fraction(72), percent=True, rtol=0.002)
PLAIN = spec("number", Fraction(72))
LOOSE = spec("number", Fraction(72), rtol=0.01)
ABS = spec("number", Fraction(0), atol=0.5)
THIRD = spec("number", Fraction(1, 3))
THIRD_EXACT = spec("number", Fraction(1, 3), exact=True)
PI_SIGFIGS = spec("number", Fraction(314159, 100000), sigfigs=3)
PI_DECIMALS = spec("number", Fraction(314159, 100000), decimals=2)
SMALL = spec("number", Fraction(3, 10**7))

NUMBER = [
    # default tolerance: rtol 1e-3 of 72 is 0.072
    (PLAIN, "72", "correct", "correct"),
    (PLAIN, "72.05", "correct", "correct"),
    (PLAIN, "71.95", "correct", "correct"),
    (PLAIN, "72.08", "incorrect", "close"),
    (PLAIN, "7.2e1", "correct", "correct"),
    (PLAIN, "720/10", "correct", "correct"),
    (PLAIN, "2^6 + 8", "correct", "correct"),
    (PLAIN, "-72", "incorrect", "sign"),
    (PLAIN, "720", "incorrect", "power-of-ten"),
    (PLAIN, "36", "incorrect", "factor-1/2"),
    # per-part rtol and atol
    (LOOSE, "72.5", "correct", "correct"),
    (LOOSE, "71.3", "correct", "correct"),
    (LOOSE, "72.9", "incorrect", "close"),
    (ABS, "0.4", "correct", "correct"),
    (ABS, "-0.5", "correct", "correct"),
    (ABS, "0.6", "incorrect", "incorrect"),
    (SMALL, "3e-7", "correct", "correct"),
    (SMALL, "3.0001e-7", "correct", "correct"),
    (SMALL, "3.1e-7", "incorrect", "close"),
    # NaN and infinity are refused while reading, so they can never pass
    (PLAIN, "nan", "invalid", "invalid"),
    (PLAIN, "NaN", "invalid", "invalid"),
    (PLAIN, "-nan", "invalid", "invalid"),
    (PLAIN, "inf", "invalid", "invalid"),
    (PLAIN, "Infinity", "invalid", "invalid"),
    (PLAIN, "∞", "invalid", "invalid"),
    (PLAIN, "0/0", "invalid", "invalid"),
    (PLAIN, "1/0", "invalid", "invalid"),
    (ABS, "nan", "invalid", "invalid"),
    # exact fractions
    (THIRD, "1/3", "correct", "correct"),
    (THIRD, "0.3333", "correct", "correct"),
    (THIRD, "0.33", "incorrect", "derived:rounded:2"),  # 1/3 rounded to 2 decimals too early
    (THIRD_EXACT, "1/3", "correct", "correct"),
    (THIRD_EXACT, "2/6", "correct", "correct"),
    (THIRD_EXACT, " 1 / 3 ", "correct", "correct"),
    (THIRD_EXACT, "0.3333", "incorrect", "derived:rounded:4"),
    (THIRD_EXACT, "0.333333333", "incorrect", "close"),
    (THIRD_EXACT, "2/3", "incorrect", "factor-2"),
    # percent only where the part declares it
    (PCT, "72", "correct", "correct"),
    (PCT, "72%", "correct", "correct"),
    (PCT, "72 %", "correct", "correct"),
    (PCT, "72.1%", "correct", "correct"),
    (PCT, "0.72", "incorrect", "factor-100"),
    (PCT, "7200", "incorrect", "factor-100"),
    (PCT, "-72%", "incorrect", "sign"),
    (PLAIN, "72%", "invalid", "invalid"),
    (THIRD, "33%", "invalid", "invalid"),
    # significant figures / decimal places: right value at the wrong precision is half credit
    (PI_SIGFIGS, "3.14", "correct", "correct"),
    (PI_SIGFIGS, "3.1416", "partial", "sigfigs-too-many"),
    (PI_SIGFIGS, "3.142", "partial", "sigfigs-too-many"),
    (PI_SIGFIGS, "3.2", "incorrect", "sigfigs-value"),  # the value is wrong at 3 figures (issue 9)
    (PI_DECIMALS, "3.14", "correct", "correct"),
    (PI_DECIMALS, "3.142", "partial", "decimals-too-many"),
    (PI_DECIMALS, "3.1", "partial", "decimals-too-few"),  # the right value to fewer places (issue 9)
    (PI_DECIMALS, "3.15", "incorrect", "decimals-value"),
    # scientific notation with an absurd exponent is refused, not computed
    (PLAIN, "1e999999", "invalid", "invalid"),
    (PLAIN, "1e-999999", "invalid", "invalid"),
    (PLAIN, "7.2e99999999999999999999", "invalid", "invalid"),
    (PLAIN, "", "incorrect", "blank"),
]


@pytest.mark.parametrize("part, raw, verdict, note", NUMBER, ids=ids(NUMBER))
def test_number(part: dict, raw: str, verdict: str, note: str) -> None:
    result = check(part, raw)
    assert (result.verdict, result.note) == (verdict, note), result.feedback


@pytest.mark.parametrize("part, raw, score, phrase", [
    (PI_SIGFIGS, "3.1416", 0.5, "3 significant figures (you gave 5)"),
    (PI_SIGFIGS, "3.142", 0.5, "3 significant figures (you gave 4)"),
    (PI_DECIMALS, "3.142", 0.5, "2 decimal places (you gave 3)"),
    (PI_DECIMALS, "3.14159", 0.5, "2 decimal places (you gave 5)"),
])
def test_number_precision_feedback_and_partial_credit(part: dict, raw: str, score: float, phrase: str) -> None:
    result = check(part, raw)
    assert result.verdict == "partial"
    assert result.score == score
    assert phrase in result.feedback


def test_number_precision_partial_feedback_does_not_contradict_itself() -> None:
    result = check(PI_SIGFIGS, "3.1416")
    assert result.verdict == "partial"
    assert "not within the required precision" not in result.feedback


ROUNDED = spec("number", Fraction(2200, 49), percent=True, rtol=0.002)  # 44.897...%, as stacked-3x3 F=7


@pytest.mark.parametrize("raw, note", [
    ("44.9", "correct"),
    ("0.4489795918367347", "factor-100"),
    ("-44.897959183673469", "sign"),
])
def test_number_relationships_of_exact_values(raw: str, note: str) -> None:
    assert check(ROUNDED, raw).note == note


@pytest.mark.parametrize("raw, note", [("0.449", "factor-100"), ("-44.9", "sign"), ("449", "power-of-ten")])
def test_number_relationships_respect_the_tolerance(raw: str, note: str) -> None:
    assert check(ROUNDED, raw).note == note


def test_number_percent_refusal_says_why() -> None:
    assert "not a percentage" in check(PLAIN, "72%").feedback


def test_number_huge_exponent_is_refused_fast() -> None:
    start = time.perf_counter()
    for raw in ("1e999999", "1e999999999", "-1E999999", "1e-999999999"):
        assert check(PLAIN, raw).verdict == "invalid"
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("raw", ["1", "-5", "1e300"])
@pytest.mark.parametrize("reference", [float("nan"), float("inf"), float("-inf"), sympy.nan, sympy.oo],
                         ids=["nan", "inf", "-inf", "sympy-nan", "sympy-oo"])
def test_number_non_finite_reference_never_passes(reference: Any, raw: str) -> None:
    """A solver returning NaN/inf is refused when the variant is made, or else no answer matches it."""
    checker = REGISTRY.get("number")
    part: dict[str, Any] = {"type": "number"}
    try:
        part["answer"] = checker.reference(reference, part)
    except ValueError:
        return  # refused up front: make_variant reports it as a BankError
    result = check_answer(part, raw)
    assert result.verdict != "correct"


# ----- expression -------------------------------------------------------------------------------
LINEAR = spec("expression", 2 * x + 2, variables=["x"])
SQUARE = spec("expression", x**2, variables=["x"])
IDENT = spec("expression", x, variables=["x"])
SHIFT = spec("expression", x + 1, variables=["x"])
STRICT = spec("expression", 2 * x + 2, variables=["x"], implicit_multiplication=False)
HK = spec("expression", H - K + 1, variables=["H", "K"])
SIR_PART = spec("expression", SIR["S"] * SIR["I"] / SIR["N"] + SIR["E"] - SIR["Q"] * SIR["O"], variables=list(SIR))
TRIG = spec("expression", sympy.sin(x) ** 2, variables=["x"], functions=["sin", "cos"])
EXPANDED = spec("expression", x**2 + 2 * x + 1, variables=["x"], form="expanded")
FACTORED = spec("expression", (x + 1) ** 2, variables=["x"], form="factored")
POSITIVE = spec("expression", x, variables=["x"], domain={"x": [1, 5]})
HUGE = spec("expression", sympy.exp(x), variables=["x"], domain={"x": [1000, 2000]})  # overflows at every point

EXPRESSION = [
    (LINEAR, "2(x+1)", "correct", "correct"),
    (LINEAR, "2x+2", "correct", "correct"),
    (LINEAR, "2*x + 2", "correct", "correct"),
    (LINEAR, "x + x + 2", "correct", "correct"),
    (LINEAR, "(x+1)*2", "correct", "correct"),
    (LINEAR, "2x+3", "incorrect", "off-by-one"),
    (LINEAR, "-2x-2", "incorrect", "sign"),
    (LINEAR, "x+1", "incorrect", "factor"),
    (LINEAR, "2x", "incorrect", "not-equivalent"),
    (LINEAR, "x^2 + 2", "incorrect", "not-equivalent"),
    (LINEAR, "2y+2", "invalid", "invalid"),
    (LINEAR, "2x+", "invalid", "invalid"),
    (LINEAR, "2x = 2", "invalid", "invalid"),
    (SQUARE, "x^2", "correct", "correct"),
    (SQUARE, "x**2", "correct", "correct"),
    (SQUARE, "x*x", "correct", "correct"),
    (SQUARE, "x^3", "incorrect", "not-equivalent"),
    # implicit multiplication off: the student must write '*'
    (STRICT, "2*(x+1)", "correct", "correct"),
    (STRICT, "2*x+2", "correct", "correct"),
    (STRICT, "2x+2", "invalid", "invalid"),
    (STRICT, "2(x+1)", "invalid", "invalid"),
    # variable names that are also sympy names (S, I, N, E, Q, O) are plain symbols here
    (SIR_PART, "S*I/N + E - Q*O", "correct", "correct"),
    (SIR_PART, "S I / N + E - Q O", "correct", "correct"),
    (SIR_PART, "E - O*Q + I*S/N", "correct", "correct"),
    (SIR_PART, "S*I/N + E - Q*O + 1", "incorrect", "off-by-one"),
    (SIR_PART, "S*I/N - Q*O", "incorrect", "not-equivalent"),
    (SIR_PART, "SI/N + E - QO", "invalid", "invalid"),
    # only the allowed functions
    (TRIG, "sin(x)^2", "correct", "correct"),
    (TRIG, "1 - cos(x)^2", "correct", "correct"),
    (TRIG, "sqrt(x)", "invalid", "invalid"),
    (TRIG, "exp(x)", "invalid", "invalid"),
    (TRIG, "cos(x)^2", "incorrect", "not-equivalent"),
    # points where one side is undefined or takes the complex branch
    (IDENT, "sqrt(x)^2", "correct", "correct"),
    (IDENT, "exp(ln(x))", "correct", "correct"),
    (IDENT, "sqrt(x^2)", "incorrect", "not-equivalent"),
    (IDENT, "abs(x)", "incorrect", "not-equivalent"),
    (SHIFT, "(x^2-1)/(x-1)", "correct", "correct"),
    (SHIFT, "(x^2-1)/(x-1) - 1", "incorrect", "off-by-one"),
    # a declared domain decides where the expressions are compared
    (POSITIVE, "sqrt(x^2)", "correct", "correct"),
    (POSITIVE, "abs(x)", "correct", "correct"),
    (POSITIVE, "-x", "incorrect", "sign"),
    # no usable point at all: exact sympy in the worker decides
    (HUGE, "exp(x)", "correct", "correct"),
    (HUGE, "e^x", "correct", "correct"),
    (HUGE, "exp(x+1)/e", "correct", "correct"),
    (HUGE, "exp(x) + 1", "incorrect", "incorrect"),
    (HUGE, "exp(2x)", "incorrect", "incorrect"),
    # the classic relationships
    (HK, "H - K + 1", "correct", "correct"),
    (HK, "1 + H - K", "correct", "correct"),
    (HK, "H - K", "incorrect", "off-by-one"),
    (HK, "H - K + 2", "incorrect", "off-by-one"),
    (HK, "-(H-K+1)", "incorrect", "sign"),
    (HK, "2(H-K+1)", "incorrect", "factor"),
    (HK, "(H-K+1)/2", "incorrect", "factor"),
    (HK, "H - 2K + 1", "incorrect", "not-equivalent"),
    (HK, "h - k + 1", "invalid", "invalid"),
    (HK, "HK", "invalid", "invalid"),
    (HK, "", "incorrect", "blank"),
    # form: expanded / factored gives half credit for the right expression in the wrong form
    (EXPANDED, "x^2 + 2x + 1", "correct", "correct"),
    (EXPANDED, "1 + 2x + x^2", "correct", "correct"),
    (EXPANDED, "(x+1)^2", "partial", "form-expanded"),
    (EXPANDED, "(x+1)(x+1)", "partial", "form-expanded"),
    (EXPANDED, "x^2 + 2x", "incorrect", "off-by-one"),
    (FACTORED, "(x+1)^2", "correct", "correct"),
    (FACTORED, "(x+1)(x+1)", "correct", "correct"),
    (FACTORED, "x^2 + 2x + 1", "partial", "form-factored"),
]


@pytest.mark.parametrize("part, raw, verdict, note", EXPRESSION, ids=ids(EXPRESSION))
def test_expression(part: dict, raw: str, verdict: str, note: str) -> None:
    result = check(part, raw)
    assert (result.verdict, result.note) == (verdict, note), result.feedback
    if verdict == "partial":
        assert result.score == 0.5


@pytest.mark.parametrize("part, raw, phrase", [
    (HK, "H - K", "off by -1"),
    (HK, "-(H-K+1)", "wrong sign"),
    (HK, "2(H-K+1)", "factor of 2"),
    (EXPANDED, "(x+1)^2", "expanded form"),
    (FACTORED, "x^2 + 2x + 1", "factored form"),
    (STRICT, "2x+2", "missing '*'"),
    (HK, "h - k + 1", "case-sensitive"),
    (TRIG, "sqrt(x)", "unknown function"),
])
def test_expression_feedback(part: dict, raw: str, phrase: str) -> None:
    assert phrase in check(part, raw).feedback


def test_expression_form_partial_feedback_does_not_contradict_itself() -> None:
    result = check(EXPANDED, "(x+1)^2")
    assert result.verdict == "partial"
    assert "not equivalent" not in result.feedback


# ----- matrix -----------------------------------------------------------------------------------
M22 = spec("matrix", [[1, 2], [3, 4]])
M22P = spec("matrix", [[1, 2], [3, 4]], partial=True)
M23 = spec("matrix", [[1, 2, 3], [4, 5, 6]])
WIDE = spec("matrix", [[r * 16 + c for c in range(16)] for r in range(4)], partial=True)
WIDE_T_TEXT = "[" + ", ".join("[" + ", ".join(str(r * 16 + c) for r in range(4)) + "]" for c in range(16)) + "]"
WIDE_TEXT = "; ".join(" ".join(str(r * 16 + c) for c in range(16)) for r in range(4))
TOEPLITZ = spec("matrix", sympy.Matrix([[k2, k3, 0], [k1, k2, k3], [0, k1, k2]]), variables=["k1", "k2", "k3"],
                partial=True)
HALF = spec("matrix", [[Fraction(1, 2), 0], [0, Fraction(1, 3)]])

MATRIX = [
    (M22, "[[1,2],[3,4]]", "correct", "correct", 1.0),
    (M22, "[[1, 2], [3, 4]]", "correct", "correct", 1.0),
    (M22, "[1 2; 3 4]", "correct", "correct", 1.0),
    (M22, "1 2; 3 4", "correct", "correct", 1.0),
    (M22, "[1, 2; 3, 4]", "correct", "correct", 1.0),
    (M22, "[1 2\n 3 4]", "correct", "correct", 1.0),
    (M22, '[["1", "2"], ["3", "4"]]', "correct", "correct", 1.0),
    (M22, "[[1.0, 2.0], [3.0, 4e0]]", "correct", "correct", 1.0),
    (M22, "[[2/2, 2], [3, 2^2]]", "correct", "correct", 1.0),
    (M22, "[[1,3],[2,4]]", "incorrect", "transposed", 0.0),
    # A rotated matrix is just wrong entries: "flipped kernel" is a declared mistake where it applies.
    (M22, "[[4,3],[2,1]]", "incorrect", "derived:matrix:flipped-both", 0.0),  # rotated by 180 degrees
    (M22, "[[-1,-2],[-3,-4]]", "incorrect", "sign", 0.0),
    (M22, "[1 2 3 4]", "incorrect", "wrong-shape", 0.0),
    (M22, "[[1,2],[3,4],[5,6]]", "incorrect", "wrong-shape", 0.0),
    (M22, "[[1,2],[3,5]]", "incorrect", "matrix-entries", 0.0),
    (M22, "[[1,2],[3]]", "invalid", "invalid", 0.0),
    (M22, "[[1,2],[3,x]]", "invalid", "invalid", 0.0),
    (M22, "[[1,2],[3,4]", "invalid", "invalid", 0.0),
    (M22, "[[1,,2],[3,4]]", "invalid", "invalid", 0.0),
    (M22, "", "incorrect", "blank", 0.0),
    (M23, "[[6,5,4],[3,2,1]]", "incorrect", "derived:matrix:flipped-both", 0.0),
    (M23, "[[1,4],[2,5],[3,6]]", "incorrect", "transposed", 0.0),
    (HALF, "[[0.5, 0], [0, 1/3]]", "correct", "correct", 1.0),
    (HALF, "[[0.5, 0], [0, 0.3333333]]", "correct", "correct", 1.0),
    (HALF, "[[0.5, 0], [0, 0.33]]", "incorrect", "matrix-entries", 0.0),
    # per-entry partial credit
    (M22P, "[[1,2],[3,5]]", "partial", "partial-entries", 0.75),
    (M22P, "[[1,2],[5,5]]", "partial", "partial-entries", 0.5),
    (M22P, "[[1,0],[0,0]]", "partial", "partial-entries", 0.25),
    (M22P, "[[0,0],[0,0]]", "incorrect", "matrix-entries", 0.0),
    (WIDE, WIDE_TEXT, "correct", "correct", 1.0),
    (WIDE, WIDE_T_TEXT, "incorrect", "transposed", 0.0),
    # symbolic entries
    (TOEPLITZ, "[k2 k3 0; k1 k2 k3; 0 k1 k2]", "correct", "correct", 1.0),
    (TOEPLITZ, "[[k2, k3, 0], [k1, k2, k3], [0, k1, k2]]", "correct", "correct", 1.0),
    # Partial credit counts only entries where either matrix is nonzero: 7 here, 6 of them right.
    (TOEPLITZ, "[k2 k3 0; k1 k2 k3; 0 k1 k2+1]", "partial", "partial-entries", round(6 / 7, 6)),
    (TOEPLITZ, "[k2 k3 0; k1 k2 k3; 0 k1 2k2]", "partial", "partial-entries", round(6 / 7, 6)),
    (TOEPLITZ, "[0 0 0; 0 0 0; 0 0 0]", "incorrect", "matrix-entries", 0.0),
    (TOEPLITZ, "[k2 k3 0; k1 k2 k3; 0 k1 k4]", "invalid", "invalid", 0.0),
    (TOEPLITZ, "[k2 k3; k1 k2]", "incorrect", "wrong-shape", 0.0),
]


@pytest.mark.parametrize("part, raw, verdict, note, score", MATRIX, ids=ids(MATRIX))
def test_matrix(part: dict, raw: str, verdict: str, note: str, score: float) -> None:
    result = check(part, raw)
    assert (result.verdict, result.note, result.score) == (verdict, note, score), result.feedback


def test_matrix_transposed_message_names_both_shapes() -> None:
    result = check(WIDE, WIDE_T_TEXT)
    assert result.note == "transposed"
    assert "16×4" in result.feedback and "4×16" in result.feedback
    assert "transposed" in result.feedback


def test_matrix_wrong_shape_message_names_both_shapes() -> None:
    result = check(M22, "[1 2 3 4]")
    assert "1×4" in result.feedback and "2×2" in result.feedback


def test_matrix_partial_counts_wrong_entries() -> None:
    assert "1 of 4 entries" in check(M22P, "[[1,2],[3,5]]").feedback


def test_matrix_invalid_entry_is_named() -> None:
    result = check(M22, "[[1,2],[3,x]]")
    assert "'x'" in result.feedback


def test_matrix_partial_feedback_is_not_repeated() -> None:
    assert check(M22P, "[[1,2],[3,5]]").feedback.count("entries are not correct") == 1


# ----- choice -----------------------------------------------------------------------------------
FRUIT = [
    {"text": "Apple pie", "feedback": "No: apples are not yellow."},
    {"text": "Banana split", "correct": True, "feedback": "Yes: bananas are yellow."},
    {"text": "Cherry tart", "feedback": "No: cherries are red."},
]
CHOICE = spec("choice", options=FRUIT)

CHOICES = [
    (CHOICE, "B", "correct", 1.0),
    (CHOICE, "b", "correct", 1.0),
    (CHOICE, " B ", "correct", 1.0),
    (CHOICE, "B)", "correct", 1.0),
    (CHOICE, "b.", "correct", 1.0),
    (CHOICE, "Banana split", "correct", 1.0),
    (CHOICE, "banana   SPLIT", "correct", 1.0),
    (CHOICE, "A", "incorrect", 0.0),
    (CHOICE, "Cherry tart", "incorrect", 0.0),
    (CHOICE, "Z", "invalid", 0.0),
    (CHOICE, "D", "invalid", 0.0),
    (CHOICE, "A, B", "invalid", 0.0),
    (CHOICE, "Banana", "invalid", 0.0),
    (CHOICE, "", "incorrect", 0.0),
]


@pytest.mark.parametrize("part, raw, verdict, score", CHOICES, ids=ids(CHOICES))
def test_choice(part: dict, raw: str, verdict: str, score: float) -> None:
    result = check(part, raw)
    assert (result.verdict, result.score) == (verdict, score), result.feedback


def test_choice_reference_is_the_correct_label() -> None:
    assert CHOICE["answer"] == frozenset({"B"})


@pytest.mark.parametrize("raw, phrase", [
    ("B", "Yes: bananas are yellow."),
    ("A", "No: apples are not yellow."),
    ("Cherry tart", "No: cherries are red."),
])
def test_choice_option_feedback(raw: str, phrase: str) -> None:
    assert phrase in check(CHOICE, raw).feedback


def test_choice_unknown_label_lists_the_options() -> None:
    result = check(CHOICE, "Z")
    assert "``Z`` is not one of the options" in result.feedback
    assert "A, B, C" in result.feedback


def test_choice_wrong_note_names_the_option() -> None:
    """Notes use the option's number in the bank, which shuffling does not change."""
    assert check(CHOICE, "A").note == "chose-1"
    shuffled = {**CHOICE, "options": [{**o, "number": n} for o, n in zip(CHOICE["options"], (3, 1, 2))]}
    assert check(shuffled, "A").note == "chose-3"


def test_choice_correct_note_is_correct() -> None:
    assert check(CHOICE, "B").note == "correct"


# ----- checkbox ---------------------------------------------------------------------------------
FOUR = [
    {"text": "one", "correct": True, "feedback": "f-one"},
    {"text": "two", "correct": True, "feedback": "f-two"},
    {"text": "three", "feedback": "f-three"},
    {"text": "four", "feedback": "f-four"},
]
ALL = spec("checkbox", options=FOUR, mode="all-or-nothing")
NET = spec("checkbox", options=FOUR, mode="net-correct")
EACH = spec("checkbox", options=FOUR, mode="each-answer")

# Correct: A, B of A-D. Hand-computed:
#   net-correct  = max(0, (right - wrong) / 2)          (2 correct options)
#   each-answer  = (4 - wrong - missed) / 4             (each option judged on its own)
CHECKBOXES = [
    (ALL, "A, B", "correct", 1.0),
    (ALL, "b a", "correct", 1.0),
    (ALL, "B;A", "correct", 1.0),
    (ALL, "A", "incorrect", 0.0),
    (ALL, "A, B, C", "incorrect", 0.0),
    (ALL, "C, D", "incorrect", 0.0),
    (NET, "A, B", "correct", 1.0),
    (NET, "A", "partial", 0.5),           # (1 - 0) / 2
    (NET, "A, B, C", "partial", 0.5),     # (2 - 1) / 2
    (NET, "A, C", "incorrect", 0.0),      # (1 - 1) / 2
    (NET, "C", "incorrect", 0.0),         # max(0, -1/2)
    (NET, "A, B, C, D", "incorrect", 0.0),  # (2 - 2) / 2
    (NET, "one", "partial", 0.5),         # option text picks A
    (EACH, "A, B", "correct", 1.0),
    (EACH, "A", "partial", 0.75),         # B missed
    (EACH, "A, C", "partial", 0.5),       # B missed, C wrong
    (EACH, "A, B, C", "partial", 0.75),   # C wrong
    (EACH, "A, B, C, D", "partial", 0.5),  # C, D wrong
    (EACH, "C, D", "incorrect", 0.0),     # all four judged wrong
    (EACH, "D", "partial", 0.25),         # C right to leave out; A, B missed, D wrong
    (EACH, "A, Z", "invalid", 0.0),
    (EACH, "", "incorrect", 0.0),
]


@pytest.mark.parametrize("part, raw, verdict, score", CHECKBOXES,
                         ids=[f"{row[0]['mode']}:{row[1]!r}" for row in CHECKBOXES])
def test_checkbox(part: dict, raw: str, verdict: str, score: float) -> None:
    result = check(part, raw)
    assert (result.verdict, result.score) == (verdict, score), result.feedback


def test_checkbox_feedback_shows_each_chosen_option_and_a_summary() -> None:
    result = check(NET, "A, C")
    assert "f-one" in result.feedback and "f-three" in result.feedback
    assert "f-two" not in result.feedback
    assert "1 correct and 1 incorrect" in result.feedback


# ----- text -------------------------------------------------------------------------------------
RESNET = spec("text", answers=["residual connections", "skip connection"],
              regex=r"(residual|skip|shortcut)s?\s+(connections?|blocks?|links?)")
SYNONYMS = spec("text", answers=["gradient descent", "SGD"])
CASED = spec("text", answers=["ReLU"], case_sensitive=True)

TEXTS = [
    (RESNET, "residual connections", "correct"),
    (RESNET, "Residual Connections", "correct"),
    (RESNET, "RESIDUAL CONNECTIONS.", "correct"),
    (RESNET, "residual-connections!", "correct"),
    (RESNET, "residual_connections", "correct"),
    (RESNET, "  skip   connection  ", "correct"),
    (RESNET, "skip\u00a0connection", "correct"),
    (RESNET, "Shortcut links", "correct"),       # by the regex only
    (RESNET, "skip blocks", "correct"),
    (RESNET, "dropout", "incorrect"),
    (RESNET, "batch normalisation", "incorrect"),
    (RESNET, "residual", "incorrect"),
    (RESNET, "not residual connections", "incorrect"),  # the regex must match the whole answer
    (RESNET, "x" * 501, "invalid"),
    (RESNET, "", "incorrect"),
    (SYNONYMS, "sgd", "correct"),
    (SYNONYMS, "Gradient Descent", "correct"),
    (SYNONYMS, "gradient ascent", "incorrect"),
    (CASED, "ReLU", "correct"),
    (CASED, "relu", "incorrect"),
]


@pytest.mark.parametrize("part, raw, verdict", TEXTS, ids=ids(TEXTS))
def test_text(part: dict, raw: str, verdict: str) -> None:
    assert check(part, raw).verdict == verdict


# ----- free -------------------------------------------------------------------------------------
FREE = spec("free", rubric=["Mentions weight sharing.", "Mentions the receptive field."])


@pytest.mark.parametrize("raw, note", [
    ("Pooling grows the receptive field without parameters.", "pending"),
    ("x" * 50_000, "pending"),
    ("", "pending-blank"),
    ("   ", "pending-blank"),
])
def test_free_is_pending(raw: str, note: str) -> None:
    result = check(FREE, raw)
    assert (result.verdict, result.score, result.note) == ("pending", 0.0, note)
    assert "manual grading" in result.feedback


# ----- blank answers ----------------------------------------------------------------------------
BLANK_SPECS = [INT, PLAIN, PCT, LINEAR, M22P, CHOICE, NET, RESNET]


@pytest.mark.parametrize("raw", ["", "   ", "\n\t ", None], ids=["empty", "spaces", "whitespace", "None"])
@pytest.mark.parametrize("part", BLANK_SPECS, ids=[p["type"] + str(i) for i, p in enumerate(BLANK_SPECS)])
def test_blank_is_incorrect_with_note_blank(part: dict, raw: str | None) -> None:
    result = check(part, raw)
    assert (result.verdict, result.score, result.note) == ("incorrect", 0.0, "blank")
    assert result.feedback == "No answer was given."


# ----- show_answer ------------------------------------------------------------------------------
REVEAL = [
    (INT, "4705", "4704"),
    (PCT, "0.72", "72%"),
    (LINEAR, "2x+3", "`2x + 2`"),  # in the syntax students type; a code span, so HTML shows it as math
    (M22, "[[1,3],[2,4]]", "[[1, 2], [3, 4]]"),
    (M22P, "[[1,2],[3,5]]", "[[1, 2], [3, 4]]"),
    (CHOICE, "A", "The expected answer is B."),
    (RESNET, "dropout", "residual connections"),
]


@pytest.mark.parametrize("part, raw, shown", REVEAL, ids=ids(REVEAL))
def test_reference_hidden_unless_show_answer(part: dict, raw: str, shown: str) -> None:
    hidden = check({**part, "show_answer": False}, raw)
    assert hidden.verdict in ("incorrect", "partial")
    assert shown not in hidden.feedback
    assert "expected answer" not in hidden.feedback
    default = check({k: v for k, v in part.items() if k != "show_answer"}, raw)
    assert shown not in default.feedback


@pytest.mark.parametrize("part, raw, shown", REVEAL, ids=ids(REVEAL))
def test_reference_revealed_with_show_answer(part: dict, raw: str, shown: str) -> None:
    result = check({**part, "show_answer": True}, raw)
    assert "The expected answer is" in result.feedback
    assert shown in result.feedback


def test_show_answer_does_not_reveal_on_invalid() -> None:
    result = check({**INT, "show_answer": True}, "4,704")
    assert result.verdict == "invalid"
    assert "expected answer" not in result.feedback
