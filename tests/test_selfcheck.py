"""`grader check`: the student's own check before submitting, run as the student would run it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BANK_PATH = ROOT / "questions" / "cnn.yaml"
SUBMISSIONS = ROOT / "submissions"
_SCRIPT = Path(sys.executable).with_name("grader")
GRADER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "grader.cli"]
RAW_BANK = yaml.safe_load(BANK_PATH.read_text(encoding="utf-8"))
PART_TYPES = {(q["id"], str(p["id"])): p["type"] for q in RAW_BANK["questions"] for p in q["parts"]}
ANSWERABLE = [key for key, kind in PART_TYPES.items() if kind != "code"]  # code parts live in the notebook
# What scripts/make_samples.py breaks in Grace's (s003) file; everything else there is well-formed.
S003_MALFORMED = [("fc-weights", "a"), ("conv-weights", "a"), ("conv-output-size", "a"), ("stacked-3x3", "b"),
                  ("conv-as-matrix", "b"), ("output-vs-kernel", "a")]
TIMEOUT = 30  # seconds; a check takes about one
VERDICT_WORDS = re.compile(r"\b(correct|incorrect|right|wrong|partly)\b", re.I)


def check(answers: Path, student: str, bank: Path = BANK_PATH) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    process = subprocess.Popen(GRADER + ["check", str(bank), str(answers), "--student", student], cwd=answers.parent,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the check and any worker it started
        process.communicate()
        pytest.fail(f"grader check {answers.name} did not finish in {TIMEOUT} s")
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def answer_lines(path: Path) -> dict[tuple[str, str], tuple[int, str]]:
    """(question, part) -> (line number, answer text) for the two-level YAML the samples use."""
    found, question = {}, None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if re.match(r"^[\w-]+:\s*$", line):
            question = line.rstrip(":").strip()
        elif (match := re.match(r"^  ([\w-]+): (.*)$", line)) and question:
            found[(question, match.group(1))] = (number, str(yaml.safe_load(match.group(2)) or ""))
    return found


def test_unreadable_answers_get_file_line_and_a_caret():
    path = SUBMISSIONS / "s003.yaml"
    result = check(path, "s003")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    where = answer_lines(path)
    for question, part in S003_MALFORMED:
        number, text = where[(question, part)]
        label = f"cannot read: s003.yaml:{number}: {question}.{part}: "
        index = next((i for i, line in enumerate(lines) if line.startswith(label)), None)
        assert index is not None, (label, result.stdout)
        shown, caret = lines[index + 1], lines[index + 2]
        assert shown.startswith("    ") and shown.strip() and shown.strip() in text
        assert re.fullmatch(r" {4,}\^", caret), caret
        column = len(caret) - 1
        assert column < len(shown), (shown, caret)  # the caret sits under the shown answer
    summary = lines[-1]
    assert re.fullmatch(r"\d+ answered, \d+ missing, 6 unreadable", summary), summary


def test_caret_points_at_the_problem():
    result = check(SUBMISSIONS / "s003.yaml", "s003")
    lines = result.stdout.splitlines()
    index = next(i for i, line in enumerate(lines) if "output-vs-kernel.a:" in line)
    shown, caret = lines[index + 1], lines[index + 2]
    assert shown[len(caret) - 1] == ")"  # "H - K + 1)": the unmatched parenthesis
    index = next(i for i, line in enumerate(lines) if "fc-weights.a:" in line)
    shown, caret = lines[index + 1], lines[index + 2]
    assert shown[len(caret) - 1] == ","  # "196,608,000": the thousands separator
    assert "196608000" in lines[index]


def test_missing_parts_are_listed():
    path = SUBMISSIONS / "s004.yaml"
    result = check(path, "s004")
    assert result.returncode == 1
    answered = {key for key, (_, text) in answer_lines(path).items() if text.strip()}
    assert answered == {("fc-weights", "a"), ("conv-weights", "a"), ("pooling", "a")}
    missing = set(re.findall(r"^missing: ([\w-]+)\.([\w-]+)$", result.stdout, re.M))
    assert missing >= {key for key in ANSWERABLE if key not in answered}
    assert not missing & answered
    assert ("pooling", "b") in missing  # answered with an empty string
    assert f"{len(answered)} answered" in result.stdout


def test_unknown_question_ids_are_reported(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text((SUBMISSIONS / "s001.yaml").read_text() + "conv-outptu-size:\n  a: 24\nq42: 1\n")
    result = check(path, "s001")
    assert "warning: unknown question id 'conv-outptu-size'" in result.stdout
    assert "warning: unknown question id 'q42'" in result.stdout


def test_claims_are_reported_as_warnings():
    result = check(SUBMISSIONS / "s006.yaml", "s006")
    assert result.returncode == 1
    assert "warning: the file claims to be from 's001'; it is graded as s006" in result.stdout
    assert "'score' in the answers file is ignored" in result.stdout


def test_unparseable_file_is_one_error_line_exit_2():
    result = check(SUBMISSIONS / "s005.yaml", "s005")
    assert result.returncode == 2
    assert re.search(r"^error: .*s005\.yaml:3:\d+: the '\[' on line 3 is never closed", result.stderr, re.M), \
        result.stderr


def test_complete_file_lists_nothing_missing_or_unreadable():
    result = check(SUBMISSIONS / "s001.yaml", "s001")
    missing = set(re.findall(r"^missing: ([\w-]+)\.([\w-]+)$", result.stdout, re.M))
    assert not missing & set(ANSWERABLE)
    assert "cannot read" not in result.stdout
    assert re.search(rf"^{len(ANSWERABLE)} answered, \d+ missing, 0 unreadable$", result.stdout, re.M)


def test_complete_file_exits_0():
    result = check(SUBMISSIONS / "s001.yaml", "s001")
    assert result.returncode == 0, result.stdout
    assert "missing:" not in result.stdout


def test_bare_value_answer_gets_file_line(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("# mine\nsame-padding: ((3\n")
    result = check(path, "s001")
    assert "cannot read: answers.yaml:2: same-padding.a:" in result.stdout


def test_no_verdicts_without_practice_mode():
    for student, name in (("s002", "s002.yaml"), ("s009", "s009.yaml"), ("s001", "s001.yaml")):
        result = check(SUBMISSIONS / name, student)
        assert "practice:" not in result.stdout
        assert not VERDICT_WORDS.search(result.stdout), result.stdout
        assert "+1" not in result.stdout and "flipped" not in result.stdout  # no mistake feedback either


@pytest.fixture(scope="module")
def practice_bank(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("practice")
    text = BANK_PATH.read_text(encoding="utf-8")
    assert "\npractice:" not in text
    text = re.sub(r"^(title: .*)$", r"\1\npractice: true", text, count=1, flags=re.M)
    (folder / "cnn.yaml").write_text(text, encoding="utf-8")
    for name in ("cnn_solvers.py", "course.yaml"):
        shutil.copy(BANK_PATH.with_name(name), folder / name)
    return folder / "cnn.yaml"


def test_practice_mode_gives_verdicts(practice_bank):
    result = check(SUBMISSIONS / "s002.yaml", "s002", practice_bank)
    verdicts = dict(re.findall(r"^practice: ([\w-]+\.[\w-]+): (\w+)", result.stdout, re.M))
    assert verdicts["conv-output-size.a"] == "incorrect"
    assert verdicts["fc-weights.a"] == "incorrect"
    assert verdicts["cnn-advantages.a"] == "correct"
    line = next(line for line in result.stdout.splitlines() if line.startswith("practice: conv-output-size.a"))
    assert "+1" in line
    result = check(SUBMISSIONS / "s001.yaml", "s001", practice_bank)
    verdicts = dict(re.findall(r"^practice: ([\w-]+\.[\w-]+): (\w+)", result.stdout, re.M))
    auto = [f"{q}.{p}" for (q, p), kind in PART_TYPES.items() if kind not in ("free", "code")]
    assert {k: verdicts.get(k) for k in auto} == dict.fromkeys(auto, "correct")
