"""Problem sets and answer keys: variants rendered as Markdown, then HTML."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from grader.bank.fingerprint import provenance_line
from grader.bank.model import Bank
from grader.bank.templates import number, points
from grader.bank.variant import Variant
from grader.check.types.choice import LABELS
from grader.course.roster import Student

ANSWER_HINTS = {
    "integer": "a whole number",
    "number": "a number",
    "expression": "a formula in {variables}",
    "matrix": "a matrix, as [[1, 2], [3, 4]] or [1 2; 3 4]",
    "choice": "one letter",
    "checkbox": "every correct letter, separated by commas (in the form X, Y)",  # an example that is no answer
    "text": "a short phrase",
    "free": "a few sentences, graded by hand",
    "code": "the function in your notebook",
    "equation": "an equation in {variables}, as y = 2x + 1",
    "interval": "an interval or inequality, as (3, inf), [0, 1) U (2, 5] or x > 3",
    "set": "a set, as {{-2, 3}}",
    "tuple": "a list in order, as (1, 2)",
    "complex": "a complex number, as 3 - 4i",
    "quantity": "a number with its unit, as 9.8 m/s^2",
    "antiderivative": "an antiderivative in {variables}",
}


@lru_cache(maxsize=2)
def _layout_environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).with_name("layouts"))),
        undefined=jinja2.StrictUndefined, autoescape=autoescape, keep_trailing_newline=True,
        auto_reload=False,  # compiled once per process: no stat of the layout file for every page
    )
    env.filters["number"] = number
    env.filters["points"] = points
    return env


def layouts() -> jinja2.Environment:
    """Markdown layouts (Markdown is escaped when it becomes HTML, in grader.documents.render)."""
    return _layout_environment(False)


def html_layouts() -> jinja2.Environment:
    """Layouts that are HTML: autoescaped, so student text is shown, never interpreted."""
    return _layout_environment(True)


def answer_hint(spec: dict[str, Any]) -> str:
    hint = ANSWER_HINTS[spec["type"]]
    if spec["type"] in ("expression", "equation", "antiderivative", "set"):
        hint = hint.format(variables=", ".join(spec.get("variables") or ()))
    if spec["type"] == "number" and spec.get("percent"):
        hint += " (a percentage, with or without the % sign)"
    if spec["type"] == "number" and spec.get("sigfigs"):
        hint += f" to {spec['sigfigs']} significant figures"
    if spec["type"] == "number" and spec.get("decimals") is not None:
        hint += f" with {spec['decimals']} decimal places"
    if spec["type"] == "complex" and spec.get("imaginary") == "j":
        hint = hint.replace("4i", "4j")
    if spec["type"] == "antiderivative" and spec.get("require_constant"):
        hint += f", with + {spec.get('constant', 'C')}"
    return hint


def _item(variant: Variant, key: bool) -> dict[str, Any]:
    question = variant.question
    parts = []
    for part in question.parts:
        spec = variant.parts[part.id]
        options = [{"label": label, "text": option["text"]}
                   for label, option in zip(LABELS, spec.get("options") or [])]
        answer = variant.reference_text(part.id) if key else ""
        rubric = [str(item) for item in spec.get("rubric") or ()] if key else []
        code = str(spec.get("solution_code") or "").rstrip() if key and part.type == "code" else ""
        if key and not answer:  # free and code parts: the key shows what the grader looks for
            answer = "see the rubric below" if rubric else "see the reference code below" if code else ""
        parts.append({"id": part.id, "type": part.type, "prompt": variant.render_prompt(part),
                      "hint": answer_hint(spec), "options": options, "answer": answer, "rubric": rubric,
                      "code": code})
    return {"id": question.id, "title": question.title, "points": question.points, "source": question.source,
            "text": variant.render_text(), "parts": parts, "params": variant.params if key else {},
            "solution": variant.render_solution() if key else "", "correction": question.correction if key else ""}


def skeleton(bank: Bank, questions: list | None = None) -> str:
    """The answers file to fill in: the given questions (those a student was assigned), or all."""
    lines = []
    for question in bank.questions if questions is None else questions:
        lines.append(f"{question.id}:")
        lines.extend(f"  {part.id}: " for part in question.parts)
    return "\n".join(lines) + "\n"


def render_problem_set(bank: Bank, student: Student, variants: list[Variant]) -> str:
    items = [_item(v, key=False) for v in variants]
    # Only formula answers need the note on typing math (a symbolic matrix is typed the same way).
    typing_math = any(spec["type"] == "expression" or (spec["type"] == "matrix" and spec.get("variables"))
                      for v in variants for spec in v.parts.values())
    return layouts().get_template("problem_set.md.j2").render(bank=bank, student=student, items=items,
                                                            skeleton=skeleton(bank, [v.question for v in variants]),
                                                            typing_math=typing_math, provenance=provenance_line(bank))


def render_answer_key(bank: Bank, student: Student, variants: list[Variant]) -> str:
    items = [_item(v, key=True) for v in variants]
    return layouts().get_template("answer_key.md.j2").render(bank=bank, student=student, items=items,
                                                           provenance=provenance_line(bank))
