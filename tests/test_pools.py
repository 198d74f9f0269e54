"""Pools (pick k of n): who gets which questions, and every stage that must respect it.

Expected assignments are recomputed through ``assigned_questions`` on *edited copies* of the bank, so the
stability tests fail if the choice ever depends on question order or on other questions.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.bank.model import load_bank
from grader.bank.pools import assigned_questions, not_assigned
from grader.bank.variant import make_variant
from grader.check.registry import REGISTRY
from grader.cli import main
from grader.core.errors import BankError

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "tests" / "fixtures" / "lms" / "physics.yaml"
POOL = {"avg-speed", "distance", "travel-time"}
SECRET = "test-secret-for-pools"
STUDENTS = [f"p{n:03d}" for n in range(300)]


def ids(bank, student, secret=SECRET) -> set[str]:
    return {q.id for q in assigned_questions(bank, secret, student)}


def edited(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(BANK.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "physics.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_every_student_gets_exactly_k_of_the_pool_and_everything_outside_it() -> None:
    bank = load_bank(BANK)
    outside = {q.id for q in bank.questions} - POOL
    counts = Counter()
    for student in STUDENTS:
        given = ids(bank, student)
        assert outside <= given and len(given & POOL) == 2
        assert set(not_assigned(bank, SECRET, student)) == POOL - given
        counts.update(given & POOL)
    for member in POOL:  # each member is given to about 2/3 of the class
        assert 0.55 * len(STUDENTS) < counts[member] < 0.78 * len(STUDENTS), counts


@pytest.mark.parametrize("change", [
    lambda d: d["questions"].reverse(),  # reorder every question
    lambda d: d["questions"][3].update(text="A rewritten question about {{ 'units' }}."),
    lambda d: d["questions"].insert(0, {"id": "new-one", "title": "New", "text": "New?",
                                        "parts": [{"id": "a", "type": "free", "rubric": ["Anything."]}]}),
    lambda d: d["pools"][0]["from"].reverse(),  # the order inside the pool does not matter either
], ids=["reordered", "other-question-edited", "question-added", "pool-listed-in-another-order"])
def test_the_choice_is_stable_when_other_things_change(tmp_path, change) -> None:
    before, after = load_bank(BANK), load_bank(edited(tmp_path, change))
    for student in STUDENTS[:100]:
        assert ids(before, student) & POOL == ids(after, student) & POOL


def test_the_choice_is_keyed_by_the_secret_and_the_pool() -> None:
    bank = load_bank(BANK)
    other_secret = sum(ids(bank, s) != ids(bank, s, "another-secret") for s in STUDENTS[:100])
    assert other_secret > 20  # a different course secret gives different choices


def test_bad_pools_are_reported_with_their_place(tmp_path) -> None:
    cases = {
        "unknown question 'nope'": lambda d: d["pools"][0]["from"].append("nope"),
        "pick must be a whole number from 1 to 3": lambda d: d["pools"][0].update(pick=4),
        "is in two pools": lambda d: d["pools"].append({"pick": 1, "from": ["distance", "units"]}),
        "unknown key 'choose'": lambda d: d["pools"][0].update(choose=1),
    }
    for message, change in cases.items():
        path = edited(tmp_path, change)
        with pytest.raises(BankError) as caught:
            load_bank(path)
        assert message in caught.value.message
        assert caught.value.location.file == str(path) and caught.value.location.line
        run = CliRunner().invoke(main, ["validate", str(path), "--seeds", "2"])
        assert run.exit_code == 2 and "Traceback" not in run.output


@pytest.fixture(scope="module")
def roster(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pools") / "roster.csv"
    path.write_text("Name,SID\n" + "".join(f"Student {s},{s}\n" for s in STUDENTS[:6]), encoding="utf-8")
    return path


def test_generate_writes_only_the_assigned_questions(roster, tmp_path) -> None:
    bank = load_bank(BANK)
    run = CliRunner().invoke(main, ["generate", str(BANK), "--roster", str(roster), "--out", str(tmp_path),
                                    "--key", "--secret", SECRET])
    assert run.exit_code == 0, run.output
    for student in STUDENTS[:6]:
        page = (tmp_path / "problem-sets" / f"{student}.md").read_text(encoding="utf-8")
        skeleton = page.split("```yaml", 1)[1]
        for question in bank.questions:
            given = question.id in ids(bank, student)
            assert (f"{question.title} (" in page) == given, (student, question.id)
            assert (f"{question.id}:" in skeleton) == given
    with (tmp_path / "answer_key.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for student in STUDENTS[:6]:
        assert {r["question"] for r in rows if r["student_id"] == student} == ids(bank, student)


def _right_answers(bank, student) -> dict:
    answers = {}
    for question in assigned_questions(bank, SECRET, student):
        variant = make_variant(bank, question, SECRET, student)
        answers[question.id] = {part_id: variant.reference_text(part_id) if REGISTRY.get(spec["type"]).needs_answer
                                else "A written answer." for part_id, spec in variant.parts.items()}
    return answers


def test_grading_feedback_gradebook_and_summary_say_not_assigned(roster, tmp_path) -> None:
    bank = load_bank(BANK)
    submissions = tmp_path / "subs"
    submissions.mkdir()
    for student in STUDENTS[:5]:  # the sixth hands in nothing
        (submissions / f"{student}.yaml").write_text(yaml.safe_dump(_right_answers(bank, student)), encoding="utf-8")
    out = tmp_path / "graded"
    run = CliRunner().invoke(main, ["grade", str(BANK), str(submissions), "--roster", str(roster), "--out", str(out),
                                    "--secret", SECRET, "--jobs", "1"])
    assert run.exit_code == 0, run.output
    with (out / "gradebook.csv").open(encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    for student in STUDENTS[:6]:
        given = ids(bank, student)
        row = rows[student]
        for member in POOL:
            assert (row[member] == "not assigned") == (member not in given), (student, member, row[member])
        feedback = (out / "feedback" / f"{student}.md").read_text(encoding="utf-8")
        missing_one = (POOL - given).pop()
        title = bank.by_id[missing_one].title
        assert f"{title}: not assigned" in feedback
        assert f"{title}: not assigned" in (out / "feedback" / f"{student}.html").read_text(encoding="utf-8")
        if student != STUDENTS[5]:
            auto = sum(q.part_points(p) for q in assigned_questions(bank, SECRET, student) for p in q.parts
                       if p.type not in ("free",) and REGISTRY.get(p.type).needs_answer)
            assert float(row["score"]) == pytest.approx(auto) and float(row["max_score"]) == pytest.approx(auto)
    assert rows[STUDENTS[5]]["status"] == "missing"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for entry in summary["questions"]:
        expected = sum(entry["id"] not in ids(bank, s) for s in STUDENTS[:6])
        assert entry["not_assigned"] == expected
        if entry["id"] in POOL:  # statistics only over the students who were given the question
            assert all(part["percent_correct"] in (100.0, None) for part in entry["parts"])
    assert "not assigned to" in (out / "summary.md").read_text(encoding="utf-8")


def test_the_autograder_grades_only_the_assigned_questions(tmp_path) -> None:
    from grader.integrations.autograder import build_zip, run, unpack

    bank = load_bank(BANK)
    student = STUDENTS[7]
    archive = build_zip(BANK, tmp_path / "autograder.zip", SECRET, "sid")
    root = tmp_path / "autograder"
    unpack(archive, root / "source")
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "answers.yaml").write_text(yaml.safe_dump(_right_answers(bank, student)), encoding="utf-8")
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"sid": student}]}), encoding="utf-8")
    results = run(root)
    import jsonschema

    schema = json.loads((ROOT / "tests" / "fixtures" / "gradescope_results.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, schema)
    graded = {test["number"].split(".")[0] for test in results["tests"]}
    numbers = {str(i) for i, q in enumerate(bank.questions, start=1) if q.id in ids(bank, student)}
    assert graded <= numbers and len(graded) >= len(numbers) - 1  # paper-only has only a free part
    assert all(t["score"] == t["max_score"] for t in results["tests"])
    assert "Not assigned to you" in results["output"]
    shutil.rmtree(root)


def test_the_students_own_check_does_not_call_unassigned_questions_missing(roster, tmp_path) -> None:
    bank = load_bank(BANK)
    assert CliRunner().invoke(main, ["generate", str(BANK), "--roster", str(roster), "--out", str(tmp_path),
                                     "--secret", SECRET]).exit_code == 0
    student = STUDENTS[2]
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(_right_answers(bank, student)), encoding="utf-8")
    run = CliRunner().invoke(main, ["check", str(tmp_path / "student-bank.yaml"), str(answers), "--student", student])
    assert run.exit_code == 0, run.output
    assert "missing" not in run.output.replace("0 missing", "")
    short = _right_answers(bank, student)
    del short[sorted(ids(bank, student) & POOL)[0]]
    answers.write_text(yaml.safe_dump(short), encoding="utf-8")
    run = CliRunner().invoke(main, ["check", str(tmp_path / "student-bank.yaml"), str(answers), "--student", student])
    assert run.exit_code == 1 and "missing: 2 of avg-speed, distance, travel-time" in run.output
