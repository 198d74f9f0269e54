"""The Starlette application: settings, per-process state, sign-in and the route table.

Each server process builds its own ``WebApp`` from ``WebSettings``: the
bank, the roster, a database engine and a worker pool. Everything a second
process or host must agree on (answers, salts, rate-limit counts) is in the
database or in the signed session cookie, never in this process's memory.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from grader.bank.fingerprint import bank_fingerprint
from grader.bank.model import Bank, Question, load_bank
from grader.bank.pools import assigned_questions
from grader.course.roster import Student, read_roster
from grader.web import db
from grader.web.messages import web_message
from grader.web.pages import message_page
from grader.web.security import SecurityHeaders
from grader.web.tokens import (
    INSTRUCTOR,
    INSTRUCTOR_SUBJECT,
    STUDENT,
    Identity,
    claimed_student,
    derived_key,
    new_csrf_token,
    salt_fingerprint,
    student_subject,
    verify_instructor,
    verify_student,
)
from grader.web.worker import WorkerPool, _warm

SETTINGS_ENV = "GRADER_WEB_SETTINGS"  # JSON of WebSettings (without the secret) for uvicorn --workers
SESSION_DAYS = 14
STATIC = Path(__file__).with_name("static")


@dataclass(frozen=True)
class WebSettings:
    bank_path: str
    roster_path: str
    db_url: str
    jobs: int = 2  # grading processes per server process
    id_column: str | None = None
    submit_limit: int = 20  # submissions per student per minute
    check_limit: int = 240  # format checks and previews per student per minute
    migrate: bool = True
    secure_cookies: bool = False  # send the session cookie over HTTPS only (behind a TLS proxy)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> WebSettings:
        return cls(**json.loads(os.environ[SETTINGS_ENV]))


@dataclass
class WebApp:
    settings: WebSettings
    secret: str
    bank: Bank
    students: dict[str, Student]
    engine: object
    clock: Callable[[], dt.datetime] = db.utcnow
    fingerprint: str = ""
    pool: WorkerPool | None = field(default=None, repr=False)

    def now(self) -> dt.datetime:
        return self.clock()

    def questions_for(self, student: str) -> list[Question]:
        """The questions this student was given (a bank's pools give each student k of n), in bank order."""
        return assigned_questions(self.bank, self.secret, student)

    async def identity(self, request: Request) -> Identity | None:
        """Who the signed session cookie says this is, if their salt has not been rotated since."""
        session = request.session
        role = session.get("role")
        if role == STUDENT and session.get("student") in self.students:
            student = session["student"]
            salt = await run_in_threadpool(db.salt_for, self.engine, student_subject(student))
            if session.get("salt") == salt_fingerprint(self.secret, salt):
                return Identity(STUDENT, student)
        if role == INSTRUCTOR:
            salt = await run_in_threadpool(db.salt_for, self.engine, INSTRUCTOR_SUBJECT)
            if session.get("salt") == salt_fingerprint(self.secret, salt):
                return Identity(INSTRUCTOR)
        return None


def state(request: Request) -> WebApp:
    return request.app.state.web


async def sign_in(request: Request) -> Response:
    web = state(request)
    token = request.path_params["token"]
    request.session.clear()
    if token.startswith("i."):
        salt = await run_in_threadpool(db.salt_for, web.engine, INSTRUCTOR_SUBJECT)
        if verify_instructor(web.secret, token, salt):
            request.session.update(role=INSTRUCTOR, salt=salt_fingerprint(web.secret, salt), csrf=new_csrf_token())
            return RedirectResponse("/instructor", status_code=303)
        return message_page(request, 403, web_message("bad-link"), "Sign-in failed")
    student = claimed_student(token)
    if student in web.students:
        salt = await run_in_threadpool(db.salt_for, web.engine, student_subject(student))
        if verify_student(web.secret, token, student, salt):
            request.session.update(role=STUDENT, student=student, salt=salt_fingerprint(web.secret, salt),
                                   csrf=new_csrf_token())
            return RedirectResponse("/", status_code=303)
    return message_page(request, 403, web_message("bad-link"), "Sign-in failed")


async def sign_out(request: Request) -> Response:
    request.session.clear()
    return message_page(request, 200, "You are signed out.", "Signed out")


async def static_file(request: Request) -> Response:
    from grader.documents.render import PAGE_STYLE

    name = request.path_params["name"]
    if name == "grader.css":
        css = PAGE_STYLE + "\n" + (STATIC / "web.css").read_text(encoding="utf-8")
        return Response(css, media_type="text/css", headers={"cache-control": "max-age=300"})
    if name == "grader.js":
        return Response((STATIC / "grader.js").read_text(encoding="utf-8"), media_type="text/javascript",
                        headers={"cache-control": "max-age=300"})
    return PlainTextResponse("not found", status_code=404)


async def health(request: Request) -> Response:
    return PlainTextResponse("ok")


def build_state(settings: WebSettings, secret: str, clock: Callable[[], dt.datetime] | None = None) -> WebApp:
    bank = load_bank(settings.bank_path)
    students = {student.id: student for student in read_roster(settings.roster_path, settings.id_column)}
    engine = db.make_engine(settings.db_url)
    if settings.migrate:
        db.migrate(engine)
    web = WebApp(settings, secret, bank, students, engine, clock or db.utcnow, bank_fingerprint(bank))  # the fingerprint every other output records
    return web


def create_app(settings: WebSettings, secret: str, clock: Callable[[], dt.datetime] | None = None) -> Starlette:
    from grader.web import instructor, student

    web = build_state(settings, secret, clock)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        web.pool = WorkerPool(settings.bank_path, secret, settings.jobs)
        await web.pool.run(_warm, timeout=120)  # load the bank in the workers before the first student arrives
        await web.pool.run(_warm, timeout=120, pool=web.pool.views)
        try:
            yield
        finally:
            web.pool.close()
            web.engine.dispose()

    routes = [
        Route("/", student.bank_page),
        Route("/signin/{token}", sign_in),
        Route("/signout", sign_out, methods=["POST"]),
        Route("/q/{question}", student.question_page, methods=["GET", "POST"]),
        Route("/q/{question}/preview", student.preview, methods=["POST"]),
        Route("/instructor", instructor.gradebook_page),
        Route("/instructor/gradebook.csv", instructor.gradebook_download),
        Route("/instructor/students/{student}", instructor.history_page),
        Route("/static/{name}", static_file),
        Route("/healthz", health),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(SessionMiddleware, secret_key=derived_key(secret, "session").hex(), session_cookie="grader_session",
                   max_age=SESSION_DAYS * 24 * 3600, same_site="lax", https_only=settings.secure_cookies),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.web = web
    return app


def app_from_environment() -> Starlette:
    """The factory ``uvicorn --factory`` calls in every worker process (``grader serve --workers N``)."""
    settings = WebSettings.from_env()
    from dataclasses import replace

    return create_app(replace(settings, migrate=False), os.environ["GRADER_SECRET"])
