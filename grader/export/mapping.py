"""How each answer type maps onto LMS question types: one set of rules shared by Canvas and Moodle.

Each exported part gets a ``PartPlan``: its LMS kind and the notes that go in
the export report (what the LMS cannot keep). Numeric tolerances are computed
exactly as ``check/types/number.py`` applies them, so a number the grader
accepts is inside the exported range and one it rejects is outside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sympy

from grader.bank.model import Part
from grader.bank.variant import Variant
from grader.check.numbers import as_fraction
from grader.check.sigfigs import magnitude_exponent, rounded_reference
from grader.check.types.number import DEFAULT_ATOL, DEFAULT_RTOL

NUMERICAL, CHOICE, CHECKBOX, SHORT, ESSAY, BLANKS, SKIPPED = (
    "numerical", "multiple choice", "multiple answers", "short answer", "essay", "blanks", "not exported")
ENTRY_NUMBER, ENTRY_TEXT = "number", "text"


@dataclass
class PartPlan:
    part: Part
    kind: str
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    """One blank of a matrix: a number with a tolerance, or text that must match one of ``texts``."""

    kind: str
    value: Fraction | None = None
    tolerance: Fraction = Fraction(0)
    texts: tuple[str, ...] = ()


def decimal_text(value: Fraction | float) -> str:
    """A number as plain decimal text: exact when it terminates within a float's 17 digits, else the shortest
    decimal that reads back as the same float."""
    if isinstance(value, float):
        return _plain(repr(value)) if math.isfinite(value) else "0"
    if value.denominator == 1:
        return str(value.numerator)
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator == 1:
        text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
        text = text.rstrip("0").rstrip(".") if "." in text else text
        if len(text.replace("-", "").replace(".", "").lstrip("0")) <= 17:
            return text
    return _plain(repr(float(value)))


def _plain(text: str) -> str:
    """repr's '1e-07' as '0.0000001': LMS number fields want plain decimals."""
    if "e" not in text:
        return text
    return format(Decimal(text), "f")


def tolerance(spec: dict[str, Any], reference: Fraction | float) -> Fraction:
    """The half-width the grader allows around ``reference`` for a number part by tolerance (0 for integers;
    parts by figures or decimal places: ``rounding_range``)."""
    if spec["type"] == "integer" or spec.get("exact"):
        return Fraction(0)
    rtol = float(spec.get("rtol", DEFAULT_RTOL))
    atol = float(spec.get("atol", DEFAULT_ATOL))
    # Exact decimal settings (Fraction("0.002"), not the binary float), so ranges print as the instructor wrote them.
    return max(Fraction(repr(rtol)) * abs(Fraction(reference)), Fraction(repr(atol)))


def numeric_range(spec: dict[str, Any]) -> tuple[Fraction, Fraction, Fraction]:
    """(reference, low, high) for a number or integer part of one variant.

    A part graded by significant figures or decimal places accepts the reference rounded as it asks
    (and more figures that round to it): the range is every value that rounds to that, around the rounded
    reference, which is also the answer shown.
    """
    reference = as_fraction(spec["answer"])
    # A float reference (a solver's) is taken at its shortest decimal, 55.55555555555556, not its binary value.
    reference = reference if isinstance(reference, Fraction) else Fraction(repr(reference))
    if spec["type"] != "integer" and not spec.get("exact"):
        rounding = rounding_range(reference, spec.get("sigfigs"), spec.get("decimals"))
        if rounding is not None:
            return rounding
    half = tolerance(spec, reference)
    return reference, reference - half, reference + half


def rounding_range(reference: Fraction, sigfigs: int | None, decimals: int | None
                   ) -> tuple[Fraction, Fraction, Fraction] | None:
    """(rounded, low, high): the values that round to the reference as the grader rounds it (halves away
    from zero); None for a part without either setting, or a reference that rounds to 0 by figures."""
    if sigfigs is not None:
        rounded = rounded_reference(reference, sigfigs)
        if rounded == 0:
            return None
        exponent = magnitude_exponent(rounded)
        above = Fraction(1, 2) * Fraction(10) ** (exponent - sigfigs + 1)
        # just below a power of ten the figures are a tenth as wide: 9.995 rounds to 10.0 at three figures
        below = above / 10 if abs(rounded) == Fraction(10) ** exponent else above
        low, high = (rounded - below, rounded + above) if rounded > 0 else (rounded - above, rounded + below)
        return rounded, low, high
    if decimals is not None:
        rounded = rounded_reference(reference, decimals, places=True)
        half = Fraction(1, 2) * Fraction(10) ** -decimals
        return rounded, rounded - half, rounded + half
    return None


def round_outward(low: Fraction, high: Fraction, decimals: int) -> tuple[Fraction, Fraction]:
    scale = 10 ** decimals
    return Fraction(math.floor(low * scale), scale), Fraction(math.ceil(high * scale), scale)


