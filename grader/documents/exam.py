"""Exam mode: a printable problem set with name and id fields, a short code on every page, answer space.

The short code is keyed by the course secret (like a variant seed), so it is
the same on every machine and tells nothing about the student without the
secret; ``exam_codes.csv`` maps codes back to students when scans come in.
Exams never hold answers or solutions.
"""

from __future__ import annotations

import base64
from typing import Any

from grader.bank.model import Bank
from grader.bank.variant import Variant
from grader.check.types.choice import LABELS
from grader.core.variant_seed import variant_seed
from grader.course.roster import Student
from grader.documents.pages import answer_hint, html_layouts
from grader.documents.render import PAGE_STYLE, markdown_to_html

# Lines of writing space per answer type: a number needs one, an explanation many.
ANSWER_LINES = {"integer": 2, "number": 2, "text": 2, "choice": 1, "checkbox": 1, "expression": 3, "matrix": 6,
                "free": 9}
PAPER_HINTS = {"choice": "tick one box", "checkbox": "tick every correct box"}
EXAM_QUESTION = "<exam-code>"  # a label no question id can take (ids cannot start with '<')


def exam_code(secret: str, bank_id: str, student_id: str) -> str:
    digest = variant_seed(secret, bank_id, EXAM_QUESTION, student_id)
    letters = base64.b32encode(digest).decode()[:8]
    return f"{letters[:4]}-{letters[4:]}"


def _inline(fragment: str) -> str:
    fragment = fragment.strip()
    if fragment.startswith("<p>") and fragment.endswith("</p>") and fragment.count("<p>") == 1:
        return fragment[3:-4]
    return fragment


def _part(variant: Variant, part) -> dict[str, Any] | None:
    if part.type == "code":
        return None  # written in the notebook, not on paper
    spec = variant.parts[part.id]
    options = [{"label": label, "html": _inline(markdown_to_html(str(option["text"])))}
               for label, option in zip(LABELS, spec.get("options") or [])]
    return {"id": part.id, "prompt": markdown_to_html(variant.render_prompt(part)) if part.prompt else "",
            "hint": PAPER_HINTS.get(part.type) or answer_hint(spec), "options": options,
            "lines": ANSWER_LINES.get(part.type, 3)}


def render_exam_html(bank: Bank, student: Student, variants: list[Variant], code: str) -> str:
    items = []
    for variant in variants:
        parts = [p for p in (_part(variant, part) for part in variant.question.parts) if p]
        if parts:
            items.append({"title": variant.question.title, "points": variant.question.points,
                          "text": markdown_to_html(variant.render_text()), "parts": parts})
    return html_layouts().get_template("exam.html.j2").render(bank=bank, student=student, items=items, code=code,
                                                              style=PAGE_STYLE)
