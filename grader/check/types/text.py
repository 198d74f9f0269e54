"""Short text answers: normalised exact match against synonyms, or a regex."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from grader.check.base import Checker
from grader.check.misconceptions.text import tolerant_match, validate_text_settings
from grader.core.errors import FormatError

MAX_TEXT_LENGTH = 500


def normalise(text: str, *, case_sensitive: bool = False) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\s\-_]+", " ", text).strip().strip(".!?")
    return text if case_sensitive else text.casefold()


class TextChecker(Checker):
    name = "text"
    bounded = True
    settings = {"answers": [], "regex": None, "case_sensitive": False, "wrong_answers": [], "contains": False,
                "keywords": None}

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        answers, pattern = spec.get("answers"), spec.get("regex")
        if not answers and not pattern:
            return ["a text part needs answers: (synonyms) or regex:"]
        if pattern:
            try:
                re.compile(pattern)
            except re.error as error:
                return [f"regex does not compile: {error}"]
        return validate_text_settings(spec)

    def reference(self, value: Any, spec: Mapping[str, Any]) -> tuple[str, ...]:
        answers = spec.get("answers") or ([value] if value is not None else [])
        return tuple(str(a) for a in answers)

    def parse(self, raw: str, spec: Mapping[str, Any]) -> str:
        if len(raw) > MAX_TEXT_LENGTH:
            raise FormatError(f"the answer is longer than {MAX_TEXT_LENGTH} characters", raw, MAX_TEXT_LENGTH)
        return normalise(raw, case_sensitive=bool(spec.get("case_sensitive")))

    def score(self, value: str, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        case = bool(spec.get("case_sensitive"))
        if isinstance(reference, str):
            reference = (reference,)
        if any(value == normalise(answer, case_sensitive=case) for answer in reference):
            return 1.0, "correct", ""
        pattern = spec.get("regex")
        flags = 0 if case else re.IGNORECASE
        if pattern and re.fullmatch(pattern, value, flags):
            return 1.0, "correct", ""
        if not case and tolerant_match(value, reference, spec):  # "ResNet skip connections" where "skip connections" is
            return 1.0, "correct", ""
        return 0.0, "", ""

    def format(self, reference: Any, spec: Mapping[str, Any]) -> str:
        return reference[0] if isinstance(reference, tuple) and reference else str(reference)
