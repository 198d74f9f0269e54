"""The web app through the ASGI test client: sign-in, check, submit, attempts, penalties, deadlines,
fresh variants, restarts, and who may read what. Every test runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from web_support import (
    HOMEWORK,
    SECRET,
    Clock,
    csrf,
    db_url,  # noqa: F401  (a fixture)
    make_client,
    part_json,
    post_answers,
    postgres_server,  # noqa: F401  (a fixture)
    question_json,
    reference,
    sign_in,
    sign_in_instructor,
    variant,
)

from grader.bank.fingerprint import bank_fingerprint
from grader.bank.model import load_bank

pytestmark = pytest.mark.web
BEFORE_DEADLINE = dt.datetime(2030, 1, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    return Clock(BEFORE_DEADLINE)


@pytest.fixture
def client(db_url, clock):  # noqa: F811
    with make_client(db_url, clock) as test_client:
        yield test_client


def stored_rows(client) -> list[dict]:
    engine = client.app.state.web.engine
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(sa.text("SELECT * FROM answers ORDER BY id")).mappings()]


def wrong_integer(question: str, student: str) -> str:
    return str(int(reference(HOMEWORK, question, student)) + 1000)


# --- sign-in -------------------------------------------------------------------------------------------------

def test_a_personal_link_signs_in_and_the_bank_page_lists_the_questions(client):
    assert client.get("/").status_code == 401
    sign_in(client, "s001")
    page = client.get("/")
    assert page.status_code == 200
    for title in ("Adding two numbers", "Expanding a square", "Transposing a matrix", "Choosing"):
        assert title in page.text
    data = client.get("/?format=json").json()
    assert data["student"]["id"] == "s001"
    assert [q["status"] for q in data["questions"]] == ["not started"] * 6


@pytest.mark.parametrize("token", ["nonsense", "czAwMQ.AAAA", "i.AAAA", "czAwMg.%s"])
def test_a_forged_or_foreign_token_is_refused(client, token):
    from grader.web.tokens import student_token

    if "%s" in token:  # s002's name with s001's MAC
        token = token % student_token(SECRET, "s001", "").split(".")[1]
    response = client.get(f"/signin/{token}", follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/").status_code == 401


def test_a_link_made_with_another_secret_is_refused(client):
    from grader.web.links import student_link

    assert client.get(student_link("", "another-secret", "s001", ""), follow_redirects=False).status_code == 403


def test_rotating_a_salt_revokes_the_old_link_and_its_session(client):
    from grader.web import db
    from grader.web.tokens import student_subject

    sign_in(client, "s001")
    assert client.get("/").status_code == 200
    salt = db.rotate_salt(client.app.state.web.engine, student_subject("s001"))
    assert client.get("/").status_code == 401, "the session made with the old salt still works"
    client.cookies.clear()
    from grader.web.links import student_link

    old_link = client.get(student_link("", SECRET, "s001", ""), follow_redirects=False)
    assert old_link.status_code == 403 and "Sign-in failed" in old_link.text  # refused, not broken
    sign_in(client, "s001", salt=salt)
    assert client.get("/").status_code == 200


def test_a_tampered_session_cookie_is_not_accepted(client):
    sign_in(client, "s001")
    cookie = client.cookies.get("grader_session")
    client.cookies.clear()
    client.cookies.set("grader_session", cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB"))
    assert client.get("/").status_code == 401


# --- check and submit ----------------------------------------------------------------------------------------

def test_check_shows_the_caret_message_and_uses_no_attempt(client):
    sign_in(client, "s001")
    page = post_answers(client, "square", {"a": "(x + 3"}, action="check")
    assert page.status_code == 200
    caret = re.search(r'<pre class="caret[^"]*">(.*?)</pre>', page.text, re.S)
    assert caret and "never closed" in caret.group(1) and "^" in caret.group(1)
    readable = post_answers(client, "square", {"a": "(x+1)^2/3"}, action="check")
    assert "We read this as (x + 1)^2/3" in readable.text
    assert stored_rows(client) == []
    assert part_json(client, "square")["attempts_left"] == 3


def test_preview_reads_the_expression_on_the_server(client):
    sign_in(client, "s001")
    token = csrf(client.get("/q/square").text)
    good = client.post("/q/square/preview", data={"csrf": token, "part": "a", "text": "2x(x+1)"})
    assert good.json() == {"readable": True, "message": "2*x*(x + 1)"}
    bad = client.post("/q/square/preview", data={"csrf": token, "part": "a", "text": "x +* 2"})
    assert bad.json()["readable"] is False and "^" in bad.json()["message"]
    assert client.post("/q/square/preview", data={"part": "a", "text": "x"}).status_code == 403
    assert stored_rows(client) == []


def test_a_wrong_answer_names_the_mistake_then_a_right_one_scores_with_the_penalty(client):
    sign_in(client, "s001")
    v = variant(HOMEWORK, "add", "s001")
    a, b = int(v.params["a"]), int(v.params["b"])
    page = post_answers(client, "add", {"a": str(b - a)})
    assert f"You subtracted {a} instead of adding it." in page.text
    part = part_json(client, "add")
    assert part["last"]["verdict"] == "incorrect" and part["last"]["attempt"] == 1
    assert part["attempts_left"] == 2 and part["kept_points"] == 0
    page = post_answers(client, "add", {"a": str(a + b)})
    part = part_json(client, "add")
    assert part["last"]["verdict"] == "correct"
    assert part["kept_points"] == pytest.approx(2 * 0.75), "the second attempt loses 25%"
    assert part["locked"] is True
    rows = stored_rows(client)
    assert [(r["student"], r["question"], r["part"], r["attempt"], r["verdict"]) for r in rows] == [
        ("s001", "add", "a", 1, "incorrect"), ("s001", "add", "a", 2, "correct")]
    assert rows[0]["raw"] == str(b - a) and rows[0]["note"] == "subtracted" and rows[0]["bank_fingerprint"] == bank_fingerprint(load_bank(HOMEWORK))  # as the gradebook records it


def test_an_unreadable_answer_is_refused_without_using_an_attempt(client):
    sign_in(client, "s001")
    response = post_answers(client, "transpose", {"a": "[[1, 2], [3"})
    assert response.status_code == 422
    assert "Nothing was submitted" in response.text and '<pre class="caret' in response.text
    assert stored_rows(client) == []


def test_each_kind_of_part_is_graded_as_grader_grade_grades_it(client):
    sign_in(client, "s002")
    for question in ("add", "square", "transpose", "pick"):
        right = reference(HOMEWORK, question, "s002")
        post_answers(client, question, {"a": right})
        assert part_json(client, question)["last"]["verdict"] == "correct", question
    assert client.get("/?format=json").json()["student"]["points"] == 8


def test_attempts_used_up_lock_the_part_and_reveal_the_answer_only_then(client):
    sign_in(client, "s001")
    right = reference(HOMEWORK, "add", "s001")
    for attempt in (1, 2):
        post_answers(client, "add", {"a": wrong_integer("add", "s001")})
        page = client.get("/q/add").text
        assert "expected answer" not in page and part_json(client, "add")["revealed"] is None, attempt
        assert not re.search(rf"(?<![\w.-]){right}(?![\w.])", page.replace(csrf(page), "")), attempt
    post_answers(client, "add", {"a": wrong_integer("add", "s001")})
    part = part_json(client, "add")
    assert part["attempts_left"] == 0 and part["locked"] and part["revealed"] == right
    again = post_answers(client, "add", {"a": right})
    assert again.status_code == 422
    assert len(stored_rows(client)) == 3


def test_keep_last_counts_the_last_attempt(client):
    sign_in(client, "s001")
    right = reference(HOMEWORK, "last", "s001")
    post_answers(client, "last", {"a": wrong_integer("last", "s001")})
    post_answers(client, "last", {"a": right})
    assert part_json(client, "last")["kept_points"] == 2


def test_a_choice_part_with_the_option_feedback(client):
    sign_in(client, "s003")
    v = variant(HOMEWORK, "pick", "s003")
    nine = "ABC"[[o["text"] for o in v.parts["a"]["options"]].index("9")]
    page = post_answers(client, "pick", {"a": nine})
    assert "9 is 3 times 3." in page.text


# --- time ----------------------------------------------------------------------------------------------------

def test_late_answers_lose_the_late_penalty_and_closed_questions_accept_nothing(client, clock):
    sign_in(client, "s001")
    clock.now = dt.datetime(2030, 1, 10, 18, 0, tzinfo=dt.UTC)  # after closes, before late_until
    assert "lose 50%" in client.get("/q/add").text
    post_answers(client, "add", {"a": reference(HOMEWORK, "add", "s001")})
    assert part_json(client, "add")["kept_points"] == pytest.approx(1.0)
    clock.now = dt.datetime(2030, 1, 12, tzinfo=dt.UTC)
    refused = post_answers(client, "square", {"a": reference(HOMEWORK, "square", "s001")})
    assert refused.status_code == 409 and "no longer accepted" in refused.text
    assert [r["question"] for r in stored_rows(client)] == ["add"]
    assert part_json(client, "square")["revealed"] == reference(HOMEWORK, "square", "s001"), "closed: show answer"


# --- fresh variants ------------------------------------------------------------------------------------------

def test_a_new_variant_after_two_submissions(client):
    sign_in(client, "s001")
    first, second = variant(HOMEWORK, "retry", "s001"), variant(HOMEWORK, "retry", "s001", 1)
    assert first.params != second.params
    assert f"{first.params['a']}" in question_json(client, "retry")["question"]["text_html"]
    for _ in range(2):
        post_answers(client, "retry", {"a": "1"})
    data = question_json(client, "retry")
    assert data["question"]["round"] == 1 and f"{second.params['a']}" in data["question"]["text_html"]
    post_answers(client, "retry", {"a": first.reference_text("a")})  # the old variant's answer
    assert part_json(client, "retry")["last"]["verdict"] == "incorrect"
    post_answers(client, "retry", {"a": second.reference_text("a")})
    part = part_json(client, "retry")
    assert part["last"]["verdict"] == "correct" and part["locked"], "a solved variant stays"
    assert question_json(client, "retry")["question"]["round"] == 1
    assert [r["variant_round"] for r in stored_rows(client)] == [0, 0, 1, 1]


def test_round_zero_is_the_variant_grader_generate_makes():
    from grader import load_bank, make_variant
    from grader.core.variant_seed import variant_seed

    bank = load_bank(HOMEWORK)
    assert variant_seed(SECRET, "hw", "add", "s001") == variant_seed(SECRET, "hw", "add", "s001", 0)
    assert make_variant(bank, bank.by_id["add"], SECRET, "s001").params == variant(HOMEWORK, "add", "s001").params


# --- restart, CSRF, limits, headers --------------------------------------------------------------------------

def test_nothing_is_lost_when_the_server_restarts(db_url, clock):  # noqa: F811
    with make_client(db_url, clock) as first:
        sign_in(first, "s001")
        post_answers(first, "add", {"a": wrong_integer("add", "s001")})
        post_answers(first, "add", {"a": reference(HOMEWORK, "add", "s001")})
        before = question_json(first, "add")["parts"]
    with make_client(db_url, clock) as second:
        sign_in(second, "s001")
        after = question_json(second, "add")["parts"]
        assert after[0]["kept_points"] == before[0]["kept_points"] == pytest.approx(1.5)
        assert after[0]["last"] == before[0]["last"]


def test_every_form_needs_its_csrf_token(client, db_url):  # noqa: F811
    sign_in(client, "s001")
    right = reference(HOMEWORK, "add", "s001")
    assert client.post("/q/add", data={"action": "submit", "answer.a": right}).status_code == 403
    assert client.post("/q/add", data={"action": "submit", "answer.a": right, "csrf": "x" * 32}).status_code == 403
    with make_client(db_url, Clock(BEFORE_DEADLINE)) as other:
        sign_in(other, "s002")
        foreign = csrf(other.get("/q/add").text)
    assert client.post("/q/add", data={"action": "submit", "answer.a": right, "csrf": foreign}).status_code == 403
    assert stored_rows(client) == []


def test_submissions_are_rate_limited_per_student(db_url, clock):  # noqa: F811
    with make_client(db_url, clock, submit_limit=2) as client:
        sign_in(client, "s001")
        for _ in range(2):
            assert post_answers(client, "retry", {"a": "1"}).status_code == 200
        assert post_answers(client, "retry", {"a": "1"}).status_code == 429
        sign_in(client, "s002")
        assert post_answers(client, "retry", {"a": "1"}).status_code == 200, "another student is not limited"
        assert len(stored_rows(client)) == 3


def test_size_caps_apply_before_parsing(client):
    sign_in(client, "s001")
    long_answer = post_answers(client, "square", {"a": "x+" * 2500 + "x"})
    assert long_answer.status_code == 422 and "too long" in long_answer.text
    token = csrf(client.get("/q/square").text)
    huge = client.post("/q/square", data={"csrf": token, "action": "submit", "answer.a": "1" * 70_000})
    assert huge.status_code == 413
    assert stored_rows(client) == []


def test_security_headers_and_no_inline_script_on_every_page(client):
    sign_in(client, "s001")
    for path in ("/", "/q/add", "/q/square?format=json", "/static/grader.js", "/signin/bad"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        if response.headers["content-type"].startswith("text/html"):
            assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), f"inline script on {path}"
            assert not re.search(r"\son\w+\s*=", response.text), f"inline event handler on {path}"
            assert not re.search(r"(src|href)=\"(https?:)?//", response.text), f"external resource on {path}"


def test_hostile_answer_text_is_escaped(client):
    sign_in(client, "s001")
    post_answers(client, "square", {"a": "<script>alert(1)</script>"}, action="check")
    page = post_answers(client, "square", {"a": "<script>alert(1)</script>"}, action="check")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text


# --- who may read what ---------------------------------------------------------------------------------------

def test_a_student_reaches_only_their_own_rows(client):
    sign_in(client, "s002")
    post_answers(client, "add", {"a": "11111"})
    client.cookies.clear()
    sign_in(client, "s001")
    token = csrf(client.get("/q/add").text)
    for path in ("/instructor", "/instructor/gradebook.csv", "/instructor/students/s002",
                 "/instructor/students/s002?format=json"):
        assert client.get(path).status_code == 403, path
    assert "11111" not in client.get("/q/add").text and "11111" not in client.get("/q/add?format=json").text
    # A student id in the form or the query string is ignored: the session decides who answers.
    client.post("/q/add?student=s002", data={"csrf": token, "action": "submit", "answer.a": "22222",
                                             "student": "s002"})
    assert [(r["student"], r["raw"]) for r in stored_rows(client)] == [("s002", "11111"), ("s001", "22222")]
    assert part_json(client, "add")["attempts_left"] == 2


def test_the_instructor_sees_the_live_gradebook_history_and_csv(client):
    sign_in(client, "s001")
    post_answers(client, "add", {"a": reference(HOMEWORK, "add", "s001")})
    client.cookies.clear()
    sign_in_instructor(client)
    assert post_answers is not None and client.get("/q/add").status_code == 403, "the instructor does not answer"
    page = client.get("/instructor")
    assert page.status_code == 200 and "s001" in page.text and "Download gradebook.csv" in page.text
    table = client.get("/instructor/gradebook.csv")
    assert table.headers["content-type"].startswith("text/csv")
    lines = table.text.splitlines()
    assert lines[0].startswith("student_id,name,email,status,score,max_score,percent,pending_manual,add,")
    row = next(line for line in lines if line.startswith("s001,"))
    assert ",graded,2,12," in row
    assert next(line for line in lines if line.startswith("s002,")).split(",")[3] == "missing"
    history = client.get("/instructor/students/s001?format=json").json()
    assert [(r["question"], r["verdict"], r["attempt"]) for r in history["rows"]] == [("add", "correct", 1)]
    summary = client.get("/instructor?format=json").json()["summary"]
    add = next(q for q in summary["questions"] if q["id"] == "add")
    assert add["parts"][0]["percent_correct"] == 100.0


def test_the_answers_table_is_append_only(client):
    sign_in(client, "s001")
    post_answers(client, "add", {"a": "1"})
    engine = client.app.state.web.engine
    for statement in ("UPDATE answers SET score = 1", "DELETE FROM answers"):
        with pytest.raises(sa.exc.DBAPIError), engine.begin() as connection:
            connection.execute(sa.text(statement))
    assert len(stored_rows(client)) == 1


# --- bank variations: no reveal, not open yet, practice ------------------------------------------------------

def variant_bank(tmp_path, old: str, new: str):
    text = HOMEWORK.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "variation.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_without_show_answers_the_last_attempt_reveals_nothing(tmp_path, clock):
    from web_support import HOMEWORK_ROSTER

    bank = variant_bank(tmp_path, "show_answers: true", "show_answers: false")
    with make_client(f"sqlite:///{tmp_path / 'w.sqlite3'}", clock, bank, HOMEWORK_ROSTER) as client:
        sign_in(client, "s001")
        for _ in range(3):
            post_answers(client, "add", {"a": wrong_integer("add", "s001")})
        part = part_json(client, "add")
        assert part["attempts_left"] == 0 and part["revealed"] is None
        assert "expected answer" not in client.get("/q/add").text


def test_a_question_that_has_not_opened_shows_nothing_and_accepts_nothing(tmp_path, clock):
    from web_support import HOMEWORK_ROSTER

    bank = variant_bank(tmp_path, "closes: 2030-01-10T12:00:00Z", "opens: 2030-01-08T00:00:00Z\ncloses: 2030-01-10T12:00:00Z")
    with make_client(f"sqlite:///{tmp_path / 'w.sqlite3'}", clock, bank, HOMEWORK_ROSTER) as client:
        sign_in(client, "s001")
        data = question_json(client, "add")
        assert data["question"]["text_html"] is None and data["question"]["window"] == "not-open"
        page = client.get("/q/add").text
        assert "opens at 2030-01-08 00:00 UTC" in page and "<form" not in page
        early = client.post("/q/add", data={"action": "submit", "answer.a": "1", "csrf": data["csrf"]})
        assert early.status_code == 409 and stored_rows(client) == []
        clock.now = dt.datetime(2030, 1, 9, tzinfo=dt.UTC)
        assert post_answers(client, "add", {"a": reference(HOMEWORK, "add", "s001")}).status_code == 200
        assert part_json(client, "add")["last"]["verdict"] == "correct"


def test_a_practice_bank_says_its_scores_do_not_count(tmp_path, clock):
    from web_support import HOMEWORK_ROSTER

    bank = variant_bank(tmp_path, "show_answers: true", "show_answers: true\npractice: true")
    with make_client(f"sqlite:///{tmp_path / 'w.sqlite3'}", clock, bank, HOMEWORK_ROSTER) as client:
        sign_in(client, "s001")
        assert "Practice: your scores here do not count." in client.get("/").text
        post_answers(client, "add", {"a": reference(HOMEWORK, "add", "s001")})
        client.cookies.clear()
        sign_in_instructor(client)
        assert "Practice: your scores here do not count." in client.get("/instructor").text
        rows = list(csv.DictReader(io.StringIO(client.get("/instructor/gradebook.csv").text)))
        row = next(r for r in rows if r["student_id"] == "s001")
        assert row["message"] == "practice bank: these scores do not count"
