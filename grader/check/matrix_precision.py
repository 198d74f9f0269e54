"""Matrices whose cells are asked to N significant figures or N decimal places, and vector orientation.

Each cell is read as decimal text and judged by the rules of ``grader.check.sigfigs``; the matrix is right
when every cell is. A column vector given as a row (or the reverse) is named as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy

from grader.check.base import Diagnosis
from grader.check.numbers import as_fraction
from grader.check.sigfigs import (
    DEFAULT_EXTRA_FIGURES,
    Figures,
    exact_decimal,
    format_figures,
    format_places,
    judge_figures,
    judge_places,
    read_precise,
)
from grader.core.errors import FormatError
from grader.core.messages import feedback, literal


@dataclass(frozen=True)
class PreciseMatrix:
    """A matrix answer with the figures written in each cell."""

    matrix: sympy.ImmutableMatrix
    figures: tuple[tuple[Figures, ...], ...]

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape


def wants_precision(spec: Mapping[str, Any]) -> bool:
    return spec.get("sigfigs") is not None or spec.get("decimals") is not None


def read_cells(raw: str, rows: list[list[str]], matrix: sympy.ImmutableMatrix, spec: Mapping[str, Any]) -> PreciseMatrix:
    what = "significant figures" if spec.get("sigfigs") is not None else "decimal places"
    figures = []
    for row in rows:
        row_figures = []
        for cell in row:
            try:
                row_figures.append(read_precise(cell, what=what)[1])
            except FormatError as error:
                offset = raw.find(cell)
                raise FormatError(f"entry {literal(cell.strip()[:20])}: {error.message}", raw,
                                  offset if offset >= 0 else None) from None
        figures.append(tuple(row_figures))
    return PreciseMatrix(matrix, tuple(figures))


def score_cells(value: PreciseMatrix, reference: sympy.MatrixBase, spec: Mapping[str, Any]) -> tuple[float, str, str]:
    if value.shape != reference.shape:
        return 0.0, "", ""
    extra = spec.get("extra_figures", DEFAULT_EXTRA_FIGURES)
    verdicts = []
    for r in range(reference.rows):
        for c in range(reference.cols):
            cell = as_fraction(value.matrix[r, c])
            wanted = as_fraction(reference[r, c])
            if spec.get("sigfigs") is not None:
                verdicts.append(judge_figures(Fraction(cell), value.figures[r][c], wanted, int(spec["sigfigs"]), extra))
            else:
                verdicts.append(judge_places(Fraction(cell), value.figures[r][c].places, wanted,
                                             int(spec["decimals"]), extra))
    if all(v.score == 1.0 for v in verdicts):
        return 1.0, "correct", ""
    if any(v.score == 0.0 and v.note.endswith("-value") for v in verdicts):
        wrong = sum(v.note.endswith("-value") for v in verdicts)
        return 0.0, "", feedback("matrix-entries", wrong=wrong, total=len(verdicts))
    worst = min(verdicts, key=lambda v: v.score)
    return worst.score, worst.note, worst.message


def format_cells(reference: sympy.MatrixBase, spec: Mapping[str, Any]) -> str:
    def cell(value: sympy.Basic) -> str:
        exact = exact_decimal(as_fraction(value))
        if spec.get("sigfigs") is not None:
            return format_figures(exact, int(spec["sigfigs"]))
        return format_places(exact, int(spec["decimals"]))
    return "[" + ", ".join("[" + ", ".join(cell(v) for v in row) + "]" for row in reference.tolist()) + "]"


def orientation(value: sympy.MatrixBase, reference: sympy.MatrixBase, transposed_right: bool) -> Diagnosis | None:
    """A row vector for a column vector (or the reverse), with the right entries."""
    if 1 not in reference.shape or reference.shape == (1, 1) or not transposed_right:
        return None
    kinds = {True: "column", False: "row"}
    return Diagnosis("vector-orientation", feedback("vector-orientation", given=kinds[value.cols == 1],
                                                    expected=kinds[reference.cols == 1]))
