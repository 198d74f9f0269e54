"""Feedback text as HTML with its math as MathML, like the problem sets.

Declared and option feedback may hold TeX (``$(2x)^2 = 4x^2$``); answers in
feedback (the reveal line) are code spans in typed syntax (```H - K + 1```).
In HTML both become MathML: TeX through the problem sets' Markdown renderer,
and a code span that our safe parser reads as a formula or a matrix through
sympy's LaTeX. Student text is escaped by the Markdown renderer (raw HTML is
off), so it can never become markup.
"""

from __future__ import annotations

import html
import re

from grader.check.matrix_text import split_matrix_text
from grader.check.parse import parse_expression
from grader.core.errors import FormatError

_CODE = re.compile(r"<code>([^<]{1,400})</code>")
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


def _math_span(match: re.Match[str]) -> str:
    from grader.documents.render import math_html

    text = html.unescape(match.group(1))
    latex = latex_of(text)
    return math_html(latex) if latex is not None else match.group(0)


def feedback_html_fragment(markdown_text: str) -> str:
    """One feedback message (Markdown, maybe with $TeX$ and code-span answers) as an HTML fragment."""
    from grader.documents.render import markdown_to_html

    return _CODE.sub(_math_span, markdown_to_html(markdown_text))
