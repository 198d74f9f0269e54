"""A bank's fingerprint is of the files as load_bank read them: an edit after loading (during a class run,
during a server's term) is never recorded as the bank that graded, and a fresh load sees the edit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from grader.bank.fingerprint import bank_fingerprint, fingerprint_files
from grader.bank.model import load_bank
from grader.course.roster import Student
from grader.jobs.grade_class import grade_class

ROOT = Path(__file__).resolve().parent.parent


def test_an_edit_after_loading_does_not_change_the_recorded_fingerprint(tmp_path: Path) -> None:
    for name in ("cnn.yaml", "cnn_solvers.py"):
        shutil.copy(ROOT / "questions" / name, tmp_path / name)
    bank = load_bank(tmp_path / "cnn.yaml")
    loaded = bank_fingerprint(bank)
    assert loaded == fingerprint_files(tmp_path / "cnn.yaml", tmp_path / "cnn_solvers.py")
    with (tmp_path / "cnn.yaml").open("a", encoding="utf-8") as stream:
        stream.write("# edited while the class was being graded\n")
    edited = fingerprint_files(tmp_path / "cnn.yaml", tmp_path / "cnn_solvers.py")
    assert edited != loaded and bank_fingerprint(bank) == loaded
    grade_class(bank, "fingerprint-secret", [Student("s001", "Ada")], [ROOT / "submissions" / "s001.yaml"],
                tmp_path / "out", jobs=1)
    record = json.loads((tmp_path / "out" / "records" / "s001.json").read_text(encoding="utf-8"))
    results = json.loads((tmp_path / "out" / "results" / "s001.json").read_text(encoding="utf-8"))
    assert record["bank_fingerprint"] == results["extra_data"]["bank_fingerprint"] == loaded
    assert bank_fingerprint(load_bank(tmp_path / "cnn.yaml")) == edited
