"""Forked class workers grade with the parent's bank object, not a second load of the file, so an edit
of the bank during a run cannot reach some workers and not others (and no worker pays for loading it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import grader.jobs.grade_class as grade_class
from grader.bank.model import load_bank

ROOT = Path(__file__).resolve().parent.parent
SECRET = "pool-bank-secret"


def test_workers_grade_with_the_bank_the_parent_loaded(tmp_path: Path, monkeypatch) -> None:
    shutil.copy(ROOT / "questions" / "cnn.yaml", tmp_path / "cnn.yaml")
    shutil.copy(ROOT / "questions" / "cnn_solvers.py", tmp_path / "cnn_solvers.py")
    bank = load_bank(tmp_path / "cnn.yaml")
    (tmp_path / "cnn.yaml").write_text("not: [a bank\n")  # edited (broken) after the run's bank was loaded
    items = [(path.stem, path) for path in sorted((ROOT / "submissions").glob("s00[12].yaml"))]
    out = tmp_path / "out"
    for folder in ("feedback", "results", "records"):
        (out / folder).mkdir(parents=True)
    results = grade_class.grade_all(bank, SECRET, items, out, jobs=1)
    assert [r.status for r in results.values()] == ["graded", "graded"]
    assert all(r.points > 0 for r in results.values())
    assert grade_class._pool_bank is None  # not held once the pool is gone
