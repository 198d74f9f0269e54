"""A bank with pools in the browser: each student sees, answers and is scored on only the questions their
pool gave them, as grader grade scores them; another student's question is not on their problem set."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from web_support import (
    SECRET,
    Clock,
    csrf,
    db_url,  # noqa: F401  (a fixture)
    make_client,
    postgres_server,  # noqa: F401  (a fixture)
    sign_in,
    sign_in_instructor,
)

from grader.bank.model import load_bank
from grader.bank.pools import assigned_questions

pytestmark = pytest.mark.web
ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "tests" / "fixtures" / "lms" / "physics.yaml"
POOL = {"avg-speed", "distance", "travel-time"}


@pytest.fixture
def client(db_url):  # noqa: F811
    with make_client(db_url, Clock(dt.datetime(2030, 1, 5, 9, 0, tzinfo=dt.UTC)), bank=BANK) as test_client:
        yield test_client


def test_each_student_sees_and_opens_only_their_own_questions(client):
    bank = load_bank(BANK)
    for student in ("s001", "s002"):
        given = [q.id for q in assigned_questions(bank, SECRET, student)]
        assert len(set(given) & POOL) == 2
        sign_in(client, student)
        listed = [q["id"] for q in client.get("/?format=json").json()["questions"]]
        assert listed == [q for q in given if any(True for _ in bank.by_id[q].parts)]
        other = (POOL - set(given)).pop()
        refused = client.get(f"/q/{other}")
        assert refused.status_code == 404 and "not on your problem set" in refused.text
        mine = (POOL & set(given)).pop()
        page = client.get(f"/q/{mine}")
        assert page.status_code == 200
        token = csrf(page.text)
        preview = client.post(f"/q/{other}/preview", data={"csrf": token, "part": "a", "text": "12"})
        assert preview.status_code == 404 and "not on your problem set" in preview.json()["error"]
        assert client.post(f"/q/{mine}/preview", data={"csrf": token, "part": "a", "text": "12"}).status_code == 200


def test_the_gradebook_counts_only_the_questions_a_student_was_given(client):
    from grader.check.registry import answers_file_parts
    from grader.grading.grade import empty_result

    bank = load_bank(BANK)
    sign_in_instructor(client)
    table = client.get("/instructor/gradebook.csv")
    assert table.status_code == 200
    rows = {row["student_id"]: row for row in csv.DictReader(io.StringIO(table.text))}
    (unassigned,) = POOL - {q.id for q in assigned_questions(bank, SECRET, "s001")}
    assert rows["s001"][unassigned] == "not assigned"
    every = empty_result(bank, "s001", "missing", "")  # every question, pools ignored
    everything = every.max_points - sum(part.max_points for part in every.pending)  # auto-graded points
    left_out = sum(bank.by_id[unassigned].part_points(part) for part in answers_file_parts(bank.by_id[unassigned]))
    assert float(rows["s001"]["max_score"]) == pytest.approx(everything - left_out, abs=1e-5)
