"""`grader validate` reports every problem in every bank in one run, not only the first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TWO_BAD_QUESTIONS = """id: a
title: A
questions:
  - id: q1
    title: One
    text: "{{ X }}"
    parts:
      - id: a
        type: integer
        answer: 1
  - id: q2
    title: Two
    text: Hi
    parts:
      - id: a
        type: nonsense
  - id: q3
    title: Three
    text: fine
    parts:
      - id: a
        type: integer
        answer: 3
"""

ONE_BAD_PART = """id: b
title: B
questions:
  - id: q1
    title: One
    text: Hi
    parts:
      - id: a
        type: integer
        answer: 1
        bogus: 2
"""


def test_every_error_in_every_bank_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(TWO_BAD_QUESTIONS, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(ONE_BAD_PART, encoding="utf-8")
    (tmp_path / "course.yaml").write_text("secret: test\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "grader.cli", "validate", str(tmp_path), "--seeds", "5"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 3, run.stderr
    assert "a.yaml:6, question 'q1': parameter 'X' is used in the text" in errors[0]
    assert "a.yaml:16:15, question 'q2' part 'a': unknown answer type 'nonsense'" in errors[1]
    assert "b.yaml:11:16, question 'q1' part 'a': unknown key 'bogus'" in errors[2]


def test_other_commands_show_the_first_problem_and_the_count(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(TWO_BAD_QUESTIONS, encoding="utf-8")
    (tmp_path / "course.yaml").write_text("secret: test\n", encoding="utf-8")
    (tmp_path / "roster.csv").write_text("SID\ns1\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "grader.cli", "generate", str(tmp_path / "a.yaml"), "--roster",
                          str(tmp_path / "roster.csv"), "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "parameter 'X' is used in the text" in run.stderr
    assert "and 1 more problem(s) in this bank; grader validate lists them all" in run.stderr
