"""Grading one submission: a pure function of (bank, secret, student, answers).

Every part gets a result. A part whose check fails in an unexpected way
scores zero with a clear message; the rest of the submission is still
graded, so one bad answer never costs a student the others.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, field

from grader.bank.model import Bank
from grader.bank.variant import make_variant
from grader.check.answer import check_answer
from grader.check.base import CheckResult
from grader.check.registry import answers_file_parts, auto_graded
from grader.core.messages import feedback
from grader.grading.submission import Submission


@dataclass(frozen=True, slots=True)  # one per part per student: no __dict__ each
class PartResult:
    question: str
    part: str
    type: str
    max_points: float
    points: float
    result: CheckResult
    raw: str | None


@dataclass
class SubmissionResult:
    student_id: str
    status: str  # graded | missing | unreadable | error
    parts: list[PartResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    message: str = ""
    source: str = ""

    @property
    def points(self) -> float:
        return round(sum(part.points for part in self.parts), 6)

    @property
    def max_points(self) -> float:
        return round(sum(part.max_points for part in self.parts), 6)

    @property
    def pending(self) -> list[PartResult]:
        return [part for part in self.parts if not auto_graded(part.type)]

    def question_points(self, question_id: str) -> tuple[float, float]:
        mine = [p for p in self.parts if p.question == question_id]
        return round(sum(p.points for p in mine), 6), round(sum(p.max_points for p in mine), 6)


def grade_submission(bank: Bank, secret: str, submission: Submission) -> SubmissionResult:
    result = SubmissionResult(submission.student_id, "graded", warnings=list(submission.warnings),
                              source=submission.source)
    for question in bank.questions:
        graded_parts = answers_file_parts(question)  # code parts are graded from the notebook by otter
        if not graded_parts:
            continue
        variant = make_variant(bank, question, secret, submission.student_id, only={p.id for p in graded_parts})
        answers = submission.answers.get(question.id, {})
        for part in graded_parts:
            raw = answers.get(part.id)
            spec = variant.parts[part.id]
            try:
                check = check_answer(spec, raw)
            except Exception as error:  # a bug of ours must not cost the student the other parts
                traceback.print_exc(file=sys.stderr)  # for the instructor's log, never the student's feedback
                check = CheckResult("invalid", 0.0, feedback("internal"), f"internal-error:{type(error).__name__}",
                                    (raw or "")[:200])
                result.warnings.append(f"internal error while checking {question.id} part {part.id} "
                                       f"({type(error).__name__}); this part will be reviewed by hand")
            max_points = question.part_points(part)
            points = max_points if check.score == 1.0 else round(max_points * check.score, 6)
            result.parts.append(PartResult(question.id, part.id, part.type, max_points, points, check, raw))
    return result


def empty_result(bank: Bank, student_id: str, status: str, message: str, source: str = "") -> SubmissionResult:
    """A zero result with every part listed, for a missing or unreadable submission."""
    result = SubmissionResult(student_id, status, message=message, source=source)
    for question in bank.questions:
        for part in answers_file_parts(question):
            check = CheckResult("incorrect", 0.0, message, status)
            result.parts.append(PartResult(question.id, part.id, part.type, question.part_points(part), 0.0, check,
                                           None))
    return result
