"""``grader check``: what a student runs before submitting.

It reports missing parts, unknown question ids and every answer that
cannot be read (with a caret under the spot). It reads only the bank's
structure, so it works on the student copy that ``grader generate``
writes, with no solvers and no secret. Only when the bank turns on
practice mode (and the full bank and secret are at hand) does it say
whether answers are right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.bank.student_bank import BankShape
from grader.check.limits import check_part, parse_part
from grader.check.registry import answers_file_parts
from grader.core.messages import format_answer_error
from grader.grading.submission import read_submission


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


def self_check(shape: BankShape, student_id: str, path: str | Path, practice=None) -> SelfCheckReport:
    """Check an answers file against the bank's shape. ``practice`` is (bank, secret) for verdicts."""
    submission = read_submission(path, shape, student_id)
    report = SelfCheckReport(warnings=list(submission.warnings))
    skipped = _unanswered_pool_members(shape, submission.answers, report)
    for question in shape.by_id.values():
        if question.id in skipped:
            continue
        answers = submission.answers.get(question.id, {})
        for part in answers_file_parts(question):
            label = f"{question.id}.{part.id}"
            raw = answers.get(part.id)
            if raw is None or not str(raw).strip():
                report.missing.append(label)
                continue
            report.answered += 1
            line = submission.positions.get((question.id, part.id))
            where = f"{Path(path).name}:{line}: {label}" if line else label
            error = parse_part(part.spec, str(raw))  # under the part's time and memory limit
            if error is not None:
                if not error.text:
                    error.text = str(raw)
                report.unreadable.append(f"{where}: {format_answer_error(error)}")
                continue
            if practice is not None:
                report.verdicts.append(f"{label}: {_verdict(practice, student_id, question.id, part.id, raw)}")
    return report


def _unanswered_pool_members(shape: BankShape, answers: dict, report: SelfCheckReport) -> set[str]:
    """Pooled questions left blank are not missing while k of the pool are answered (the student was given k)."""
    skipped: set[str] = set()
    for pick, members in shape.pools:
        answered = [m for m in members if any(str(v).strip() for v in (answers.get(m) or {}).values())]
        skipped |= set(members) - set(answered)
        if len(answered) < pick:
            report.missing.append(f"{pick} of {', '.join(members)} (your problem set lists which; "
                                  f"{len(answered)} answered)")
    return skipped


def _verdict(practice, student_id: str, question_id: str, part_id: str, raw: str) -> str:
    from grader.bank.variant import make_variant

    bank, secret = practice
    spec = make_variant(bank, bank.by_id[question_id], secret, student_id).parts[part_id]
    result = check_part(spec, raw)
    return f"{result.verdict} ({result.feedback})"
