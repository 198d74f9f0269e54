"""Significant figures and decimal places, read exactly from the text a student typed.

Following STACK's NumSigFigs / NumDecPlaces and WeBWorK: the value written,
read exactly as decimal text, must equal the reference correctly rounded
(half away from zero, the school rule) to N figures, and the student must
have written N figures. Whether the value or the number of figures is wrong
is said separately.

Counting from the text: leading zeros never count; zeros written after the
point do (``0.00`` has 2, ``1.20`` has 3); the trailing zeros of a whole
number are ambiguous (``1000`` has 1 to 4) and match when one reading fits.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from grader.core.errors import FormatError
from grader.core.messages import feedback

EXTRA_FIGURES = ("allow", "partial", "wrong")
DEFAULT_EXTRA_FIGURES = "partial"
PRECISION_PARTIAL = 0.5
MAX_PRECISE_LENGTH = 200
MAX_EXPONENT = 300

_DECIMAL_TEXT = re.compile(r"(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?:[eE](?P<exp>[-+]?[0-9]{1,4}))?")
_SIGNS = "+-\u2212"


@dataclass(frozen=True)
class Figures:
    """What the text says about its precision: a range of significant figures and the decimal places."""

    low: int  # fewest significant figures the text can mean
    high: int  # most (differs from low only for the trailing zeros of a whole number)
    places: int  # decimal places (negative exponents count; 1.2e3 has 0)


def strip_wrapping(text: str) -> tuple[int, str]:
    """(sign, core) with spaces, a leading + or -, Unicode minus and enclosing brackets removed.

    ``-(2.73)``, ``(−2.73)``, ``+ 2.73`` all become (-1 or 1, "2.73"), so none skips the figure count.
    """
    sign, core = 1, text.strip()
    while core:
        if core[0] in _SIGNS:
            sign = -sign if core[0] != "+" else sign
            core = core[1:].strip()
        elif core[0] == "(" and core[-1] == ")" and _balanced(core[1:-1]):
            core = core[1:-1].strip()
        else:
            break
    return sign, core


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0


def count_figures(core: str) -> Figures | None:
    """The figures of an unsigned decimal ("2.730", "1.2e-9", "1000"); None for anything else."""
    match = _DECIMAL_TEXT.fullmatch(core)
    return _figures(match) if match and (match["int"] or match["frac"]) else None


def _figures(match: re.Match[str]) -> Figures:
    whole, frac, exponent = match["int"] or "", match["frac"] or "", int(match["exp"] or 0)
    digits = (whole + frac).lstrip("0")
    places = len(frac) - exponent
    if not digits:  # zero: only the zeros written after the point count ("0.00" has 2)
        figures = len(frac) if match["frac"] is not None and frac else 1
        return Figures(figures, figures, max(0, places))
    if match["frac"] is None:  # a whole number: trailing zeros may or may not be significant
        significant = digits.rstrip("0") or digits
        return Figures(len(significant), len(digits), max(0, places))
    return Figures(len(digits), len(digits), max(0, places))


def exact_decimal(value: Fraction | float) -> Fraction:
    """A reference as an exact fraction; a float by its shortest decimal text (2.675, not 2.67499999...)."""
    return value if isinstance(value, Fraction) else Fraction(repr(float(value)))


def _round_half_up(value: Fraction) -> int:
    """Round to an integer, halves away from zero."""
    magnitude = abs(value)
    whole = int(magnitude)
    rounded = whole + (1 if magnitude - whole >= Fraction(1, 2) else 0)
    return rounded if value >= 0 else -rounded


def magnitude_exponent(value: Fraction) -> int:
    """floor(log10(|value|)) for a nonzero fraction, exactly (a float guess, then corrected)."""
    magnitude = abs(value)
    try:
        exponent = math.floor(math.log10(magnitude))
    except (OverflowError, ValueError):
        exponent = len(str(magnitude.numerator)) - len(str(magnitude.denominator))
    while Fraction(10) ** exponent > magnitude:
        exponent -= 1
    while Fraction(10) ** (exponent + 1) <= magnitude:
        exponent += 1
    return exponent


@lru_cache(maxsize=4096)
def rounded_reference(reference: Fraction | float, figures: int, places: bool = False) -> Fraction:
    """The reference rounded as a part asks; cached, since every answer to the part needs it."""
    exact = exact_decimal(reference)
    return round_places(exact, figures) if places else round_figures(exact, figures)


def round_figures(value: Fraction, figures: int) -> Fraction:
    """``value`` correctly rounded to ``figures`` significant figures."""
    if value == 0:
        return Fraction(0)
    scale = Fraction(10) ** (figures - 1 - magnitude_exponent(value))
    return Fraction(_round_half_up(value * scale)) / scale


def round_places(value: Fraction, places: int) -> Fraction:
    scale = Fraction(10) ** places
    return Fraction(_round_half_up(value * scale)) / scale


def format_figures(value: Fraction, figures: int) -> str:
    """The reference as a student should type it: exactly ``figures`` figures, never ambiguous."""
    rounded = round_figures(value, figures)
    if rounded == 0:
        return "0." + "0" * figures  # the zeros after the point are the figures of a zero
    exponent = magnitude_exponent(rounded)
    if -4 <= exponent < figures:  # "1000" to 4 figures reads as 1 to 4 figures, which fits
        return _fixed(rounded, max(0, figures - 1 - exponent))
    mantissa = rounded / Fraction(10) ** exponent
    return f"{_fixed(mantissa, figures - 1)}e{exponent}"


def format_places(value: Fraction, places: int) -> str:
    return _fixed(round_places(value, places), places)


def _fixed(value: Fraction, places: int) -> str:
    scaled = _round_half_up(value * Fraction(10) ** places)
    sign, digits = ("-" if scaled < 0 else ""), str(abs(scaled)).rjust(places + 1, "0")
    return sign + (digits[:-places] + "." + digits[-places:] if places else digits)


@dataclass(frozen=True)
class PrecisionVerdict:
    score: float
    note: str
    message: str


def judge_figures(value: Fraction, figures: Figures, reference: Fraction | float, wanted: int,
                  extra: str = DEFAULT_EXTRA_FIGURES) -> PrecisionVerdict:
    """Score a decimal written with ``figures`` against the reference to ``wanted`` significant figures."""
    target = rounded_reference(reference, wanted)
    if figures.low <= wanted <= figures.high:
        if value == target:
            return PrecisionVerdict(1.0, "correct", "")
        return PrecisionVerdict(0.0, "sigfigs-value", feedback("sigfigs-value", sigfigs=wanted))
    if figures.low > wanted:  # more figures than asked: right if it rounds to the right value
        if round_figures(value, wanted) != target:
            return PrecisionVerdict(0.0, "sigfigs-value", feedback("sigfigs-value-count", sigfigs=wanted,
                                                                    given=figures.low))
        if extra == "allow" and value != rounded_reference(reference, figures.low):
            extra = "partial"  # "allow" is for extra figures that are right; 2.719 for e is not
        return _extra(extra, feedback("sigfigs-too-many", sigfigs=wanted, given=figures.low))
    # fewer figures than asked: is it the reference rounded to the figures given?
    if value == rounded_reference(reference, figures.high):
        return PrecisionVerdict(PRECISION_PARTIAL, "sigfigs-too-few",
                                feedback("sigfigs", sigfigs=wanted, given=figures.high))
    return PrecisionVerdict(0.0, "sigfigs-value", feedback("sigfigs-value-count", sigfigs=wanted, given=figures.high))


def judge_places(value: Fraction, places: int, reference: Fraction | float, wanted: int,
                 extra: str = DEFAULT_EXTRA_FIGURES) -> PrecisionVerdict:
    """The same for ``decimals: N`` (decimal places)."""
    target = rounded_reference(reference, wanted, places=True)
    if places == wanted:
        if value == target:
            return PrecisionVerdict(1.0, "correct", "")
        return PrecisionVerdict(0.0, "decimals-value", feedback("decimals-value", decimals=wanted))
    if places > wanted:
        if round_places(value, wanted) != target:
            return PrecisionVerdict(0.0, "decimals-value", feedback("decimals-value-count", decimals=wanted,
                                                                     given=places))
        if extra == "allow" and value != rounded_reference(reference, places, places=True):
            extra = "partial"
        return _extra(extra, feedback("decimals-too-many", decimals=wanted, given=places), "decimals-too-many")
    if value == rounded_reference(reference, places, places=True):
        return PrecisionVerdict(PRECISION_PARTIAL, "decimals-too-few",
                                feedback("decimals", decimals=wanted, given=places))
    return PrecisionVerdict(0.0, "decimals-value", feedback("decimals-value-count", decimals=wanted, given=places))


def _extra(policy: str, message: str, note: str = "sigfigs-too-many") -> PrecisionVerdict:
    if policy == "allow":
        return PrecisionVerdict(1.0, "correct", "")
    if policy == "wrong":
        return PrecisionVerdict(0.0, note, message)
    return PrecisionVerdict(PRECISION_PARTIAL, note, message)


def read_precise(raw: str, *, decimal_comma: bool = False, what: str = "significant figures"
                 ) -> tuple[Fraction, Figures]:
    """A decimal typed into a sig-fig or decimal-places part: value and figures, or a format error.

    An exact fraction or ``pi`` is refused: it has no figures to count.
    """
    if len(raw) > MAX_PRECISE_LENGTH:
        raise FormatError(f"the answer is longer than {MAX_PRECISE_LENGTH} characters", raw[:MAX_PRECISE_LENGTH],
                          MAX_PRECISE_LENGTH)
    sign, core = strip_wrapping(raw)
    if decimal_comma and core.count(",") == 1 and "." not in core:
        core = core.replace(",", ".")
    match = _DECIMAL_TEXT.fullmatch(core)
    if not match or not (match["int"] or match["frac"]):
        raise FormatError(feedback("precision-decimal", what=what), raw, None)
    whole, frac, exponent = match["int"] or "", match["frac"] or "", int(match["exp"] or 0)
    if abs(exponent) > MAX_EXPONENT:
        raise FormatError(f"the exponent is too large (at most {MAX_EXPONENT})", raw, None)
    mantissa, shift = int(whole + frac or "0") * sign, exponent - len(frac)
    value = Fraction(mantissa * 10**shift) if shift >= 0 else Fraction(mantissa, 10**-shift)
    return value, _figures(match)
