"""The bank chooses when Gradescope shows results: per bank, and per part (results.json "visibility")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.bank.model import load_bank
from grader.core.errors import BankError
from grader.grading.grade import grade_submission
from grader.grading.submission import Submission
from grader.report.gradescope import results_json

BANK = """id: vis
title: Visibility
visibility: {bank}
questions:
  - id: q1
    title: One
    text: Two plus two?
    parts:
      - id: a
        type: integer
        answer: 4
      - id: b
        type: integer
        answer: 5
        visibility: {part}
"""


def _bank(tmp_path: Path, bank: str, part: str) -> Path:
    path = tmp_path / "vis.yaml"
    path.write_text(BANK.format(bank=bank, part=part), encoding="utf-8")
    return path


@pytest.mark.parametrize("bank, part", [("visible", "hidden"), ("after_due_date", "after_published"),
                                        ("hidden", "visible")])
def test_results_json_carries_the_banks_and_the_parts_visibility(tmp_path, bank, part):
    loaded = load_bank(_bank(tmp_path, bank, part))
    result = grade_submission(loaded, "s", Submission("s1", "answers.yaml", {"q1": {"a": "4", "b": "5"}}))
    data = results_json(loaded, result)
    assert data["visibility"] == bank
    assert [t["visibility"] for t in data["tests"]] == [bank, part]


def test_an_unknown_visibility_is_refused_with_its_place(tmp_path):
    with pytest.raises(BankError) as caught:
        load_bank(_bank(tmp_path, "visible", "later"))
    assert "visibility must be one of visible, after_due_date, after_published, hidden" in caught.value.message
    assert caught.value.location.part == "b" and caught.value.location.line == 15
    run = subprocess.run([sys.executable, "-m", "grader.cli", "validate", str(tmp_path / "vis.yaml")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "vis.yaml:15" in run.stderr
