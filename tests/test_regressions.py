"""Problems found in review, each pinned by the behaviour a user would see."""

from __future__ import annotations

import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

from grader.bank.model import load_bank
from grader.bank.variant import fixed_variant, make_variant
from grader.check import check_answer
from grader.course.config import CourseConfig, resolve_secret
from grader.grading.grade import grade_submission
from grader.grading.submission import submission_from_data

ROOT = Path(__file__).resolve().parent.parent
BANK = load_bank(ROOT / "questions" / "cnn.yaml")


def test_a_huge_number_never_crashes_the_check() -> None:
    spec = {"type": "number", "answer": Fraction(1, 1000), "mistakes": []}
    for raw in ("exp(709)", "1e300", "-1e300", "10^299"):
        result = check_answer(spec, raw)
        assert result.verdict in ("incorrect", "invalid"), (raw, result)


def test_an_off_by_two_answer_is_not_called_off_by_one() -> None:
    spec = {"type": "integer", "answer": 25, "mistakes": []}
    result = check_answer(spec, "27")
    assert result.note == "off-by-two" and "+1 or -1" not in result.feedback and "+2" in result.feedback


def test_an_all_zero_matrix_earns_nothing_on_a_sparse_reference() -> None:
    variant = make_variant(BANK, BANK.by_id["conv-as-matrix"], "review", "s001")
    spec = variant.parts["a"]
    rows, cols = spec["answer"].shape
    zeros = "[" + ", ".join("[" + ", ".join("0" for _ in range(cols)) + "]" for _ in range(rows)) + "]"
    result = check_answer(spec, zeros)
    assert result.score == 0.0 and result.verdict == "incorrect"


def test_a_square_transpose_is_named_without_a_confusing_shape_message() -> None:
    spec = {"type": "matrix", "answer": sympy.ImmutableMatrix([[1, 2], [3, 4]]), "mistakes": []}
    result = check_answer(spec, "[[1, 3], [2, 4]]")
    assert result.note == "transposed" and "expected 2×2" not in result.feedback


def test_padding_counted_once_is_told_apart_from_the_missing_plus_one() -> None:
    """With S = P the two mistakes give the same number, so the bank keeps such variants out."""
    for index in range(300):
        params = make_variant(BANK, BANK.by_id["conv-output-size"], "review", f"r{index}").params
        assert params["S"] != params["P"] and params["S"] != 2 * params["P"], params
    variant = fixed_variant(BANK, BANK.by_id["conv-output-size"], {"I": 27, "F": 3, "S": 2, "P": 0})
    assert check_answer(variant.parts["a"], "13").verdict == "correct"  # (27 - 3)/2 + 1
    assert check_answer(variant.parts["a"], "12").note == "missing-plus-one"


