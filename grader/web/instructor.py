"""The instructor's pages: the live gradebook, per-part statistics, one student's history, the CSV.

Every number is derived from the stored rows through ``grader.web.scoring``
into the same ``SubmissionResult`` that ``grader grade`` produces, then shown
by the same ``gradebook_csv`` and ``class_summary``: one table, two sources.
"""

from __future__ import annotations

import csv
import io

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from grader.grading.grade import SubmissionResult
from grader.report.gradebook import gradebook_csv
from grader.report.summary import class_summary
from grader.web import db
from grader.web.app import WebApp, state
from grader.web.messages import web_message
from grader.web.pages import message_page, respond
from grader.web.scoring import row_credit, student_result
from grader.web.tokens import INSTRUCTOR


async def _instructor(request: Request) -> tuple[WebApp, Response | None]:
    web = state(request)
    identity = await web.identity(request)
    if identity is None:
        return web, message_page(request, 401, web_message("sign-in-needed"), "Sign in")
    if identity.role != INSTRUCTOR:
        return web, message_page(request, 403, web_message("instructor-only"), "Instructor only")
    return web, None


def class_results(web: WebApp) -> dict[str, SubmissionResult]:
    """Every roster student's result, from the rows as they are right now."""
    rows = db.answers_for(web.engine, web.bank.id)
    by_student: dict[str, list] = {}
    for row in rows:
        by_student.setdefault(row.student, []).append(row)
    now = web.now()
    return {sid: student_result(web.bank, sid, by_student.get(sid, []), now, web.secret) for sid in web.students}


def _gradebook(web: WebApp) -> tuple[str, dict]:
    results = class_results(web)
    table = gradebook_csv(web.bank, list(web.students.values()), results)
    return table, class_summary(web.bank, results)


async def gradebook_page(request: Request) -> Response:
    web, refusal = await _instructor(request)
    if refusal:
        return refusal
    table, summary = await run_in_threadpool(_gradebook, web)
    rows = list(csv.reader(io.StringIO(table)))
    summary.pop("scores", None)
    data = {"title": f"Gradebook: {web.bank.title}", "bank_title": web.bank.title, "signed_in": "instructor",
            "bank": {"id": web.bank.id, "title": web.bank.title, "practice": web.bank.practice,
                     "practice_note": web_message("practice")},
            "gradebook": {"columns": rows[0], "rows": rows[1:]}, "summary": summary}
    return respond(request, "instructor.html.j2", data)


async def gradebook_download(request: Request) -> Response:
    web, refusal = await _instructor(request)
    if refusal:
        return refusal
    table, _ = await run_in_threadpool(_gradebook, web)
    return Response(table, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{web.bank.id}-gradebook.csv"'})


async def history_page(request: Request) -> Response:
    web, refusal = await _instructor(request)
    if refusal:
        return refusal
    student_id = request.path_params["student"]
    student = web.students.get(student_id)
    if student is None:
        return message_page(request, 404, web_message("no-student", student=student_id))
    rows = await run_in_threadpool(db.answers_for, web.engine, web.bank.id, student_id)
    result = student_result(web.bank, student_id, rows, web.now(), web.secret)
    history = [{"time": row.submitted_at.strftime("%Y-%m-%d %H:%M:%S"), "question": row.question, "part": row.part,
                "attempt": row.attempt, "variant_round": row.variant_round, "raw": row.raw, "verdict": row.verdict,
                "score": row.score, "credit": row_credit(row, web.bank.by_id[row.question].homework),
                "note": row.note, "feedback": row.feedback, "submission": row.submission}
               for row in rows if row.question in web.bank.by_id]
    pending = sum(p.max_points for p in result.pending)
    data = {"title": f"History: {student_id}", "bank_title": web.bank.title, "signed_in": "instructor",
            "student": {"id": student.id, "name": student.name, "points": result.points,
                        "max_points": round(result.max_points - pending, 6)},
            "rows": history}
    return respond(request, "history.html.j2", data)
