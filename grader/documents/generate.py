"""``grader generate``: a problem set per student, and with ``key`` the answer keys.

With ``exam`` the problem sets are printable exams (name and id fields, a short code on every page, answer
space, no solutions); with ``pdf`` every HTML page is also printed to a PDF beside it, plus one class PDF in
roster order.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.bank.model import Bank
from grader.bank.pools import assigned_questions
from grader.bank.student_bank import write_student_bank
from grader.bank.variant import Variant, make_variant
from grader.core.deadline import SOLVER_TIME_LIMIT, time_limit
from grader.core.files import safe_name, write_atomic
from grader.core.safe_text import spreadsheet_row
from grader.course.roster import Student
from grader.documents.exam import exam_code, render_exam_html
from grader.documents.pages import render_answer_key, render_problem_set
from grader.documents.render import html_page


@dataclass
class GenerateResult:
    problem_sets: list[Path]
    keys: list[Path]
    key_csv: Path | None
    pdfs: list[Path] = field(default_factory=list)
    class_pdfs: list[Path] = field(default_factory=list)
    exam_codes: Path | None = None


def student_variants(bank: Bank, secret: str, student: Student) -> list[Variant]:
    variants = []
    for question in assigned_questions(bank, secret, student.id):
        # solvers are instructor code: one that loops ends with a message naming its own question, and the
        # limit is per variant (as grader validate applies it), not shared by the student's whole bank
        with time_limit(SOLVER_TIME_LIMIT):
            variants.append(make_variant(bank, question, secret, student.id))
    return variants


def generate(bank: Bank, students: list[Student], secret: str, out_dir: str | Path, *, key: bool = False,
             progress: Callable[[], None] | None = None, pdf: bool = False, exam: bool = False) -> GenerateResult:
    out = Path(out_dir)
    problem_sets, keys = [], []
    rows, codes = [], []
    result = GenerateResult(problem_sets, keys, None)
    sheets: list[Path] = []  # the printed documents in roster order: problem sets or exams
    key_pdfs: list[Path] = []
    with contextlib.ExitStack() as stack:
        printer = None
        if pdf:
            from grader.documents.pdf import PdfPrinter

            printer = stack.enter_context(PdfPrinter())
        for student in students:
            variants = student_variants(bank, secret, student)
            name = safe_name(student.id)
            if exam:
                code = exam_code(secret, bank.id, student.id)
                codes.append([student.id, student.name, code])
                page = write_atomic(out / "exams" / f"{name}.html", render_exam_html(bank, student, variants, code))
                problem_sets.append(page)
                footer = f"{bank.title} · exam code {code}"
            else:
                markdown = render_problem_set(bank, student, variants)
                title = f"{bank.title}: problem set for {student.name or student.id}"
                problem_sets.append(write_atomic(out / "problem-sets" / f"{name}.md", markdown))
                page = write_atomic(out / "problem-sets" / f"{name}.html", html_page(title, markdown))
                footer = f"{bank.title} · {student.id}"
            if printer is not None:
                sheets.append(printer.print(page, footer=footer))
            if key:
                key_markdown = render_answer_key(bank, student, variants)
                keys.append(write_atomic(out / "keys" / f"{name}.md", key_markdown))
                key_page = write_atomic(out / "keys" / f"{name}.html",
                                        html_page(f"{bank.title}: key for {student.id}", key_markdown))
                if printer is not None:
                    key_pdfs.append(printer.print(key_page, footer=f"Answer key · {student.id}"))
                for variant in variants:
                    for part in variant.question.parts:
                        rows.append([student.id, variant.question.id, part.id, part.type, variant.reference_text(part.id)])
            if progress:
                progress()
    if pdf:
        from grader.documents.pdf import combine

        result.pdfs = sheets + key_pdfs
        result.class_pdfs.append(combine(sheets, out / ("class-exams.pdf" if exam else "class-problem-sets.pdf")))
        if key:
            result.class_pdfs.append(combine(key_pdfs, out / "class-keys.pdf"))
    if exam:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([["student_id", "name", "exam_code"], *codes])
        result.exam_codes = write_atomic(out / "exam_codes.csv", buffer.getvalue())
    write_student_bank(bank.path, out / "student-bank.yaml")
    if key:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["student_id", "question", "part", "type", "answer"])
        writer.writerows(spreadsheet_row(row) for row in rows)  # ids and answers may start with = or -
        result.key_csv = write_atomic(out / "answer_key.csv", buffer.getvalue())
    return result
