"""Matrix answers: numeric or symbolic, with shape feedback and optional per-entry credit.

Accepts nested lists (``[[1, 2], [3, 4]]``) and MATLAB style
(``[1 2; 3 4]``). Every cell goes through the safe expression parser.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy

from grader.check.base import Checker, Diagnosis
from grader.check.evaluate import evaluate
from grader.check.expression_fast import printed
from grader.check.matrix_fast import (
    free_symbols,
    integer_matrix,
    integer_rows,
    integer_text,
    negated,
    nonzero_integers,
    numeric_array,
    symbolic_entries_right,
    tidy_matrix,
    transposed,
)
from grader.check.matrix_precision import (
    PreciseMatrix,
    format_cells,
    orientation,
    read_cells,
    score_cells,
    wants_precision,
)
from grader.check.matrix_text import split_matrix_text
from grader.check.parse import DEFAULT_FUNCTIONS, parse_expression
from grader.check.types.expression import _AnswerPrinter
from grader.core import speed
from grader.core.errors import FormatError
from grader.core.messages import feedback, shorten

_MAX_ENTRY = sympy.Integer(10) ** 300  # past float range an entry cannot be compared numerically
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9


class MatrixChecker(Checker):
    name = "matrix"
    settings = {"variables": [], "rtol": DEFAULT_RTOL, "atol": DEFAULT_ATOL, "partial": False,
                "implicit_multiplication": True, "sigfigs": None, "decimals": None, "extra_figures": "partial"}

    def reference(self, value: Any, spec: Mapping[str, Any]) -> sympy.Matrix:
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if speed.FAST and isinstance(value, list):  # the same matrix, built once instead of twice
            matrix = integer_matrix(value) if integer_rows(value) else sympy.ImmutableMatrix(value)
            if matrix.rows == 0 or matrix.cols == 0:
                raise ValueError("the reference matrix is empty")
            return matrix
        matrix = sympy.Matrix(value) if not isinstance(value, sympy.MatrixBase) else value
        if matrix.rows == 0 or matrix.cols == 0:
            raise ValueError("the reference matrix is empty")
        return sympy.ImmutableMatrix(matrix)

    def parse(self, raw: str, spec: Mapping[str, Any]) -> sympy.ImmutableMatrix:
        def parse_cell(cell: str) -> sympy.Basic:  # as the loop below reads each cell
            return parse_expression(
                cell,
                variables=spec.get("variables") or (),
                functions=DEFAULT_FUNCTIONS,
                implicit_multiplication=spec.get("implicit_multiplication", True),
            )

        settings = (tuple(spec.get("variables") or ()), spec.get("implicit_multiplication", True))
        # cells judged by their figures need their text: no fast path for them
        tidy = None if wants_precision(spec) else tidy_matrix(raw, settings, parse_cell, _too_large)
        if tidy is not None:  # numbers and names in a tidy spelling: the same matrix, read faster
            return tidy
        rows = split_matrix_text(raw)
        cells = []
        for row in rows:
            parsed_row = []
            for cell in row:
                try:
                    parsed_row.append(
                        parse_expression(
                            cell,
                            variables=spec.get("variables") or (),
                            functions=DEFAULT_FUNCTIONS,
                            implicit_multiplication=spec.get("implicit_multiplication", True),
                        )
                    )
                except FormatError as error:
                    offset = raw.find(cell)
                    inner = error.offset or 0
                    raise FormatError(
                        f"entry '{shorten(cell)}': {error.message}", raw, offset + inner if offset >= 0 else None, error.hint
                    ) from error
            cells.append(parsed_row)
        for row in cells:
            for cell in row:
                if cell.is_Rational and abs(cell) > _MAX_ENTRY:
                    raise FormatError("an entry is too large", raw, None)
        if wants_precision(spec):  # each cell's figures are judged from its text
            return read_cells(raw, rows, sympy.ImmutableMatrix(cells), spec)
        return sympy.ImmutableMatrix(cells)

    def score(self, value: sympy.MatrixBase, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        if isinstance(value, PreciseMatrix):
            return score_cells(value, reference, spec)
        if value.shape != reference.shape:
            return 0.0, "", ""
        right = _entries_right(value, reference, spec)
        if right.all():
            return 1.0, "correct", ""
        if spec.get("partial"):
            # Credit only the entries that matter: where either matrix is nonzero. Otherwise an
            # all-zero answer would earn most of a sparse matrix (a convolution matrix is mostly zeros).
            counted = _nonzero(reference) | _nonzero(value)
            total, correct = int(counted.sum()), int((right & counted).sum())
            message = feedback("matrix-entries", wrong=int((~right).sum()), total=right.size)
            return (correct / total if total else 0.0), "partial-entries", message
        return 0.0, "", ""

    def diagnose(self, value: sympy.MatrixBase, reference: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
        if isinstance(value, PreciseMatrix):  # its score already counted the wrong cells by their figures
            value = value.matrix
            if value.shape == reference.shape:
                return None
        given, expected = _shape(value.shape), _shape(reference.shape)
        flipped = value.shape == reference.T.shape and _entries_right(value, transposed(reference), spec).all()
        if orientation(value, reference, flipped):
            return orientation(value, reference, flipped)
        if flipped:
            if value.shape == reference.shape:
                return Diagnosis("transposed", feedback("transposed-square"))
            return Diagnosis("transposed", feedback("transposed", given=given, expected=expected))
        if value.shape != reference.shape:
            return Diagnosis("wrong-shape", feedback("wrong-shape", given=given, expected=expected))
        if any(cell != 0 for cell in reference) and _entries_right(value, negated(reference), spec).all():
            return Diagnosis("sign", feedback("sign"))
        wrong = int((~_entries_right(value, reference, spec)).sum())
        return Diagnosis("matrix-entries", feedback("matrix-entries", wrong=wrong, total=reference.rows * reference.cols))

    def format(self, reference: Any, spec: Mapping[str, Any]) -> str:
        if isinstance(reference, PreciseMatrix):
            reference = reference.matrix
        elif wants_precision(spec):
            return format_cells(reference, spec)
        plain = integer_text(reference)
        if plain is not None:
            return plain
        printer = _AnswerPrinter()
        rows = ["[" + ", ".join(printed(cell, printer.doprint) for cell in row) + "]" for row in reference.tolist()]
        return "[" + ", ".join(rows) + "]"


def _too_large(cell: sympy.Basic) -> bool:
    return bool(cell.is_Rational and abs(cell) > _MAX_ENTRY)


def _shape(shape: tuple[int, int]) -> str:
    return f"{shape[0]}×{shape[1]}"


def _number(cell: sympy.Basic) -> complex:
    """sympy's complex() is slow; integers and rationals are most cells."""
    try:
        if cell.is_Integer:
            return complex(int(cell))
        if cell.is_Rational:
            return complex(int(cell.p) / int(cell.q))
        return complex(cell)
    except OverflowError:  # beyond float range: it cannot equal a reference entry
        return complex(math.inf)


