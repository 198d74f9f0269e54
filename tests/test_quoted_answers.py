"""A message that quotes what the student typed shows it as typed: in the feedback page, results.json and the
browser, ``*B*`` is no emphasis, ``[x](y)`` no link and a backtick cannot end the quote."""

from __future__ import annotations

from fractions import Fraction

import pytest

from grader.check.answer import check_answer
from grader.core.messages import literal
from grader.documents.render import markdown_to_html
from grader.report.feedback import feedback_block, split_feedback
from grader.report.math_feedback import feedback_html_fragment
from tests.kinds_helpers import spec

CHOICE = {"type": "choice", "id": "a", "answer": 0, "show_answer": False,
          "options": [{"text": "ReLU", "correct": True, "number": 1}, {"text": "tanh", "number": 2}]}
QUANTITY = spec("quantity", Fraction(98, 10), unit="m/s^2")
HOSTILE = ["*B*", "**B**", "_B_", "[x](http://example.com)", "[x](javascript:alert(1))", "~~B~~", "`B`",
           "a ` b", "<em>B</em>", "B\\*", "1+1", "2*3", "x**2", "Z", "$x$"]


@pytest.mark.parametrize("part, typed", [(CHOICE, text) for text in HOSTILE] +
                         [(QUANTITY, f"9.8 {text}") for text in ("*m*", "[m](s)", "m`s")])
def test_quoted_text_is_never_markup(part, typed):
    result = check_answer(part, typed)
    assert result.verdict == "invalid"
    message, _ = split_feedback(result.feedback)
    # results.json, the feedback page's message, and feedback.md as a Markdown viewer shows it
    for html in (feedback_html_fragment(feedback_block(result.feedback)), feedback_html_fragment(message),
                 markdown_to_html(feedback_block(result.feedback))):
        assert not any(tag in html for tag in ("<em>", "<strong>", "<a ", "<s>", "<del>", "<math")), html
        assert "<code>" in html


@pytest.mark.parametrize("typed", ["1+1", "2*3", "x**2", "Z"])
def test_quoted_text_that_reads_as_a_formula_is_shown_as_typed_not_computed(typed):
    import html as html_module

    message, _ = split_feedback(check_answer(CHOICE, typed).feedback)
    assert f"<code>{html_module.escape(typed)}</code> is not one of the options" in feedback_html_fragment(message)


def test_the_revealed_answer_is_still_shown_as_math():
    import sympy

    x = sympy.Symbol("x")
    part = {**spec("expression", x**2 + 1, variables=["x"]), "show_answer": True}
    rendered = feedback_html_fragment(check_answer(part, "x^2").feedback)
    assert "<math" in rendered and "<code>" not in rendered, rendered


@pytest.mark.parametrize("text", ["x", "*x*", "`x`", "a``b", " x", "x ", "`", ""])
def test_a_literal_renders_as_exactly_the_text(text):
    import html

    rendered = markdown_to_html(literal(text))
    assert rendered == f"<p><code>{html.escape(text, quote=False).replace(chr(34), '&quot;')}</code></p>\n" or \
        not text.strip(), rendered
