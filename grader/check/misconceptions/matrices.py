"""Matrix mistakes: the reference (or a declared mistake) rearranged the ways students rearrange it.

Flipped rows, columns or both (a flipped kernel); the flattening order of
the input or the output (row-major against column-major); the band shifted
by one position; circular against zero padding; a 'same' output given for
a 'valid' one (the expected matrix embedded in the answer) or the reverse; a
scalar multiple. Transposes and signs keep the notes the matrix checker has
always given them. Permuted rows or columns are recognised by comparing rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sympy

from grader.check.misconceptions.candidates import Candidate
from grader.core.messages import feedback

Matrix = sympy.ImmutableMatrix


def _factorisations(count: int) -> list[tuple[int, int]]:
    return [(h, count // h) for h in range(2, count) if count % h == 0 and count // h >= 2]


def _grid(rows: int, cols: int) -> str:
    """The grid in a note only when it is not square (a square grid is the usual case)."""
    return "" if rows == cols else f":{rows}x{cols}"


def _column_major(size: int, rows: int, cols: int) -> list[int]:
    """Index map: position k of a column-major flattening of a rows x cols grid holds row-major index."""
    order = [r * cols + c for c in range(cols) for r in range(rows)]
    return order if len(order) == size else list(range(size))


def _transforms(matrix: Matrix) -> Iterator[tuple[str, str, Matrix]]:
    rows, cols = matrix.shape
    yield "transposed", feedback("transposed-square") if rows == cols else "", matrix.T
    yield "matrix:flipped-rows", "Your matrix has the rows in reverse order.", matrix[::-1, :]
    yield "matrix:flipped-columns", "Your matrix has the columns in reverse order.", matrix[:, ::-1]
    yield ("matrix:flipped-both", "Your matrix is the expected one rotated by 180 degrees (rows and columns "
           "reversed): a flipped kernel?", matrix[::-1, ::-1])
    for h, w in _factorisations(cols):
        order = _column_major(cols, h, w)
        yield (f"matrix:column-major-input{_grid(h, w)}", f"Your columns follow the input flattened column by column "
               f"({h}x{w} grid); the question flattens it row by row.", matrix.extract(list(range(rows)), order))
    for h, w in _factorisations(rows):
        order = _column_major(rows, h, w)
        yield (f"matrix:column-major-output{_grid(h, w)}", f"Your rows follow the output flattened column by column "
               f"({h}x{w} grid); the question flattens it row by row.", matrix.extract(order, list(range(cols))))
    if rows > 1 and cols > 1:
        both_rows, both_cols = _factorisations(rows), _factorisations(cols)
        for (h, w), (hi, wi) in ((r, c) for r in both_rows for c in both_cols):
            yield (f"matrix:column-major{_grid(h, w)}{_grid(hi, wi)}", "Your matrix flattens both the input and the output "
                   "column by column; the question flattens them row by row.",
                   matrix.extract(_column_major(rows, h, w), _column_major(cols, hi, wi)))
    if rows == 1 or cols == 1:
        size = rows * cols
        flat = list(matrix)
        for h, w in _factorisations(size):
            reordered = [flat[k] for k in _column_major(size, h, w)]
            yield (f"matrix:column-major{_grid(h, w)}", f"Your vector is the {h}x{w} grid flattened column by column; "
                   "the question flattens it row by row.", Matrix(rows, cols, reordered))
    for shift in (1, -1):
        yield (f"matrix:band-shifted:{shift:+d}", f"Your band of entries is shifted {'right' if shift > 0 else 'left'}"
               " by one column: check which kernel entry sits on the diagonal.", _shift_columns(matrix, shift))
    circular = _circular(matrix)
    if circular is not None:
        yield ("matrix:circular-padding", "Your matrix wraps the kernel around the corners (circular padding); "
               "the question uses zero padding.", circular)
    banded = _zero_padded(matrix)
    if banded is not None:
        yield ("matrix:zero-padding", "Your matrix uses zero padding; the question wraps around (circular "
               "padding).", banded)


def _shift_columns(matrix: Matrix, shift: int) -> Matrix:
    """The band moved by one column; for a Toeplitz band the whole kernel moves (k1 on the diagonal)."""
    rows, cols = matrix.shape
    diagonals = _diagonals(matrix)
    if diagonals is not None:
        return Matrix(rows, cols, lambda i, j: diagonals.get(j - i - shift, 0))
    return Matrix(rows, cols, lambda i, j: matrix[i, j - shift] if 0 <= j - shift < cols else 0)


def _diagonals(matrix: Matrix) -> dict[int, sympy.Basic] | None:
    """For a banded Toeplitz matrix, the value on each nonzero diagonal (offset j - i); else None."""
    rows, cols = matrix.shape
    if rows != cols or rows < 3:
        return None
    values: dict[int, sympy.Basic] = {}
    for i in range(rows):
        for j in range(cols):
            entry = matrix[i, j]
            if entry != 0:
                if values.setdefault(j - i, entry) != entry:
                    return None
    return values if values and max(abs(d) for d in values) < rows // 2 else None


def _circular(matrix: Matrix) -> Matrix | None:
    diagonals = _diagonals(matrix)
    if diagonals is None:
        return None
    n = matrix.rows
    return Matrix(n, n, lambda i, j: diagonals.get(j - i, diagonals.get(j - i - n, diagonals.get(j - i + n, 0))))


def _zero_padded(matrix: Matrix) -> Matrix | None:
    """The zero-padded (banded) version of a circulant: its wrapped corners cleared."""
    n = matrix.rows
    if n != matrix.cols or n < 3:
        return None
    first = [matrix[0, j] for j in range(n)]
    if any(matrix[i, j] != first[(j - i) % n] for i in range(n) for j in range(n)):
        return None
    reach = n // 2
    banded = Matrix(n, n, lambda i, j: matrix[i, j] if abs(j - i) < reach else 0)
    return None if banded == matrix else banded


def matrix_candidates(spec: dict[str, Any]) -> Iterator[Candidate]:
    reference = spec.get("answer")
    if not isinstance(reference, sympy.MatrixBase):
        return
    sources = [("", "", reference)]
    sources += [(m["note"] + "+", m["feedback"] + " Also: ", m["answer"]) for m in spec.get("mistakes") or ()
                if isinstance(m.get("answer"), sympy.MatrixBase)]
    for prefix, lead, matrix in sources:
        for code, message, candidate in _transforms(Matrix(matrix)):
            if code == "transposed" and not prefix:
                # the note the matrix checker has always given a transpose, with its shapes
                shapes = {"given": _shape(candidate.shape), "expected": _shape(matrix.shape)}
                message = message or feedback("transposed", **shapes)
                yield Candidate(code, message, candidate, note="transposed")
                continue
            yield Candidate(prefix + code, lead + (message or "Your matrix is its transpose."), candidate)


def _shape(shape: tuple[int, int]) -> str:
    return f"{shape[0]}×{shape[1]}"


def relation_diagnosis(value: Matrix, reference: Matrix, matches) -> tuple[str, str] | None:
    """Relations that are recognised rather than built: permuted rows or columns, embedding, a scalar multiple."""
    if value.shape == reference.shape:
        rows, cols = value.shape
        ref_rows = [reference.row(i) for i in range(rows)]
        val_rows = [value.row(i) for i in range(rows)]
        if _is_permutation(val_rows, ref_rows, matches):
            return "matrix:row-permutation", "Your matrix has the right rows in a different order."
        ref_cols = [reference.col(j) for j in range(cols)]
        val_cols = [value.col(j) for j in range(cols)]
        if _is_permutation(val_cols, ref_cols, matches):
            return "matrix:column-permutation", "Your matrix has the right columns in a different order."
        factor = _scalar(value, reference)
        if factor is not None and factor not in (0, 1, -1):
            return "matrix:scalar", f"Your matrix is {factor} times the expected one."
        return None
    if value.rows >= reference.rows and value.cols >= reference.cols and _embedded(reference, value, matches):
        return ("matrix:same-not-valid", "Your matrix contains the expected one inside a larger border: you padded "
                "the input ('same' output), but the question asks for the 'valid' part only.")
    if value.rows <= reference.rows and value.cols <= reference.cols and _embedded(value, reference, matches):
        return ("matrix:valid-not-same", "Your matrix is the inner part of the expected one: you left out the "
                "padding ('valid' output), but the question asks for the 'same' size.")
    return None


def _is_permutation(given: list, expected: list, matches) -> bool:
    if all(matches(a, b) for a, b in zip(given, expected)):
        return False
    unused = list(range(len(expected)))
    for row in given:
        found = next((k for k in unused if matches(row, expected[k])), None)
        if found is None:
            return False
        unused.remove(found)
    return True


def _embedded(small: Matrix, large: Matrix, matches) -> bool:
    """``small`` sits centred in ``large`` with an even border on every side, as a valid output sits in a same one."""
    extra_rows, extra_cols = large.rows - small.rows, large.cols - small.cols
    if extra_rows <= 0 or extra_cols <= 0 or extra_rows % 2 or extra_cols % 2:
        return False
    top, left = extra_rows // 2, extra_cols // 2
    return bool(matches(large[top:top + small.rows, left:left + small.cols], small))


def _scalar(value: Matrix, reference: Matrix) -> sympy.Basic | None:
    if not all(cell.is_number for cell in value) or not all(cell.is_number for cell in reference):
        return None
    ratios = set()
    for a, b in zip(value, reference):
        if b == 0:
            if a != 0:
                return None
            continue
        ratio = a / b
        # an exact ratio is itself: nsimplify would turn 13717421/109739369 into 1/8, or -1177/8979 into a
        # product of radicals; only a decimal the student typed is read as the simple number it stands for
        ratios.add(ratio if ratio.is_Rational else sympy.nsimplify(ratio))
        if len(ratios) > 1:
            return None  # not one factor: the other cells cannot make it one
    return ratios.pop() if ratios else None