def test_validate_reports_mistakes_that_shadow_each_other(tmp_path: Path) -> None:
    (tmp_path / "course.yaml").write_text("secret: shadow\n")
    (tmp_path / "shadow.yaml").write_text(
        "id: shadow\ntitle: Shadow\nquestions:\n  - id: q\n    title: Q\n    params:\n      n: {range: [1, 4]}\n"
        "    text: n is {{ n }}\n    parts:\n      - id: a\n        type: integer\n        answer: 2*n\n"
        "        mistakes:\n          - {answer: n, note: half, feedback: Half.}\n"
        "          - {answer: n*n, note: square, feedback: Squared.}\n")
    run = subprocess.run([sys.executable, "-m", "grader.cli", "validate", str(tmp_path / "shadow.yaml"),
                          "--seeds", "40"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "mistake 'square' gives the same answer as 'half'" in run.stdout  # n = 1: n*n == n


def test_choice_notes_name_the_bank_option_not_the_shuffled_letter() -> None:
    """The same wrong option gets the same note for every student, whatever letter it was shown under."""
    question = BANK.by_id["pooling"]
    notes = set()
    for student in ("s001", "s002", "s003", "s004", "s005"):
        spec = make_variant(BANK, question, "review", student).parts["a"]
        label = next(chr(65 + i) for i, o in enumerate(spec["options"]) if o["text"].startswith("It adds learnable"))
        notes.add(check_answer(spec, label).note)
    assert notes == {"chose-2"}


def test_a_stray_file_never_overwrites_a_students_outputs(tmp_path: Path) -> None:
    submissions = tmp_path / "submissions"
    shutil.copytree(ROOT / "submissions", submissions)
    (submissions / "s001..yaml").write_text("fc-weights:\n  a: 1\n")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(ROOT / "questions" / "cnn.yaml"),
                          str(submissions), "--roster", str(submissions / "roster.csv"), "--out", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    feedback = (out / "feedback" / "s001.md").read_text()
    assert "Score: **30.5 / 30.5**" in feedback
    assert any("unmatched" in p.name for p in (out / "feedback").iterdir())


def test_secret_whitespace_does_not_change_the_variants() -> None:
    assert resolve_secret(" course-secret\n", CourseConfig())[0] == "course-secret"


def test_checkbox_answer_as_a_yaml_list() -> None:
    spec = make_variant(BANK, BANK.by_id["cnn-advantages"], "review", "s001").parts["a"]
    right = sorted(spec["answer"])
    submission = submission_from_data({"cnn-advantages": {"a": right}}, BANK, "s001")
    assert submission.answers["cnn-advantages"]["a"] == "[" + ", ".join(right) + "]"
    assert check_answer(spec, submission.answers["cnn-advantages"]["a"]).verdict == "correct"


def test_commas_between_function_arguments_in_a_number_answer() -> None:
    spec = {"type": "number", "answer": Fraction(4), "mistakes": []}
    assert check_answer(spec, "max(3, 4)").verdict == "correct"
    assert check_answer(spec, "4,0").verdict == "invalid"


def test_an_internal_error_is_flagged_for_the_instructor(monkeypatch, capsys) -> None:
    from grader.check.types import integer

    def explode(self, value, reference, spec):
        raise RuntimeError("checker bug")

    monkeypatch.setattr(integer.IntegerChecker, "score", explode)
    submission = submission_from_data({"fc-weights": {"a": "5"}}, BANK, "s001")
    result = grade_submission(BANK, "review", submission)
    part = next(p for p in result.parts if p.question == "fc-weights")
    assert part.result.verdict == "invalid" and part.points == 0
    assert any("internal error while checking fc-weights part a" in w for w in result.warnings)
    assert "RuntimeError: checker bug" in capsys.readouterr().err


def test_feedback_html_shows_hostile_answers_as_text(tmp_path: Path) -> None:
    """An answer that looks like markup is escaped in the feedback page, never run by the browser."""
    from grader.report.feedback import feedback_html

    payload = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    submission = submission_from_data({"vanishing-gradient": {"a": payload}, "fc-weights": {"a": payload}},
                                      BANK, "s001")
    page = feedback_html(BANK, grade_submission(BANK, "review", submission))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_submission_that_hangs_is_stopped_and_the_class_is_still_graded(tmp_path: Path, monkeypatch) -> None:
    """Each submission runs in a killable worker with a time limit; a hang costs only that student."""
    import time

    from grader.jobs import grade_class as pipeline

    real_grade_file = pipeline.grade_file

    def sometimes_hangs(bank, secret, student_id, path):
        if student_id == "s002":
            time.sleep(60)
        return real_grade_file(bank, secret, student_id, path)

    monkeypatch.setattr(pipeline, "grade_file", sometimes_hangs)  # inherited by the forked workers
    monkeypatch.setattr(pipeline, "SUBMISSION_TIMEOUT", 6.0)  # generous: the others must finish under load
    items = [(sid, ROOT / "submissions" / f"{sid}.yaml") for sid in ("s001", "s002", "s003")]
    started = time.monotonic()
    results = pipeline.grade_all(BANK, "review", items, tmp_path, jobs=1)
    assert time.monotonic() - started < 30
    assert results["s002"].status == "error" and "took too long" in results["s002"].message
    assert results["s001"].status == "graded" and results["s003"].status == "graded"
    assert (tmp_path / "feedback" / "s002.md").exists()


def test_submission_text_never_reaches_the_instructor_evaluators(tmp_path: Path, monkeypatch) -> None:
    """Bank-style answer mappings in a submission ({numpy: ...}, {solver: ...}) are refused as data.

    Only bank answers are compiled for eval; a submission's values become text for the safe parser.
    """
    from grader.bank import solve

    monkeypatch.chdir(tmp_path)
    evaluated: list[str] = []

    def spy_eval(code, *namespaces):  # shadows the builtin inside grader.bank.solve only
        evaluated.append(code.co_filename)
        return eval(code, *namespaces)

    monkeypatch.setattr(solve, "eval", spy_eval, raising=False)
    answers = tmp_path / "s001.yaml"
    answers.write_text('fc-weights:\n  a: {numpy: "__import__(\'os\').system(\'touch HACKED\')"}\n'
                       'conv-weights:\n  a: {solver: conv_output_size, args: [1, 1, 1, 1]}\n'
                       'same-padding:\n  a: "__import__(\'os\').system(\'touch HACKED\')"\n')
    from grader.grading.submission import read_submission

    submission = read_submission(answers, BANK, "s001")
    result = grade_submission(BANK, "review", submission)
    assert not (tmp_path / "HACKED").exists()
    assert sum(p.points for p in result.parts if p.question in ("fc-weights", "conv-weights", "same-padding")) == 0
    assert any("an answer must be text" in w for w in submission.warnings)
    # eval only ever sees code compiled from a bank's {numpy: ...} answers (the CNN bank has none).
    assert all(name == "<bank numpy answer>" for name in evaluated)
    # ...and the spy does see those: a bank with a numpy answer goes through it.
    bank_file = tmp_path / "np.yaml"
    bank_file.write_text("id: np\ntitle: N\nquestions:\n  - id: q\n    title: Q\n    params:\n"
                         "      A: {matrix: [2, 2], range: [1, 3]}\n    text: A\n    parts:\n"
                         "      - {id: a, type: matrix, answer: {numpy: A.T}}\n")
    numpy_bank = load_bank(bank_file)
    make_variant(numpy_bank, numpy_bank.questions[0], "review", "s001")
    assert evaluated and set(evaluated) == {"<bank numpy answer>"}


@pytest.mark.parametrize("kind", ["set", "tuple", "complex"])
def test_a_reference_given_as_text_is_refused_not_sympified(kind: str) -> None:
    """reference() builds sympy by type: text (which sympify would evaluate as code) is refused."""
    from grader.check.registry import REGISTRY

    checker = REGISTRY.get(kind)
    hostile = "__import__('os').system('touch HACKED')"
    with pytest.raises(ValueError):
        checker.reference([1, hostile] if kind != "complex" else hostile, {"type": kind})
    assert not Path("HACKED").exists()


def test_no_grading_module_calls_an_evaluator_on_text() -> None:
    """eval/exec live only where instructor code is run (bank/solve.py, jobs/validate.py); sympify nowhere."""
    import ast

    calls = {}
    for path in (ROOT / "grader").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ("eval", "exec", "sympify", "parse_expr", "S"):
                    calls.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    assert calls == {"eval": {"grader/bank/solve.py"}, "exec": {"grader/jobs/validate.py"}}


@pytest.mark.parametrize("form", ["numpy", "solver"])
def test_an_answer_written_as_a_bank_answer_spec_never_reaches_eval(tmp_path: Path, form: str) -> None:
    """The bank's own {numpy: ...} / {solver: ...} answer forms are code paths; in an answers file they are data.

    A student who writes them as an answer gets a warning and an empty (blank) part; nothing runs.
    """
    import json

    from grader.grading.grade import grade_submission
    from grader.grading.submission import read_submission

    marker = tmp_path / "MARKER"
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    value = {"numpy": code} if form == "numpy" else {"solver": "conv_output_size", "args": [code]}
    answers = tmp_path / "s001.json"
    answers.write_text(json.dumps({"conv-output-size": {"a": value}}), encoding="utf-8")
    bank = load_bank(ROOT / "questions" / "cnn.yaml")
    submission = read_submission(answers, bank, "s001")
    result = grade_submission(bank, "a-secret", submission)
    part = next(p for p in result.parts if p.question == "conv-output-size" and p.part == "a")
    assert part.result.note == "blank" and part.points == 0
    assert any("an answer must be text" in warning for warning in result.warnings)
    assert not marker.exists()
