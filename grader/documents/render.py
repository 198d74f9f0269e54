"""Markdown with LaTeX math to standalone HTML, with the math as MathML.

The math is converted on our side (latex2mathml) and Chromium draws
MathML natively, so a page shows its math with no network and no
JavaScript: exam rooms have no network.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from grader.bank.templates import environment

# latex2mathml writes H' as <msup><mi>H</mi><mi>′</mi></msup>: a prime glyph is already raised, so as a
# superscript it shrinks to a tiny floating tick. Written after its base at full size, it sits where a prime should.
_PRIMED = re.compile(r"<msup>(<(mi|mn|mo)[^>]*>[^<]*</\2>)(?:<mrow>)?<mi>(&#x0203[234];)</mi>(?:</mrow>)?</msup>")


def upright_primes(mathml: str) -> str:
    return _PRIMED.sub(r'\1<mo lspace="0" rspace="0">\3</mo>', mathml)


def _math(content: str, options: dict) -> str:
    from latex2mathml.converter import convert

    display = "block" if options.get("display_mode") else "inline"
    try:
        return upright_primes(convert(content.strip(), display=display))
    except Exception:  # latex2mathml raises many kinds; show the source rather than fail the page
        return f'<code class="math-error" title="could not render this math">{html.escape(content)}</code>'


def new_markdown():
    """A Markdown renderer as the pages use it: CommonMark, tables, no raw HTML, $TeX$ as MathML."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True, renderer=_math)
    return md


_markdown = lru_cache(maxsize=1)(new_markdown)


def markdown_to_html(text: str) -> str:
    return _markdown().render(text)


def math_html(latex: str, display: bool = False) -> str:
    """One formula as MathML (the same converter as the pages' $...$ math)."""
    return _math(latex, {"display_mode": display})


PAGE_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1b1b1b; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
math[display="block"] { margin: 0.8rem 0; overflow-x: auto; overflow-y: hidden; }
/* System fonts have no stretchy bracket glyphs, so matrix brackets are drawn with CSS instead. */
math mo[fence="true"]:has(+ mtable), math mtable + mo[fence="true"] { display: none; }
math mtable { padding: 0.15em 0.35em; border-left: 0.09em solid currentColor; border-right: 0.09em solid currentColor;
  background: linear-gradient(currentColor, currentColor) left top / 0.35em 0.09em no-repeat,
              linear-gradient(currentColor, currentColor) left bottom / 0.35em 0.09em no-repeat,
              linear-gradient(currentColor, currentColor) right top / 0.35em 0.09em no-repeat,
              linear-gradient(currentColor, currentColor) right bottom / 0.35em 0.09em no-repeat; }
code, pre { background: #f5f5f5; padding: 0 0.2rem; }
.verdict-correct { color: #17692b; } .verdict-incorrect, .verdict-invalid { color: #a21515; }
.verdict-partial { color: #8a5a00; } .verdict-pending { color: #555; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 0.2rem 0.5rem; }
pre { white-space: pre; overflow-x: auto; padding: 0.4rem; } /* a command never wraps mid-option */
@media print { body { margin: 0 auto; } h2 { break-after: avoid-page; } pre, math[display="block"] { break-inside: avoid; } }
"""


def html_page(title: str, markdown_text: str) -> str:
    template = environment().from_string(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>{{ title | e }}</title>\n<style>{{ style }}</style>\n</head>\n<body>\n{{ body }}</body>\n</html>\n"
    )
    return template.render(title=title, style=PAGE_STYLE, body=markdown_to_html(markdown_text))
