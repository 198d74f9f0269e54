"""The student copy of a bank: its structure, without anything that gives answers away.

Students run ``grader check`` before they submit. That only needs to know
which questions and parts exist and how each part's answer is read
(answer type, declared variables, option texts), never the references,
mistakes, solutions, tests, solvers or the course secret. ``grader
generate`` writes this copy next to the problem sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader.core.errors import BankError, Location
from grader.core.yamlload import YamlError, load_file

# Part settings a student may see: they only say how an answer is read.
READING_SETTINGS = {"id", "type", "prompt", "variables", "functions", "implicit_multiplication", "percent",
                    "sigfigs", "decimals", "options", "function", "compare", "weight", "time_limit"}
QUESTION_KEYS = {"id", "title", "points", "source", "text", "parts"}


@dataclass
class PartShape:
    id: str
    type: str
    spec: dict[str, Any]


@dataclass
class QuestionShape:
    id: str
    parts: list[PartShape]


@dataclass
class BankShape:
    """Just enough of a bank to read an answers file: question ids and how each part is parsed."""

    id: str
    title: str
    practice: bool
    by_id: dict[str, QuestionShape] = field(default_factory=dict)
    pools: list[tuple[int, list[str]]] = field(default_factory=list)  # (pick, question ids): no secret needed


def reading_settings(part: dict[str, Any]) -> dict[str, Any]:
    """What a student may see of a part: how its answer is read, and option texts without correctness."""
    shown = {key: part[key] for key in part if key in READING_SETTINGS}
    if "options" in shown:
        shown["options"] = [{"text": o.get("text", "")} for o in shown["options"] if isinstance(o, dict)]
    return shown


def student_copy(data: dict[str, Any]) -> dict[str, Any]:
    """The bank's data with references, mistakes, solutions, tests and option correctness removed."""
    questions = []
    for question in data.get("questions") or []:
        kept = {key: question[key] for key in question if key in QUESTION_KEYS and key != "parts"}
        kept["parts"] = [reading_settings(part) for part in question.get("parts") or [] if isinstance(part, dict)]
        questions.append(kept)
    limit = {"time_limit": data["time_limit"]} if "time_limit" in data else {}
    copy = {"id": data.get("id"), "title": data.get("title"), **limit, "student_copy": True, "questions": questions}
    if data.get("pools"):  # which questions are pooled is on every problem set anyway; who gets which is not here
        copy["pools"] = [{"pick": pool.get("pick"), "from": list(pool.get("from") or [])}
                         for pool in data["pools"] if isinstance(pool, dict)]
    return copy


def write_student_bank(bank_path: str | Path, out: str | Path) -> Path:
    from grader.core.files import write_atomic

    data = _load(bank_path)
    header = "# Student copy of the question bank: for `grader check` only. It holds no answers.\n"
    return write_atomic(out, header + yaml.safe_dump(student_copy(data), sort_keys=False, allow_unicode=True))


def _load(path: str | Path) -> dict[str, Any]:
    try:
        data = load_file(str(path)).data
    except YamlError as error:
        raise BankError(error.message, Location(str(path), error.line, error.column)) from error
    except OSError as error:
        raise BankError(f"cannot read the bank: {error.strerror}", Location(str(path))) from error
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise BankError("this is not a question bank (no questions: list)", Location(str(path), 1))
    return data


def load_shape(path: str | Path) -> BankShape:
    """Read a bank (full or student copy) as a shape; needs no solvers and no secret."""
    data = _load(path)
    shape = BankShape(str(data.get("id", "")), str(data.get("title", "")), bool(data.get("practice", False)))
    for question in data["questions"]:
        if not isinstance(question, dict) or "id" not in question:
            continue
        parts = []
        for part in question.get("parts") or []:
            if isinstance(part, dict) and "id" in part and "type" in part:
                spec = reading_settings(part)
                if "time_limit" in data and "time_limit" not in spec:  # the bank's limit, for grader check
                    spec["time_limit"] = data["time_limit"]
                parts.append(PartShape(str(part["id"]), str(part["type"]), spec))
        shape.by_id[str(question["id"])] = QuestionShape(str(question["id"]), parts)
    for pool in data.get("pools") or []:
        if isinstance(pool, dict) and isinstance(pool.get("pick"), int) and isinstance(pool.get("from"), list):
            shape.pools.append((pool["pick"], [str(member) for member in pool["from"]]))
    return shape
