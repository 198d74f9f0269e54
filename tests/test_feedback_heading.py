"""The heading of a part's HTML feedback (verdict, points, the student's answer) is written directly on
the fast path; it must be exactly what the Markdown renderer makes of the Markdown heading, for any
answer a student can type, and a typed line break must never turn the answer into Markdown blocks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from grader.check.base import CheckResult
from grader.documents.pages import html_layouts, layouts
from grader.documents.render import markdown_to_html
from grader.grading.grade import PartResult
from grader.report.feedback import (
    VERDICT_MARKS,
    _part_heading_html,
    _part_heading_markdown,
    _part_section,
    part_feedback_markdown,
    part_section_text,
    question_block_text,
)

HOSTILE = st.lists(st.sampled_from(list("ab1 `*_#-+>|&<>\"'\\$[]()!\r\n\t\0\xa0\u2028é✔{}~=") + ["``", "  "]),
                   max_size=30).map("".join)


def _part(raw, verdict="incorrect", points=0.5, max_points=2.0):
    return PartResult("q", "a", "expression", max_points, points, CheckResult(verdict, points / max_points, "", ""), raw)


@settings(max_examples=400, deadline=None)
@given(raw=st.one_of(st.none(), HOSTILE, st.text(max_size=20)),
       verdict=st.sampled_from(["correct", "incorrect", "partial", "invalid", "pending"]),
       points=st.sampled_from([0.0, 0.5, 1.0, 1.25, 2.0]))
def test_direct_heading_is_what_markdown_makes(raw, verdict, points):
    part = _part(raw, verdict, points)
    assert _part_heading_html(part) == markdown_to_html(_part_heading_markdown(part))


def test_known_answers_render_as_typed():
    assert _part_heading_html(_part('a<b & "c" \'d\'')) == (
        "<p><strong>✘ incorrect</strong>: 0.5 / 2 points</p>\n"
        "<p>Your answer: <code>a&lt;b &amp; &quot;c&quot; 'd'</code></p>\n")
    assert _part_heading_html(_part("  \t ")).endswith("<p>Your answer: <em>(blank)</em></p>\n")
    assert "<code>`x``</code>" in _part_heading_html(_part("`x``"))


def test_a_carriage_return_does_not_start_a_heading_or_a_list():
    for raw in ("a\r# x", "a\r- b", "a\r\r b", "a\r\n> q"):
        rendered = markdown_to_html(_part_heading_markdown(_part(raw)))
        assert "<h1>" not in rendered and "<ul>" not in rendered and "<blockquote>" not in rendered
        assert rendered.count("<p>") == 2, rendered  # the verdict line and the answer line, nothing else
        assert "\r" not in part_feedback_markdown(_part(raw))


QUESTIONS = st.fixed_dictionaries({
    "index": st.integers(1, 40),
    "title": st.one_of(HOSTILE, st.text(max_size=20)),
    "id": st.sampled_from(["q1", "conv-as-matrix"]),
    "not_assigned": st.booleans(),
    "points": st.sampled_from([0.0, 0.5, 1.0, 1.25, 2.0, 1 / 3]),
    "max_points": st.sampled_from([1.0, 2.0, 4.0, 2.5]),
    "parts": st.lists(st.fixed_dictionaries({"id": st.sampled_from(["a", "b", "c2"]),
                                             "body": st.one_of(HOSTILE, st.text(max_size=20)),
                                             "html": st.one_of(HOSTILE, st.text(max_size=20)).map(Markup)}),
                      max_size=4),
})


@settings(max_examples=300, deadline=None)
@given(question=QUESTIONS, kind=st.sampled_from(["md", "html"]))
def test_direct_question_block_is_what_its_layout_makes(question, kind):
    # a question's block of the feedback page, written directly on the fast path, against its jinja layout
    environment = layouts() if kind == "md" else html_layouts()
    expected = environment.get_template(f"feedback_question.{kind}.j2").render(question=question)
    written = question_block_text(kind, question)
    assert written == expected
    assert isinstance(written, Markup) == (kind == "html")


@settings(max_examples=300, deadline=None)
@given(part_id=st.sampled_from(["a", "b2", "<x>"]), verdict=st.sampled_from(sorted(VERDICT_MARKS)),
       points=st.sampled_from(["0", "0.5", "2"]), raw=st.one_of(st.just(""), HOSTILE, st.text(max_size=20)),
       message=st.one_of(st.just(""), HOSTILE.map(Markup), HOSTILE), diagram=st.one_of(st.just(""), HOSTILE))
def test_direct_part_section_is_what_its_layout_makes(part_id, verdict, points, raw, message, diagram):
    expected = _part_section(part_id, verdict, points, "2", raw, message, diagram)
    assert part_section_text(part_id, verdict, points, "2", raw, message, diagram) == expected
