"""Real-number answers with a tolerance, significant figures or decimal places.

``|a - b| <= max(rtol * |ref|, atol)``, in exact rationals when both are
exact; atol defaults to 0 so a wrong magnitude fails at every scale. With
``sigfigs`` or ``decimals`` the rules of ``grader.check.sigfigs`` apply
instead of a tolerance. NaN and infinity are refused while reading, so they
can never pass. A part that declares ``percent: true``
has its reference in percent and accepts "72%" as well as "72".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from grader.check.base import Checker, Diagnosis
from grader.check.numbers import NumberText, as_fraction, close, format_number, read_number, relate
from grader.check.sigfigs import (
    DEFAULT_EXTRA_FIGURES,
    EXTRA_FIGURES,
    exact_decimal,
    format_figures,
    format_places,
    judge_figures,
    judge_places,
    read_precise,
    round_figures,
    round_places,
)
from grader.core.errors import FormatError
from grader.core.messages import feedback

DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 0.0  # never hide a wrong magnitude: 1e-9 would accept 1e-30 for 6.6e-34


class NumberChecker(Checker):
    name = "number"
    bounded = True
    settings = {"rtol": DEFAULT_RTOL, "atol": DEFAULT_ATOL, "sigfigs": None, "decimals": None,
                "percent": False, "exact": False, "extra_figures": DEFAULT_EXTRA_FIGURES, "decimal_comma": False}

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        problems = []
        for key in ("rtol", "atol"):
            value = spec.get(key, self.settings[key])
            if not isinstance(value, (int, float)) or value < 0:
                problems.append(f"{key} must be a number >= 0")
        for key in ("sigfigs", "decimals"):
            value = spec.get(key)
            if value is not None and (not isinstance(value, int) or not 0 <= value <= 15):
                problems.append(f"{key} must be a whole number from 0 to 15")
        if spec.get("sigfigs") == 0:
            problems.append("sigfigs must be at least 1")
        if spec.get("sigfigs") is not None and spec.get("decimals") is not None:
            problems.append("set sigfigs or decimals, not both")
        if spec.get("extra_figures", DEFAULT_EXTRA_FIGURES) not in EXTRA_FIGURES:
            problems.append("extra_figures must be one of " + ", ".join(EXTRA_FIGURES))
        return problems

    def advice(self, spec: Mapping[str, Any]) -> list[str]:
        reference = as_fraction(spec["answer"])
        if spec.get("sigfigs") is not None or spec.get("decimals") is not None or spec.get("exact"):
            return []
        atol = float(spec.get("atol", DEFAULT_ATOL))
        if reference == 0 and atol == 0:
            return ["the reference is exactly 0, so with atol 0 only an exact 0 is accepted: set an atol"]
        if reference != 0 and atol > abs(float(reference)):
            return [f"atol {atol:g} is larger than the reference {float(reference):g}, so it hides a wrong "
                    "magnitude: lower it or use rtol"]
        return []

    def reference(self, value: Any, spec: Mapping[str, Any]) -> Any:
        number = as_fraction(value)
        if isinstance(number, float) and not math.isfinite(number):
            raise ValueError(f"the reference answer {value} is not a finite number")
        return number

    def parse(self, raw: str, spec: Mapping[str, Any]) -> NumberText:
        sigfigs, decimals = spec.get("sigfigs"), spec.get("decimals")
        if sigfigs is None and decimals is None:
            return read_number(raw, allow_percent=bool(spec.get("percent")),
                               decimal_comma=bool(spec.get("decimal_comma")))
        text, percent = raw.strip(), False
        if spec.get("percent") and text.endswith("%"):
            text, percent = text[:-1], True
        what = "significant figures" if sigfigs is not None else "decimal places"
        try:
            value, figures = read_precise(text, decimal_comma=bool(spec.get("decimal_comma")), what=what)
        except FormatError:  # not a plain decimal: the number reader's own message (an unclosed bracket, a
            # second point, an unknown name) says more; a number it reads (1/3, pi) has no figures to count
            read_number(text, allow_percent=False, decimal_comma=bool(spec.get("decimal_comma")))
            raise
        return NumberText(value, percent, figures.low, figures.places, figures, text.strip())

    def score(self, value: NumberText, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        reference = as_fraction(reference)
        if spec.get("exact"):
            return (1.0, "correct", "") if value.value == reference else (0.0, "", "")
        sigfigs, decimals = spec.get("sigfigs"), spec.get("decimals")
        extra = spec.get("extra_figures", DEFAULT_EXTRA_FIGURES)
        if sigfigs is not None and value.figures is not None:
            verdict = judge_figures(value.value, value.figures, reference, sigfigs, extra)
            return verdict.score, verdict.note, verdict.message
        if decimals is not None and value.figures is not None:
            verdict = judge_places(value.value, value.figures.places, reference, decimals, extra)
            return verdict.score, verdict.note, verdict.message
        rtol = float(spec.get("rtol", DEFAULT_RTOL))
        atol = float(spec.get("atol", DEFAULT_ATOL))
        if not close(value.value, reference, rtol, atol):
            return 0.0, "", ""
        return 1.0, "correct", ""

    def matches(self, value: NumberText, reference: Any, spec: Mapping[str, Any]) -> bool:
        sigfigs, decimals = spec.get("sigfigs"), spec.get("decimals")
        if value.figures is not None and sigfigs is not None:
            wanted = exact_decimal(as_fraction(reference))
            return round_figures(exact_decimal(value.value), sigfigs) == round_figures(wanted, sigfigs)
        if value.figures is not None and decimals is not None:
            wanted = exact_decimal(as_fraction(reference))
            return round_places(exact_decimal(value.value), decimals) == round_places(wanted, decimals)
        rtol = float(spec.get("rtol", DEFAULT_RTOL))
        return close(value.value, as_fraction(reference), rtol, float(spec.get("atol", DEFAULT_ATOL)))

    def diagnose(self, value: NumberText, reference: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
        precise = value.figures is not None  # its own message already says the value is wrong at N figures
        if precise and close(value.value, exact_decimal(as_fraction(reference)), 0.05, 0):
            return None  # a slip in the last figures: no factor or sign to name
        diagnosis = relate(value.value, as_fraction(reference), percent=bool(spec.get("percent")),
                           rtol=float(spec.get("rtol", DEFAULT_RTOL)))
        if diagnosis is None and not precise and close(value.value, as_fraction(reference), 0.05, 0):
            return Diagnosis("close", feedback("close-but-precision"))
        return diagnosis

    def format(self, reference: Any, spec: Mapping[str, Any]) -> str:
        if isinstance(reference, NumberText):
            text = reference.text if reference.figures is not None else format_number(reference.value)
            return text + ("%" if reference.percent else "")
        if spec.get("sigfigs") is not None:  # shown rounded as the part asks, so it checks as correct
            text = format_figures(exact_decimal(as_fraction(reference)), int(spec["sigfigs"]))
        elif spec.get("decimals") is not None:
            text = format_places(exact_decimal(as_fraction(reference)), int(spec["decimals"]))
        else:
            text = format_number(as_fraction(reference))
        return text + ("%" if spec.get("percent") else "")
