"""Reading numbers as students type them, and relating a wrong number to the right one.

Plain decimals, scientific notation and fractions are read exactly (as
``Fraction``) by a regular expression; anything else numeric ("2^10",
"sqrt(2)/2") goes through the safe expression parser. The exponent is
capped before any big-number work.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import sympy

from grader.check.base import Diagnosis
from grader.check.parse import parse_expression
from grader.core.errors import FormatError
from grader.core.messages import feedback

MAX_EXPONENT = 300
MAX_MAGNITUDE = Fraction(10) ** 300  # beyond this a float cannot hold the value
MAX_NUMBER_LENGTH = 200

_DECIMAL = re.compile(r"(?P<sign>[-+]?)(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?:[eE](?P<exp>[-+]?[0-9]+))?")
_FRACTION = re.compile(r"(?P<num>[-+]?[0-9]+)\s*/\s*(?P<den>[0-9]+)")
_GROUPED = re.compile(r"[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
_SPACED = re.compile(r"[-+]?[0-9]{1,3}( [0-9]{3})+(\.[0-9]*)?")
_WITH_UNIT = re.compile(r"[-+]?[0-9][0-9 .,eE+-]*?\s*(?P<unit>[A-Za-z%][A-Za-z %/^0-9]*)")
_NONFINITE = {"inf", "+inf", "-inf", "infinity", "-infinity", "nan", "+nan", "-nan", "∞", "-∞"}


@dataclass(frozen=True)
class NumberText:
    value: Fraction | float
    percent: bool = False
    sigfigs: int | None = None
    decimals: int | None = None
    figures: Any = None  # sigfigs.Figures, for parts that count figures
    text: str = ""  # the decimal as typed, for those parts


_COMMA_DECIMAL = re.compile(r"[-+]?[0-9]*,[0-9]+")


def read_number(raw: str, *, allow_percent: bool = False, decimal_comma: bool = False) -> NumberText:
    """Parse one number; raise FormatError with a fix when it cannot be read."""
    text = raw.strip()
    if decimal_comma and _COMMA_DECIMAL.fullmatch(text.rstrip("%").rstrip()):
        text = text.replace(",", ".")
    if len(text) > MAX_NUMBER_LENGTH:
        raise FormatError(f"the answer is longer than {MAX_NUMBER_LENGTH} characters", raw, MAX_NUMBER_LENGTH)
    if text.lower() in _NONFINITE:
        raise FormatError(feedback("not-finite"), raw, raw.index(text[0]))
    percent = text.endswith("%")
    if percent:
        if not allow_percent:
            raise FormatError(feedback("percent-not-allowed"), raw, raw.rindex("%"))
        text = text[:-1].rstrip()
    if _GROUPED.fullmatch(text):
        if text.count(",") == 1 and "." not in text:  # 1,238: a thousands separator or a decimal comma
            raise FormatError(feedback("decimal-comma-ambiguous", raw=text, thousands=text.replace(",", ""),
                                       decimal=text.replace(",", ".")), raw, raw.index(","))
        raise FormatError(
            feedback("thousands-separator", clean=text.replace(",", ""), raw=text), raw, raw.index(",")
        )
    match = _DECIMAL.fullmatch(text)
    if match and (match["int"] or match["frac"]):
        return _from_decimal(match, raw, percent)
    match = _FRACTION.fullmatch(text)
    if match:
        if int(match["den"]) == 0:
            raise FormatError("division by zero", raw, raw.index("/"))
        return NumberText(Fraction(int(match["num"]), int(match["den"])), percent)
    if "," in text and "(" not in text:  # commas are fine between function arguments: max(3, 4)
        raise FormatError("use '.' for the decimal point and no commas", raw, raw.index(","))
    try:
        expression = parse_expression(text, variables=())
    except FormatError:
        # Say what most likely happened rather than what the expression parser saw.
        if _SPACED.fullmatch(text):
            raise FormatError(feedback("thousands-separator", clean=text.replace(" ", ""), raw=text), raw,
                              raw.index(" ")) from None
        unit = _WITH_UNIT.fullmatch(text)
        if unit:
            raise FormatError("give just the number, without units or words", raw,
                              raw.index(unit["unit"])) from None
        raise
    if not expression.is_number:
        raise FormatError("the answer must be a number", raw, 0)
    return NumberText(_to_python_number(expression, raw), percent)


def _from_decimal(match: re.Match[str], raw: str, percent: bool) -> NumberText:
    exponent = int(match["exp"] or 0)
    if abs(exponent) > MAX_EXPONENT:
        raise FormatError(f"the exponent is too large (at most {MAX_EXPONENT})", raw, raw.lower().index("e") + 1)
    whole, frac = match["int"] or "", match["frac"] or ""
    digits = (whole + frac).lstrip("0")
    sigfigs = len(digits) if digits else 1
    value = Fraction(int(whole + frac or "0"), 10 ** len(frac)) * Fraction(10) ** exponent
    if match["sign"] == "-":
        value = -value
    if abs(value) > MAX_MAGNITUDE:
        raise FormatError("the number is too large", raw, 0)
    decimals = max(0, len(frac) - exponent) if match["frac"] is not None or exponent else 0
    return NumberText(value, percent, sigfigs, decimals)


def _to_python_number(expression: sympy.Basic, raw: str) -> Fraction | float:
    if expression.is_Rational:
        value = Fraction(int(expression.p), int(expression.q))
        if abs(value) > MAX_MAGNITUDE:
            raise FormatError("the number is too large", raw, 0)
        return value
    value = complex(sympy.N(expression, 17))
    if abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        raise FormatError("the answer must be a real number", raw, 0)
    if not math.isfinite(value.real):
        raise FormatError(feedback("not-finite"), raw, 0)
    return value.real


def as_fraction(value: object) -> Fraction | float:
    """A reference value (int, Fraction, Decimal, sympy number, float) as Fraction or float."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, sympy.Basic):
        if value.is_Rational:
            return Fraction(int(value.p), int(value.q))
        return float(value)
    if isinstance(value, float):
        return value
    return Fraction(str(value))


