"""The student copy of the bank: enough for `grader check`, nothing that gives answers away."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.core.yamlload import load_file

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "questions" / "cnn.yaml"


@pytest.fixture(scope="module")
def student_bank(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    run = subprocess.run([sys.executable, "-m", "grader.cli", "generate", str(BANK), "--roster",
                          str(ROOT / "submissions" / "roster.csv"), "--out", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return out / "student-bank.yaml"


def _check(bank: Path, answers: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    return subprocess.run([sys.executable, "-m", "grader.cli", "check", str(bank), str(answers), "--student", "s003"],
                          capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


def test_the_copy_holds_no_answers(student_bank: Path) -> None:
    full = load_file(str(BANK)).data
    copy = load_file(str(student_bank)).data
    text = student_bank.read_text()
    for key in ("answer:", "mistakes:", "solution:", "tests:", "correct:", "solution_code:", "cases:", "regex:",
                "correction:", "where:"):
        assert key not in text, key
    # Every mistake message and every synonym of the bank is absent.
    for question in full["questions"]:
        for part in question["parts"]:
            for mistake in part.get("mistakes") or []:
                assert mistake["feedback"] not in text
            for synonym in part.get("answers") or []:
                assert f"- {synonym}\n" not in text
    assert [q["id"] for q in copy["questions"]] == [q["id"] for q in full["questions"]]


def test_check_with_the_copy_needs_no_secret_or_solvers(student_bank: Path, tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    copy = alone / "student-bank.yaml"
    copy.write_text(student_bank.read_text())  # no course.yaml, no cnn_solvers.py beside it
    with_copy = _check(copy, ROOT / "submissions" / "s003.yaml", alone)
    with_full = _check(BANK, ROOT / "submissions" / "s003.yaml", alone)
    assert with_copy.returncode == 1 and "Traceback" not in with_copy.stderr
    assert with_copy.stdout == with_full.stdout
    assert with_copy.stdout.count("cannot read:") == 6
    assert "correct" not in with_copy.stdout.replace("incorrect", "")
