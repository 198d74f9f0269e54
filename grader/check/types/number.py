"""Real-number answers with a tolerance, significant figures or decimal places.

``|a - b| <= max(rtol * |ref|, atol)``. NaN and infinity are refused while
reading, so they can never pass. A part that declares ``percent: true``
has its reference in percent and accepts "72%" as well as "72".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from grader.check.base import Checker, Diagnosis
from grader.check.numbers import NumberText, as_fraction, close, format_number, read_number, relate
from grader.core.messages import feedback

DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 1e-9


class NumberChecker(Checker):
    name = "number"
    bounded = True
    settings = {"rtol": DEFAULT_RTOL, "atol": DEFAULT_ATOL, "sigfigs": None, "decimals": None,
                "percent": False, "exact": False}

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
        return problems

    def reference(self, value: Any, spec: Mapping[str, Any]) -> Any:
        number = as_fraction(value)
        if isinstance(number, float) and not math.isfinite(number):
            raise ValueError(f"the reference answer {value} is not a finite number")
        return number

    def parse(self, raw: str, spec: Mapping[str, Any]) -> NumberText:
        return read_number(raw, allow_percent=bool(spec.get("percent")))

    def score(self, value: NumberText, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        reference = as_fraction(reference)
        if spec.get("exact"):
            return (1.0, "correct", "") if value.value == reference else (0.0, "", "")
        rtol = float(spec.get("rtol", DEFAULT_RTOL))
        atol = float(spec.get("atol", DEFAULT_ATOL))
        sigfigs, decimals = spec.get("sigfigs"), spec.get("decimals")
        if sigfigs is not None:
            rtol = max(rtol, 0.5 * 10 ** (1 - sigfigs))
        if decimals is not None:
            atol = max(atol, 0.5 * 10 ** (-decimals) + 1e-12)
        if not close(value.value, reference, rtol, atol):
            return 0.0, "", ""
        if sigfigs is not None and value.sigfigs is not None and value.sigfigs != sigfigs:
            return 0.5, "precision", feedback("sigfigs", sigfigs=sigfigs, given=value.sigfigs)
        if decimals is not None and value.decimals is not None and value.decimals != decimals:
            return 0.5, "precision", feedback("decimals", decimals=decimals, given=value.decimals)
        return 1.0, "correct", ""

    def matches(self, value: NumberText, reference: Any, spec: Mapping[str, Any]) -> bool:
        rtol = float(spec.get("rtol", DEFAULT_RTOL))
        return close(value.value, as_fraction(reference), rtol, float(spec.get("atol", DEFAULT_ATOL)))

    def diagnose(self, value: NumberText, reference: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
        diagnosis = relate(value.value, as_fraction(reference), percent=bool(spec.get("percent")),
                           rtol=float(spec.get("rtol", DEFAULT_RTOL)))
        if diagnosis is None and close(value.value, as_fraction(reference), 0.05, 0):
            return Diagnosis("close", feedback("close-but-precision"))
        return diagnosis

    def format(self, reference: Any, spec: Mapping[str, Any]) -> str:
        if isinstance(reference, NumberText):
            text = format_number(reference.value)
            return text + ("%" if reference.percent else "")
        text = format_number(as_fraction(reference))
        return text + ("%" if spec.get("percent") else "")
