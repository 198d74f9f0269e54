"""Choice and checkbox feedback: what each wrong selection says, and what was missed.

A checkbox answer names each wrongly selected option with its own feedback,
and the true statements that were not selected: by their text when the part
shows answers, otherwise only how many (so feedback does not give the answer
away before the deadline).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LETTER_LIST = re.compile(r"\s*\[?\s*[A-Za-z]\s*(?:[,;\s]\s*[A-Za-z]\s*)+\]?\s*")


def several_letters(raw: str, count: int) -> bool:
    """'A, C' on a single-answer part: letters of real options, more than one."""
    if not _LETTER_LIST.fullmatch(raw):
        return False
    letters = [piece.upper() for piece in re.findall(r"[A-Za-z]", raw)]
    return len(letters) > 1 and all(letter in LABELS[:count] for letter in letters)


def checkbox_feedback(chosen: frozenset[str], correct: frozenset[str], spec: Mapping[str, Any]) -> list[str]:
    """Sentences for a checkbox answer that is not fully right."""
    options = dict(zip(LABELS, spec["options"]))
    lines = []
    for label in sorted(chosen - correct):
        text = options[label].get("feedback") or "this statement is not true."
        lines.append(f"{label} is not true: {text}")
    for label in sorted(chosen & correct):
        if options[label].get("feedback"):
            lines.append(f"{label}: {options[label]['feedback']}")
    missed = sorted(correct - chosen)
    if missed and spec.get("show_answer"):
        named = "; ".join(f"{label} ({options[label]['text']})" for label in missed)
        lines.append(f"You did not select the true statement(s) {named}.")
    elif missed:
        lines.append(f"{len(missed)} true statement(s) were not selected.")
    return lines
