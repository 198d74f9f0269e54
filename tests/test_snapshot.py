"""A bank snapshot (``grader.bank.snapshot``) gives the very bank ``load_bank`` gives, or nothing.

It is used only while the bank file, the solver module and the environment are what it was made from:
an edit, a new solver module, another library version or a damaged file makes ``load_snapshot``
return None, and the caller reads the bank from its file. Through the Gradescope autograder, a
submission graded from the snapshot gets byte for byte the results.json it gets without one.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_autograder import METADATA, SID, answers_for, built, layout, run_autograder, yaml_text  # noqa: F401

from grader.bank import snapshot
from grader.bank.model import load_bank
from grader.bank.snapshot import load_snapshot, save_snapshot
from grader.bank.variant import make_variant
from grader.grading.grade import grade_submission
from grader.grading.records import record_json
from grader.grading.submission import read_submission

ROOT = Path(__file__).resolve().parent.parent
SECRET = "snapshot-test-secret"
SMALL_BANK = """\
id: small
title: Small
questions:
  - id: q
    title: Output size
    params:
      n: {range: [5, 9]}
    text: A {{ n }}-wide input and a 3-wide kernel give how many outputs?
    parts:
      - id: a
        type: integer
        answer: n - 2
"""


def _shown(value) -> str:
    """repr without addresses: code parts hold numpy arrays (no ==) and functions made per variant."""
    return re.sub(r" at 0x[0-9a-f]+", "", repr(value))


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    """The bundled bank and its solvers in a folder of their own (the tests edit them)."""
    for name in ("cnn.yaml", "cnn_solvers.py"):
        shutil.copy(ROOT / "questions" / name, tmp_path / name)
    return tmp_path / "cnn.yaml"


def test_the_snapshot_bank_gives_the_same_variants_and_grades(copied: Path, tmp_path: Path) -> None:
    fresh = load_bank(copied)
    save_snapshot(fresh, tmp_path / "bank.snapshot")
    kept = load_snapshot(tmp_path / "bank.snapshot", copied)
    assert kept is not None and kept is not fresh
    assert kept.path == copied and kept.solvers is not None and kept.solver_path == fresh.solver_path
    assert [q.id for q in kept.questions] == [q.id for q in fresh.questions]
    for student in ("s001", "s002", "s007", "zz-99"):
        for question in fresh.questions:
            a = make_variant(fresh, question, SECRET, student)
            b = make_variant(kept, kept.by_id[question.id], SECRET, student)
            assert (a.seed_hex, _shown(a.params), _shown(a.parts)) == (b.seed_hex, _shown(b.params), _shown(b.parts)), \
                (student, question.id)
            assert [a.reference_text(p) for p in a.parts] == [b.reference_text(p) for p in b.parts]
    compared = 0
    for path in sorted((ROOT / "submissions").glob("s00*.yaml")):
        try:
            submission = read_submission(path, fresh, path.stem)
        except Exception:  # noqa: BLE001 - an unreadable sample file is not what this test is about
            continue
        compared += 1
        assert record_json(kept, grade_submission(kept, SECRET, submission)) == \
            record_json(fresh, grade_submission(fresh, SECRET, submission)), path.name
    assert compared >= 7  # the sample class: s001-s009, less the unreadable s005


@pytest.mark.parametrize("edit", ["bank", "solvers", "new solver module"])
def test_an_edit_after_the_snapshot_is_never_served_from_it(tmp_path: Path, copied: Path, edit: str) -> None:
    if edit == "new solver module":  # a bank without solvers, and then a solver module appears beside it
        (tmp_path / "cnn_solvers.py").unlink()
        copied.write_text(SMALL_BANK, encoding="utf-8")
    bank = load_bank(copied)
    save_snapshot(bank, tmp_path / "bank.snapshot")
    assert load_snapshot(tmp_path / "bank.snapshot", copied) is not None
    if edit == "bank":
        copied.write_text(copied.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    elif edit == "solvers":
        solvers = tmp_path / "cnn_solvers.py"
        solvers.write_text(solvers.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    else:
        (tmp_path / "cnn_solvers.py").write_text("def helper():\n    return 1\n", encoding="utf-8")
    assert load_snapshot(tmp_path / "bank.snapshot", copied) is None


def test_another_environment_or_a_damaged_file_is_not_used(tmp_path: Path, copied: Path, monkeypatch) -> None:
    save_snapshot(load_bank(copied), tmp_path / "bank.snapshot")
    real = snapshot._environment()
    monkeypatch.setattr(snapshot, "_environment", lambda: {**real, "sympy": "0.0.1"})
    assert load_snapshot(tmp_path / "bank.snapshot", copied) is None
    monkeypatch.setattr(snapshot, "_environment", lambda: real)
    assert load_snapshot(tmp_path / "bank.snapshot", copied) is not None
    data = (tmp_path / "bank.snapshot").read_bytes()
    (tmp_path / "bank.snapshot").write_bytes(data[: len(data) // 2])
    assert load_snapshot(tmp_path / "bank.snapshot", copied) is None
    assert load_snapshot(tmp_path / "missing.snapshot", copied) is None


def test_a_submission_graded_from_the_image_snapshot_gets_the_same_results(built, tmp_path: Path) -> None:  # noqa: F811
    files = {"answers.yaml": yaml_text(answers_for(SID, "mistakes"))}
    plain = layout(tmp_path / "plain", built["sid"], files, METADATA)
    prepared = layout(tmp_path / "prepared", built["sid"], files, METADATA)
    setup = (prepared / "source" / "setup.sh").read_text(encoding="utf-8")
    line = next(line for line in setup.splitlines() if "--prepare" in line)  # setup.sh's own step, here
    command = line.replace("/autograder/venv/bin/python", sys.executable).replace("/autograder", str(prepared))
    subprocess.run(["bash", "-c", command], check=True)
    assert (prepared / "source" / "bank.snapshot").is_file()
    assert not (plain / "source" / "bank.snapshot").exists()  # never shipped in the zip
    first, second = run_autograder(plain), run_autograder(prepared)
    assert first["results"] is not None and first["results"]["score"] > 0
    assert json.loads(second["text"]) == json.loads(first["text"]) and second["text"] == first["text"]
