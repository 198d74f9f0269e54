"""Reading a student's answers file (YAML or JSON) into raw answer texts.

The file is read with the same strict loader as banks, in answers mode: no
tags, aliases or duplicate keys, a depth cap, a size cap checked before
parsing, and every scalar kept as the exact text the student typed
(``017`` stays "017", ``no`` stays "no"). The student's identity never
comes from the file: claims such as ``student``, ``seed`` or ``score`` are
ignored and reported as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.bank.model import Bank
from grader.core.errors import Location, SubmissionError
from grader.core.messages import shorten
from grader.core.yamlload import MAX_SUBMISSION_BYTES, YamlError, decode_text, parse_text
from grader.grading.yaml_help import explain_yaml_error

MAX_KEY_WARNINGS = 10  # a file with thousands of unknown keys gets ten warnings and a count, not thousands
IGNORED_CLAIMS = ("student", "student_id", "sid", "id", "email", "name", "seed", "variant", "score", "points",
                  "grade", "secret")


@dataclass
class Submission:
    student_id: str
    source: str
    answers: dict[str, dict[str, str | None]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    positions: dict[tuple[str, str], int] = field(default_factory=dict)  # (question, part) -> line


def answer_to_text(value: Any) -> str | None:
    """A YAML value from an answers file back to the text the student meant."""
    if value is None:
        return None
    if isinstance(value, list):
        return "[" + ", ".join(answer_to_text(item) or "" for item in value) + "]"
    if isinstance(value, dict):
        raise ValueError("an answer cannot be a mapping")
    return str(value)


def read_submission(path: str | Path, bank: Bank, student_id: str) -> Submission:
    """Parse one answers file for ``student_id``; raise SubmissionError if it cannot be read at all."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_SUBMISSION_BYTES + 1)
        text = decode_text(raw, MAX_SUBMISSION_BYTES)
        document = parse_text(text, str(path), answers_mode=True)
    except YamlError as error:
        if error.message.startswith("invalid YAML: "):  # PyYAML's words: say what to fix, where it likely is
            explained = explain_yaml_error(text, error.message.removeprefix("invalid YAML: "), error.line,
                                           error.column)
            raise SubmissionError(explained.message, Location(str(path), explained.line, explained.column)) from error
        raise SubmissionError(error.message, Location(str(path), error.line, error.column)) from error
    except OSError as error:
        raise SubmissionError(f"cannot read the file: {error.strerror}", Location(str(path))) from error
    return submission_from_data(document.data, bank, student_id, str(path), document.positions)


def submission_from_data(data: Any, bank: Bank, student_id: str, source: str = "",
                         positions: dict | None = None) -> Submission:
    positions = positions or {}
    submission = Submission(student_id, source)
    if data is None:
        submission.warnings.append("the answers file is empty")
        return submission
    if not isinstance(data, dict):
        raise SubmissionError("the answers file must map question ids to answers", Location(source, 1))
    if isinstance(data.get("answers"), dict):  # accept {answers: {...}} as well as the bare mapping
        for key in data:
            if key != "answers":
                _claim(submission, str(key), student_id, data[key])
        data = data["answers"]
    unknown: list[str] = []
    for key, value in data.items():
        key = str(key)
        question = bank.by_id.get(key)
        if question is None:
            if key.lower() in IGNORED_CLAIMS:
                _claim(submission, key, student_id, data.get(key))
            else:
                unknown.append(key)
            continue
        answers: dict[str, str | None] = {}
        if isinstance(value, dict):
            for part_id, part_value in value.items():
                part_id = str(part_id)
                if part_id not in {part.id for part in question.parts}:
                    submission.warnings.append(f"question '{key}' has no part '{shorten(part_id)}' (ignored)")
                    continue
                answers[part_id] = _text(submission, key, part_id, part_value)
                line = positions.get(("answers", key, part_id), positions.get((key, part_id), (None,)))[0]
                if line:
                    submission.positions[(key, part_id)] = line
        elif len(question.parts) == 1:
            answers[question.parts[0].id] = _text(submission, key, question.parts[0].id, value)
            line = positions.get(("answers", key), positions.get((key,), (None,)))[0]
            if line:
                submission.positions[(key, question.parts[0].id)] = line
        else:
            submission.warnings.append(f"question '{key}' has parts {', '.join(p.id for p in question.parts)}; "
                                       "answer each part under the question id")
        submission.answers[key] = answers
    for key in unknown[:MAX_KEY_WARNINGS]:
        submission.warnings.append(f"unknown question id '{shorten(key)}' (ignored)")
    if len(unknown) > MAX_KEY_WARNINGS:
        submission.warnings.append(f"… and {len(unknown) - MAX_KEY_WARNINGS:,} more unknown question ids (ignored)")
    return submission


def _text(submission: Submission, question: str, part: str, value: Any) -> str | None:
    try:
        return answer_to_text(value)
    except ValueError:
        submission.warnings.append(f"question '{question}' part '{part}': an answer must be text, a number or a list")
        return ""


def _claim(submission: Submission, key: str, student_id: str, value: Any = None) -> None:
    if key.lower() in ("student", "student_id", "sid", "id", "email") and value not in (None, student_id):
        submission.warnings.append(f"the file claims to be from '{value}'; it is graded as {student_id}")
    else:
        submission.warnings.append(f"'{key}' in the answers file is ignored (the grader decides it)")
