"""Feedback text as HTML with its math as MathML, like the problem sets.

Declared and option feedback may hold TeX (``$(2x)^2 = 4x^2$``); answers in
feedback (the reveal line) are code spans in typed syntax (```H - K + 1```).
In HTML both become MathML: TeX through the problem sets' Markdown renderer,
and a one-backtick code span that our safe parser reads as a formula or a
matrix through sympy's LaTeX. What a student typed, quoted in a message, is a
code span of two backticks or more (``grader.core.messages.literal``) and stays
code, as typed: ``1+1`` is not shown as 2. Student text is escaped by the
Markdown renderer (raw HTML is off), so it can never become markup.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from grader.check.matrix_text import NUMBER_START, plain_cells, split_matrix_text
from grader.check.parse import parse_expression
from grader.core import speed
from grader.core.errors import FormatError

MAX_MATH_SPAN = 400  # characters of a code span read as a formula; a longer one stays code
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FUNCTIONS = {"exp", "log", "ln", "sin", "cos", "tan", "sqrt", "abs", "floor", "ceil", "e", "pi"}


def latex_of(text: str) -> str | None:
    """TeX for a typed formula or matrix, read with our safe parser; None when it does not read."""
    import sympy

    names = sorted(set(_NAME.findall(text)) - _FUNCTIONS)
    try:
        if text.lstrip().startswith("["):
            rows = split_matrix_text(text)
            cells = [[parse_expression(cell, variables=names) for cell in row] for row in rows]
            return sympy.latex(sympy.Matrix(cells), mat_delim="", mat_str="bmatrix")
        return sympy.latex(parse_expression(text, variables=names))
    except (FormatError, ValueError, TypeError):
        return None


def integer_matrix_mathml(text: str) -> str | None:
    """MathML for a tidy matrix of whole numbers, written directly: what sympy's LaTeX through latex2mathml
    gives for it (``tests/test_fast_eval.py`` compares the two), without either. None for anything else."""
    rows = plain_cells(text)
    if rows is None or not all(cell[0] in NUMBER_START for row in rows for cell in row):
        return None
    table = "".join("<mtr>" + "".join(_integer_cell(int(cell)) for cell in row) + "</mtr>" for row in rows)
    return (f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><mo>&#x0005B;</mo>'
            f"<mtable>{table}</mtable><mo>&#x0005D;</mo></mrow></math>")


def _integer_cell(value: int) -> str:
    return f"<mtd><mo>&#x02212;</mo><mn>{-value}</mn></mtd>" if value < 0 else f"<mtd><mn>{value}</mn></mtd>"


def _math_span(whole: str, inner: str) -> str:
    if speed.FAST:  # the same answers recur inside different messages: each span is remembered too
        return _remembered_span(whole, inner)
    return _span(whole, inner)


def _span(whole: str, inner: str) -> str:
    from grader.documents.render import math_html

    text = html.unescape(inner)
    if speed.FAST:
        direct = integer_matrix_mathml(text)
        if direct is not None:
            return direct
    latex = latex_of(text)
    return math_html(latex) if latex is not None else whole


_remembered_span = lru_cache(maxsize=2048)(_span)


def feedback_html_fragment(markdown_text: str) -> str:
    """One feedback message (Markdown, maybe with $TeX$ and code-span answers) as an HTML fragment."""
    if speed.FAST:  # the same messages recur across a class (a pure function of the text: remembered)
        return _remembered_fragment(markdown_text)
    return _fragment(markdown_text)


def _fragment(markdown_text: str) -> str:
    return _feedback_markdown().render(markdown_text)


@lru_cache(maxsize=1)
def _feedback_markdown():
    """The problem sets' Markdown renderer, with one change: a code span fenced by a single backtick
    (an answer, the reveal line) becomes math when our parser reads it; a longer fence (``literal``: what
    the student typed, quoted in a message) stays code, shown as typed."""
    from markdown_it.common.utils import escapeHtml

    from grader.documents.render import new_markdown

    md = new_markdown()

    def code_inline(renderer, tokens, index, options, env) -> str:  # noqa: ARG001 - markdown-it's signature
        token = tokens[index]
        escaped = escapeHtml(token.content)  # as markdown-it's own code_inline rule writes it
        whole = f"<code>{escaped}</code>"
        if token.markup != "`" or not 1 <= len(escaped) <= MAX_MATH_SPAN:
            return whole
        return _math_span(whole, escaped)

    md.add_render_rule("code_inline", code_inline)
    return md


_remembered_fragment = lru_cache(maxsize=2048)(_fragment)