def close(value: Fraction | float, reference: Fraction | float, rtol: float, atol: float) -> bool:
    """Within tolerance; exactly (in rationals, the tolerances read as the decimals written) when both are exact.

    1.05 is within 5% of 1: in binary floats it is not.
    """
    if isinstance(value, Fraction) and isinstance(reference, Fraction):
        if value == reference:
            return True
        bound = max(_exact_tolerance(rtol) * abs(reference), _exact_tolerance(atol))
        return abs(value - reference) <= bound
    return abs(float(value) - float(reference)) <= max(rtol * abs(float(reference)), atol)


@lru_cache(maxsize=256)
def _exact_tolerance(tolerance: float) -> Fraction:
    return Fraction(repr(float(tolerance)))


def relate(value: Fraction | float, reference: Fraction | float, *, percent: bool = False,
           rtol: float = 0.0) -> Diagnosis | None:
    """Say how a wrong number relates to the right one, when a simple rule explains it."""
    try:
        value_f, reference_f = float(value), float(reference)
    except OverflowError:
        return None
    if reference_f == 0 or not math.isfinite(value_f) or not math.isfinite(reference_f):
        return None
    difference = value_f - reference_f
    if abs(round(difference) - difference) < 1e-9 and abs(reference_f) >= 3:
        if abs(round(difference)) == 1:
            return Diagnosis("off-by-one", feedback("off-by-one", delta=f"{round(difference):+d}"))
        if abs(round(difference)) == 2:
            return Diagnosis("off-by-two", feedback("off-by", delta=f"{round(difference):+d}"))
    ratio = value_f / reference_f
    if not math.isfinite(ratio) or ratio == 0:
        return None
    if _near(ratio, -1.0, rtol):
        return Diagnosis("sign", feedback("sign"))
    if ratio < 0:
        return None
    exponent = round(math.log10(ratio)) if ratio > 0 else 0
    if ratio > 0 and exponent != 0 and _near(ratio, 10.0**exponent, rtol):
        if abs(exponent) == 2:
            return Diagnosis("factor-100", feedback("factor-percent"))
        return Diagnosis("power-of-ten", feedback("power-of-ten", factor=f"10^{exponent}"))
    for factor in range(2, 65):
        if _near(ratio, factor, rtol):
            return Diagnosis(f"factor-{factor}", feedback("factor", factor=factor))
        if _near(ratio, 1 / factor, rtol):
            return Diagnosis(f"factor-1/{factor}", feedback("factor", factor=f"1/{factor}"))
    return None


def _near(a: float, b: float, rtol: float = 0.0) -> bool:
    """a is b within a relative tolerance (at least 1e-9)."""
    return abs(a - b) <= max(1e-9, rtol) * abs(b)


def format_number(value: Fraction | float) -> str:
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        denominator = value.denominator
        for prime in (2, 5):
            while denominator % prime == 0:
                denominator //= prime
        if denominator == 1:  # a terminating decimal: exact
            return repr(float(value)) if Fraction(repr(float(value))) == value else str(value)
        return f"{float(value):.10g}"
    return f"{value:.10g}"
