"""A part's spec is remembered by the parameters it depends on (grader.bank.dependencies), so variants that
differ only elsewhere share it: never a spec that one of them should not get."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from test_fast_paths import assert_cached_variants_equal_fresh_ones

from grader.bank.dependencies import part_parameters
from grader.bank.model import load_bank

ROOT = Path(__file__).resolve().parent.parent
SECRET = "part-parameters-test"

TRICKY = textwrap.dedent("""\
    id: tricky
    title: Parameters used in unusual places
    questions:
      - id: q
        title: Q
        params:
          a: {range: [1, 3]}
          b: {range: [1, 3]}
          c: {choice: [2, 4]}
          d: {derived: a + b}
          e: {range: [1, 3]}
          f: {range: [1, 3]}
          g: {matrix: [1, 2], range: [0, 2]}
        text: "{{ a }} {{ b }} {{ c }} {{ e }} {{ f }}"
        parts:
          - id: only-feedback
            type: integer
            answer: 7
            mistakes:
              - answer: 8
                note: eight
                feedback: "Not {{ c }} times."
          - id: derived
            type: integer
            answer: d
          - id: option-text
            type: choice
            options:
              - text: "{{ e }} apples"
                correct: true
              - text: pears
          - id: numpy
            type: integer
            answer: {numpy: "int(np.sum(g)) + f"}
          - id: formula
            type: expression
            variables: [x]
            answer: x + a
            mistakes:
              - answer: x + b
                note: other
                feedback: That is b.
          - id: none
            type: expression
            variables: [x]
            answer: 2*x
    """)


@pytest.fixture(scope="module")
def tricky(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tricky") / "tricky.yaml"
    path.write_text(TRICKY, encoding="utf-8")
    return path


def test_the_parameters_each_part_names_and_what_they_come_from(tricky: Path) -> None:
    bank = load_bank(tricky)
    question = bank.by_id["q"]
    found = {part.id: part_parameters(question, part) for part in question.parts}
    assert found == {"only-feedback": {"c"}, "derived": {"d", "a", "b"}, "option-text": {"e"},
                     "numpy": {"f", "g"}, "formula": {"a", "b"}, "none": set()}


@pytest.mark.parametrize("bank_path", [ROOT / "tests" / "fixtures" / "banks" / "kinds.yaml", "tricky"])
def test_shared_specs_equal_specs_resolved_for_the_student_alone(bank_path, tricky: Path) -> None:
    # the bundled bank: tests/test_fast_paths.py; here every kind of part, and parameters in odd places
    bank = load_bank(tricky if bank_path == "tricky" else bank_path)
    assert_cached_variants_equal_fresh_ones(bank, 60)
    question = bank.questions[0]
    if bank_path == "tricky":  # these parts depend on fewer than all parameters: their specs were shared
        assert any(part_parameters(question, part) < set(question.params) for part in question.parts)
