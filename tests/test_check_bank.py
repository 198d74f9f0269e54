"""The CNN bank end to end: every part of every question, over many students' variants.

For each variant the reference, written as a student would type it, must check as correct, and
each declared mistake must be recognised with its own note. Then the pedagogical feedback the
bank promises (missing +1, transposed, flipped kernel, fraction for percent) is checked on the
actual variants, and the printed wrong answer of seed 000 Q3 is caught.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import sympy

from grader.bank.model import load_bank
from grader.bank.variant import Variant, fixed_variant, make_variant
from grader.check.answer import check_answer
from grader.check.numbers import as_fraction
from grader.check.registry import REGISTRY
from grader.jobs.validate import UNNAMED_NOTES

BANK_PATH = Path(__file__).resolve().parent.parent / "questions" / "cnn.yaml"
SECRET = "grader-demo-secret-do-not-use-for-a-real-course"
STUDENTS = [f"student-{index:03d}" for index in range(30)]
CHECKED_TYPES = {"integer", "number", "expression", "matrix", "choice", "checkbox", "text"}

BANK = load_bank(BANK_PATH)
PARTS = [(question.id, part.id, part.type) for question in BANK.questions for part in question.parts]
ANSWERED = [(q, p) for q, p, kind in PARTS if kind in CHECKED_TYPES]
WITH_MISTAKES = [(q.id, p.id, m.note) for q in BANK.questions for p in q.parts if p.type in CHECKED_TYPES
                 for m in p.mistakes]
FREE = [(q, p) for q, p, kind in PARTS if kind == "free"]
CODE = [(q, p) for q, p, kind in PARTS if kind == "code"]

_variants: dict[tuple[str, str], Variant] = {}


def variant(question_id: str, student: str) -> Variant:
    key = (question_id, student)
    if key not in _variants:
        _variants[key] = make_variant(BANK, BANK.by_id[question_id], SECRET, student)
    return _variants[key]


def typed(spec: dict, value: object) -> str:
    """A reference (or a mistake's answer) as the student would type it."""
    return REGISTRY.get(spec["type"]).format(value, spec)


def matrix_text(matrix: sympy.MatrixBase) -> str:
    return "[" + ", ".join("[" + ", ".join(str(cell) for cell in row) + "]" for row in matrix.tolist()) + "]"


def test_bank_has_the_expected_shape() -> None:
    assert len(BANK.questions) >= 15
    assert {kind for _, _, kind in PARTS} >= CHECKED_TYPES | {"free"}
    assert len(WITH_MISTAKES) >= 25


@pytest.mark.parametrize("question_id, part_id", ANSWERED, ids=[f"{q}/{p}" for q, p in ANSWERED])
def test_reference_checks_as_correct(question_id: str, part_id: str) -> None:
    for student in STUDENTS:
        spec = variant(question_id, student).parts[part_id]
        text = typed(spec, spec["answer"])
        result = check_answer(spec, text)
        assert (result.verdict, result.score, result.note) == ("correct", 1.0, "correct"), \
            f"{student}: {text!r} -> {result}"


@pytest.mark.parametrize("question_id, part_id, note", WITH_MISTAKES,
                         ids=[f"{q}/{p}/{n}" for q, p, n in WITH_MISTAKES])
def test_declared_mistake_gives_its_own_note(question_id: str, part_id: str, note: str) -> None:
    seen = named = 0
    for student in STUDENTS:
        spec = variant(question_id, student).parts[part_id]
        for mistake in spec["mistakes"]:
            if mistake["note"] != note:
                continue
            seen += 1
            text = typed(spec, mistake["answer"])
            result = check_answer(spec, text)
            assert result.verdict != "correct", f"{student}: mistake {text!r} accepted"
            # Named alone, or together with the one other mistake that gives the same answer here; with
            # more than two explanations none is named and only a true relation is said.
            notes = result.note.split(" | ")
            assert note in notes or result.note in UNNAMED_NOTES, f"{student}: {text!r} -> {result}"
            if note in notes:
                named += 1
                assert mistake["feedback"] in result.feedback
            assert "{{" not in result.feedback  # the template was rendered for the variant
        for mistake in spec.get("inexact_mistakes", ()):  # e.g. F/2 for a whole-number part: named when rounded
            if mistake["note"] != note:
                continue
            rounded = math.ceil(mistake["answer"])
            if rounded == spec["answer"] or any(m["answer"] == rounded for m in spec["mistakes"]):
                continue
            seen += 1
            named += 1
            result = check_answer(spec, str(rounded))
            assert (result.note, result.feedback) == (note, mistake["feedback"]), f"{student}: {rounded} -> {result}"
    # A mistake can coincide with the answer for some variants (then it is dropped), never for all.
    assert seen > 0, f"mistake {note} never survived into any of {len(STUDENTS)} variants"
    assert named >= 0.8 * seen, f"mistake {note} named on only {named} of {seen} variants"


@pytest.mark.parametrize("question_id, part_id", FREE, ids=[f"{q}/{p}" for q, p in FREE])
def test_free_parts_are_pending(question_id: str, part_id: str) -> None:
    spec = variant(question_id, STUDENTS[0]).parts[part_id]
    assert spec["answer"] is None and spec["rubric"]
    result = check_answer(spec, "Pooling grows the receptive field with no parameters.")
    assert (result.verdict, result.score, result.note) == ("pending", 0.0, "pending")


@pytest.mark.parametrize("question_id, part_id", CODE, ids=[f"{q}/{p}" for q, p in CODE])
def test_code_parts_typed_are_left_to_the_notebook(question_id: str, part_id: str) -> None:
    spec = variant(question_id, STUDENTS[0]).parts[part_id]
    assert spec["resolved_cases"]
    result = check_answer(spec, "def f(): return 1")
    assert (result.verdict, result.score, result.note) == ("pending", 0.0, "notebook")


def test_variants_differ_between_students() -> None:
    params = {repr(sorted(variant("conv-output-size", s).params.items())) for s in STUDENTS}
    assert len(params) >= 5


def test_variants_are_reproducible() -> None:
    question = BANK.by_id["conv-weights"]
    first = make_variant(BANK, question, SECRET, "student-007")
    again = make_variant(BANK, question, SECRET, "student-007")
    assert first.params == again.params and first.parts["a"]["answer"] == again.parts["a"]["answer"]


# ----- specific pedagogical feedback ---------------------------------------------------------------
def test_conv_output_size_without_plus_one() -> None:
    named = 0
    for student in STUDENTS:
        spec = variant("conv-output-size", student).parts["a"]
        result = check_answer(spec, str(spec["answer"] - 1))
        assert result.verdict == "incorrect" and "+1" in result.feedback, result
        # Named alone or with the one other mistake that rounds to the same width (padding once: 31/3 + 1 -> 11);
        # when three mistakes give this width, none is named and the feedback says "off by -1".
        if "missing-plus-one" in result.note.split(" | "):
            named += 1
        else:
            assert result.note == "off-by-one", result
    assert named >= 0.75 * len(STUDENTS)


def test_conv_output_size_seed_000_printed_answer() -> None:
    question = BANK.by_id["conv-output-size"]
    fixed = fixed_variant(BANK, question, {"I": 32, "F": 3, "P": 2, "S": 3})
    spec = fixed.parts["a"]
    assert check_answer(spec, "12").verdict == "correct"
    result = check_answer(spec, "11")
    assert result.verdict == "incorrect" and "missing-plus-one" in result.note.split(" | "), result
    assert "+1" in result.feedback


@pytest.mark.parametrize("student", STUDENTS[:10])
def test_conv_as_matrix_transposed(student: str) -> None:
    spec = variant("conv-as-matrix", student).parts["a"]
    reference = spec["answer"]
    assert reference.shape == (4, 16)
    result = check_answer(spec, matrix_text(reference.T))
    assert (result.verdict, result.note) == ("incorrect", "transposed")
    assert "transposed" in result.feedback
    assert "16×4" in result.feedback and "4×16" in result.feedback


def test_conv_as_matrix_flipped_kernel() -> None:
    seen = 0
    for student in STUDENTS:
        spec = variant("conv-as-matrix", student).parts["a"]
        flipped = [m for m in spec["mistakes"] if m["note"] == "flipped-kernel"]
        if not flipped:  # a kernel symmetric under a half turn: flipping changes nothing
            continue
        seen += 1
        # Build the flipped matrix independently of the solver: the kernel is K rotated 180 degrees.
        kernel = np.array(variant("conv-as-matrix", student).values.display["K"], dtype=int)[::-1, ::-1]
        rows = []
        for r in range(2):
            for c in range(2):
                row = np.zeros((4, 4), dtype=int)
                row[r:r + 3, c:c + 3] = kernel
                rows.append(row.ravel().tolist())
        result = check_answer(spec, str(rows))
        # partial: true, so the zeros the flipped matrix shares with the answer earn entry credit
        assert result.verdict in ("incorrect", "partial") and result.score < 1, student
        assert result.note == "flipped-kernel", student
        assert "flipped" in result.feedback
    assert seen >= len(STUDENTS) // 2


@pytest.mark.parametrize("student", STUDENTS[:10])
def test_conv_as_matrix_output_image_flipped(student: str) -> None:
    """True convolution (kernel rotated 180 degrees), computed here with numpy, gets the flipped-kernel note."""
    chosen = variant("conv-as-matrix", student)
    spec = chosen.parts["b"]
    X, K = np.array(chosen.params["X"]), np.array(chosen.params["K"])[::-1, ::-1]
    convolved = np.array([[int((X[r:r + 3, c:c + 3] * K).sum()) for c in range(2)] for r in range(2)])
    result = check_answer(spec, str(convolved.tolist()))
    if (K == K[::-1, ::-1]).all():  # a symmetric kernel: convolution and cross-correlation agree
        assert result.verdict == "correct"
    else:
        assert result.verdict == "incorrect" and result.note == "flipped-kernel"


@pytest.mark.parametrize("student", STUDENTS[:10])
def test_conv1d_toeplitz_flipped_kernel(student: str) -> None:
    chosen = variant("conv1d-toeplitz", student)
    spec = chosen.parts["a"]
    n, size = chosen.params["n"], chosen.params["size"]
    pad = (size - 1) // 2
    kernel = sympy.symbols(f"k1:{size + 1}")
    # True convolution: the kernel reversed, so k_size sits below the diagonal and k1 above it.
    flipped = sympy.Matrix(n, n, lambda i, j: kernel[size - 1 - (j - i + pad)] if 0 <= j - i + pad < size else 0)
    result = check_answer(spec, matrix_text(flipped))
    assert result.verdict in ("incorrect", "partial") and result.score < 1
    assert result.note == "flipped-kernel"
    matlab = "[" + "; ".join(" ".join(str(c) for c in row) for row in spec["answer"].tolist()) + "]"
    assert check_answer(spec, matlab).verdict == "correct"


def _stacked_specs() -> list[tuple[str, dict]]:
    return [(s, variant("stacked-3x3", s).parts["b"]) for s in STUDENTS]


@pytest.mark.parametrize("student", STUDENTS)
def test_stacked_3x3_fraction_instead_of_percent(student: str) -> None:
    spec = variant("stacked-3x3", student).parts["b"]
    assert spec["percent"] is True
    fraction = as_fraction(spec["answer"]) / 100
    result = check_answer(spec, repr(float(fraction)))
    assert (result.verdict, result.note) == ("incorrect", "factor-100"), result
    percent = f"{float(as_fraction(spec['answer'])):.4g}"
    assert check_answer(spec, percent).verdict == "correct"
    assert check_answer(spec, percent + "%").verdict == "correct"


def test_stacked_3x3_seed_000_percent() -> None:
    fixed = fixed_variant(BANK, BANK.by_id["stacked-3x3"], {"F": 15})
    spec = fixed.parts["b"]
    assert check_answer(spec, "72%").verdict == "correct"
    assert check_answer(spec, "72").verdict == "correct"
    result = check_answer(spec, "0.72")
    assert (result.verdict, result.note) == ("incorrect", "factor-100")
    assert check_answer(fixed.parts["a"], "7").verdict == "correct"


def test_stacked_3x3_rounded_fraction_instead_of_percent() -> None:
    misses = []
    for student, spec in _stacked_specs():
        exact = float(as_fraction(spec["answer"])) / 100
        rounded = f"{exact:.4g}"
        assert abs(float(rounded) - exact) <= spec["rtol"] * exact  # within the part's own tolerance
        result = check_answer(spec, rounded)
        if result.note != "factor-100":
            misses.append((student, rounded, result.note))
    assert not misses, misses


def test_output_vs_kernel_expression_mistakes() -> None:
    spec = variant("output-vs-kernel", STUDENTS[0]).parts["a"]
    assert check_answer(spec, "H - K + 1").verdict == "correct"
    assert check_answer(spec, "H - K").note == "missing-plus-one"
    assert check_answer(spec, "H - 2K + 1").note == "double-kernel"
    assert check_answer(spec, "-(H - K + 1)").note == "sign"


def test_checkbox_question_partial_credit() -> None:
    spec = variant("cnn-advantages", STUDENTS[0]).parts["a"]
    correct = sorted(spec["answer"])
    assert len(correct) == 2 and spec["mode"] == "net-correct"
    assert check_answer(spec, correct[0]).score == 0.5
    wrong = next(label for label in "ABCD" if label not in correct)
    assert check_answer(spec, ", ".join(correct + [wrong])).score == 0.5


def test_shuffled_options_keep_their_meaning() -> None:
    """Labels follow the variant's order, and the option text is accepted whatever its label."""
    for student in STUDENTS[:10]:
        spec = variant("pooling", student).parts["a"]
        right = next(o["text"] for o in spec["options"] if o.get("correct"))
        assert check_answer(spec, right).verdict == "correct"
        assert check_answer(spec, typed(spec, spec["answer"])).verdict == "correct"

