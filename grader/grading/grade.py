"""Grading one submission: a pure function of (bank, secret, student, answers).

Every part gets a result. A part whose check fails in an unexpected way
scores zero with a clear message; the rest of the submission is still
graded, so one bad answer never costs a student the others.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, field, replace

from grader.bank.fingerprint import bank_fingerprint
from grader.bank.model import Bank
from grader.bank.pools import assignment
from grader.bank.resolved_cache import check_memo, remember
from grader.bank.variant import make_variant
from grader.check.base import CheckResult
from grader.check.limits import check_parts
from grader.check.registry import answers_file_parts, auto_graded
from grader.core.messages import feedback
from grader.core.safe_text import cap_answer
from grader.grading.submission import Submission

HAND_GRADED = "hand-graded"  # the note of a part scored from a grading sheet


@dataclass(frozen=True, slots=True)  # one per part per student: no __dict__ each
class PartResult:
    question: str
    part: str
    type: str
    max_points: float
    points: float
    result: CheckResult
    raw: str | None
    reference: str = ""  # the variant's reference as a student would type it, for regrade reports
    chosen_options: tuple[int, ...] = ()  # choice/checkbox: the options chosen, numbered as in the bank

    def __reduce__(self):  # a class's results travel from the workers: positional, not field by field
        return PartResult, (self.question, self.part, self.type, self.max_points, self.points, self.result, self.raw,
                            self.reference, self.chosen_options)


@dataclass
class SubmissionResult:
    student_id: str
    status: str  # graded | missing | unreadable | error
    parts: list[PartResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    message: str = ""
    source: str = ""
    not_assigned: list[str] = field(default_factory=list)  # question ids a pool did not give this student
    bank_fingerprint: str = ""
    grader_version: str = ""  # empty: this grader's version (set when read back from an older record)
    student_name: str = ""  # from the roster, shown at the top of the feedback

    @property
    def points(self) -> float:
        return round(sum(part.points for part in self.parts), 6)

    @property
    def max_points(self) -> float:
        return round(sum(part.max_points for part in self.parts), 6)

    @property
    def pending(self) -> list[PartResult]:
        return [part for part in self.parts if not auto_graded(part.type) and part.result.note != HAND_GRADED]

    def question_points(self, question_id: str) -> tuple[float, float]:
        mine = [p for p in self.parts if p.question == question_id]
        return round(sum(p.points for p in mine), 6), round(sum(p.max_points for p in mine), 6)

    def parts_by_question(self) -> dict[str, list[PartResult]]:
        """The parts of each question that has parts here, in their order, in one pass."""
        mine: dict[str, list[PartResult]] = {}
        for part in self.parts:
            mine.setdefault(part.question, []).append(part)
        return mine

    def points_by_question(self) -> dict[str, tuple[float, float]]:
        """``question_points`` of every question that has parts here, in one pass."""
        return {question: (round(sum(p.points for p in parts), 6), round(sum(p.max_points for p in parts), 6))
                for question, parts in self.parts_by_question().items()}


def parts_by_part(results: list[SubmissionResult]) -> dict[tuple[str, str], list[tuple[str, PartResult]]]:
    """(question, part) -> (student id, that part's result) for every student, in the students' order."""
    found: dict[tuple[str, str], list[tuple[str, PartResult]]] = {}
    for result in results:
        for part in result.parts:
            found.setdefault((part.question, part.part), []).append((result.student_id, part))
    return found


def grade_submission(bank: Bank, secret: str, submission: Submission) -> SubmissionResult:
    result = SubmissionResult(submission.student_id, "graded", warnings=list(submission.warnings),
                              source=submission.source, bank_fingerprint=bank_fingerprint(bank))
    given, result.not_assigned = assignment(bank, secret, submission.student_id)
    todo = []
    for question in given:
        graded_parts = answers_file_parts(question)  # code parts are graded from the notebook by otter
        if not graded_parts:
            continue
        variant = make_variant(bank, question, secret, submission.student_id, only={p.id for p in graded_parts},
                               read_only=True)  # grading only reads the specs
        answers = submission.answers.get(question.id, {})
        for part in graded_parts:
            raw = answers.get(part.id)
            spec = variant.parts[part.id]
            memo = check_memo(bank, question.id, part, variant.values, spec) if raw is None or isinstance(raw, str) \
                else None
            todo.append((question, part, variant, spec, raw, memo))
    # an answer typed before to the same variant was checked then, and gets the very result made then (a
    # PartResult is a pure function of the spec and the text); the others are checked under their own time
    # and memory limit, the symbolic ones in one round trip to the child
    parts: list = [None if memo is None else memo.get(raw) for *_, raw, memo in todo]
    needed = [index for index, known in enumerate(parts) if known is None]
    for index, check in zip(needed, check_parts([todo[index][3:5] for index in needed])):
        question, part, variant, spec, raw, memo = todo[index]
        if isinstance(check, Exception):  # a bug of ours must not cost the student the other parts
            error = check
            traceback.print_exception(error, file=sys.stderr)  # for the instructor's log, never the feedback
            check = CheckResult("invalid", 0.0, feedback("internal"), f"internal-error:{type(error).__name__}",
                                (raw or "")[:200])
            result.warnings.append(f"internal error while checking {question.id} part {part.id} "
                                   f"({type(error).__name__}); this part will be reviewed by hand")
            memo = None  # never remembered: checked again next time
        elif check.note == "timeout":
            memo = None
        parts[index] = _part_result(question, part, variant, spec, raw, check)
        if memo is not None:
            remember(memo, raw, parts[index])
    result.parts.extend(parts)
    return result


def _part_result(question, part, variant, spec: dict, raw: str | None, check: CheckResult) -> PartResult:
    max_points = question.part_points(part)
    points = max_points if check.score == 1.0 else round(max_points * check.score, 6)
    # every later view (feedback, results.json, statistics) echoes these, so they are capped once here
    check = replace(check, answer=cap_answer(check.answer))
    return PartResult(question.id, part.id, part.type, max_points, points, check,
                      cap_answer(raw, not auto_graded(part.type)), variant.reference_text(part.id),
                      chosen_options(spec, check))


def empty_result(bank: Bank, student_id: str, status: str, message: str, source: str = "",
                 secret: str | None = None) -> SubmissionResult:
    """A zero result with every part listed, for a missing or unreadable submission.

    With the secret, a bank with pools lists only the questions the student was given.
    """
    result = SubmissionResult(student_id, status, message=message, source=source,
                              bank_fingerprint=bank_fingerprint(bank))
    questions = bank.questions
    if secret is not None:
        questions, result.not_assigned = assignment(bank, secret, student_id)
    for question in questions:
        for part in answers_file_parts(question):
            # The reason is said once, at the top; hand-graded parts wait for a hand-in, they are not wrong.
            check = (CheckResult("incorrect", 0.0, feedback(f"not-graded-{status}"), status) if auto_graded(part.type)
                     else CheckResult("pending", 0.0, feedback("not-graded-pending"), status))
            result.parts.append(PartResult(question.id, part.id, part.type, question.part_points(part), 0.0, check,
                                           None))
    return result


def chosen_options(spec: dict, check: CheckResult) -> tuple[int, ...]:
    """The options a choice/checkbox answer chose, by their number in the bank (shuffles undone)."""
    if "options" not in spec or check.verdict == "invalid" or not check.answer:
        return ()
    from grader.check.types.choice import LABELS

    numbers = []
    for label in (piece.strip() for piece in check.answer.split(",")):
        if len(label) == 1 and label in LABELS[: len(spec["options"])]:
            numbers.append(int(spec["options"][LABELS.index(label)].get("number", LABELS.index(label) + 1)))
    return tuple(sorted(numbers))
