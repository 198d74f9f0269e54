"""Same answers, same grades: the sample class answered in the browser scores as ``grader grade`` scores it;
and no page or JSON response shows a student the key, the solver's output or the mistakes before they answer."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import subprocess
import sys

import pytest
from web_support import ROOT, Clock, csrf, sign_in, sign_in_instructor

from grader import load_bank, make_variant
from grader.check.registry import REGISTRY, answers_file_parts
from grader.core.errors import GraderError
from grader.course.config import DEMO_SECRET
from grader.grading.submission import read_submission

pytestmark = pytest.mark.web
CNN = ROOT / "questions" / "cnn.yaml"
ROSTER = ROOT / "submissions" / "roster.csv"
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def cnn_client(tmp_path):
    from starlette.testclient import TestClient

    from grader.web.app import WebSettings, create_app

    app = create_app(WebSettings(str(CNN), str(ROSTER), f"sqlite:///{tmp_path / 'cnn.sqlite3'}", jobs=2),
                     DEMO_SECRET, Clock(NOW))
    return TestClient(app, base_url="http://testserver")


def submit_json(client, question: str, answers: dict[str, str]):
    token = csrf(client.get(f"/q/{question}").text)
    return client.post(f"/q/{question}?format=json", json={"action": "submit", "answers": answers, "csrf": token})


@pytest.fixture(scope="module")
def graded_by_cli(tmp_path_factory):
    out = tmp_path_factory.mktemp("graded")
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    run = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(CNN), str(ROOT / "submissions"),
                          "--roster", str(ROSTER), "--out", str(out)], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr
    return {row["student_id"]: row for row in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}


def test_the_sample_class_scores_the_same_in_the_browser(tmp_path, graded_by_cli):
    from grader.jobs.grade_class import grade_file

    bank = load_bank(CNN)
    refused_parts = 0
    with cnn_client(tmp_path) as client:
        for student in sorted(p.stem for p in (ROOT / "submissions").glob("s0*.*")):
            try:
                submission = read_submission(next((ROOT / "submissions").glob(f"{student}.*")), bank, student)
            except GraderError:
                continue  # an unreadable file (s005): nothing a browser could have sent
            client.cookies.clear()
            sign_in(client, student, DEMO_SECRET)
            for question_id, answers in submission.answers.items():
                typed = {part: text for part, text in answers.items() if text and text.strip()
                         and part in {p.id for p in answers_file_parts(bank.by_id[question_id])}}
                if not typed:
                    continue
                response = submit_json(client, question_id, typed)
                if response.status_code == 422:  # unreadable answers cost no attempt: send the readable ones
                    unreadable = {p["id"] for p in response.json()["parts"] if p["check"]}
                    refused_parts += len(unreadable)
                    typed = {k: v for k, v in typed.items() if k not in unreadable}
                    if typed:
                        response = submit_json(client, question_id, typed)
                if typed:
                    assert response.status_code == 200, (student, question_id, response.text[:500])
            expected = grade_file(bank, DEMO_SECRET, student, next((ROOT / "submissions").glob(f"{student}.*")))
            web_parts = {(p["question"], p["part"]): p for p in web_part_results(client, bank, student)}
            for part in expected.parts:
                web = web_parts[(part.question, part.part)]
                assert web["points"] == pytest.approx(part.points), (student, part.question, part.part)
                if part.result.verdict != "invalid":
                    assert web["note"] == part.result.note, (student, part.question, part.part)
        client.cookies.clear()
        sign_in_instructor(client, DEMO_SECRET)
        web_book = {row["student_id"]: row for row in
                    csv.DictReader(io.StringIO(client.get("/instructor/gradebook.csv").text))}
    assert refused_parts >= 3, "s003's format errors should have been refused, not stored"
    columns = ["score", "max_score", "percent", "pending_manual", *[q.id for q in bank.questions
                                                                   if answers_file_parts(q)]]
    for student, row in graded_by_cli.items():
        if row["status"] != "graded":
            continue
        assert {c: web_book[student][c] for c in columns} == {c: row[c] for c in columns}, student


def web_part_results(client, bank, student: str) -> list[dict]:
    """Each part's kept points and note, from the instructor's view of the stored rows (scoring.student_result)."""
    from grader.web.scoring import student_result

    web = client.app.state.web
    from grader.web import db

    result = student_result(bank, student, db.answers_for(web.engine, bank.id, student), NOW)
    return [{"question": p.question, "part": p.part, "points": p.points, "note": p.result.note}
            for p in result.parts]


def reference_strings(bank, student: str) -> list[str]:
    """What must not reach the student before they answer: each reference, each mistake and its feedback."""
    found = []
    for question in bank.questions:
        variant = make_variant(bank, question, DEMO_SECRET, student)
        for part in answers_file_parts(question):
            spec = variant.parts[part.id]
            checker = REGISTRY.get(spec["type"])
            if spec["type"] in ("matrix", "expression") and spec.get("answer") is not None:
                found.append(checker.format(spec["answer"], spec))
            for mistake in spec.get("mistakes") or []:
                found.append(mistake["feedback"])
                if spec["type"] in ("matrix", "expression"):
                    found.append(checker.format(mistake["answer"], spec))
            for option in spec.get("options") or []:
                if option.get("feedback"):
                    found.append(str(option["feedback"]))
        if question.solution:
            found.append(variant.render_solution().strip()[:60])
    return [text for text in found if len(text) >= 6]


def test_no_page_or_json_leaks_the_key_before_the_student_answers(tmp_path):
    bank = load_bank(CNN)
    secrets_of_s002 = reference_strings(bank, "s002")
    assert len(secrets_of_s002) > 20
    with cnn_client(tmp_path) as client:
        sign_in(client, "s002", DEMO_SECRET)
        pages = ["/", "/?format=json"]
        for question in bank.questions:
            pages += [f"/q/{question.id}", f"/q/{question.id}?format=json"]
        bodies = {path: client.get(path).text for path in pages}
        token = csrf(bodies["/q/conv-as-matrix"])
        bodies["check"] = client.post("/q/conv-as-matrix", data={"csrf": token, "action": "check",
                                                                "answer.a": "[[1, 2], [3, 4]]"}).text
        bodies["preview"] = client.post("/q/output-vs-kernel/preview",
                                        data={"csrf": token, "part": "a", "text": "H - K"}).text
    for path, body in bodies.items():
        text = body.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&")
        for secret in secrets_of_s002:
            assert secret not in text, f"{path} shows {secret!r}"
        assert not re.search(r'"correct"\s*:\s*true', text), f"{path} marks the correct option"


def test_the_question_page_shows_the_same_math_as_the_problem_set(tmp_path):
    from grader.course.roster import Student
    from grader.documents.pages import render_problem_set
    from grader.documents.render import markdown_to_html

    bank = load_bank(CNN)
    variants = [make_variant(bank, q, DEMO_SECRET, "s002") for q in bank.questions]
    problem_set = markdown_to_html(render_problem_set(bank, Student("s002", "Alan Turing"), variants))
    compared = 0
    with cnn_client(tmp_path) as client:
        sign_in(client, "s002", DEMO_SECRET)
        for question in bank.questions:
            text_html = client.get(f"/q/{question.id}?format=json").json()["question"]["text_html"]
            for math in re.findall(r"<math\b.*?</math>", text_html, re.S):
                assert math in problem_set, f"{question.id}: {math[:120]}"
                compared += 1
    assert compared >= 20
