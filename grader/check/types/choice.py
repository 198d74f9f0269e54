"""Multiple choice (one answer) and checkbox (several), with per-option feedback.

Options are shown in an order shuffled per variant (unless ``shuffle:
false``) and labelled A, B, C...; the resolved spec lists them in that
order, so a label always means what the student saw. An answer may give
labels ("B", "A, C") or the option text itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from grader.check.base import Checker, Diagnosis
from grader.check.misconceptions.choices import checkbox_feedback, several_letters
from grader.core.errors import FormatError
from grader.core.messages import feedback, literal, shorten

CHECKBOX_MODES = ("all-or-nothing", "net-correct", "each-answer")
LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def labels(count: int) -> list[str]:
    return list(LABELS[:count])


def _option_numbers(chosen: frozenset[str], spec: Mapping[str, Any]) -> str:
    """Chosen options by their number in the bank (not the shuffled letter): '2' or '1+3'."""
    numbers = sorted(spec["options"][LABELS.index(label)].get("number", LABELS.index(label) + 1) for label in chosen)
    return "+".join(str(number) for number in numbers)


def _normal(text: str) -> str:
    return _normal_text(text) if type(text) is str else _normal_text(str(text))


@lru_cache(maxsize=4096)
def _normal_text(text: str) -> str:  # option texts recur in every student's variant
    return re.sub(r"\s+", " ", text).strip().casefold()


class _OptionsChecker(Checker):
    settings = {"options": [], "shuffle": True}
    multiple = False
    bounded = True

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        options = spec.get("options")
        if not isinstance(options, list) or len(options) < 2:
            return ["options must be a list of at least two options"]
        if len(options) > len(LABELS):
            return [f"at most {len(LABELS)} options"]
        problems = []
        for index, option in enumerate(options, start=1):
            if not isinstance(option, dict) or "text" not in option:
                problems.append(f"option {index} needs text:")
            elif set(option) - {"text", "correct", "feedback", "id"}:
                problems.append(f"option {index}: unknown key(s) {', '.join(sorted(set(option) - {'text', 'correct', 'feedback', 'id'}))}")
        correct = sum(bool(o.get("correct")) for o in options if isinstance(o, dict))
        if not self.multiple and correct != 1:
            problems.append("a choice part needs exactly one option with correct: true")
        if self.multiple and correct < 1:
            problems.append("a checkbox part needs at least one correct option")
        return problems

    def reference(self, value: Any, spec: Mapping[str, Any]) -> frozenset[str]:
        return frozenset(label for label, option in zip(LABELS, spec["options"]) if option.get("correct"))

    def parse(self, raw: str, spec: Mapping[str, Any]) -> frozenset[str]:
        options = spec["options"]
        known = labels(len(options))
        by_text = {_normal(option["text"]): label for label, option in zip(known, options)}
        by_id = {_normal(option["id"]): label for label, option in zip(known, options) if option.get("id")}
        text = raw.strip()
        if self.multiple and text.startswith("[") and text.endswith("]"):
            text = text[1:-1]  # a YAML list of letters: [A, C]
        whole = _normal(text)
        if whole in by_text:
            return frozenset({by_text[whole]})
        if not self.multiple and several_letters(text, len(options)):
            raise FormatError(feedback("choose-one"), raw, 0)
        pieces = [p for p in re.split(r"[,;\s]+", text) if p] if self.multiple else [text]
        chosen = set()
        for piece in pieces:
            key = _normal(piece).rstrip(").")
            label = key.upper() if key.upper() in known else by_id.get(key) or by_text.get(_normal(piece))
            if label is None:
                raise FormatError(feedback("choice-unknown", raw=literal(shorten(piece)), options=", ".join(known)), raw,
                                  raw.find(piece))
            chosen.add(label)
        if not self.multiple and len(chosen) != 1:
            raise FormatError("choose exactly one option", raw, 0)
        return frozenset(chosen)

    def option_feedback(self, chosen: frozenset[str], spec: Mapping[str, Any]) -> list[str]:
        return [
            f"{label}: {option['feedback']}"
            for label, option in zip(LABELS, spec["options"])
            if label in chosen and option.get("feedback")
        ]

    def format(self, reference: Any, spec: Mapping[str, Any]) -> str:
        return ", ".join(sorted(reference))


class ChoiceChecker(_OptionsChecker):
    name = "choice"

    def score(self, value: frozenset[str], reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        message = " ".join(self.option_feedback(value, spec))
        if value == reference:
            return 1.0, "correct", message
        return 0.0, "chose-" + _option_numbers(value, spec), message

    def diagnose(self, value: Any, reference: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
        return None


class CheckboxChecker(_OptionsChecker):
    name = "checkbox"
    settings = {"options": [], "shuffle": True, "mode": "net-correct"}
    multiple = True

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        problems = super().validate(spec)
        if spec.get("mode", "net-correct") not in CHECKBOX_MODES:
            problems.append(f"mode must be one of {', '.join(CHECKBOX_MODES)}")
        return problems

    def score(self, value: frozenset[str], reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        mode = spec.get("mode", "net-correct")
        total = len(spec["options"])
        right, wrong = len(value & reference), len(value - reference)
        missed = len(reference - value)
        if value == reference:
            score = 1.0
        elif mode == "all-or-nothing":
            score = 0.0
        elif mode == "net-correct":
            score = max(0.0, (right - wrong) / len(reference))
        else:
            score = (total - wrong - missed) / total
        lines = self.option_feedback(value, spec) if score == 1.0 else checkbox_feedback(value, reference, spec)
        if score < 1.0:
            lines.append(feedback("checkbox-summary", right=right, wrong=wrong, missed=missed))
        note = "correct" if score == 1.0 else "chose-" + _option_numbers(value, spec)
        return score, note, " ".join(lines)
