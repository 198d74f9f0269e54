"""Whole-number answers: exact, with "4.704e3" and "4704.0" accepted."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from grader.check.base import Checker, Diagnosis
from grader.check.numbers import as_fraction, read_number, relate
from grader.core.errors import FormatError
from grader.core.messages import feedback


class IntegerChecker(Checker):
    name = "integer"
    bounded = True

    def reference(self, value: Any, spec: Mapping[str, Any]) -> int:
        number = as_fraction(value)
        if isinstance(number, float) or number.denominator != 1:
            raise ValueError(f"the reference answer {value} is not a whole number")
        return int(number)

    def parse(self, raw: str, spec: Mapping[str, Any]) -> int:
        number = read_number(raw).value
        if isinstance(number, float) or number.denominator != 1:
            raise FormatError(feedback("not-integer", raw=raw.strip()), raw, None)
        return int(number)

    def score(self, value: int, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        return (1.0, "correct", "") if value == int(reference) else (0.0, "", "")

    def diagnose(self, value: int, reference: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
        return relate(Fraction(value), Fraction(int(reference)))

    def format(self, reference: Any, spec: Mapping[str, Any]) -> str:
        return str(int(reference))
