"""The jinja2 environment for question text, prompts and worked solutions.

Templates are instructor-written but still run in jinja2's sandbox with
StrictUndefined, so a misspelt parameter is an error, not a blank.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from grader.core import speed


def _latex_cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def bmatrix(rows: Any) -> str:
    """A nested list (or a flat list, as a column) as a LaTeX bmatrix."""
    if hasattr(rows, "tolist"):
        rows = rows.tolist()
    if rows and not isinstance(rows[0], (list, tuple)):
        rows = [[value] for value in rows]
    body = r" \\ ".join(" & ".join(_latex_cell(v) for v in row) for row in rows)
    # \left[ ... \right] rather than bmatrix: MathML renderers stretch these fences to the matrix height.
    return r"\left[\begin{matrix} " + body + r" \end{matrix}\right]"


def number(value: Any, digits: int = 6) -> str:
    """A number for display: integers plainly, others to ``digits`` significant figures."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return _latex_cell(value)
    return f"{float(value):.{digits}g}"


def points(value: float) -> str:
    """Points for people: at most two decimals, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.filters["bmatrix"] = bmatrix
    env.filters["number"] = number
    env.filters["points"] = points
    return env


@lru_cache(maxsize=4096)
def compile_template(source: str) -> jinja2.Template:
    return environment().from_string(source)


def undeclared_names(source: str) -> set[str]:
    """Names a template reads from its context (raises TemplateSyntaxError)."""
    return set(meta.find_undeclared_variables(environment().parse(source)))


def line_of_name(source: str, name: str) -> int:
    """1-based line of the first template expression that mentions ``name``."""
    pattern = re.compile(r"\b" + re.escape(name) + r"\b")
    for number_, line in enumerate(source.splitlines(), start=1):
        if ("{{" in line or "{%" in line) and pattern.search(line):
            return number_
    return 1


class TemplateRenderError(Exception):
    """A template failed while rendering (sandbox refusal, undefined name, bad filter argument)."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message, self.line = message, line


def _template_line(error: BaseException) -> int | None:
    """The template line jinja2 puts into the traceback (its frames are named <template>)."""
    line, trace = None, error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def render(source: str, context: dict[str, Any]) -> str:
    if speed.FAST and not _TEMPLATE_SYNTAX.search(source):
        return source  # plain text renders to itself (no newline to normalise): skip jinja's per-call cost
    try:
        return compile_template(source).render(**context)
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError, AttributeError, LookupError) as error:
        reason = "the sandbox refused it: " if isinstance(error, SecurityError) else ""
        raise TemplateRenderError(f"{reason}{type(error).__name__}: {error}", _template_line(error)) from error


_TEMPLATE_SYNTAX = re.compile(r"\{[{%#]|\r")
