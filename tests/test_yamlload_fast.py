"""The answers-file fast reader (grader.core.yamlload.parse_simple_answers) against the YAML parser.

Whatever it accepts it must read exactly as the strict parser does, data and positions; whatever the
parser refuses it must leave to the parser (return None), so the student still gets the parser's message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.core import speed
from grader.core.yamlload import YamlError, parse_simple_answers, parse_text

ROOT = Path(__file__).resolve().parent.parent

INDENTS = st.sampled_from(["", "", "  ", "  ", "    ", " ", "   ", "\t", "  \t"])
KEYS = st.sampled_from(["q1", "conv-output-size", "a", "b", "c", "null", "Null", "~", "1", "017", "a.b", "_x",
                        "yes", "-a", "a b", "\"q\"", "'a'", "a#b", "&x", "? a", "a"])
SEPARATORS = st.sampled_from([":", ": ", ":  ", ":   ", ":x", " :", ":\t", "::"])
VALUE_PIECES = st.sampled_from(["28", "-5", "--5", "-", "- 1", "x^2 + 1", "\"", "'", "''", "\\", "\\n", "#", " #",
                                " # note", "#x", ":", ": ", "a:b", "[", "[[1, 0], [0, 1]]", "{a: 1}", "&a", "*a",
                                "!!str", "|", ">", "%", "@", "`", "~", "null", "NULL", "?", "? x", " ", "  ", "\t",
                                "é", "×", "\u2028", "\x85", "\ufeff", "\x07", "\r", "---", "...", "sqrt(2)/2",
                                ",", "1,2", "?x", "x?", "e^(-x)", "\"a b\"", "'it''s'", "'a'", "\"a\" b"])
VALUES = st.lists(VALUE_PIECES, max_size=4).map("".join)
LINES = st.one_of(
    st.tuples(INDENTS, KEYS, SEPARATORS, VALUES).map("".join),
    st.sampled_from(["", "   ", "# comment", "  # indented comment", "      # deep comment", "---", "...",
                     "- a", "  - a", "%YAML 1.2"]),
)
# lines of the usual shape, so that many documents are ones the fast reader takes
USUAL_VALUES = st.lists(st.sampled_from(["28", "-5", "x^2 + 1", " # note", "\"a b\"", "'a'", "~", "null", "é", "  ",
                                         "sqrt(2)/2", "1,2", "e^(-x)", "\"[[1, 0], [0, 1]]\"", "''", "a:b"]),
                        max_size=2).map("".join)
USUAL_LINES = st.tuples(st.sampled_from(["", "  ", "    "]), st.sampled_from(["q1", "q2", "a", "b", "c"]),
                        st.sampled_from([":", ": ", ":  "]), USUAL_VALUES).map("".join)
ANY_LINE = st.one_of(USUAL_LINES, USUAL_LINES, USUAL_LINES, LINES)
DOCUMENTS = st.lists(ANY_LINE, max_size=8).map("\n".join) | st.lists(ANY_LINE, max_size=8).map(lambda ls: "\n".join(ls) + "\n")


def _parser(text: str):
    with speed.fast_paths(False):
        return parse_text(text, "answers.yaml", answers_mode=True)


def _same(text: str) -> bool:
    """Whether the fast reader took this text (then it must agree with the parser), or left it."""
    simple = parse_simple_answers(text, "answers.yaml")
    try:
        full = _parser(text)
    except YamlError:
        assert simple is None, f"the parser refuses {text!r}, the fast reader read it as {simple.data!r}"
        return False
    if simple is None:
        return False
    assert simple.data == full.data, text
    assert simple.positions == full.positions, text
    assert simple.block_scalars == full.block_scalars == {}
    return True


@settings(max_examples=3000, deadline=None)
@given(DOCUMENTS)
def test_fast_reader_agrees_with_the_parser_or_declines(text: str) -> None:
    _same(text)


@pytest.mark.parametrize("text", [
    "q1:\n  a: 28\n  b: \"[[1, 0], [0, 1]]\"\n  c:\n",
    "# Ada\nq1:\n  a: x^2 + 1   # my guess\n  b: ''\nq2: -5\n",
    "q1:\n    a: 'it'\n    b: ~\nq2:\n  a: null\n",
    "q1:  # first\n  a: \"é × 2\"\n\n\nq2:\n",
])
def test_the_usual_shapes_are_read_fast(text: str) -> None:
    assert _same(text)


@pytest.mark.parametrize("text", [
    "q1:\n  a: [1, 2]\n",  # a flow list: the parser builds it
    "q1:\n  a: \"tab\\there\"\n",  # an escape
    "q1:\n  a: 1\n  a: 2\n",  # a duplicate: the parser's message names it
    "q1:\n  a: x\n    y\n",  # a plain scalar over two lines
    "q1:\n  a: &x 1\n",
    "q1:\n\ta: 1\n",
    "q1:\n  a: 1\r\n",
    "null:\n  a: 1\n",
    "q1:\n  a: b: c\n",
    "q1: ~\n  a: 1\n",  # parts under a value, even under ~ (found by the generated test)
    "k" * 1025 + ": 1\n",  # over libyaml's limit for a key (found in review)
    "q:\n  " + "k" * 1025 + ": 1\n",
    "q1: null # none\n  a: 1\n",
])
def test_anything_else_is_left_to_the_parser(text: str) -> None:
    assert parse_simple_answers(text, "answers.yaml") is None


@pytest.mark.parametrize("length", [1023, 1024, 1025, 1030])
def test_long_keys_agree_with_the_parser(length: int) -> None:
    _same("k" * length + ": 1\n")
    _same("q:\n  " + "k" * length + ": 1\n")


def test_the_sample_class_and_a_benchmark_file_are_read_fast() -> None:
    # the benchmarks' simulated students write each answer as a JSON string (benchmarks/bench_grade.py)
    import json

    simulated = "# b00001: simulated answers\n" + "".join(
        f"{question}:\n" + "".join(f"  {part}: {json.dumps(answer, ensure_ascii=False)}\n" for part, answer in parts)
        for question, parts in [("conv-output-size", [("a", "28")]), ("conv-as-matrix", [("a", "[[1, 0], [0, 1]]"),
                                ("b", ""), ("c", "A")]), ("output-vs-kernel", [("a", "H - K + 1"), ("b", "2 × 3")])])
    assert _same(simulated)
    samples = sorted((ROOT / "submissions").glob("*.yaml"))
    assert samples
    fast = [path.name for path in samples if parse_simple_answers(path.read_text(encoding="utf-8"), path.name)]
    for path in samples:  # where it reads a file, it reads it as the parser does
        try:
            _same(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            pass
    assert len(fast) >= len(samples) // 2, fast
