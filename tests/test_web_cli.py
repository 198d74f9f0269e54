"""``grader links`` and ``grader serve`` as a user runs them; the homework keys' errors; the killable pool."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from web_support import HOMEWORK, HOMEWORK_ROSTER, ROOT, SECRET

from grader.core.errors import BankError
from grader.web.tokens import claimed_student, verify_student

pytestmark = pytest.mark.web


def grader(*args: str, env_secret: str | None = SECRET) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    if env_secret:
        env["GRADER_SECRET"] = env_secret
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)


def read_links(path: Path) -> dict[str, dict]:
    return {row["student_id"]: row for row in csv.DictReader(path.open(encoding="utf-8"))}


def test_links_writes_one_verifiable_link_per_student_and_rotation_changes_only_one(tmp_path):
    database = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    first = grader("links", str(HOMEWORK), "--roster", str(HOMEWORK_ROSTER), "--base-url", "https://hw.example.edu/",
                   "--db", database, "--out", str(tmp_path / "links.csv"))
    assert first.returncode == 0, first.stderr
    assert "instructor: https://hw.example.edu/signin/i." in first.stderr
    links = read_links(tmp_path / "links.csv")
    assert list(links) == ["s001", "s002", "s003"] and links["s002"]["name"] == "Alan Turing"
    for student, row in links.items():
        token = row["link"].rsplit("/", 1)[1]
        assert row["link"].startswith("https://hw.example.edu/signin/")
        assert claimed_student(token) == student and verify_student(SECRET, token, student, "")
        assert not verify_student("another secret", token, student, "")
    again = grader("links", str(HOMEWORK), "--roster", str(HOMEWORK_ROSTER), "--base-url", "https://hw.example.edu",
                   "--db", database, "--out", str(tmp_path / "again.csv"), "--rotate", "s003")
    assert again.returncode == 0, again.stderr
    rotated = read_links(tmp_path / "again.csv")
    assert rotated["s001"]["link"] == links["s001"]["link"] and rotated["s002"]["link"] == links["s002"]["link"]
    assert rotated["s003"]["link"] != links["s003"]["link"]


def test_links_names_an_unknown_student_to_rotate(tmp_path):
    result = grader("links", str(HOMEWORK), "--roster", str(HOMEWORK_ROSTER), "--base-url", "http://x",
                    "--db", f"sqlite:///{tmp_path / 'w.sqlite3'}", "--rotate", "nobody")
    assert result.returncode != 0 and "nobody" in result.stderr and "Traceback" not in result.stderr


def test_serve_without_a_secret_is_one_line_not_a_traceback(tmp_path):
    result = grader("serve", str(HOMEWORK), "--roster", str(HOMEWORK_ROSTER), "--db",
                    f"sqlite:///{tmp_path / 'w.sqlite3'}", env_secret=None)
    assert result.returncode == 2 and "no course secret" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("snippet, message", [
    ("attempts: 0", "attempts must be a whole number >= 1"),
    ("penalty: 1.5", "penalty must be a fraction from 0 to 1"),
    ("keep: first", "keep must be one of best, last"),
    ("closes: tomorrow", "closes must be an ISO 8601 time"),
    ("closes: 2030-01-10T12:00:00", "closes needs a time zone"),
    ("late_until: 2030-01-10T12:00:00Z", "late_until needs closes"),
])
def test_homework_keys_are_checked_with_their_place(tmp_path, snippet, message):
    from grader.bank.model import load_bank

    bank = tmp_path / "bank.yaml"
    bank.write_text(f"id: b\ntitle: B\n{snippet}\nquestions:\n  - id: q\n    title: Q\n    text: 1 + 1?\n"
                    "    parts:\n      - id: a\n        type: integer\n        answer: 2\n", encoding="utf-8")
    with pytest.raises(BankError) as raised:
        load_bank(bank)
    assert message in raised.value.message
    assert raised.value.location.line == 3


def test_a_question_overrides_the_attempts_and_times_are_utc():
    from grader.bank.model import load_bank

    bank = load_bank(HOMEWORK)
    assert bank.homework.closes == dt.datetime(2030, 1, 10, 12, tzinfo=dt.UTC)
    assert bank.by_id["add"].homework.attempts == 3 and bank.by_id["retry"].homework.attempts is None
    assert bank.by_id["last"].homework.keep == "last" and bank.by_id["last"].homework.closes == bank.homework.closes


def test_a_task_that_overruns_is_killed_and_the_pool_keeps_working():
    from grader.web.worker import WorkerPool, _warm

    async def scenario():
        pool = WorkerPool(str(HOMEWORK), SECRET, jobs=1, time_limit=1.0)
        try:
            assert await pool.run(_warm, timeout=60)
            started = time.perf_counter()
            with pytest.raises(TimeoutError):
                await pool.run(time.sleep, 30)
            assert time.perf_counter() - started < 10
            assert await pool.run(_warm, timeout=60), "the pool did not replace the killed worker"
            result = await pool.grade("s001", "add", 0, "a", "12")
            assert result.verdict in ("correct", "incorrect")
        finally:
            pool.close()

    asyncio.run(scenario())


def test_several_server_processes_share_sessions_and_answers(tmp_path):
    """grader serve --workers 2: requests on fresh connections land on either process and agree."""
    import re
    import signal

    import httpx
    from web_support import free_port, reference, wait_for_server

    from grader.web.links import student_link

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"} | {"GRADER_SECRET": SECRET}
    server = subprocess.Popen([sys.executable, "-m", "grader.cli", "serve", str(HOMEWORK), "--roster",
                               str(HOMEWORK_ROSTER), "--db", f"sqlite:///{tmp_path / 'w.sqlite3'}", "--port", str(port),
                               "--workers", "2", "--jobs", "1"], cwd=ROOT, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for_server(base, server, 90), "grader serve --workers 2 did not start"
        fresh = {"connection": "close"}  # a new connection per request, so both processes serve this student
        with httpx.Client(base_url=base, headers=fresh, follow_redirects=True) as client:
            assert client.get(student_link("", SECRET, "s001", "")).status_code == 200
            pages = [client.get("/q/add") for _ in range(8)]
            assert all(page.status_code == 200 for page in pages)
            token = re.search(r'name="csrf" value="([^"]+)"', pages[0].text).group(1)
            right = reference(HOMEWORK, "add", "s001")
            stored = client.post("/q/add", data={"csrf": token, "action": "submit", "answer.a": right})
            assert stored.status_code == 200
            for _ in range(6):
                part = client.get("/q/add?format=json").json()["parts"][0]
                assert part["last"]["verdict"] == "correct" and part["attempts_left"] == 2
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.mark.parametrize("command", ["links", "serve"])
def test_the_demo_secret_signs_in_only_the_sample_class(tmp_path, command):
    """Anyone with the repository knows the demo secret, so its links could be forged for a real roster."""
    from grader.course.config import DEMO_SECRET

    roster = tmp_path / "roster.csv"
    roster.write_text("Name,SID\nReal Student,u1234567\n", encoding="utf-8")
    extra = ["--base-url", "http://x"] if command == "links" else ["--db", f"sqlite:///{tmp_path / 'w.sqlite3'}"]
    result = grader(command, str(HOMEWORK), "--roster", str(roster), *extra, env_secret=DEMO_SECRET)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "demo secret cannot be used" in result.stderr and "Traceback" not in result.stderr
    assert "instructor:" not in result.stderr and "u1234567" not in result.stdout  # no link was written
    if command == "links":  # a trial run may say so explicitly
        allowed = grader(command, str(HOMEWORK), "--roster", str(roster), *extra, "--allow-demo-secret",
                         env_secret=DEMO_SECRET)
        assert allowed.returncode == 0 and "u1234567" in allowed.stdout, allowed.stderr
