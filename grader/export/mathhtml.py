"""Question text (Markdown with $LaTeX$) as the HTML each LMS imports, with math the way it renders math.

- Canvas draws an equation from its own equation-image route: the rich
  content editor stores ``<img class="equation_image" src="/equation_images/<LaTeX, URL-encoded twice>"
  data-equation-content="<LaTeX>">``, and Canvas renders the image (or MathJax, from
  ``data-equation-content``) on its own server. The path is relative, so it
  works on any Canvas instance and nothing is fetched from elsewhere.
- Moodle's MathJax filter typesets ``\\( ... \\)`` (inline) and ``\\[ ... \\]`` (display).

Either way no raw ``$`` is left for a student to see.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote


def canvas_math(latex: str, display: bool) -> str:
    latex = latex.strip()
    attribute = html.escape(latex, quote=True)
    source = quote(quote(latex, safe=""), safe="")
    image = (f'<img class="equation_image" title="{attribute}" src="/equation_images/{source}" '
             f'alt="LaTeX: {attribute}" data-equation-content="{attribute}" />')
    return f'<span class="math-display" style="display:block;text-align:center">{image}</span>' if display else image


def moodle_math(latex: str, display: bool) -> str:
    latex = html.escape(latex.strip(), quote=False)
    return f"\\[{latex}\\]" if display else f"\\({latex}\\)"


@lru_cache(maxsize=2)
def _markdown(target: str):
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    math: Callable[[str, bool], str] = canvas_math if target == "canvas" else moodle_math

    def render(content: str, options: dict) -> str:
        return math(content, bool(options.get("display_mode")))

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True, renderer=render)
    return md


def to_html(markdown_text: str, target: str) -> str:
    """Markdown with $math$ to an HTML fragment for ``target`` ("canvas" or "moodle")."""
    return _markdown(target).render(markdown_text or "").strip()


def inline_html(markdown_text: str, target: str) -> str:
    """Like to_html, without the paragraph around a one-line text (option labels, feedback)."""
    text = to_html(markdown_text, target)
    if text.startswith("<p>") and text.endswith("</p>") and text.count("<p>") == 1:
        return text[3:-4]
    return text
