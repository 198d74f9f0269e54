"""The student's pages: the bank (questions and their status) and one question (check, submit, preview).

A student only ever reaches their own rows: the student id comes from the
signed session, never from the URL or the form. Check reads the answers
without using an attempt; Submit grades them in the worker pool, refuses
the whole submission (no attempt used) when an answer cannot be read, and
otherwise stores one row per answered part, committed before the redirect.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from grader.bank.model import Question
from grader.check.base import CheckResult
from grader.web import db
from grader.web.app import WebApp, state
from grader.web.messages import web_message
from grader.web.pages import message_page, respond, wants_json
from grader.web.scoring import CLOSED, LATE, NOT_OPEN, OPEN, QuestionStanding, question_standing, row_credit
from grader.web.security import MAX_ANSWER_CHARS, AnswerForm, BadForm, csrf_ok, read_form
from grader.web.tokens import INSTRUCTOR, STUDENT, Identity

RATE_WINDOW = dt.timedelta(minutes=1)


async def _student(request: Request, identity: Identity | None = None
                   ) -> tuple[WebApp, Identity | None, Response | None]:
    web = state(request)
    identity = identity or await web.identity(request)
    if identity is None:
        return web, None, message_page(request, 401, web_message("sign-in-needed"), "Sign in")
    if identity.role != STUDENT:
        return web, identity, message_page(request, 403, web_message("students-only"), "Students only")
    return web, identity, None


def _stamp(moment: dt.datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else None


async def bank_page(request: Request) -> Response:
    web = state(request)
    identity = await web.identity(request)
    if identity is not None and identity.role == INSTRUCTOR:
        return RedirectResponse("/instructor", status_code=303)
    web, identity, refusal = await _student(request, identity)
    if refusal:
        return refusal
    rows = await run_in_threadpool(db.answers_for, web.engine, web.bank.id, identity.student)
    now = web.now()
    questions, total, maximum = [], 0.0, 0.0
    for question in web.questions_for(identity.student):
        standing = question_standing(web.bank, question, [r for r in rows if r.question == question.id], now)
        if not standing.parts:
            continue
        total, maximum = total + standing.points, maximum + standing.max_points
        lefts = [p.attempts_left for p in standing.parts]
        attempts = "unlimited" if None in lefts else f"{min(lefts)} left"
        questions.append({"id": question.id, "title": question.title, "url": f"/q/{question.id}",
                          "status": standing.status, "points": standing.points, "max_points": standing.max_points,
                          "attempts": attempts, "window": _window_text(question, standing.window)})
    student = web.students[identity.student]
    data = {"title": web.bank.title, "bank_title": web.bank.title, "signed_in": student.id,
            "bank": {"id": web.bank.id, "title": web.bank.title, "practice": web.bank.practice,
                     "practice_note": web_message("practice")},
            "student": {"id": student.id, "name": student.name, "points": round(total, 6),
                        "max_points": round(maximum, 6)},
            "questions": questions}
    return respond(request, "bank.html.j2", data)


def _window_text(question: Question, window: str) -> str:
    policy = question.homework
    if window == NOT_OPEN:
        return web_message("not-open", opens=_stamp(policy.opens))
    if window == CLOSED:
        return web_message("closed", closes=_stamp(policy.closes))
    if window == LATE:
        return web_message("late", late_until=_stamp(policy.late_until), penalty=policy.late_penalty)
    return f"open until {_stamp(policy.closes)}" if policy.closes else "open"


def _feedback_html(text: str) -> Markup:
    """Stored feedback as the feedback pages show it: Markdown with its math as MathML (no network), the
    answer in the reveal line as math, what the student typed as code; raw HTML in it is escaped."""
    from grader.report.feedback import feedback_block
    from grader.report.math_feedback import feedback_html_fragment

    return Markup(feedback_html_fragment(feedback_block(text))) if text else Markup("")


async def question_page(request: Request) -> Response:
    web, identity, refusal = await _student(request)
    if refusal:
        return refusal
    question = web.bank.by_id.get(request.path_params["question"])
    if question is None:
        return message_page(request, 404, web_message("no-question", question=request.path_params["question"]))
    if question not in web.questions_for(identity.student):  # a pool gave this student other questions
        return message_page(request, 404, web_message("not-assigned", question=question.id))
    if request.method == "GET":
        return await _render(request, web, identity.student, question)
    try:
        form = await read_form(request)
    except BadForm as error:
        return message_page(request, error.status, error.message)
    if not csrf_ok(form, request.session.get("csrf")):
        return message_page(request, 403, web_message("csrf"), "Form expired")
    if form.action == "check":
        return await _check(request, web, identity.student, question, form)
    return await _submit(request, web, identity.student, question, form)


async def _standing(web: WebApp, student: str, question: Question) -> QuestionStanding:
    rows = await run_in_threadpool(db.answers_for, web.engine, web.bank.id, student, question.id)
    return question_standing(web.bank, question, rows, web.now())


async def _render(request: Request, web: WebApp, student: str, question: Question, *, standing=None,
                  typed: dict[str, str] | None = None, checks: dict[str, dict] | None = None,
                  notice: str = "", status: int = 200) -> Response:
    standing = standing or await _standing(web, student, question)
    typed, checks = typed or {}, checks or {}
    accepting = standing.window in (OPEN, LATE) and not all(p.locked for p in standing.parts)
    view = None
    if standing.window != NOT_OPEN:
        view = await web.pool.view(student, question.id, standing.round)
    notice = notice or (_window_text(question, standing.window) if standing.window != OPEN else "")
    parts: list[dict[str, Any]] = []
    views = {p["id"]: p for p in (view["parts"] if view else [])}
    for part in standing.parts:
        shown = views.get(part.part.id, {"prompt_html": "", "hint": "", "options": []})
        current = part.current
        value = typed.get(part.part.id, current.raw if current else "")
        revealed = None
        if part.may_reveal:
            revealed = await web.pool.reveal(student, question.id, standing.round, part.part.id)
        last = None
        shown_row = current or (part.rows[-1] if part.rows else None)  # after a fresh variant: the old result
        if shown_row is not None:
            last = {"answer": shown_row.raw, "verdict": shown_row.verdict, "feedback": shown_row.feedback,
                    "feedback_html": _feedback_html(shown_row.feedback),
                    "note": shown_row.note, "attempt": shown_row.attempt, "previous_variant": current is None,
                    "points": round(part.max_points * row_credit(shown_row, question.homework), 6)}
        parts.append({"id": part.part.id, "type": part.part.type, "points": part.max_points,
                      "prompt_html": shown["prompt_html"], "hint": shown["hint"], "options": shown["options"],
                      "value": value, "ticked": [t.strip() for t in value.split(",")],
                      "locked": part.locked, "attempts_used": len(part.rows), "attempts_left": part.attempts_left,
                      "penalty": question.homework.penalty, "kept_points": part.points, "last": last,
                      "check": checks.get(part.part.id), "revealed": revealed})
    data = {"title": question.title, "bank_title": web.bank.title, "signed_in": student,
            "csrf": request.session.get("csrf", ""), "max_chars": MAX_ANSWER_CHARS, "notice": notice,
            "question": {"id": question.id, "title": question.title, "points": question.points,
                         "url": f"/q/{question.id}", "text_html": view["text_html"] if view else None,
                         "notebook_parts": view["notebook_parts"] if view else [],
                         "window": standing.window, "round": standing.round, "submissions": standing.submissions,
                         "accepting": accepting, "points_earned": standing.points,
                         "opens": _stamp(question.homework.opens), "closes": _stamp(question.homework.closes),
                         "late_until": _stamp(question.homework.late_until)},
            "parts": parts}
    return respond(request, "question.html.j2", data, status)


def _too_long(raw: str) -> dict[str, Any] | None:
    if len(raw) > MAX_ANSWER_CHARS:
        return {"readable": False, "message": web_message("answer-too-long", length=len(raw), limit=MAX_ANSWER_CHARS)}
    return None


async def _limited(web: WebApp, student: str, kind: str, limit: int) -> bool:
    count = await run_in_threadpool(db.count_recent_and_record, web.engine, student, kind, RATE_WINDOW, web.now())
    return count >= limit


async def _submit_limited(web: WebApp, student: str) -> bool:
    """Submissions count when stored (with the answers, one commit) or when refused (recorded here)."""
    count = await run_in_threadpool(db.count_recent, web.engine, student, "submit", RATE_WINDOW, web.now())
    return count >= web.settings.submit_limit


async def _refused(web: WebApp, student: str) -> None:
    await run_in_threadpool(db.record_event, web.engine, student, "submit", web.now(), RATE_WINDOW)


async def _check(request: Request, web: WebApp, student: str, question: Question, form: AnswerForm) -> Response:
    if await _limited(web, student, "check", web.settings.check_limit):
        return message_page(request, 429, web_message("rate-limited"))
    standing = await _standing(web, student, question)
    checks = {}
    for part in standing.parts:
        raw = form.answers.get(part.part.id, "")
        if raw.strip() and not part.locked:
            checks[part.part.id] = _too_long(raw) or await web.pool.check(student, question.id, standing.round,
                                                                          part.part.id, raw)
    return await _render(request, web, student, question, standing=standing, typed=form.answers, checks=checks)


async def _submit(request: Request, web: WebApp, student: str, question: Question, form: AnswerForm) -> Response:
    standing = await _standing(web, student, question)
    if standing.window not in (OPEN, LATE):
        return await _render(request, web, student, question, standing=standing, status=409)
    if await _submit_limited(web, student):
        return message_page(request, 429, web_message("rate-limited"))
    todo = [p for p in standing.parts if form.answers.get(p.part.id, "").strip() and not p.locked]
    if not todo:
        await _refused(web, student)
        return await _render(request, web, student, question, standing=standing, typed=form.answers,
                             notice=web_message("nothing-to-submit"), status=422)
    refused = {p.part.id: c for p in todo if (c := _too_long(form.answers[p.part.id]))}
    if refused:
        await _refused(web, student)
        return await _render(request, web, student, question, standing=standing, typed=form.answers, checks=refused,
                             notice=web_message("fix-format"), status=422)
    results: list[CheckResult] = await asyncio.gather(*[
        web.pool.grade(student, question.id, standing.round, p.part.id, form.answers[p.part.id]) for p in todo])
    unreadable = {p.part.id: {"readable": False, "message": r.feedback}
                  for p, r in zip(todo, results) if r.verdict == "invalid"}
    if unreadable:  # an answer we cannot read costs no attempt: the student fixes it and submits again
        await _refused(web, student)
        return await _render(request, web, student, question, standing=standing, typed=form.answers,
                             checks=unreadable, notice=web_message("fix-format"), status=422)
    submission = uuid.uuid4().hex
    now = web.now()
    rows = [{"student": student, "bank": web.bank.id, "question": question.id, "part": p.part.id,
             "raw": form.answers[p.part.id], "verdict": r.verdict, "score": r.score, "note": r.note,
             "feedback": r.feedback, "shown": r.answer, "attempt": len(p.rows) + 1, "variant_round": standing.round,
             "submission": submission, "submitted_at": now, "bank_fingerprint": web.fingerprint}
            for p, r in zip(todo, results)]
    try:
        await run_in_threadpool(db.insert_answers, web.engine, rows, student, now)
    except sa.exc.IntegrityError:  # the same attempt number stored by a concurrent request: refuse, lose nothing
        return message_page(request, 409, web_message("busy"))
    if wants_json(request):
        after = await _standing(web, student, question)
        return JSONResponse({"submission": submission, "stored": len(rows),
                             "parts": {p.part.id: {"verdict": p.current.verdict if p.current else None,
                                                   "feedback": p.current.feedback if p.current else None,
                                                   "points": p.points, "attempts_left": p.attempts_left}
                                       for p in after.parts}})
    return RedirectResponse(f"/q/{question.id}?submitted={submission}#part-{todo[0].part.id}", status_code=303)


async def preview(request: Request) -> Response:
    """How the server reads one part's text, for the live preview (JSON only)."""
    web, identity, refusal = await _student(request)
    if refusal:
        return refusal
    question = web.bank.by_id.get(request.path_params["question"])
    try:
        form = await read_form(request)
    except BadForm as error:
        return JSONResponse({"error": error.message}, status_code=error.status)
    if not csrf_ok(form, request.session.get("csrf")):
        return JSONResponse({"error": web_message("csrf")}, status_code=403)
    part_id, text = form.fields.get("part", ""), form.fields.get("text", "")
    if question is None or part_id not in {p.id for p in question.parts}:
        return JSONResponse({"error": "unknown question or part"}, status_code=404)
    if question not in web.questions_for(identity.student):  # a pool gave this student other questions
        return JSONResponse({"error": web_message("not-assigned", question=question.id)}, status_code=404)
    if not text.strip():
        return JSONResponse({"empty": True})
    if await _limited(web, identity.student, "check", web.settings.check_limit):
        return JSONResponse({"error": web_message("rate-limited")}, status_code=429)
    standing = await _standing(web, identity.student, question)
    result = _too_long(text) or await web.pool.check(identity.student, question.id, standing.round, part_id, text)
    return JSONResponse(result)
