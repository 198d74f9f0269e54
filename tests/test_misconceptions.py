"""The misconception engine: planted mistakes on the CNN bank, random mutations, and the rules it keeps.

The planted table (benchmarks/planted_mistakes.py) holds mistakes students of the seed sheets make,
computed from each variant's parameters; the engine must name each one with its exact note, never a
different cause, and never give a wrong answer credit.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.bank.model import load_bank
from grader.bank.variant import fixed_variant, make_variant
from grader.check.answer import check_answer
from grader.check.misconceptions import explain
from grader.check.misconceptions.formulas import mutations
from grader.check.registry import REGISTRY

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_feedback import coincides  # noqa: E402
from planted_mistakes import GENERIC_NOTES, PLANTED, answer_text  # noqa: E402

BANK = load_bank(ROOT / "questions" / "cnn.yaml")
STUDENTS = [f"planted-{index}" for index in range(25)]
#: rows where three declared mistakes give the same number on some variants (then none is named)
CROWDED = {("conv-output-size", "a")}


def _feedback_of(spec: dict, note: str) -> str:
    return next((m["feedback"] for m in [*spec["mistakes"], *spec.get("inexact_mistakes", ())] if m["note"] == note),
                "\0")


@pytest.mark.parametrize("row", PLANTED, ids=[f"{r.question}.{r.part}:{r.note}" for r in PLANTED])
def test_planted_mistake_is_named_with_its_note(row) -> None:
    answered = named = 0
    for student in STUDENTS:
        variant = make_variant(BANK, BANK.by_id[row.question], "planted", student)
        spec = variant.parts[row.part]
        value = row.answer(variant.params)
        if coincides(spec, value):
            continue
        result = check_answer(spec, answer_text(value))
        answered += 1
        notes = result.note.split(" | ")
        assert result.verdict != "correct", f"{student}: wrong answer {answer_text(value)!r} got credit"
        rounded_also = result.feedback.partition("(Rounded, this also gives your answer: ")[2]
        if row.note in notes or (rounded_also and _feedback_of(spec, row.note) in rounded_also):
            named += 1
            continue
        # Not named: only a true relation may be said instead, never another cause.
        assert result.note in GENERIC_NOTES or result.note.startswith("factor-"), \
            f"{student} {variant.params}: {row.name} named as {result.note!r}: {result.feedback}"
    assert answered, "the planted mistake never differs from the answer"
    floor = 0.6 if (row.question, row.part) in CROWDED else 0.9
    assert named / answered >= floor, f"named on {named}/{answered} variants"


def test_a_named_pair_says_both_mistakes() -> None:
    # n = 10: the neuron count n, n^2 taken as n, is also the answer divided by 10.
    variant = fixed_variant(BANK, BANK.by_id["linear-weights"], {"n": 10})
    result = check_answer(variant.parts["a"], "10")
    assert result.verdict == "incorrect"
    assert result.note in ("incorrect", "power-of-ten") or " | " in result.note, result


def test_fc_weights_author_names_the_derived_mistake() -> None:
    variant = fixed_variant(BANK, BANK.by_id["fc-weights"], {"H": 256, "C": 3, "N": 1000})
    result = check_answer(variant.parts["a"], str(256 * 3 * 1000))
    assert result.note == "derived:power:H**2->H"
    assert result.feedback == "You used 256 values per channel, but the image has 256 × 256 pixels."


def test_generated_sentence_describes_the_mutation() -> None:
    variant = fixed_variant(BANK, BANK.by_id["output-vs-kernel"], {"Hn": 12, "Kn": 3})
    result = check_answer(variant.parts["a"], "K - H + 1")
    assert (result.note, result.feedback) == ("derived:swap:H,K", "Your answer matches the formula with H and K "
                                              "swapped.")
    result = check_answer(variant.parts["b"], str(12 + 3 + 1))
    assert result.note == "derived:sign:-Kn" and "the sign of -Kn flipped" in result.feedback


def test_solver_mistake_variants_are_named_with_their_docstring() -> None:
    variant = fixed_variant(BANK, BANK.by_id["conv-output-size"], {"I": 32, "F": 3, "S": 1, "P": 1})
    spec = variant.parts["a"]
    assert {m["note"] for m in spec["mistakes"]} >= {"subtracted-padding", "added-kernel"}
    result = check_answer(spec, str(32 - 3 - 2 + 1))
    assert (result.note, result.feedback) == ("subtracted-padding",
                                              "Padding makes the input larger: it enters as + 2P, not - 2P.")


def test_a_rounded_declared_mistake_names_that_mistake() -> None:
    variant = fixed_variant(BANK, BANK.by_id["same-padding"], {"I": 32, "F": 7})
    spec = variant.parts["a"]
    assert [m["note"] for m in spec["inexact_mistakes"]] == ["missing-plus-one"]  # F/2 = 3.5
    result = check_answer(spec, "4")
    assert result.note == "missing-plus-one" and "+ 1" in result.feedback


def test_correct_answers_never_get_a_mistake_note() -> None:
    for student in STUDENTS[:10]:
        for question in BANK.questions:
            variant = make_variant(BANK, question, "planted", student)
            for spec in variant.parts.values():
                checker = REGISTRY.get(spec["type"])
                if spec.get("answer") is None or not checker.needs_answer:
                    continue
                result = check_answer(spec, checker.format(spec["answer"], spec))
                assert (result.verdict, result.note) == ("correct", "correct"), (question.id, spec["id"], result)


def test_a_declared_mistake_equal_to_the_answer_never_fires() -> None:
    # For n = 2 the declared "banded" mistake 3n - 2 is 4, the right answer n*n: it must not fire there.
    variant = fixed_variant(BANK, BANK.by_id["linear-weights"], {"n": 2})
    spec = variant.parts["a"]
    assert "banded" not in {m["note"] for m in spec["mistakes"]}  # 3*2 - 2 == 2*2: dropped for this variant
    assert check_answer(spec, "4").verdict == "correct"


# --- Hypothesis: random references, random single mutations -------------------------------------------------

SYMBOLS = sympy.symbols("a b c")


def _terms(draw) -> sympy.Basic:
    atom = st.sampled_from(SYMBOLS)
    term = st.tuples(st.integers(-3, 3).filter(lambda k: k != 0), atom, st.integers(1, 2)).map(
        lambda t: t[0] * t[1] ** t[2])
    terms = draw(st.lists(term, min_size=1, max_size=3))
    constant = draw(st.integers(-2, 2))
    tree = sympy.Add(*terms, constant)
    if draw(st.booleans()):
        tree = tree / draw(st.sampled_from(SYMBOLS))
    return tree


@st.composite
def mutated_references(draw):
    tree = _terms(draw)
    options = list(mutations(tree))
    if not options:
        return None
    code, _, mutated = draw(st.sampled_from(options))
    values = {symbol: sympy.Integer(draw(st.integers(2, 9))) for symbol in SYMBOLS}
    return tree, code, mutated, values


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_references())
def test_engine_names_the_mutation_or_nothing(case) -> None:
    if case is None:
        return
    tree, code, mutated, values = case
    checker = REGISTRY.get("number")
    spec = {"type": "number", "rtol": 1e-9, "atol": 1e-12, "mistakes": [],
            "formula": {"tree": tree, "values": values}}
    try:
        spec["answer"] = checker.reference(tree.xreplace(values), spec)
        student = mutated.xreplace(values)
        if not student.is_finite:
            return
        student_value = checker.parse(str(student), spec)
    except (ValueError, ZeroDivisionError, TypeError):
        return
    if checker.matches(student_value, spec["answer"], spec):
        return  # on this variant the mutation is the right answer: nothing to name
    diagnosis = explain(checker, student_value, spec)
    if diagnosis is None or not diagnosis.note.startswith("derived:"):
        return
    by_code = {c: m for c, _, m in mutations(tree)}
    for note in diagnosis.note.split(" | "):
        named_code = note.removeprefix("derived:")
        if named_code in by_code:  # a formula mutation: it must produce the student's answer
            produced = by_code[named_code].xreplace(values)
            assert checker.matches(student_value, checker.reference(produced, spec), spec), (tree, code, note)
    codes = [c.removeprefix("derived:") for c in diagnosis.note.split(" | ")]
    if len(codes) == 1 and codes[0] in by_code:
        # One mutation named alone: the planted one (or one that writes the very same formula).
        assert codes[0] == code or by_code[codes[0]] == mutated, (tree, code, codes)
    else:  # a pair: the planted mutation is one of them, unless it is the same formula as a named one
        assert code in codes or any(by_code.get(c) == mutated for c in codes) or \
            not all(c in by_code for c in codes), (tree, code, codes)


# --- choice, checkbox and text -------------------------------------------------------------------------------


def test_several_letters_on_a_single_answer_part_say_choose_one() -> None:
    variant = make_variant(BANK, BANK.by_id["pooling"], "s", "s1")
    result = check_answer(variant.parts["a"], "A, C")
    assert result.verdict == "invalid" and result.feedback.startswith("Choose one option")


def test_checkbox_names_wrong_options_and_counts_missed_ones() -> None:
    variant = fixed_variant(BANK, BANK.by_id["cnn-advantages"], {})
    spec = dict(variant.parts["a"], show_answer=False)
    result = check_answer(spec, "A, C")  # A true, C false, B (true) missed
    assert "C is not true: No. It has far fewer" in result.feedback
    assert "1 true statement(s) were not selected." in result.feedback
    assert "regularised" not in result.feedback  # the missed statement is not revealed
    shown = check_answer(dict(spec, show_answer=True), "A, C")
    assert "You did not select the true statement(s) B (A convolutional layer is a fully connected" in shown.feedback


@pytest.mark.parametrize("typed, verdict, note", [
    ("skip connections", "correct", "correct"),
    ("ResNet skip connections", "correct", "correct"),
    ("residual (skip) connections", "correct", "correct"),
    ("Skip-connections.", "correct", "correct"),
    ("not skip connections", "incorrect", "incorrect"),
    ("batch normalization instead of skip connections", "incorrect", "batch-norm"),
    ("Batch norm", "incorrect", "batch-norm"),
    ("dropout", "incorrect", "dropout"),
    ("we could use many many more layers and skip connections maybe", "incorrect", "incorrect"),
])
def test_text_tolerates_surrounding_words_but_not_hedges(typed: str, verdict: str, note: str) -> None:
    variant = fixed_variant(BANK, BANK.by_id["vanishing-gradient"], {"shallow": 20, "deep": 56})
    result = check_answer(variant.parts["a"], typed)
    assert (result.verdict, result.note) == (verdict, note), result


def test_option_feedback_is_rendered_for_the_variant() -> None:
    variant = make_variant(BANK, BANK.by_id["unshared-weights"], "s", "s1")
    spec = variant.parts["a"]
    dense = next(label for label, option in zip("ABCD", spec["options"]) if option["text"].startswith("It becomes a dense"))
    result = check_answer(spec, dense)
    assert "{{" not in result.feedback and f"covers {variant.params['k']} inputs" in result.feedback


def test_exact_fraction_is_not_mistaken_for_rounding() -> None:
    spec = {"type": "number", "answer": Fraction(1, 3), "mistakes": [], "exact": True}  # 1/3 exactly
    result = check_answer(spec, "0.3333")
    assert result.note == "derived:rounded:4"


@pytest.mark.parametrize("settings, typed, verdict", [
    ({"contains": True}, "I would add skip connections between every two blocks of the network", "correct"),
    ({}, "I would add skip connections between every two blocks of the network", "incorrect"),  # too many words
    ({"keywords": ["identity", "shortcut"]}, "an identity shortcut around the block", "correct"),
    ({"keywords": ["identity", "shortcut"]}, "a shortcut", "incorrect"),
])
def test_contains_and_keyword_modes(settings: dict, typed: str, verdict: str) -> None:
    checker = REGISTRY.get("text")
    spec = {"type": "text", "answers": ["skip connections"], "mistakes": [], **settings}
    spec["answer"] = checker.reference(None, spec)
    assert check_answer(spec, typed).verdict == verdict


def test_a_one_by_one_matrix_is_still_explained_and_a_right_row_for_a_column_is_named_as_such() -> None:
    import sympy

    from grader.check.answer import check_answer

    single = {"type": "matrix", "id": "m", "answer": sympy.ImmutableMatrix([[3]]), "mistakes": []}
    assert check_answer(single, "[[6]]").note == "derived:matrix:scalar"  # 1×1: its transpose is itself
    column = {"type": "matrix", "id": "m", "answer": sympy.ImmutableMatrix([[1], [2], [3]]), "mistakes": []}
    assert check_answer(column, "[[1, 2, 3]]").note == "vector-orientation"


def test_a_scalar_multiple_is_named_only_when_every_cell_has_exactly_the_same_factor() -> None:
    from grader.check.misconceptions.matrices import _scalar

    reference = sympy.ImmutableMatrix([[987654321, 2], [8979, 4]])
    assert _scalar(reference * 3, reference) == 3
    assert _scalar(reference / 2, reference) == sympy.Rational(1, 2)
    # a near multiple is not a multiple: these ratios are 13717421/109739369 (close to 1/8) and 1/8
    near = sympy.ImmutableMatrix([[123456789, sympy.Rational(1, 4)], [sympy.Rational(8979, 8), sympy.Rational(1, 2)]])
    assert _scalar(near, reference) is None
    # an exact ratio is kept exactly, never turned into radicals
    odd = sympy.ImmutableMatrix([[-1177 * 987654321, -1177 * 2], [-1177 * 8979, -1177 * 4]]) / 8979
    assert _scalar(odd, reference) == sympy.Rational(-1177, 8979)
    # a decimal the student typed still reads as the simple factor it stands for
    assert _scalar(reference * sympy.Float(0.5), reference) == sympy.Rational(1, 2)
