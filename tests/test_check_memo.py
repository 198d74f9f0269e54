"""An answer typed again to the same variant is not checked again (grader.bank.resolved_cache.check_memo),
and the remembered check is never one it should not be: another variant's, an edited bank's, a timeout."""

from __future__ import annotations

import shutil
from pathlib import Path

import grader.grading.grade as grade
from grader.bank.model import load_bank
from grader.bank.variant import make_variant
from grader.check.limits import timeout_result
from grader.core import speed
from grader.grading.submission import Submission

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "questions" / "cnn.yaml"
SECRET = "check-memo-test-secret"


def _counting(monkeypatch) -> list[tuple]:
    checked: list[tuple] = []
    real = grade.check_parts

    def counting(items, *args, **kwargs):
        checked.extend((spec["id"], raw) for spec, raw in items)
        return real(items, *args, **kwargs)

    monkeypatch.setattr(grade, "check_parts", counting)
    return checked


def _answers(bank, student: str, question_id: str, text: str | None = None) -> Submission:
    variant = make_variant(bank, bank.by_id[question_id], SECRET, student)
    return Submission(student, "test", {question_id: {"a": text or variant.reference_text("a")}})


def test_the_same_answer_to_the_same_variant_is_checked_once_and_scored_the_same(monkeypatch) -> None:
    bank = load_bank(BANK)
    checked = _counting(monkeypatch)
    first = grade.grade_submission(bank, SECRET, _answers(bank, "s1", "linear-weights"))
    count = len(checked)
    again = grade.grade_submission(bank, SECRET, _answers(bank, "s1", "linear-weights"))
    assert len(checked) == count  # nothing again: the answer, and the blank parts, were checked before
    part = next(p for p in again.parts if p.question == "linear-weights")
    assert part is next(p for p in first.parts if p.question == "linear-weights")  # the very result made then
    assert part.result.verdict == "correct"
    assert again.parts == first.parts and again.points == first.points
    # with the fast paths off everything is checked every time
    with speed.fast_paths(False):
        old = grade.grade_submission(bank, SECRET, _answers(bank, "s1", "linear-weights"))
    assert len(checked) == 2 * count
    assert old.parts == first.parts


def test_another_variant_and_another_answer_are_checked_afresh(monkeypatch) -> None:
    bank = load_bank(BANK)
    checked = _counting(monkeypatch)
    question = bank.by_id["linear-weights"]
    students = [f"s{index}" for index in range(40)]
    values = {s: make_variant(bank, question, SECRET, s).values.display for s in students}
    one, other = students[0], next(s for s in students if values[s] != values[students[0]])
    typed = _answers(bank, one, "linear-weights").answers["linear-weights"]["a"]
    results = {}
    for student in (one, other):  # the same text: right for one variant, wrong for the other
        result = grade.grade_submission(bank, SECRET, Submission(student, "t", {"linear-weights": {"a": typed}}))
        results[student] = next(p for p in result.parts if p.question == "linear-weights").result.verdict
    assert [raw for part_id, raw in checked if raw == typed] == [typed, typed]
    assert results[one] == "correct" and results[other] != "correct"


def test_a_timeout_is_not_remembered(monkeypatch) -> None:
    bank = load_bank(BANK)
    checked = []

    def times_out(items, *args, **kwargs):
        checked.extend(raw for _, raw in items)
        return [timeout_result(raw) for _, raw in items]

    monkeypatch.setattr(grade, "check_parts", times_out)
    for _ in range(2):
        result = grade.grade_submission(bank, SECRET, _answers(bank, "s1", "linear-weights", "n*n"))
        assert next(p for p in result.parts if p.question == "linear-weights").result.note == "timeout"
    assert checked.count("n*n") == 2


def test_an_edited_part_is_checked_against_its_new_reference(tmp_path: Path) -> None:
    shutil.copy(BANK, tmp_path / "cnn.yaml")
    shutil.copy(BANK.with_name("cnn_solvers.py"), tmp_path / "cnn_solvers.py")
    bank = load_bank(tmp_path / "cnn.yaml")
    typed = _answers(bank, "s1", "linear-weights").answers["linear-weights"]["a"]

    def verdict(on) -> str:
        result = grade.grade_submission(on, SECRET, Submission("s1", "t", {"linear-weights": {"a": typed}}))
        return next(p for p in result.parts if p.question == "linear-weights").result.verdict

    assert verdict(bank) == "correct"
    text = (tmp_path / "cnn.yaml").read_text()
    at = text.index("answer: n*n\n", text.index("id: linear-weights"))
    (tmp_path / "cnn.yaml").write_text(text[:at] + "answer: n*n + 1\n" + text[at + len("answer: n*n\n"):])
    edited = load_bank(tmp_path / "cnn.yaml")
    bank.questions[bank.questions.index(bank.by_id["linear-weights"])] = edited.by_id["linear-weights"]
    bank.by_id["linear-weights"] = edited.by_id["linear-weights"]
    assert verdict(bank) != "correct"  # the same bank object, the part replaced: not the remembered check


def test_a_choice_part_is_remembered_per_option_order(monkeypatch) -> None:
    bank = load_bank(BANK)
    question = bank.by_id["fc-head"]  # one choice part, shuffled, no parameters: students differ by order only
    part = next(p for p in question.parts if "options" in p.settings)
    orders = {}
    for index in range(40):
        spec = make_variant(bank, question, SECRET, f"s{index}").parts[part.id]
        orders.setdefault(tuple(o["number"] for o in spec["options"]), []).append((f"s{index}", spec))
    assert len(orders) >= 2 and any(len(students) >= 2 for students in orders.values())
    checked = _counting(monkeypatch)
    for students in orders.values():
        for student, spec in students:
            result = grade.grade_submission(bank, SECRET, Submission(student, "t", {question.id: {part.id: "A"}}))
            verdict = next(p for p in result.parts if p.part == part.id and p.question == question.id).result.verdict
            # "A" is the first option this student was shown: right exactly when that one is correct
            assert (verdict == "correct") == bool(spec["options"][0].get("correct")), (student, spec["options"])
    # checked once per order the class saw, not once per student, and never shared across orders
    assert [raw for part_id, raw in checked if part_id == part.id and raw == "A"] == ["A"] * len(orders)
