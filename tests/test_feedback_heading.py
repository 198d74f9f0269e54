"""The heading of a part's HTML feedback (verdict, points, the student's answer) is written directly on
the fast path; it must be exactly what the Markdown renderer makes of the Markdown heading, for any
answer a student can type, and a typed line break must never turn the answer into Markdown blocks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.check.base import CheckResult
from grader.documents.render import markdown_to_html
from grader.grading.grade import PartResult
from grader.report.feedback import _part_heading_html, _part_heading_markdown, part_feedback_markdown

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
