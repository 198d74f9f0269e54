"""The class gradebook: one CSV row per roster student, whatever happened."""

from __future__ import annotations

import csv
import io

from grader.bank.fingerprint import bank_fingerprint, grader_version
from grader.bank.model import Bank
from grader.check.registry import answers_file_parts
from grader.core.safe_text import spreadsheet_row
from grader.course.roster import Student
from grader.grading.grade import SubmissionResult


def gradebook_csv(bank: Bank, students: list[Student], results: dict[str, SubmissionResult]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    questions = [q for q in bank.questions if answers_file_parts(q)]
    writer.writerow(spreadsheet_row(["student_id", "name", "email", "status", "score", "max_score", "percent",
                                     "pending_manual", *[question.id for question in questions], "message",
                                     "bank_fingerprint", "grader_version"]))
    roster_ids = {student.id for student in students}
    extra = [Student(sid) for sid in sorted(results) if sid not in roster_ids]
    for student in [*students, *extra]:
        result = results[student.id]
        status = result.status if student.id in roster_ids else "not-on-roster"
        pending = sum(p.max_points for p in result.pending)
        auto_max = result.max_points - pending
        percent = 100 * result.points / auto_max if auto_max else 0.0
        message = result.message or "; ".join(result.warnings)
        by_question = result.points_by_question()
        # every cell neutralised (OWASP): a file name, key or name starting with = must stay text
        writer.writerow(spreadsheet_row([student.id, student.name, student.email, status, f"{result.points:g}",
                                         f"{auto_max:g}", f"{percent:.1f}", f"{pending:g}",
                                         *["not assigned" if q.id in result.not_assigned
                                           else f"{by_question.get(q.id, (0, 0))[0]:g}" for q in questions],
                                         message, result.bank_fingerprint or bank_fingerprint(bank),
                                         result.grader_version or grader_version()]))
    return buffer.getvalue()
