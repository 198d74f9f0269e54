"""Short text: tolerant matching, a contains/keyword mode, and declared wrong answers.

"ResNet skip connections" and "residual (skip) connections" say "skip
connections" with a few words around it, so they are accepted where "skip
connections" is. Tolerance stops at a few extra words, at a negation ("not
skip connections") and at a declared wrong answer inside the text ("batch
normalisation instead of skip connections"), so a hedge never earns credit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from grader.check.base import Diagnosis

#: words a tolerant match may add around an accepted answer
MAX_EXTRA_WORDS = 3
NEGATIONS = {"not", "no", "without", "instead", "never", "isn't", "aren't", "nor", "except"}


def words(text: str) -> list[str]:
    """Lower-case words with punctuation and brackets removed: 'Residual (skip) connections.'."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.findall(r"[\w']+", text)


def _contains(haystack: list[str], needle: list[str]) -> bool:
    size = len(needle)
    return bool(size) and any(haystack[i:i + size] == needle for i in range(len(haystack) - size + 1))


def _phrases(values: Any) -> list[list[str]]:
    return [words(str(value)) for value in (values or ()) if words(str(value))]


def wrong_answer(given: str, spec: Mapping[str, Any]) -> dict[str, Any] | None:
    """The declared wrong answer the text names, if any."""
    mine = words(given)
    for wrong in spec.get("wrong_answers") or ():
        if any(_contains(mine, phrase) for phrase in _phrases(wrong.get("answers"))):
            return wrong
    return None


def tolerant_match(given: str, answers: Any, spec: Mapping[str, Any]) -> bool:
    """An accepted answer said with a few words around it (or anywhere, in contains mode)."""
    mine = words(given)
    if not mine or NEGATIONS & set(mine) or wrong_answer(given, spec) is not None:
        return False
    keywords = _phrases(spec.get("keywords"))
    if keywords and all(_contains(mine, phrase) for phrase in keywords):
        return True
    contains = bool(spec.get("contains"))
    for phrase in _phrases(answers):
        if _contains(mine, phrase) and (contains or len(mine) - len(phrase) <= MAX_EXTRA_WORDS):
            return True
    return False


def text_diagnosis(given: str, spec: Mapping[str, Any]) -> Diagnosis | None:
    wrong = wrong_answer(given, spec)
    if wrong is None:
        return None
    return Diagnosis(str(wrong.get("note") or "wrong-answer"), str(wrong.get("feedback") or ""))


def validate_text_settings(spec: Mapping[str, Any]) -> list[str]:
    problems = []
    for index, wrong in enumerate(spec.get("wrong_answers") or (), start=1):
        if not isinstance(wrong, dict) or not {"answers", "feedback", "note"} <= set(wrong):
            problems.append(f"wrong_answers entry {index} needs answers, feedback and note")
        elif not isinstance(wrong["answers"], list) or not wrong["answers"]:
            problems.append(f"wrong_answers entry {index}: answers must be a non-empty list")
    keywords = spec.get("keywords")
    if keywords is not None and (not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords)):
        problems.append("keywords must be a list of words or phrases")
    return problems
