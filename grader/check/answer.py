"""``check_answer``: one answer against one part of one variant, through the part's checker.

A checker turns the raw text into a value (or raises ``FormatError``),
scores that value against the variant's reference, and, when it is wrong,
tries to say how it relates to the reference. Declared ``mistakes:`` are
matched by the same comparison, so a mistake is just another reference
with a message and a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.check.base import Checker, CheckResult, CheckTimeout, Diagnosis
from grader.check.display import typed_syntax
from grader.check.misconceptions import explain, pair_of_mistakes
from grader.check.registry import REGISTRY
from grader.core.errors import FormatError
from grader.core.messages import feedback, format_answer_error

PRECISION_NOTES = ("sigfigs-", "decimals-")


def check_answer(part_spec: Mapping[str, Any], raw_text: Any) -> CheckResult:
    """Check one answer against one part of one variant.

    ``part_spec`` is the part as written in the bank with ``answer`` (and
    each mistake's ``answer``) already resolved for the variant.
    """
    checker = REGISTRY.get(part_spec["type"])
    raw = "" if raw_text is None else str(raw_text)
    if not checker.needs_answer:
        value = checker.parse(raw, part_spec)
        score, note, message = checker.score(value, None, part_spec)
        return CheckResult("pending", 0.0, message, note, raw.strip())
    if not raw.strip():
        return CheckResult("incorrect", 0.0, feedback("blank"), "blank", "")
    try:
        value = checker.parse(raw, part_spec)
    except FormatError as error:
        if not error.text:
            error.text = raw
        return CheckResult("invalid", 0.0, format_answer_error(error), "invalid", raw.strip()[:200])
    shown = checker.format(value, part_spec) if value is not None else raw.strip()
    if part_spec["type"] in ("expression", "matrix"):
        shown = typed_syntax(shown)  # statistics show answers as students type them
    try:
        score, note, message = checker.score(value, part_spec["answer"], part_spec)
        if score >= 1.0:
            return CheckResult("correct", 1.0, message or feedback("correct"), note or "correct", shown)
        declared = _declared_mistake(checker, value, part_spec)
        named = explain(checker, value, part_spec, declared)  # the misconception engine; never a wrong cause
        # A precision verdict (sigfigs-value, decimals-too-few, ...) already says what is wrong: a derived
        # explanation joins its message but only the checker's own relation (a sign, a factor) replaces its note.
        precise = note.startswith(PRECISION_NOTES)
        relation = checker.diagnose(value, part_spec["answer"], part_spec) if score == 0 and (precise or not named) \
            else None
        diagnosis = named or relation
    except CheckTimeout:
        return CheckResult("invalid", 0.0, feedback("timeout"), "timeout", shown)
    lines = [message] if message else []
    if diagnosis:
        if diagnosis.message and diagnosis.message != message:  # a message is said once
            lines.append(diagnosis.message)
        if precise and relation and relation is not diagnosis and relation.message not in lines:
            lines.append(relation.message)
        if declared or (not precise and (named or score == 0)):  # a declared mistake always names itself
            note = diagnosis.note
        elif precise and relation:
            note = relation.note
    if not lines:
        lines.append(feedback("incorrect"))
    if part_spec.get("show_answer"):
        expected = checker.format(part_spec["answer"], part_spec)
        if part_spec["type"] in ("expression", "matrix"):  # typed syntax, in a code span: math in HTML
            expected = f"`{typed_syntax(expected)}`"
        lines.append(feedback("reveal", answer=expected))
    verdict = "partial" if score > 0 else "incorrect"
    return CheckResult(verdict, round(score, 6), " ".join(lines), note or verdict, shown)


def _declared_mistake(checker: Checker, value: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
    for mistake in spec.get("mistakes") or ():
        if mistake.get("answer") is None:
            continue
        if checker.matches(value, mistake["answer"], spec):
            if mistake.get("same_as"):  # two declared mistakes give this answer on this variant: name both
                return pair_of_mistakes([mistake, *mistake["same_as"]])
            return Diagnosis(mistake["note"], mistake["feedback"])
    return None
