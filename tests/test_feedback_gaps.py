"""The gaps found in feedback (issue 10, section 3), each driven as a user meets it.

An unreadable file graded by ``grader grade``; a student's YAML syntax error; the answer key of free and
code parts; the checkbox example of the problem set; a shifted band said once; ``grader validate``
telling the author what feedback can tell apart.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.bank.model import load_bank
from grader.bank.variant import fixed_variant, make_variant
from grader.check.answer import check_answer
from grader.check.types.choice import LABELS
from grader.documents.pages import ANSWER_HINTS
from grader.grading.submission import SubmissionError, read_submission

ROOT = Path(__file__).resolve().parent.parent
CNN = ROOT / "questions" / "cnn.yaml"
BANK = load_bank(CNN)


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def unreadable_class(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("unreadable")
    submissions = folder / "deep" / "path" / "submissions"
    submissions.mkdir(parents=True)
    (submissions / "roster.csv").write_text("Name,SID\nEmmy Noether,s005\n", encoding="utf-8")
    (submissions / "s005.yaml").write_text((ROOT / "submissions" / "s005.yaml").read_text(), encoding="utf-8")
    result = run("grade", str(CNN), str(submissions), "--roster", str(submissions / "roster.csv"),
                 "--out", str(folder / "out"), "--secret", "gaps", "--jobs", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


def test_unreadable_file_error_is_said_once_with_a_relative_path(unreadable_class: Path) -> None:
    markdown = (unreadable_class / "out" / "feedback" / "s005.md").read_text(encoding="utf-8")
    assert markdown.count("is never closed") == 1, markdown  # once, at the top: not once per part
    assert "s005.yaml:3:" in markdown and str(unreadable_class) not in markdown  # no instructor path
    assert "Emmy Noether" in markdown.split("\n\n")[1]


def test_unreadable_file_leaves_hand_graded_parts_pending(unreadable_class: Path) -> None:
    markdown = (unreadable_class / "out" / "feedback" / "s005.md").read_text(encoding="utf-8")
    pooling = markdown.split("Why pooling")[1].split("\n## ")[0]
    part_b = pooling.split("### Part b")[1]
    assert "graded by hand" in part_b and "incorrect" not in part_b, part_b


@pytest.mark.parametrize("text, line, words", [
    ("fc-weights:\n  a: [1, 2\nconv-weights:\n  a: 3\n", 2, "the '[' on line 2 is never closed"),
    ("conv-as-matrix:\n  b: [[81, 45], [67, 18]\n  c: A\n", 2, "the '[' on line 2 is never closed"),
    ("vanishing-gradient:\n  a: note: skip connections\n", 2, "put the answer in quotes"),
])
def test_yaml_syntax_errors_are_explained_for_students(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "s001.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SubmissionError) as caught:
        read_submission(path, BANK, "s001")
    assert words in caught.value.message and "did not find expected" not in caught.value.message
    assert caught.value.location.line == line


def test_checkbox_example_can_never_be_an_answer() -> None:
    hint = ANSWER_HINTS["checkbox"]
    letters = set(hint.split("form ")[1].rstrip(")").replace(",", " ").split())
    largest = max(len(q.parts[0].settings.get("options", [])) for q in BANK.questions if q.parts[0].type == "checkbox")
    assert letters and not letters & set(LABELS[:largest]), hint


def test_answer_key_shows_rubric_and_reference_code(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,SID\nAda Lovelace,s001\n", encoding="utf-8")
    result = run("generate", str(CNN), "--roster", str(roster), "--out", str(tmp_path / "out"), "--key",
                 "--secret", "gaps")
    assert result.returncode == 0, result.stderr
    key = (tmp_path / "out" / "keys" / "s001.md").read_text(encoding="utf-8")
    assert "**Rubric for part b** (graded by hand):" in key
    assert "- Pooling grows the receptive field with no parameters." in key
    assert "**Reference code for part output-size:**" in key and "return (I - F + 2 * P) // S + 1" in key
    assert "| b | free | `` |" not in key


def test_shifted_band_is_said_once() -> None:
    variant = fixed_variant(BANK, BANK.by_id["conv1d-toeplitz"], {"n": 5, "size": 3})
    shifted = "[0 k2 k3 0 0; 0 k1 k2 k3 0; 0 0 k1 k2 k3; 0 0 0 k1 k2; 0 0 0 0 k1]"  # k2 not on the diagonal
    result = check_answer(variant.parts["a"], shifted)
    assert result.verdict == "incorrect"
    assert result.feedback.count("entries are not correct") <= 1, result.feedback
    band = "[k1 k2 k3 0 0; 0 k1 k2 k3 0; 0 0 k1 k2 k3; 0 0 0 k1 k2; 0 0 0 0 k1]"  # k1 on the diagonal
    result = check_answer(variant.parts["a"], band)
    assert result.note == "derived:matrix:band-shifted:+1"
    assert result.feedback.count("shifted") == 1


def test_validate_says_what_feedback_tells_apart(tmp_path: Path) -> None:
    bank = tmp_path / "apart.yaml"
    bank.write_text(
        "id: apart\ntitle: Apart\nquestions:\n  - id: q\n    title: Q\n    params:\n      n: {range: [2, 9]}\n"
        "    text: n is {{ n }}\n    parts:\n      - id: a\n        type: integer\n        answer: n*n + 1\n"
        "        mistakes:\n          - {answer: n*n, note: no-plus-one, feedback: The +1.}\n"
        "          - {answer: n + n + 1, note: doubled, feedback: Doubled.}\n", encoding="utf-8")
    result = run("validate", str(bank), "--seeds", "60", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if "q.a:" in line)
    assert "no-plus-one told apart on 60/60 variants" in line
    # n + n + 1 is n*n + 1 when n = 2: it equals the answer there
    assert "doubled told apart on" in line and "equals the answer on" in line
    assert "Derived:" in line


def test_validate_errors_on_a_mistake_that_never_fires(tmp_path: Path) -> None:
    bank = tmp_path / "never.yaml"
    bank.write_text(
        "id: never\ntitle: Never\nquestions:\n  - id: q\n    title: Q\n    params:\n      n: {range: [2, 9]}\n"
        "    text: n is {{ n }}\n    parts:\n      - id: a\n        type: integer\n        answer: 2*n\n"
        "        mistakes:\n          - {answer: n + n, note: same-thing, feedback: Same.}\n", encoding="utf-8")
    result = run("validate", str(bank), "--seeds", "30", cwd=tmp_path)
    assert result.returncode == 1
    assert "mistake 'same-thing' equals the right answer on every variant checked (30): it can never fire" \
        in result.stdout


def test_several_letters_name_the_option_count_rule() -> None:
    variant = make_variant(BANK, BANK.by_id["fc-head"], "gaps", "s001")
    result = check_answer(variant.parts["a"], "B C")
    assert result.verdict == "invalid" and "Choose one option" in result.feedback
