"""Code parts checked in-process: what the feedback reveals, and failures that must not crash grading."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from grader.bank.model import load_bank
from grader.bank.variant import make_variant
from grader.check.code_cases import check_function

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def variant():
    bank = load_bank(ROOT / "questions" / "cnn.yaml")
    return make_variant(bank, bank.by_id["cnn-notebook"], "code-part-tests", "s042")


def missing_plus_one(I, F, P, S):  # noqa: E741 - the textbook names
    return (I - F + 2 * P) // S


def test_shown_answers_name_input_result_and_expected(variant) -> None:
    spec = variant.parts["output-size"]
    I, F, P, S = (variant.params[n] for n in "IFPS")  # noqa: E741
    result = check_function({**spec, "show_answer": True}, missing_plus_one)
    assert result.verdict == "incorrect"
    assert f"conv_output_size({I}, {F}, {P}, {S}) returned {(I - F + 2 * P) // S}" in result.feedback
    assert f"expected {(I - F + 2 * P) // S + 1}" in result.feedback
    assert "+1" in result.feedback


def test_hidden_answers_name_only_the_failing_input(variant) -> None:
    spec = variant.parts["output-size"]
    I, F, P, S = (variant.params[n] for n in "IFPS")  # noqa: E741
    result = check_function({**spec, "show_answer": False}, missing_plus_one)
    assert f"conv_output_size({I}, {F}, {P}, {S}) is not correct." in result.feedback
    # Nothing but the failing calls: no result, no expected value, no "off by" hint that gives it away.
    for piece in result.feedback.split(" | "):
        assert re.fullmatch(r"conv_output_size\([0-9, ]+\) is not correct\.", piece), piece


def test_a_raising_function_is_reported_per_input(variant) -> None:
    def broken(k, n):
        raise ValueError("shapes do not match")

    result = check_function(variant.parts["toeplitz"], broken)
    assert result.verdict == "incorrect" and "raised ValueError: shapes do not match" in result.feedback


def test_missing_function_gets_a_clear_message(variant) -> None:
    result = check_function(variant.parts["params"], None)
    assert result.verdict == "incorrect" and "No function named count_conv_params" in result.feedback


def test_equivariance_separates_convolution_from_a_dense_layer(variant) -> None:
    """A gap that is always 0 passes the convolution case but fails the dense one: partial credit."""
    result = check_function(variant.parts["equivariance"], lambda layer, x, s: 0.0)
    assert result.verdict == "partial" and result.score == pytest.approx(0.5)
    assert "dense_layer" in result.feedback

    def gap(layer, x, s):
        x = np.asarray(x, dtype=float)
        return float(np.max(np.abs(layer(np.roll(x, s)) - np.roll(layer(x), s))))

    assert check_function(variant.parts["equivariance"], gap).verdict == "correct"
