"""``grader check``: what a student runs before submitting.

It reports missing parts, unknown question ids and every answer that
cannot be read (with a caret under the spot). It does not say whether an
answer is right unless the bank turns on practice mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .bank import Bank
from .check.base import REGISTRY, check_answer
from .errors import FormatError
from .messages import format_answer_error
from .submission import read_submission
from .variant import make_variant


@dataclass
class SelfCheckReport:
    missing: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)
    answered: int = 0

    @property
    def ok(self) -> bool:
        return not self.missing and not self.unreadable


def self_check(bank: Bank, secret: str, student_id: str, path: str | Path) -> SelfCheckReport:
    submission = read_submission(path, bank, student_id)
    report = SelfCheckReport(warnings=list(submission.warnings))
    for question in bank.questions:
        answers = submission.answers.get(question.id, {})
        variant = make_variant(bank, question, secret, student_id)
        for part in question.parts:
            if part.type == "code":
                continue  # graded from the notebook
            label = f"{question.id}.{part.id}"
            raw = answers.get(part.id)
            if raw is None or not str(raw).strip():
                report.missing.append(label)
                continue
            report.answered += 1
            spec = variant.parts[part.id]
            line = submission.positions.get((question.id, part.id))
            where = f"{Path(path).name}:{line}: {label}" if line else label
            try:
                REGISTRY.get(part.type).parse(str(raw), spec)
            except FormatError as error:
                if not error.text:
                    error.text = str(raw)
                report.unreadable.append(f"{where}: {format_answer_error(error)}")
                continue
            if bank.practice:
                result = check_answer(spec, raw)
                report.verdicts.append(f"{label}: {result.verdict} ({result.feedback})")
    return report
