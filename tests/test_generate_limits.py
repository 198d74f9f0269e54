"""grader generate limits each variant's solvers, as grader validate does: a bank of several slow but
finishing solvers is generated, and a solver that loops is named with its own question, not whichever
question the student's shared budget happened to run out in."""

from __future__ import annotations

from pathlib import Path

import pytest

import grader.documents.generate as generate_module
from grader.bank.model import load_bank
from grader.core.errors import BankError
from grader.course.roster import Student

BANK = """\
id: slow
title: Slow solvers
questions:
  - id: first
    title: First
    params:
      n: {range: [1, 9]}
    text: What is {{ n }} doubled?
    parts:
      - id: a
        type: integer
        answer: {solver: slow_double, args: [n]}
  - id: second
    title: Second
    params:
      n: {range: [1, 9]}
    text: What is {{ n }} tripled?
    parts:
      - id: a
        type: integer
        answer: {solver: %s, args: [n]}
"""
SOLVERS = '''\
import time


def slow_double(n):
    time.sleep(0.6)
    return 2 * n


def slow_triple(n):
    time.sleep(0.6)
    return 3 * n


def loops(n):
    while True:
        pass
'''


def _bank(tmp_path: Path, second: str):
    (tmp_path / "slow.yaml").write_text(BANK % second, encoding="utf-8")
    (tmp_path / "slow_solvers.py").write_text(SOLVERS, encoding="utf-8")
    return load_bank(tmp_path / "slow.yaml")


def test_slow_solvers_each_get_their_own_limit(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(generate_module, "SOLVER_TIME_LIMIT", 1.0)  # each variant 0.6 s; the student's 1.2 s
    bank = _bank(tmp_path, "slow_triple")
    result = generate_module.generate(bank, [Student("s1", "Ada")], "limit-secret", tmp_path / "out")
    assert [path.name for path in result.problem_sets] == ["s1.md"]


def test_a_looping_solver_is_named_with_its_own_question(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(generate_module, "SOLVER_TIME_LIMIT", 1.0)
    bank = _bank(tmp_path, "loops")
    with pytest.raises(BankError) as raised:
        generate_module.generate(bank, [Student("s1", "Ada")], "limit-secret", tmp_path / "out")
    assert raised.value.location.question == "second"
    assert "did not finish within 1 s" in str(raised.value)
