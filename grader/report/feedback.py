"""Per-student feedback in Markdown (and HTML through grader.documents.render)."""

from __future__ import annotations

from markdown_it.common.utils import escapeHtml
from markupsafe import Markup, escape

from grader.bank.model import Bank
from grader.bank.templates import points as pts
from grader.core import speed
from grader.core.messages import literal
from grader.core.speed import ByObject, ByObjects
from grader.documents.pages import html_layouts, layouts
from grader.grading.grade import PartResult, SubmissionResult
from grader.report.math_feedback import feedback_html_fragment

VERDICT_MARKS = {"correct": "✔ correct", "incorrect": "✘ incorrect", "partial": "◐ partly correct",
                 "invalid": "✘ could not be read", "pending": "… graded by hand"}


def code_span(text: str | None) -> str:
    """The student's answer as a Markdown code span, exactly as typed (``literal`` with one backtick: the
    heading's answer is never read as math anyway)."""
    return literal(text or "", fence="`") if (text or "").strip() else "*(blank)*"


def split_feedback(message: str) -> tuple[str, str]:
    """(text, caret diagram): the diagram is the indented lines that format_answer_error adds."""
    plain, diagram = [], []
    for line in message.splitlines():
        (diagram if line.startswith("    ") else plain).append(line)
    return " ".join(plain), "\n".join(line[4:] for line in diagram)


def feedback_block(message: str) -> str:
    """Feedback as Markdown: the caret diagram becomes a code block."""
    text, diagram = split_feedback(message)
    return text + (f"\n\n```text\n{diagram}\n```" if diagram else "")


def _part_heading_markdown(part: PartResult) -> str:
    return (f"**{VERDICT_MARKS[part.result.verdict]}**: {pts(part.points)} / {pts(part.max_points)} points\n\n"
            f"Your answer: {code_span(part.raw)}")


def _part_heading_html(part: PartResult) -> str:
    """What markdown_to_html makes of _part_heading_markdown, written directly (tests/test_feedback_heading.py
    compares the two on hostile answers)."""
    heading = (f"<p><strong>{VERDICT_MARKS[part.result.verdict]}</strong>: {pts(part.points)} / "
               f"{pts(part.max_points)} points</p>\n")
    text = (part.raw or "").replace("\r", " ").replace("\n", " ")
    if not text.strip():
        return heading + "<p>Your answer: <em>(blank)</em></p>\n"
    code = escapeHtml(text.replace("\0", "\ufffd"))  # as Markdown escapes a code span
    return heading + f"<p>Your answer: <code>{code}</code></p>\n"


def part_feedback_markdown(part: PartResult) -> str:
    heading = _part_heading_markdown(part)
    return heading + (f"\n\n{feedback_block(part.result.feedback)}" if part.result.feedback else "")


def part_feedback_html(part: PartResult) -> str:
    """The same as HTML. Math in the feedback (TeX, the revealed answer) becomes MathML; the student's own
    answer is shown exactly as typed, never read as a formula (``2*3`` stays ``2*3``, ``0.50`` stays ``0.50``)."""
    from grader.documents.render import markdown_to_html

    heading = _part_heading_html(part) if speed.FAST else markdown_to_html(_part_heading_markdown(part))
    return heading + (feedback_html_fragment(feedback_block(part.result.feedback)) if part.result.feedback else "")


def _part_section(part_id: str, verdict: str, points: str, max_points: str, raw: str, message: str,
                  diagram: str) -> Markup:
    """One part's section of the feedback page by its layout (autoescaped like the page); the points already
    written. The fast path writes it directly (``part_section_text``)."""
    return Markup(html_layouts().get_template("feedback_part.html.j2").render(part={
        "id": part_id, "verdict": verdict, "mark": VERDICT_MARKS[verdict], "points": points,
        "max_points": max_points, "raw": raw, "message": message, "diagram": diagram}))


def part_section_text(part_id: str, verdict: str, points: str, max_points: str, raw: str, message: str,
                      diagram: str) -> Markup:
    """What feedback_part.html.j2 makes of these, written directly (tests/test_feedback_heading.py compares
    the two on generated parts)."""
    answer = f"<code>{escape(raw)}</code>" if raw else "<em>(blank)</em>"
    return Markup(f'<section class="part">\n<h3>Part {escape(part_id)}</h3>\n<p class="verdict-{escape(verdict)}">'
                  f"<strong>{escape(VERDICT_MARKS[verdict])}</strong>: {escape(points)} / {escape(max_points)} points"
                  f"</p>\n<p>Your answer: {answer}</p>\n"
                  + (f'<div class="message">{escape(message)}</div>' if message else "") + "\n"
                  + (f"<pre>{escape(diagram)}</pre>" if diagram else "") + "\n</section>\n")


def _section_html(part: PartResult) -> Markup:
    message, diagram = split_feedback(part.result.feedback)
    message_html = Markup(feedback_html_fragment(message)) if message else ""  # math as MathML
    section = (part.part, part.result.verdict, pts(part.points), pts(part.max_points), (part.raw or "").strip(),
               message_html, diagram)
    return part_section_text(*section) if speed.FAST else _part_section(*section)


