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
    ({"type": "number", "rtol": 0.0, "decimals": 1}, 3, Fraction(1, 20) + Fraction(1, 10**12)),
    ({"type": "number", "rtol": 0.0, "sigfigs": 2}, 400, Fraction(20)),        # 0.5 * 10^-1 * 400
    ({"type": "number", "exact": True}, Fraction(1, 3), Fraction(0)),
])
def test_the_tolerance_is_the_graders(spec, reference, half_width) -> None:
    assert tolerance(spec, Fraction(reference)) == pytest.approx(half_width, abs=1e-15)


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
