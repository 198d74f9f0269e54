"""Issue 9 section 1: significant figures, decimal places, tolerance boundaries, atol, decimal comma, E/e.

Expected outcomes are written from STACK's NumSigFigs / NumDecPlaces and WeBWorK's documented
behaviour (value correctly rounded to N figures, and N figures written; say which one is wrong),
not from this checker's output.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from grader.check.parse import parse_expression
from grader.check.sigfigs import count_figures, strip_wrapping
from grader.core.errors import FormatError
from tests.kinds_helpers import check, key, spec

E3 = spec("number", sympy.E, sigfigs=3)  # e = 2.71828...

# ----- figures counted from the text -------------------------------------------------------------------
FIGURES = [  # text, fewest, most significant figures
    ("2.72", 3, 3), ("0.00", 2, 2), ("1.20", 3, 3), ("0.0012", 2, 2), ("1000", 1, 4), ("1000.", 4, 4),
    ("1.000e3", 4, 4), ("100e3", 1, 3), ("0", 1, 1), ("0.0", 1, 1), ("007", 1, 1), ("120", 2, 3),
    ("6.60e-34", 3, 3), (".5", 1, 1),
]


@pytest.mark.parametrize(("text", "low", "high"), FIGURES)
def test_figures_are_counted_from_the_text(text: str, low: int, high: int) -> None:
    figures = count_figures(text)
    assert figures is not None and (figures.low, figures.high) == (low, high)


@pytest.mark.parametrize("text", ["-(2.72)", "(\u22122.72)", "+ 2.72", "-2.72", "((2.72))", "- (2.72)"])
def test_signs_and_brackets_do_not_skip_the_count(text: str) -> None:
    sign, core = strip_wrapping(text)
    assert core == "2.72" and sign == (1 if "+" in text or text == "((2.72))" else -1)


# ----- the table for e at 3 figures -------------------------------------------------------------
SIGFIG_CASES = [  # answer, verdict, note
    ("2.72", "correct", "correct"),
    ("2.73", "incorrect", "sigfigs-value"),  # wrong in its last figure: no half-unit tolerance any more
    ("2.71", "incorrect", "sigfigs-value"),
    ("2.718", "partial", "sigfigs-too-many"),  # too many correct figures: partial by default
    ("2.7", "partial", "sigfigs-too-few"),  # the right value to fewer figures
    ("2.8", "incorrect", "sigfigs-value"),
    ("+2.72", "correct", "correct"),
    ("(2.72)", "correct", "correct"),
    ("\u22122.72", "incorrect", "sign"),  # Unicode minus is counted, and the sign is wrong
    ("2.72e0", "correct", "correct"),
    ("27.2e-1", "correct", "correct"),
]


@pytest.mark.parametrize(("answer", "verdict", "note"), SIGFIG_CASES)
def test_sigfigs_value_and_count_are_judged_separately(answer: str, verdict: str, note: str) -> None:
    result = check(E3, answer)
    assert (result.verdict, result.note) == (verdict, note), result.feedback


def test_value_wrong_and_figures_wrong_are_said_separately() -> None:
    assert "the number of figures is right" in check(E3, "2.73").feedback
    assert "you gave 4" in check(E3, "2.731").feedback and "not correct" in check(E3, "2.731").feedback
    assert "give it to 3 significant figures" in check(E3, "2.718").feedback


@pytest.mark.parametrize("answer", ["e", "1/3", "pi", "exp(1)", "2.72*1", "272/100"])
def test_fractions_and_constants_in_a_sigfig_part_are_format_errors(answer: str) -> None:
    result = check(E3, answer)
    assert result.verdict == "invalid" and "decimal number" in result.feedback


@pytest.mark.parametrize("part", [E3, spec("number", sympy.E, decimals=2)], ids=["sigfigs", "decimals"])
@pytest.mark.parametrize("answer, says", [
    ("2.72.1", "only one '.'"), ("2..7", "only one '.'"), ("(2.72", "'(' is never closed"),
    ("abc", "unknown name 'abc'"), ("2,72", "use '.' for the decimal point"), ("2.72 m", "without units"),
])
def test_a_malformed_number_gets_the_number_readers_own_message(part: dict, answer: str, says: str) -> None:
    result = check(part, answer)
    assert result.verdict == "invalid" and says in result.feedback, result.feedback
    assert "^" in result.feedback  # with the caret under the problem, as in any number part


ROUNDING = [  # reference, N, right, wrong (one unit off in the N-th figure)
    (Fraction(2345, 1000), 3, "2.35", "2.34"),  # an exact half rounds away from zero (school rule)
    (Fraction(-2345, 1000), 3, "-2.35", "-2.34"),
    (Fraction(9996, 1000), 3, "10.0", "9.99"),  # rounding carries into a new digit
    (Fraction(1, 3), 2, "0.33", "0.34"),
    (Fraction(66, 10**35), 2, "6.6e-34", "6.7e-34"),  # tiny magnitudes
    (Fraction(2, 10**9), 1, "2e-9", "1e-9"),
    (2.675, 3, "2.68", "2.67"),  # a float reference is read by its shortest decimal text, not 2.67499999...
    (Fraction(1000), 2, "1.0e3", "1.1e3"),
    (Fraction(1000), 2, "1000", "1100"),  # trailing zeros: one reading (2 figures) fits
]


@pytest.mark.parametrize(("reference", "figures", "right", "wrong"), ROUNDING)
def test_rounding_boundaries(reference: object, figures: int, right: str, wrong: str) -> None:
    part = spec("number", reference, sigfigs=figures)
    assert check(part, right).verdict == "correct"
    assert check(part, wrong).verdict == "incorrect"


@pytest.mark.parametrize(("policy", "verdict", "score"), [("allow", "correct", 1.0), ("partial", "partial", 0.5),
                                                            ("wrong", "incorrect", 0.0)])
def test_extra_figures_setting(policy: str, verdict: str, score: float) -> None:
    part = spec("number", sympy.E, sigfigs=3, extra_figures=policy)
    result = check(part, "2.718")
    assert (result.verdict, result.score) == (verdict, score)


def test_allow_is_only_for_extra_figures_that_are_right() -> None:
    part = spec("number", sympy.E, sigfigs=3, extra_figures="allow")
    assert check(part, "2.7183").verdict == "correct"
    assert check(part, "2.719").verdict == "partial"  # e to 4 figures is 2.718
    assert check(spec("number", sympy.pi, decimals=2, extra_figures="allow"), "3.142").verdict == "correct"
    assert check(spec("number", sympy.pi, decimals=2, extra_figures="allow"), "3.143").verdict == "partial"


DECIMALS = [  # answer, verdict, note; pi to 2 decimal places
    ("3.14", "correct", "correct"), ("3.15", "incorrect", "decimals-value"), ("3.142", "partial", "decimals-too-many"),
    ("3.1", "partial", "decimals-too-few"), ("3.140", "partial", "decimals-too-many"), ("314e-2", "correct", "correct"),
]


@pytest.mark.parametrize(("answer", "verdict", "note"), DECIMALS)
def test_decimal_places(answer: str, verdict: str, note: str) -> None:
    part = spec("number", sympy.pi, decimals=2)
    result = check(part, answer)
    assert (result.verdict, result.note[:len(note)]) == (verdict, note), result.feedback


@pytest.mark.parametrize(("reference", "settings", "shown"), [
    (sympy.E, {"sigfigs": 3}, "2.72"), (Fraction(1, 3), {"sigfigs": 4}, "0.3333"), (Fraction(0), {"sigfigs": 3}, "0.000"),
    (Fraction(123456), {"sigfigs": 2}, "1.2e5"), (Fraction(66, 10**35), {"sigfigs": 2}, "6.6e-34"),
    (sympy.pi, {"decimals": 3}, "3.142"), (Fraction(5, 2), {"decimals": 0}, "3"),
])
def test_the_key_shows_the_reference_rounded_as_the_part_asks(reference: object, settings: dict, shown: str) -> None:
    part = spec("number", reference, **settings)
    assert key(part) == shown
    assert check(part, key(part)).verdict == "correct"  # what grader validate's self-check does


# ----- properties ----------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=-30, max_value=30),
       st.integers(min_value=1, max_value=8), st.booleans())
def test_correctly_rounded_is_right_and_one_unit_off_is_wrong(mantissa: int, exponent: int, figures: int,
                                                              negative: bool) -> None:
    reference = Fraction(mantissa) * Fraction(10) ** exponent * (-1 if negative else 1)
    exact = Decimal(mantissa).scaleb(exponent)
    quantum = Decimal(1).scaleb(exact.adjusted() - figures + 1)
    rounded = exact.quantize(quantum, rounding=ROUND_HALF_UP)
    assume(rounded.adjusted() == exact.adjusted())  # a carry (9.99 -> 10.0) changes the quantum; covered above
    sign = "-" if negative else ""
    part = spec("number", reference, sigfigs=figures)
    right = f"{sign}{rounded:E}".replace("E", "e")
    assert check(part, right).verdict == "correct", right
    for off in (rounded + quantum, rounded - quantum):
        if off == 0 or off.adjusted() != rounded.adjusted():
            continue
        wrong = f"{sign}{off.quantize(quantum):E}".replace("E", "e")
        assert check(part, wrong).verdict == "incorrect", wrong


# ----- tolerance boundaries and default atol ----------------------------------------------------------------
BOUNDARIES = [  # reference, settings, answer, verdict
    (Fraction(1), {"rtol": 0.05}, "1.05", "correct"),  # exactly on the boundary: binary floats say no
    (Fraction(1), {"rtol": 0.05}, "0.95", "correct"),
    (Fraction(1), {"rtol": 0.05}, "1.0500001", "incorrect"),
    (Fraction(1), {"rtol": 0.3}, "1.3", "correct"),  # 0.3 as a float is below 3/10
    (Fraction(10), {"atol": 0.1, "rtol": 0}, "10.1", "correct"),
    (Fraction(10), {"atol": 0.1, "rtol": 0}, "9.9", "correct"),
    (Fraction(2, 10**9), {}, "1e-9", "incorrect"),  # a factor of two fails at every magnitude
    (Fraction(2, 10**9), {}, "3e-9", "incorrect"),
    (Fraction(2, 10**9), {}, "2.001e-9", "correct"),
    (Fraction(66, 10**35), {}, "1e-30", "incorrect"),
    (Fraction(66, 10**35), {}, "6.6e-34", "correct"),
]


@pytest.mark.parametrize(("reference", "settings", "answer", "verdict"), BOUNDARIES)
def test_tolerance_boundaries_are_exact(reference: Fraction, settings: dict, answer: str, verdict: str) -> None:
    assert check(spec("number", reference, **settings), answer).verdict == verdict


def test_validate_advice_on_atol() -> None:
    from grader.check.registry import REGISTRY

    number = REGISTRY.get("number")
    assert "set an atol" in number.advice(spec("number", Fraction(0)))[0]
    assert number.advice(spec("number", Fraction(0), atol=1e-6)) == []
    assert "larger than the reference" in number.advice(spec("number", Fraction(1, 10**6), atol=1e-3))[0]
    assert number.advice(spec("number", Fraction(5), atol=1e-3)) == []


# ----- decimal comma -----------------------------------------------------------------------------------------
def test_a_decimal_comma_is_ambiguous_and_both_readings_are_said() -> None:
    result = check(spec("number", Fraction(1238, 1000)), "1,238")
    assert result.verdict == "invalid"
    assert "1238" in result.feedback and "1.238" in result.feedback


@pytest.mark.parametrize(("answer", "verdict"), [("1,238", "correct"), ("1.238", "correct"), ("1238", "incorrect")])
def test_decimal_comma_setting(answer: str, verdict: str) -> None:
    assert check(spec("number", Fraction(1238, 1000), decimal_comma=True), answer).verdict == verdict


def test_decimal_comma_with_sigfigs() -> None:
    assert check(spec("number", sympy.E, sigfigs=3, decimal_comma=True), "2,72").verdict == "correct"


# ----- E and e as declared variables ----------------------------------------------------------------------------
E = sympy.Symbol("E")


def test_scientific_notation_colliding_with_a_declared_E() -> None:
    assert parse_expression("2E+3", variables=["E"]) == 2 * E + 3  # never 2000
    assert parse_expression("2E-3", variables=["E"]) == 2 * E - 3
    assert parse_expression("2E+3", variables=["x"]) == 2000  # without the variable it is a number
    with pytest.raises(FormatError, match="ambiguous"):
        parse_expression("2E3", variables=["E"])
    e = sympy.Symbol("e")
    assert parse_expression("3e+1", variables=["e"]) == 3 * e + 1
    assert parse_expression("3e+1") == 30


def test_colliding_E_through_an_expression_part() -> None:
    part = spec("expression", 2 * E + 3, variables=["E"])
    assert check(part, "2E+3").verdict == "correct"
    assert check(spec("expression", sympy.Integer(2000) * E, variables=["E"]), "2E+3").verdict == "incorrect"
