"""Shared helpers for the web app's tests: databases (SQLite, and a throwaway PostgreSQL), apps, sign-in.

The PostgreSQL server is real: ``GRADER_TEST_POSTGRES_URL`` if set, otherwise a cluster this module
initdb's under a temporary folder with Debian's ``/usr/lib/postgresql/15/bin`` on a free port (as the
``postgres`` user when the tests run as root, since PostgreSQL refuses to run as root), stopped at the end.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOMEWORK = ROOT / "tests" / "fixtures" / "web" / "homework.yaml"
HOMEWORK_ROSTER = ROOT / "tests" / "fixtures" / "web" / "roster.csv"
SECRET = "web-test-secret"
_INSTALLED = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
                    if p.parent.name.isdigit() else 0)
PG_BIN = Path(os.environ.get("GRADER_TEST_POSTGRES_BIN") or (_INSTALLED[-1] if _INSTALLED else
                                                             "/usr/lib/postgresql/15/bin"))


class Clock:
    """A clock the test moves; the app reads it for every decision about time."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresCluster:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(folder, "postgres")

    def run(self, *command: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *command], capture_output=True, text=True, timeout=120)

    def start(self) -> str:
        data = self.folder / "data"
        init = self.run(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
        if init.returncode:
            raise RuntimeError(init.stderr)
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=on"
        started = self.run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                           str(self.folder / "log"), "-w", "start")
        if started.returncode:
            raise RuntimeError(started.stderr + started.stdout)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """The URL of a PostgreSQL server's maintenance database, or a skip with the reason."""
    given = os.environ.get("GRADER_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"no PostgreSQL: set GRADER_TEST_POSTGRES_URL or install postgresql ({PG_BIN} is missing)")
    # Not under pytest's tmp folder: that is private to root, and PostgreSQL runs as the postgres user.
    folder = Path(tempfile.mkdtemp(prefix="grader-test-postgres-"))
    cluster = PostgresCluster(folder)
    try:
        url = cluster.start()
    except (RuntimeError, OSError) as error:
        pytest.skip(f"could not start a throwaway PostgreSQL: {str(error)[-300:]}")
    yield url
    cluster.stop()
    shutil.rmtree(folder, ignore_errors=True)


def fresh_postgres_database(server_url: str) -> str:
    import sqlalchemy as sa

    name = f"grader_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Every test that takes this runs twice: on SQLite and on a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'web.sqlite3'}"
    return fresh_postgres_database(request.getfixturevalue("postgres_server"))


def make_client(db_url: str, clock: Clock, bank: Path = HOMEWORK, roster: Path = HOMEWORK_ROSTER, **settings):
    from starlette.testclient import TestClient

    from grader.web.app import WebSettings, create_app

    app = create_app(WebSettings(str(bank), str(roster), db_url, jobs=1, **settings), SECRET, clock)
    return TestClient(app, base_url="http://testserver")


def sign_in(client, student: str, secret: str = SECRET, salt: str = "") -> None:
    from grader.web.links import student_link

    response = client.get(student_link("", secret, student, salt), follow_redirects=False)
    assert response.status_code == 303, response.text


def sign_in_instructor(client, secret: str = SECRET, salt: str = "") -> None:
    from grader.web.links import instructor_link

    response = client.get(instructor_link("", secret, salt), follow_redirects=False)
    assert response.status_code == 303, response.text


def csrf(page_html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page_html).group(1)


def post_answers(client, question: str, answers: dict[str, str], action: str = "submit", token: str | None = None):
    token = token or csrf(client.get(f"/q/{question}").text)
    form = {"csrf": token, "action": action, **{f"answer.{part}": text for part, text in answers.items()}}
    return client.post(f"/q/{question}", data=form, follow_redirects=True)


def question_json(client, question: str) -> dict:
    response = client.get(f"/q/{question}?format=json")
    assert response.status_code == 200, response.text
    return response.json()


def part_json(client, question: str, part: str = "a") -> dict:
    return next(p for p in question_json(client, question)["parts"] if p["id"] == part)


def reference(bank_path: Path, question: str, student: str, part: str = "a", round_: int = 0) -> str:
    """The reference answer, computed by the library itself, as a student would type it."""
    from grader import load_bank, make_variant

    bank = load_bank(bank_path)
    return make_variant(bank, bank.by_id[question], SECRET, student, round_).reference_text(part)


def variant(bank_path: Path, question: str, student: str, round_: int = 0):
    from grader import load_bank, make_variant

    bank = load_bank(bank_path)
    return make_variant(bank, bank.by_id[question], SECRET, student, round_)


def visible_text(page_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page_html))


def wait_for_server(base: str, process, seconds: float) -> bool:
    """True once ``base``/healthz answers; False if ``seconds`` pass or the server process ends first."""
    import time
    import urllib.request

    deadline = time.time() + seconds
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
            return True
        except OSError:
            if time.time() > deadline or process.poll() is not None:
                return False
            time.sleep(0.2)
