"""``grader generate``: a problem set per student, and with ``key`` the answer keys."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.bank.model import Bank
from grader.bank.student_bank import write_student_bank
from grader.bank.variant import Variant, make_variant
from grader.core.deadline import SOLVER_TIME_LIMIT, time_limit
from grader.core.files import safe_name, write_atomic
from grader.core.safe_text import spreadsheet_row
from grader.course.roster import Student
from grader.documents.pages import render_answer_key, render_problem_set
from grader.documents.render import html_page


@dataclass
class GenerateResult:
    problem_sets: list[Path]
    keys: list[Path]
    key_csv: Path | None


def student_variants(bank: Bank, secret: str, student: Student) -> list[Variant]:
    with time_limit(SOLVER_TIME_LIMIT):  # solvers are instructor code: one that loops ends with a message
        return [make_variant(bank, question, secret, student.id) for question in bank.questions]


def generate(bank: Bank, students: list[Student], secret: str, out_dir: str | Path, *, key: bool = False,
             progress: Callable[[], None] | None = None) -> GenerateResult:
    out = Path(out_dir)
    problem_sets, keys = [], []
    rows = []
    for student in students:
        variants = student_variants(bank, secret, student)
        name = safe_name(student.id)
        markdown = render_problem_set(bank, student, variants)
        title = f"{bank.title}: problem set for {student.name or student.id}"
        problem_sets.append(write_atomic(out / "problem-sets" / f"{name}.md", markdown))
        write_atomic(out / "problem-sets" / f"{name}.html", html_page(title, markdown))
        if key:
            key_markdown = render_answer_key(bank, student, variants)
            keys.append(write_atomic(out / "keys" / f"{name}.md", key_markdown))
            write_atomic(out / "keys" / f"{name}.html", html_page(f"{bank.title}: key for {student.id}", key_markdown))
            for variant in variants:
                for part in variant.question.parts:
                    rows.append([student.id, variant.question.id, part.id, part.type, variant.reference_text(part.id)])
        if progress:
            progress()
    write_student_bank(bank.path, out / "student-bank.yaml")
    key_csv = None
    if key:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["student_id", "question", "part", "type", "answer"])
        writer.writerows(spreadsheet_row(row) for row in rows)  # ids and answers may start with = or -
        key_csv = write_atomic(out / "answer_key.csv", buffer.getvalue())
    return GenerateResult(problem_sets, keys, key_csv)