def _nonzero(matrix: sympy.MatrixBase) -> np.ndarray:
    known = nonzero_integers(matrix)
    if known is not None:
        return known
    return np.array([[cell != 0 for cell in row] for row in matrix.tolist()], dtype=bool)


def _entries_right(value: sympy.MatrixBase, reference: sympy.MatrixBase, spec: Mapping[str, Any]) -> np.ndarray:
    rtol = float(spec.get("rtol", DEFAULT_RTOL))
    atol = float(spec.get("atol", DEFAULT_ATOL))
    result = np.zeros(reference.shape, dtype=bool)
    theirs = numeric_array(reference, _number)
    mine = numeric_array(value, _number) if theirs is not None else None
    if mine is not None and theirs is not None:
        return np.abs(mine - theirs) <= np.maximum(rtol * np.abs(theirs), atol)
    symbols = sorted(free_symbols(reference) | free_symbols(value), key=str)
    points = [{s: complex(0.37 + 0.61 * k + 0.17 * i) for i, s in enumerate(symbols)} for k in range(4)]
    fast = symbolic_entries_right(value, reference, points, tuple(symbols), rtol, atol, evaluate)
    if fast is not None:  # the same comparison, with each matrix evaluated once at these points
        return fast
    for r, c in np.ndindex(*reference.shape):
        ok = True
        for point in points:
            a, b = evaluate(value[r, c], point), evaluate(reference[r, c], point)
            if a is None or b is None or abs(a - b) > rtol * max(abs(a), abs(b)) + atol:
                ok = False
                break
        result[r, c] = ok
    return result
