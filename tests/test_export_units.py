"""Focused units of the LMS exports: numbers as text, tolerances, Canvas's 4 decimals, escaping, math."""

from __future__ import annotations

from fractions import Fraction

import pytest

from grader.export.mapping import decimal_text, numeric_range, round_outward, tolerance
from grader.export.mathhtml import canvas_math, moodle_math, to_html
from grader.export.moodle import cloze_escape, fraction_text

pytestmark = pytest.mark.export


@pytest.mark.parametrize(("value", "text"), [
    (Fraction(12), "12"), (Fraction(-3, 4), "-0.75"), (Fraction(1, 8), "0.125"), (Fraction(1, 3), "0.3333333333333333"), (1e-07, "0.0000001"),
    (Fraction(72144, 1000), "72.144"), (0.1, "0.1"), (Fraction(1, 10**9), "0.000000001"),
])
def test_numbers_are_written_as_plain_decimals(value, text) -> None:
    assert decimal_text(value) == text


@pytest.mark.parametrize(("spec", "reference", "half_width"), [
    ({"type": "integer"}, 12, Fraction(0)),
    ({"type": "number", "rtol": 0.002}, 72, Fraction(144, 1000)),            # 0.2% of 72
    ({"type": "number", "rtol": 0.001, "atol": 0.5}, 10, Fraction(1, 2)),     # atol wins when larger
    ({"type": "number", "exact": True}, Fraction(1, 3), Fraction(0)),
])
def test_the_tolerance_is_the_graders(spec, reference, half_width) -> None:
    assert tolerance(spec, Fraction(reference)) == pytest.approx(half_width, abs=1e-15)


@pytest.mark.parametrize(("settings", "reference", "shown", "low", "high"), [
    ({"sigfigs": 2}, Fraction(400), "400", "395", "405"),  # what rounds to 4.0e2, not 5% of 400
    ({"sigfigs": 3}, Fraction(271828, 100000), "2.72", "2.715", "2.725"),  # around the rounded value
    ({"sigfigs": 3}, Fraction(9996, 1000), "10", "9.995", "10.05"),  # finer just below a power of ten
    ({"sigfigs": 3}, Fraction(-9996, 1000), "-10", "-10.05", "-9.995"),
    ({"decimals": 2}, Fraction(271828, 100000), "2.72", "2.715", "2.725"),
    ({"decimals": 1}, Fraction(3), "3", "2.95", "3.05"),
])
def test_a_part_by_figures_accepts_what_rounds_to_its_rounded_reference(settings, reference, shown, low, high):
    got = numeric_range({"type": "number", "answer": reference, **settings})
    assert tuple(decimal_text(value) for value in got) == (shown, low, high)


@pytest.mark.parametrize("settings", [{"sigfigs": 3}, {"decimals": 2}, {"sigfigs": 2}])
@pytest.mark.parametrize("reference", [Fraction(271828, 100000), Fraction(9996, 1000), Fraction(-4567, 10), Fraction(400)])
def test_the_range_by_figures_is_what_the_grader_accepts(settings, reference):
    from tests.kinds_helpers import check, spec

    part = spec("number", reference, **settings)
    _, low, high = numeric_range({"type": "number", "answer": reference, **settings})
    width = high - low
    for step in range(-30, 31):  # values given with two more figures, across and beyond the range
        value = low + width * Fraction(step + 10, 20)
        typed = f"{float(value):.6g}" if "sigfigs" in settings else f"{float(value):.{settings['decimals'] + 2}f}"
        # halves round away from zero: the end nearer zero is in, the far one out (a closed LMS range takes both)
        inside = low <= Fraction(typed) < high if reference > 0 else low < Fraction(typed) <= high
        assert (check(part, typed).score > 0) == inside, (typed, float(low), float(high))


def test_a_float_reference_is_taken_at_its_shortest_decimal() -> None:
    reference, low, high = numeric_range({"type": "number", "answer": 55.55555555555556, "rtol": 0.002})
    assert decimal_text(reference) == "55.55555555555556"
    assert low < reference < high


@pytest.mark.parametrize(("low", "high", "kept"), [
    ("71.856", "72.144", ("71.856", "72.144")),
    ("128.442857142857", "128.7", ("128.4428", "128.7")),
    ("0.00012333", "0.00012357", ("0.0001", "0.0002")),
])
def test_canvas_ranges_are_rounded_outward_to_four_decimals(low, high, kept) -> None:
    lo, hi = round_outward(Fraction(low), Fraction(high), 4)
    assert (decimal_text(lo), decimal_text(hi)) == kept
    assert lo <= Fraction(low) and hi >= Fraction(high)


def test_cloze_special_characters_become_entities_and_backslashes_stay() -> None:
    assert cloze_escape(r"\(10^{-3}\) # ~ }") == r"\(10^{-3&#125;\) &#35; &#126; &#125;"


@pytest.mark.parametrize(("value", "text"), [(Fraction(100, 3), "33.33333"), (Fraction(-50), "-50"),
                                             (Fraction(100, 7), "14.28571"), (Fraction(0), "0")])
def test_moodle_fractions(value, text) -> None:
    assert fraction_text(value) == text


def test_canvas_math_is_an_equation_image_with_the_latex_encoded_twice() -> None:
    image = canvas_math(r"\frac{a}{b}", display=False)
    assert 'src="/equation_images/%255Cfrac%257Ba%257D%257Bb%257D"' in image
    assert 'data-equation-content="\\frac{a}{b}"' in image and 'class="equation_image"' in image
    html = to_html("Speed $v = \\frac{d}{t}$ and $$x^2$$", "canvas")
    assert "$" not in html and html.count('class="equation_image"') == 2


def test_moodle_math_is_left_for_mathjax() -> None:
    assert moodle_math("a < b", display=False) == r"\(a &lt; b\)"
    assert moodle_math("x^2", display=True) == r"\[x^2\]"
    assert to_html("$H' = H - K + 1$", "moodle") == r'<p><span class="math inline">\(H' + "' = H - K + 1\\)</span></p>"


def test_moodle_keeps_a_mistake_that_lies_outside_its_own_narrower_tolerance() -> None:
    """Just below a power of ten a range by figures is lopsided (9.995 to 10.05 for 10.0): Moodle's one
    tolerance is the narrow side, so a declared mistake at 10.03 is outside it and must keep its feedback."""
    from grader.export.mapping import NUMERICAL, PartPlan
    from grader.export.moodle import _cloze_blank

    spec = {"type": "number", "answer": Fraction(9996, 1000), "sigfigs": 3,
            "mistakes": [{"answer": Fraction(1003, 100), "note": "off", "feedback": "Off by a little."}]}
    blank = _cloze_blank(PartPlan(None, NUMERICAL), spec, 1)
    assert blank.startswith("{1:NUMERICAL:=10:0.005~")
    assert "%0%10.03:0#Off by a little." in blank
