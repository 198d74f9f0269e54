"""Physical quantities with units: ``9.8 m/s^2``, ``980 cm/s^2``, ``35.3 km/h``, read with pint.

The part's ``unit`` is the reference's unit and sets the expected dimension. A right value in another unit
of that dimension is correct (or partial with ``require_unit: true``); a wrong dimension is named ("your
answer is a speed; an acceleration was asked"); a missing unit is a format error. The unit text is checked
against a small character whitelist before pint's own parser (which never evaluates Python) reads it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from grader.check.base import Checker, Diagnosis
from grader.check.kinds_common import guard_length
from grader.check.numbers import as_fraction, close, format_number, read_number, relate
from grader.core.errors import FormatError
from grader.core.messages import feedback, literal

DEFAULT_RTOL = 1e-3
MAX_UNIT_LENGTH = 60
_NUMBER = re.compile(r"\s*(?P<number>[-+\u2212]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\s*\*?\s*")
_UNIT_TEXT = re.compile(r"[A-Za-z\u00b5\u03bc\u00b0\u2126\u03a9 */^().\u00b7\u207b\u00b2\u00b3\u00b9\u2070-\u2079\-0-9]*")
_BIG_EXPONENT = re.compile(r"[0-9]{3,}")
_SUPERSCRIPTS = str.maketrans({"\u207b": "-", "\u00b2": "2", "\u00b3": "3", "\u00b9": "1", "\u2070": "0",
                               "\u2074": "4", "\u2075": "5", "\u2076": "6", "\u2077": "7", "\u2078": "8",
                               "\u2079": "9", "\u00b7": "*", "\u03bc": "u", "\u00b5": "u"})
_SUPERSCRIPT_RUN = re.compile(r"([A-Za-z)])([-0-9]+)")
# names for common dimensions, so feedback can say "a speed" rather than "[length] / [time]"
_DIMENSION_NAMES = {
    "[length]": "a length", "[time]": "a time", "[mass]": "a mass", "[temperature]": "a temperature",
    "[current]": "a current", "[substance]": "an amount of substance", "[length] ** 2": "an area",
    "[length] ** 3": "a volume", "[length] / [time]": "a speed", "[length] / [time] ** 2": "an acceleration",
    "[length] * [mass] / [time] ** 2": "a force", "[length] ** 2 * [mass] / [time] ** 2": "an energy",
    "[length] ** 2 * [mass] / [time] ** 3": "a power", "[mass] / [length] / [time] ** 2": "a pressure",
    "1 / [time]": "a frequency", "[mass] / [length] ** 3": "a density", "[length] * [mass] / [time]": "a momentum",
    "[current] * [time]": "a charge", "[length] ** 2 * [mass] / [current] / [time] ** 3": "a voltage",
    "dimensionless": "a pure number",
}


@dataclass(frozen=True)
class Quantity:
    magnitude: Fraction | float
    unit: str  # as typed (normalised), for messages
    text: str


@lru_cache(maxsize=1)
def registry() -> Any:
    import pint  # loaded on first use: it takes a few hundred milliseconds

    return pint.UnitRegistry()


@lru_cache(maxsize=512)
def parse_unit(text: str) -> Any:
    """pint units for a whitelisted unit text; ValueError when pint does not know them."""
    try:
        return registry().parse_units(text)
    except Exception as error:  # noqa: BLE001 - pint raises many kinds for a bad unit
        raise ValueError(str(error)) from None


def describe(units: Any) -> str:
    dimensionality = str(registry().get_dimensionality(units))
    return _DIMENSION_NAMES.get(dimensionality, f"a quantity of dimension {dimensionality}")


class QuantityChecker(Checker):
    name = "quantity"
    settings = {"unit": None, "rtol": DEFAULT_RTOL, "atol": 0.0, "require_unit": False}

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        unit = spec.get("unit")
        if not isinstance(unit, str) or not unit.strip():
            return ["a quantity part needs unit: (the reference's unit, e.g. m/s^2)"]
        try:
            parse_unit(_normalise(unit))
        except ValueError:
            return [f"unit '{unit}' is not a unit pint knows"]
        return []

    def reference(self, value: Any, spec: Mapping[str, Any]) -> Fraction | float:
        return as_fraction(value)

    def parse(self, raw: str, spec: Mapping[str, Any]) -> Quantity:
        guard_length(raw, 200)
        match = _NUMBER.match(raw)
        if not match:
            raise FormatError("start with the number, then the unit (for example 9.8 m/s^2)", raw, 0)
        unit_text = raw[match.end():].strip()
        if not unit_text:
            raise FormatError(feedback("unit-missing", example=f"{match['number']} {spec.get('unit')}"), raw,
                              len(raw.rstrip()))
        where = raw.index(unit_text, match.end())
        if len(unit_text) > MAX_UNIT_LENGTH or not _UNIT_TEXT.fullmatch(unit_text) or _BIG_EXPONENT.search(unit_text):
            raise FormatError(feedback("unit-unknown", unit=literal(unit_text[:30])), raw, where,
                              "write units like m/s^2, kg*m/s^2 or km/h")
        normalised = _normalise(unit_text)
        try:
            parse_unit(normalised)
        except ValueError:
            raise FormatError(feedback("unit-unknown", unit=literal(unit_text[:30])), raw, where,
                              "write units like m/s^2, kg*m/s^2 or km/h") from None
        number = read_number(match["number"].replace("\u2212", "-")).value
        return Quantity(number, normalised, raw.strip())

    def score(self, value: Quantity, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        converted = _converted(value, spec)
        if converted is None:
            return 0.0, "", ""
        if not close(converted, as_fraction(reference), float(spec.get("rtol", DEFAULT_RTOL)),
                     float(spec.get("atol", 0.0))):
            return 0.0, "", ""
        if spec.get("require_unit") and parse_unit(value.unit) != parse_unit(_normalise(spec["unit"])):
            return 0.5, "unit-other", feedback("unit-other", unit=spec["unit"])
        return 1.0, "correct", ""

    def matches(self, value: Quantity, reference: Any, spec: Mapping[str, Any]) -> bool:
        converted = _converted(value, spec)
        return converted is not None and close(converted, as_fraction(reference),
                                               float(spec.get("rtol", DEFAULT_RTOL)), float(spec.get("atol", 0.0)))

    def diagnose(self, value: Quantity, reference: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
        given, wanted = parse_unit(value.unit), parse_unit(_normalise(spec["unit"]))
        if registry().get_dimensionality(given) != registry().get_dimensionality(wanted):
            return Diagnosis("wrong-dimension", feedback("unit-dimension", given=describe(given),
                                                         expected=describe(wanted)))
        converted = _converted(value, spec)
        return relate(converted, as_fraction(reference)) if converted is not None else None

    def format(self, reference: Any, spec: Mapping[str, Any]) -> str:
        if isinstance(reference, Quantity):
            return reference.text
        return f"{format_number(as_fraction(reference))} {spec.get('unit')}"


def _normalise(unit: str) -> str:
    """Unicode superscripts and dots to pint's ASCII (m·s⁻² is m*s^-2)."""
    text = unit.strip()
    if any(ch in text for ch in "\u207b\u00b2\u00b3\u00b9\u2070\u2074\u2075\u2076\u2077\u2078\u2079"):
        text = _SUPERSCRIPT_RUN.sub(r"\1^\2", text.translate(_SUPERSCRIPTS))
    return text.translate(_SUPERSCRIPTS).replace("^", "**")


def _converted(value: Quantity, spec: Mapping[str, Any]) -> Fraction | float | None:
    """The answer's magnitude in the part's unit; None when the dimensions differ."""
    given, wanted = parse_unit(value.unit), parse_unit(_normalise(spec["unit"]))
    ureg = registry()
    if ureg.get_dimensionality(given) != ureg.get_dimensionality(wanted):
        return None
    if given == wanted:
        return value.magnitude
    try:  # the value itself, not a factor: °C to K adds 273.15
        return float(ureg.Quantity(float(value.magnitude), given).to(wanted).magnitude)
    except Exception:  # noqa: BLE001 - pint refuses some offset-unit arithmetic; then it cannot match
        return None