def matrix_entries(matrix: sympy.MatrixBase, spec: dict[str, Any], numbers_as_text: bool) -> list[list[Entry]] | None:
    """Each entry as a blank, or None when some entry cannot be checked faithfully by a blank.

    Integers (and, unless ``numbers_as_text``, any real number with the part's tolerance) and single
    symbols are faithful; an entry that is a formula is not (an LMS blank compares text).
    """
    rtol = float(spec.get("rtol", 1e-6))
    atol = float(spec.get("atol", 1e-9))
    rows = []
    for row in matrix.tolist():
        entries = []
        for cell in row:
            if cell.is_Integer:
                value = Fraction(int(cell))
                entries.append(Entry(ENTRY_TEXT, texts=(str(value.numerator),)) if numbers_as_text
                               else Entry(ENTRY_NUMBER, value, max(Fraction(repr(rtol)) * abs(value), Fraction(repr(atol)))))
            elif cell.is_number and cell.is_real and not numbers_as_text:
                value = as_fraction(cell)
                value = value if isinstance(value, Fraction) else Fraction(repr(value))
                entries.append(Entry(ENTRY_NUMBER, value, max(Fraction(repr(rtol)) * abs(value), Fraction(repr(atol)))))
            elif cell.is_Symbol:
                entries.append(Entry(ENTRY_TEXT, texts=(str(cell),)))
            else:
                return None
        rows.append(entries)
    return rows


def plan_part(part: Part, variants: list[Variant], target: str) -> PartPlan:
    """The LMS kind for one part across all its variants, and what the LMS cannot keep."""
    spec0 = variants[0].parts[part.id]
    kind = part.type
    if not part.lms:
        return PartPlan(part, SKIPPED, ["lms: false in the bank"])
    if kind == "code":
        return PartPlan(part, SKIPPED, ["code part: graded from the notebook (grader otter)"])
    if kind == "integer":
        return PartPlan(part, NUMERICAL, ["exact value"])
    if kind == "number":
        notes = []
        if spec0.get("percent"):
            notes.append("asked as a plain number of percent: the LMS does not read '72%'")
        if spec0.get("sigfigs") is not None or spec0.get("decimals") is not None:
            notes.append("precision rule (sigfigs/decimals) kept only as the widened range; "
                         "the half credit for a wrong precision is lost")
        return PartPlan(part, NUMERICAL, notes or ["range = the grader's tolerance"])
    if kind == "choice":
        return PartPlan(part, CHOICE, ["per-option feedback kept"])
    if kind == "checkbox":
        mode = spec0.get("mode", "net-correct")
        notes = ["per-option feedback kept"]
        if target == "canvas":
            notes.append(f"Canvas scores multiple answers with its own partial credit, not '{mode}'")
        elif mode != "net-correct":
            notes.append(f"Moodle scores with option fractions (net correct), not '{mode}'")
        return PartPlan(part, CHECKBOX, notes)
    if kind == "text":
        if not spec0.get("answers"):
            return PartPlan(part, ESSAY, ["regex-only text part: no list of answers to export; graded by hand"])
        notes = ["synonyms listed; matched case-insensitively"]
        if spec0.get("regex"):
            notes.append("the regex is not kept: only the listed synonyms score")
        return PartPlan(part, SHORT, notes)
    if kind == "free":
        return PartPlan(part, ESSAY, ["graded by hand" + (" (rubric in the grader information)" if target == "moodle"
                                                         else "; the rubric is not kept (Canvas essays have no "
                                                              "grader notes): use the bank's")])
    if kind == "expression":
        return PartPlan(part, ESSAY, ["expression: no native equivalent, exported as essay; grade in grader "
                                      "or by hand against the key"])
    if kind == "matrix":
        as_text = target == "canvas"  # Canvas blanks compare text; Moodle Cloze has NUMERICAL blanks
        if all(matrix_entries(v.parts[part.id]["answer"], v.parts[part.id], as_text) is not None for v in variants):
            shape = variants[0].parts[part.id]["answer"].shape
            notes = [f"one blank per entry ({shape[0]}x{shape[1]}), each entry equal credit"]
            if as_text:
                notes.append("entries compared as text (Canvas fill-in-multiple-blanks)")
            if spec0.get("partial"):
                notes.append("per-entry credit counts zero entries too (grader counts only nonzero ones)")
            else:
                notes.append("all-or-nothing is not kept: the LMS gives credit per entry")
            return PartPlan(part, BLANKS, notes)
        return PartPlan(part, ESSAY, ["matrix with formula entries: a blank cannot check them; exported as "
                                      "essay, grade in grader or by hand"])
    return PartPlan(part, SKIPPED, [f"no LMS mapping for type {kind}"])
