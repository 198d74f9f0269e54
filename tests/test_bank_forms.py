"""The answer forms and parameter kinds the CNN bank does not use: numpy answers, uniform and derived params."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np

from grader.bank.model import load_bank
from grader.bank.variant import make_variant
from grader.check import check_answer

BANK = """\
id: forms
title: Answer forms
questions:
  - id: linear
    title: Numpy and derived answers
    params:
      A: {matrix: [2, 2], range: [1, 5]}
      rate: {uniform: [0.05, 0.25], decimals: 2}
      n: {range: [2, 10], step: 2}
      half: {derived: n/2}
    where:
      - A[0] != 0
    text: |
      Let $A = {{ A | bmatrix }}$, rate {{ rate }}, n = {{ n }} (half is {{ half }}).
    parts:
      - id: gram
        type: matrix
        answer: {numpy: "A.T @ A"}
      - id: det
        type: number
        answer: {numpy: "float(np.linalg.det(A))"}
      - id: growth
        type: number
        exact: true
        answer: (1 + rate)^half
    solution: $A^T A = {{ latex.gram }}$
"""


def write_bank(tmp_path: Path, text: str = BANK) -> Path:
    path = tmp_path / "forms.yaml"
    path.write_text(text)
    return path


def test_constraint_syntax_error_is_a_bank_error(tmp_path: Path) -> None:
    """A[0] is a subscript: refused with file:line, as a bank error (exit 2), not a crash."""
    run = subprocess.run([sys.executable, "-m", "grader.cli", "validate", str(write_bank(tmp_path))],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "forms.yaml:" in run.stderr and "Traceback" not in run.stderr


def test_numpy_uniform_and_derived_forms(tmp_path: Path) -> None:
    bank = load_bank(write_bank(tmp_path, BANK.replace("    where:\n      - A[0] != 0\n", "")))
    question = bank.by_id["linear"]
    for student in ("a", "b", "c", "d"):
        variant = make_variant(bank, question, "forms-secret", student)
        A = np.array(variant.params["A"])
        rate, n = variant.params["rate"], variant.params["n"]
        assert isinstance(rate, Decimal) and Decimal("0.05") <= rate <= Decimal("0.25")
        assert rate == rate.quantize(Decimal("0.01")) and n % 2 == 0 and variant.params["half"] == n // 2
        gram = A.T @ A
        assert check_answer(variant.parts["gram"], str(gram.tolist())).verdict == "correct"
        assert check_answer(variant.parts["gram"], str(gram.T.tolist())).verdict == (
            "correct" if (gram == gram.T).all() else "incorrect")
        assert check_answer(variant.parts["det"], repr(float(np.linalg.det(A)))).verdict == "correct"
        exact = (1 + Fraction(str(rate))) ** (n // 2)
        assert check_answer(variant.parts["growth"], f"{exact.numerator}/{exact.denominator}").verdict == "correct"
        assert check_answer(variant.parts["growth"], f"{float(exact) * (1 + 1e-6)!r}").verdict == "incorrect"
        assert "\\begin{matrix}" in variant.render_text()
        assert "matrix" in variant.render_solution()


def test_validate_accepts_the_forms_bank(tmp_path: Path) -> None:
    path = write_bank(tmp_path, BANK.replace("    where:\n      - A[0] != 0\n", ""))
    (tmp_path / "course.yaml").write_text("secret: forms\n")
    run = subprocess.run([sys.executable, "-m", "grader.cli", "validate", str(path), "--seeds", "50"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
