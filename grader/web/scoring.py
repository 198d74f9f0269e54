"""Scores derived from stored answer rows, by the bank's attempts and timing policy.

Nothing here stores anything: a part's score is always recomputed from its
rows (the checker's score, the attempt number, the time), so the gradebook
after a crash and a restart is the same as before it. A row's credit is its
checker score, less ``penalty`` for each attempt after the first, less
``late_penalty`` when it came after ``closes``; the part keeps its best or
its last credit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from grader.bank.homework import HomeworkPolicy
from grader.bank.model import Bank, Part, Question
from grader.bank.pools import assignment
from grader.check.base import CheckResult
from grader.check.registry import answers_file_parts
from grader.grading.grade import PartResult, SubmissionResult, empty_result
from grader.web.db import AnswerRow
from grader.web.grading import grade_answer

NOT_OPEN, OPEN, LATE, CLOSED = "not-open", "open", "late", "closed"


def window(policy: HomeworkPolicy, now: dt.datetime) -> str:
    if policy.opens and now < policy.opens:
        return NOT_OPEN
    if policy.closes and now >= policy.closes:
        return LATE if policy.late_until and now < policy.late_until else CLOSED
    return OPEN


def row_credit(row: AnswerRow, policy: HomeworkPolicy) -> float:
    credit = row.score * max(0.0, 1.0 - policy.penalty * (row.attempt - 1))
    if policy.closes and row.submitted_at >= policy.closes:
        credit *= 1.0 - policy.late_penalty
    return round(credit, 6)


@dataclass
class PartStanding:
    part: Part
    max_points: float
    rows: list[AnswerRow]
    current: AnswerRow | None  # the latest row for the variant the student sees now
    credit: float  # kept credit in [0, 1]
    attempts_left: int | None  # None: unlimited
    locked: bool
    may_reveal: bool

    @property
    def points(self) -> float:
        return self.max_points if self.credit == 1.0 else round(self.max_points * self.credit, 6)

    @property
    def kept(self) -> AnswerRow | None:
        if not self.rows:
            return None
        return self.rows[-1] if self.keep_last else max(self.rows, key=lambda r: (self.row_credits[r.id], r.id))

    keep_last: bool = False
    row_credits: dict[int, float] = field(default_factory=dict)


@dataclass
class QuestionStanding:
    question: Question
    round: int
    submissions: int
    window: str
    parts: list[PartStanding]

    @property
    def points(self) -> float:
        return round(sum(part.points for part in self.parts), 6)

    @property
    def max_points(self) -> float:
        return round(sum(part.max_points for part in self.parts), 6)

    @property
    def status(self) -> str:
        if not any(part.rows for part in self.parts):
            return "not started"
        if all(part.locked for part in self.parts):
            return "done"
        return "in progress"


def variant_round(question: Question, rows: list[AnswerRow]) -> tuple[int, int]:
    """(round, submissions so far): a fresh variant after every ``new_variant_after`` submissions
    that left some part unsolved; a variant the student has solved stays."""
    order: dict[str, list[AnswerRow]] = {}
    for row in rows:
        order.setdefault(row.submission, []).append(row)
    every = question.homework.new_variant_after
    round_, in_round, solved = 0, 0, set()
    wanted = {part.id for part in answers_file_parts(question)}
    for submission_rows in order.values():
        in_round += 1
        solved |= {r.part for r in submission_rows if r.score >= 1.0 or r.verdict == "pending"}
        if every and in_round >= every and not wanted <= solved:
            round_, in_round, solved = round_ + 1, 0, set()
    return round_, len(order)


def question_standing(bank: Bank, question: Question, rows: list[AnswerRow], now: dt.datetime) -> QuestionStanding:
    """One student's standing on one question, from that student's rows for it (in stored order)."""
    policy = question.homework
    round_, submissions = variant_round(question, rows)
    state = window(policy, now)
    parts = []
    for part in answers_file_parts(question):
        mine = [row for row in rows if row.part == part.id]
        credits = {row.id: row_credit(row, policy) for row in mine}
        if not mine:
            credit = 0.0
        elif policy.keep == "last":
            credit = credits[mine[-1].id]
        else:
            credit = max(credits.values())
        current = next((row for row in reversed(mine) if row.variant_round == round_), None)
        left = None if policy.attempts is None else max(0, policy.attempts - len(mine))
        solved = current is not None and (current.score >= 1.0 or current.verdict == "pending")
        locked = state in (NOT_OPEN, CLOSED) or left == 0 or solved
        show = bank.show_answers if part.show_answer is None else part.show_answer
        may_reveal = bool(show) and not solved and (left == 0 or state == CLOSED)
        parts.append(PartStanding(part, question.part_points(part), mine, current, credit, left, locked, may_reveal,
                                  policy.keep == "last", credits))
    return QuestionStanding(question, round_, submissions, state, parts)


def student_result(bank: Bank, student: str, rows: list[AnswerRow], now: dt.datetime,
                   secret: str | None = None) -> SubmissionResult:
    """A ``SubmissionResult`` from stored rows, so the gradebook and summary of ``grader grade`` apply as is.

    With the secret, a bank with pools counts only the questions the student was given, as grader grade does.
    """
    if not rows:
        return empty_result(bank, student, "missing", "No answers submitted yet.", secret=secret)
    result = SubmissionResult(student, "graded", source="web")
    questions = bank.questions
    if secret is not None:
        questions, result.not_assigned = assignment(bank, secret, student)
    for question in questions:
        standing = question_standing(bank, question, [r for r in rows if r.question == question.id], now)
        for part in standing.parts:
            kept = part.kept
            if kept is None:  # never answered: exactly what grader grade says of a blank answer to this part
                check = grade_answer({"type": part.part.type, "id": part.part.id, **part.part.settings}, "")
            else:
                check = CheckResult(kept.verdict, part.credit, kept.feedback, kept.note, kept.shown)
            result.parts.append(PartResult(question.id, part.part.id, part.part.type, part.max_points, part.points,
                                           check, kept.raw if kept else None))
    if bank.practice:
        result.message = "practice bank: these scores do not count"
    return result