# a part's views by the PartResult object: students who typed the same answer to the same variant share one
_SECTIONS = ByObject(8192)
_MARKDOWN = ByObject(8192)


def summary_lines(result: SubmissionResult) -> list[str]:
    pending = sum(p.max_points for p in result.pending)
    auto_max = result.max_points - pending
    lines = [f"Score: **{pts(result.points)} / {pts(auto_max)}** auto-graded points."]
    if pending:
        lines.append(f"{pts(pending)} more points are graded by hand ({len(result.pending)} part(s)).")
    if result.not_assigned:
        lines.append(f"Not assigned to you (a pool gave you other questions): {', '.join(result.not_assigned)}.")
    for warning in result.warnings:
        lines.append(f"Warning: {warning}")
    return lines


def _question_blocks(kind: str, bank: Bank, result: SubmissionResult) -> list[str]:
    """Each question's block of the feedback page (``kind``: "md" or "html"), in the bank's order.

    A block is a pure function of the question, its number and its parts' results, so with the fast paths
    it is rendered once for each combination of PartResult objects (students who typed the same answers to
    the same variant share them) and reused."""
    by_question = result.parts_by_question()
    template = (layouts() if kind == "md" else html_layouts()).get_template(f"feedback_question.{kind}.j2")
    blocks = []
    for index, question in enumerate(bank.questions, start=1):
        not_assigned = question.id in result.not_assigned  # a pool gave this student other questions
        parts = () if not_assigned else tuple(by_question.get(question.id, ()))
        if not not_assigned and not parts:
            continue
        if not speed.FAST:
            blocks.append(_question_block(kind, template, index, question, not_assigned, parts))
            continue
        blocks.append(_BLOCKS.get((question, *parts), lambda index=index, question=question, not_assigned=not_assigned,
                                  parts=parts: _question_block(kind, template, index, question, not_assigned, parts),
                                  (kind, index, not_assigned)))
    return blocks


_BLOCKS = ByObjects(4096)  # (the question, its parts) by identity, with kind, number and assignment -> the block


def _question_block(kind: str, template, index: int, question, not_assigned: bool, parts: tuple) -> str:
    entry: dict = {"index": index, "title": question.title, "id": question.id, "not_assigned": not_assigned,
                   "points": 0.0, "max_points": 0.0, "parts": []}
    if not not_assigned:
        entry["points"] = round(sum(p.points for p in parts), 6)
        entry["max_points"] = round(sum(p.max_points for p in parts), 6)
        if kind == "md":
            entry["parts"] = [{"id": p.part, "body": _MARKDOWN.get(p, lambda p=p: part_feedback_markdown(p))
                               if speed.FAST else part_feedback_markdown(p)} for p in parts]
        else:
            entry["parts"] = [{"html": _SECTIONS.get(p, lambda p=p: _section_html(p)) if speed.FAST
                               else _section_html(p)} for p in parts]
    if speed.FAST:
        return question_block_text(kind, entry)
    block = template.render(question=entry)
    return block if kind == "md" else Markup(block)


_NOT_ASSIGNED = "This question was not on your problem set (its pool gave you other questions); it does not count."


def question_block_text(kind: str, question: dict) -> str:
    """What feedback_question.md.j2 / .html.j2 make of ``question``, written directly (a class renders
    thousands; tests/test_feedback_heading.py compares the two on generated questions)."""
    if kind == "md":
        head = f"## {question['index']}. {question['title']}: "
        if question["not_assigned"]:
            return f"{head}not assigned\n\n{_NOT_ASSIGNED}\n\n"
        return (f"{head}{pts(question['points'])} / {pts(question['max_points'])}\n\n"
                + "".join(f"### Part {part['id']}\n\n{part['body']}\n\n" for part in question["parts"]) + "\n")
    head = f"\n\n<h2>{escape(question['index'])}. {escape(question['title'])}: "
    if question["not_assigned"]:
        return Markup(f'{head}not assigned</h2>\n<p class="verdict-pending">{_NOT_ASSIGNED}</p>\n\n')
    return Markup(f"{head}{escape(pts(question['points']))} / {escape(pts(question['max_points']))}</h2>\n"
                  + "".join(f"\n{escape(part['html'])}" for part in question["parts"]) + "\n\n")


def feedback_markdown(bank: Bank, result: SubmissionResult) -> str:
    return layouts().get_template("feedback.md.j2").render(
        bank=bank, result=result, summary=summary_lines(result), blocks=_question_blocks("md", bank, result))


def feedback_html(bank: Bank, result: SubmissionResult) -> str:
    """The feedback page, rendered straight to HTML (autoescaped: student text cannot inject markup)."""
    from grader.documents.render import PAGE_STYLE

    return html_layouts().get_template("feedback.html.j2").render(
        bank=bank, result=result, summary=[line.replace("**", "") for line in summary_lines(result)],
        blocks=_question_blocks("html", bank, result), style=PAGE_STYLE)
