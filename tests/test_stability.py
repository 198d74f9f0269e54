"""Stability rules for bank edits, checked with `impact` (docs/term.md, "What a bank edit changes").

Each edit is made to a copy of the real bank, as an instructor would, and
``impact`` is asked which questions' parameters changed for 35 students:

* adding, removing or reordering questions, parts, mistakes, or the options of
  *another* question never changes a question's parameters;
* editing one parameter's spec changes only the question that declares it.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from grader.bank.model import load_bank
from grader.course.config import DEMO_SECRET
from grader.course.roster import Student
from grader.jobs.impact import impact

ROOT = Path(__file__).resolve().parent.parent
CNN = ROOT / "questions" / "cnn.yaml"
STUDENTS = [Student(f"s{n:03d}") for n in range(1, 36)]
RAW = yaml.safe_load(CNN.read_text(encoding="utf-8"))  # the unchanged round trip is tested below


def _question(data: dict, qid: str) -> dict:
    return next(q for q in data["questions"] if q["id"] == qid)


def add_question(data):
    extra = copy.deepcopy(_question(data, "conv-output-size"))
    extra["id"] = "conv-output-size-2"
    data["questions"].insert(0, extra)


def remove_question(data):
    data["questions"] = [q for q in data["questions"] if q["id"] != "fc-weights"]


def reorder_questions(data):
    data["questions"].reverse()


def reorder_parts(data):
    _question(data, "output-vs-kernel")["parts"].reverse()


def add_mistake(data):
    _question(data, "stacked-3x3")["parts"][0]["mistakes"].append(
        {"answer": "F", "note": "kernel-size", "feedback": "That is the kernel size."})


def add_option_elsewhere(data):
    _question(data, "cnn-advantages")["parts"][0]["options"].append({"text": "Convolutions are always exact."})


def add_part(data):
    _question(data, "conv-output-size")["parts"].append(
        {"id": "z", "type": "integer", "prompt": "And the height?", "answer": "(I - F + 2*P)/S + 1"})


def edit_one_param(data):
    _question(data, "conv-output-size")["params"]["I"] = {"choice": [28, 32, 48, 64, 96]}


EDITS: dict[str, tuple[Callable[[dict], None], set[str]]] = {
    # edit: (the change, the questions whose parameters may change)
    "add a question": (add_question, set()),
    "remove a question": (remove_question, set()),
    "reorder questions": (reorder_questions, set()),
    "reorder parts": (reorder_parts, set()),
    "add a mistake": (add_mistake, set()),
    "add an option to another question": (add_option_elsewhere, set()),
    "add a part": (add_part, set()),
    "edit one parameter": (edit_one_param, {"conv-output-size"}),
}


def _write(tmp_path: Path, data: dict) -> Path:
    for name in ("cnn_solvers.py", "course.yaml"):
        shutil.copy(CNN.parent / name, tmp_path / name)
    path = tmp_path / "cnn.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def original():
    return load_bank(CNN)


@pytest.mark.parametrize("name", list(EDITS))
def test_an_edit_changes_only_the_parameters_it_should(name, original, tmp_path):
    change, allowed = EDITS[name]
    data = copy.deepcopy(RAW)
    change(data)
    edited = load_bank(_write(tmp_path, data))
    rows = impact(original, edited, STUDENTS, DEMO_SECRET)
    shared = set(original.by_id) & set(edited.by_id)
    moved = {row.question for row in rows if row.params and row.question in shared}
    assert moved <= allowed, (name, moved)
    if allowed:  # the edit really did something, for some student
        assert moved == allowed
    if name == "add an option to another question":
        changed = {row.question for row in rows if row.status == "changed"}
        assert changed == {"cnn-advantages"}  # its own text (one more option) and nothing else


def test_an_unchanged_copy_has_no_impact(original, tmp_path):
    rows = impact(original, load_bank(_write(tmp_path, copy.deepcopy(RAW))), STUDENTS, DEMO_SECRET)
    assert {row.status for row in rows} == {"unchanged"}
    assert len(rows) == len(STUDENTS) * len(original.questions)
