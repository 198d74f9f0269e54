"""The web app's database: SQLAlchemy 2 Core tables, migrations, and every query the app makes.

Answers are append-only (the migration adds triggers that refuse UPDATE
and DELETE), each write commits before the response goes out, and no
score is ever stored: ``grader.web.scoring`` derives it from these rows.
SQLite is the default (a file beside the course); any SQLAlchemy URL works,
PostgreSQL for a department (``postgresql+psycopg://...``).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

METADATA = sa.MetaData()

ANSWERS = sa.Table(
    "answers", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("student", sa.String(200), nullable=False),
    sa.Column("bank", sa.String(64), nullable=False),
    sa.Column("question", sa.String(64), nullable=False),
    sa.Column("part", sa.String(64), nullable=False),
    sa.Column("raw", sa.Text, nullable=False),
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("score", sa.Float, nullable=False),  # the checker's score in [0, 1], before any penalty
    sa.Column("note", sa.String(200), nullable=False),
    sa.Column("feedback", sa.Text, nullable=False),
    sa.Column("shown", sa.Text, nullable=False),  # the answer as the checker read it
    sa.Column("attempt", sa.Integer, nullable=False),  # this part's attempt number, from 1
    sa.Column("variant_round", sa.Integer, nullable=False),  # 0 unless new_variant_after gave a fresh variant
    sa.Column("submission", sa.String(32), nullable=False),  # one id per Submit press
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("bank_fingerprint", sa.String(64), nullable=False),
    sa.Index("answers_by_student", "bank", "student", "question", "part"),
    sa.Index("answers_by_submission", "submission"),
    # Two requests racing for the same attempt number: the second fails instead of both counting as one.
    sa.Index("answers_one_row_per_attempt", "bank", "student", "question", "part", "attempt", unique=True),
)

SALTS = sa.Table(
    "signin_salts", METADATA,
    sa.Column("subject", sa.String(200), primary_key=True),
    sa.Column("salt", sa.String(64), nullable=False),
    sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=False),
)

RATE_EVENTS = sa.Table(
    "rate_events", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("student", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("rate_events_by_student", "student", "kind", "at"),
)

MIGRATIONS = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class AnswerRow:
    id: int
    student: str
    bank: str
    question: str
    part: str
    raw: str
    verdict: str
    score: float
    note: str
    feedback: str
    shown: str
    attempt: int
    variant_round: int
    submission: str
    submitted_at: dt.datetime
    bank_fingerprint: str


def default_url(bank_path: str | Path) -> str:
    """SQLite in a file beside the course: ``<bank folder>/<bank stem>-web.sqlite3``."""
    path = Path(bank_path).resolve()
    return f"sqlite:///{path.with_name(path.stem + '-web.sqlite3')}"


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]  # psycopg 3, not the psycopg2 default
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:
            # WAL lets several server processes read while one writes. synchronous=NORMAL: a committed answer
            # survives the server being killed (the WAL is written before the commit returns); only a power cut
            # can lose the last moments, which is what PostgreSQL is for.
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (alembic, programmatically; safe to run every start)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


_SQLITE_WRITES = threading.Lock()


@contextmanager
def writing(engine: Engine):
    """A write transaction. SQLite has one writer at a time: threads of this process queue on a lock
    (first come, first served) instead of sleeping in SQLite's busy handler, which under load starves."""
    if engine.dialect.name == "sqlite":
        with _SQLITE_WRITES, engine.begin() as connection:
            yield connection
    else:
        with engine.begin() as connection:
            yield connection


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every time we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _row(mapping) -> AnswerRow:
    values = dict(mapping)
    values["submitted_at"] = _aware(values["submitted_at"])
    return AnswerRow(**values)


def insert_answers(engine: Engine, rows: list[dict], student: str = "", now: dt.datetime | None = None) -> None:
    """Store one submission's rows in one transaction, committed before this returns (with the submission's
    rate-limit event, when ``student`` is given, so a submission costs one commit)."""
    if rows:
        with writing(engine) as connection:
            connection.execute(ANSWERS.insert(), rows)
            if student:
                connection.execute(RATE_EVENTS.insert().values(student=student, kind="submit", at=now or utcnow()))


def answers_for(engine: Engine, bank: str, student: str | None = None, question: str | None = None
                ) -> list[AnswerRow]:
    """Rows in the order they were stored (``student=None``: the whole class, for the instructor)."""
    query = sa.select(ANSWERS).where(ANSWERS.c.bank == bank)
    if student is not None:
        query = query.where(ANSWERS.c.student == student)
    if question is not None:
        query = query.where(ANSWERS.c.question == question)
    with engine.connect() as connection:
        return [_row(r) for r in connection.execute(query.order_by(ANSWERS.c.id)).mappings()]


def submissions_stored(engine: Engine, submission_ids: list[str]) -> set[str]:
    found: set[str] = set()
    with engine.connect() as connection:
        for start in range(0, len(submission_ids), 500):
            chunk = submission_ids[start:start + 500]
            query = sa.select(ANSWERS.c.submission).where(ANSWERS.c.submission.in_(chunk)).distinct()
            found.update(connection.execute(query).scalars())
    return found


def salt_for(engine: Engine, subject: str) -> str:
    """A subject's sign-in salt; '' until it is first rotated."""
    with engine.connect() as connection:
        salt = connection.execute(sa.select(SALTS.c.salt).where(SALTS.c.subject == subject)).scalar()
    return salt or ""


def all_salts(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(SALTS.c.subject, SALTS.c.salt)).all())


def rotate_salt(engine: Engine, subject: str) -> str:
    """A new salt: every link and session of ``subject`` made with the old one stops working."""
    salt = secrets.token_hex(16)
    with writing(engine) as connection:
        connection.execute(SALTS.delete().where(SALTS.c.subject == subject))
        connection.execute(SALTS.insert().values(subject=subject, salt=salt, rotated_at=utcnow()))
    return salt


def count_recent(engine: Engine, student: str, kind: str, window: dt.timedelta, now: dt.datetime) -> int:
    """How many ``kind`` events the student had in the window. Kept in the database, so every server
    process and host sees the same count."""
    with engine.connect() as connection:
        return int(connection.execute(
            sa.select(sa.func.count()).select_from(RATE_EVENTS).where(
                RATE_EVENTS.c.student == student, RATE_EVENTS.c.kind == kind, RATE_EVENTS.c.at > now - window)
        ).scalar_one())


def record_event(engine: Engine, student: str, kind: str, now: dt.datetime, window: dt.timedelta) -> None:
    with writing(engine) as connection:
        connection.execute(RATE_EVENTS.insert().values(student=student, kind=kind, at=now))
        if secrets.randbelow(50) == 0:  # prune now and then; old events never matter again
            connection.execute(RATE_EVENTS.delete().where(RATE_EVENTS.c.at < now - 2 * window))


def count_recent_and_record(engine: Engine, student: str, kind: str, window: dt.timedelta,
                            now: dt.datetime) -> int:
    """How many ``kind`` events the student had in the window, before this one; then record this one."""
    count = count_recent(engine, student, kind, window, now)
    record_event(engine, student, kind, now, window)
    return count
