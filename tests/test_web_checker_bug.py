"""A bug of ours while checking an answer in the browser is never a 500 and never loses the answer: the
answer is stored as waiting for the instructor, with the reason in the server's log, and the student is
told it will be reviewed. A format check that hits a bug says the same and uses nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from web_support import (
    HOMEWORK,
    Clock,
    csrf,
    db_url,  # noqa: F401  (a fixture)
    make_client,
    postgres_server,  # noqa: F401  (a fixture)
    reference,
    sign_in,
)

import grader.web.worker as worker
from grader.core.messages import feedback

pytestmark = pytest.mark.web


@pytest.fixture
def client(db_url, monkeypatch):  # noqa: F811
    with make_client(db_url, Clock(dt.datetime(2030, 1, 5, 9, 0, tzinfo=dt.UTC))) as test_client:
        pool = test_client.app.state.web.pool
        real = pool.run

        async def buggy(task, *args, **kwargs):  # the checker raises for question "add" only
            if task in (worker.grade_part, worker.check_part) and args[1] == "add":
                raise KeyError("a checker bug")
            return await real(task, *args, **kwargs)

        monkeypatch.setattr(pool, "run", buggy)
        yield test_client


def _rows(client) -> list[dict]:
    with client.app.state.web.engine.connect() as connection:
        return [dict(r) for r in connection.execute(sa.text("SELECT * FROM answers ORDER BY id")).mappings()]


def test_a_checker_bug_keeps_the_answer_and_tells_the_student(client, capfd):
    sign_in(client, "s001")
    token = csrf(client.get("/q/add").text)
    response = client.post("/q/add", data={"csrf": token, "action": "submit", "answer.a": "12"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert feedback("internal").split(";")[0] in response.text
    (row,) = _rows(client)
    assert (row["question"], row["raw"], row["verdict"], row["score"]) == ("add", "12", "pending", 0.0)
    assert row["note"] == "internal-error:KeyError"
    log = capfd.readouterr().err
    assert "internal error grading s001's answer to add part a: KeyError" in log and "Traceback" in log
    # the rest of the bank is graded as always
    token = csrf(client.get("/q/square").text)
    client.post("/q/square", data={"csrf": token, "action": "submit",
                                   "answer.a": reference(HOMEWORK, "square", "s001")}, follow_redirects=True)
    assert [r["verdict"] for r in _rows(client)] == ["pending", "correct"]


def test_a_format_check_that_hits_a_bug_says_so_and_stores_nothing(client):
    sign_in(client, "s001")
    token = csrf(client.get("/q/add").text)
    response = client.post("/q/add", data={"csrf": token, "action": "check", "answer.a": "12"})
    assert response.status_code == 200
    assert feedback("internal").split(";")[0] in response.text
    assert _rows(client) == []


def test_a_stopping_server_stores_nothing_instead_of_a_pending_answer():
    """Only a bug inside a check becomes a stored pending answer; a pool that is shutting down raises, so
    the request fails (and may be retried) with nothing stored and no attempt used."""
    import asyncio

    pool = worker.WorkerPool(str(HOMEWORK), "web-test-secret", 1)
    pool.close()
    with pytest.raises(RuntimeError):
        asyncio.run(pool.grade("s001", "add", 0, "a", "12"))
