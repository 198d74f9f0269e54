"""The fast path for tidy matrices, and what a comparison needs remembered per matrix.

Most typed matrices are whole numbers or plain variable names in one of two tidy spellings,
``[[1, 2], [3, 4]]`` or ``[k1 0; 0 k2]``. For those a regular expression finds the cells, Python's
``int`` reads the numbers and each name is read once (per part settings) by the safe parser itself,
which gives exactly the matrix the bracket scanner and the parser would build, in a fraction of the
time (``tests/test_fast_paths.py`` compares the two on generated text). Anything else (other
spellings, decimals, expressions, any mistake) returns None and takes the full path, so every format
error and its caret are unchanged.

A reference is compared with thousands of answers, and a wrong answer with the reference, each
mistake, its transpose and its negation: the complex array of a numeric matrix, and a symbolic
matrix's values at the test points, are remembered per matrix object (matrices are immutable).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import sympy

from grader.check.matrix_text import NUMBER_START, plain_cells
from grader.core import speed

_CACHE_SIZE = 256


_names: dict[tuple, Any] = {}
_symbolic: dict[tuple, Any] = {}


def tidy_matrix(text: str, settings: tuple, parse_cell: Callable[[str], Any], too_large: Callable[[Any], bool]
                ) -> sympy.ImmutableMatrix | None:
    """The matrix for tidy text, or None. ``parse_cell`` is the full path's own reading of one cell under
    ``settings`` (everything it depends on); a name is read by it once per settings and remembered.
    """
    rows = plain_cells(text)
    if rows is None:
        return None
    if all(cell[0] in NUMBER_START for row in rows for cell in row):
        return integer_matrix([[int(cell) for cell in row] for row in rows])
    # the same symbolic matrix is typed by many students (its reference often has no parameters): one
    # immutable object for each text, so what is remembered per matrix object is found again
    key = (settings, tuple(tuple(row) for row in rows))
    if key in _symbolic:
        return _symbolic[key]
    matrix = _symbolic_matrix(rows, settings, parse_cell, too_large)
    if len(_symbolic) >= _CACHE_SIZE:
        _symbolic.pop(next(iter(_symbolic)))
    _symbolic[key] = matrix
    return matrix


def _symbolic_matrix(rows: list[list[str]], settings: tuple, parse_cell: Callable[[str], Any],
                     too_large: Callable[[Any], bool]) -> sympy.ImmutableMatrix | None:
    values = []
    for row in rows:
        row_values = []
        for cell in row:
            if cell[0] in NUMBER_START:
                row_values.append(int(cell))
                continue
            key = (settings, cell)
            if key not in _names:
                try:
                    value = parse_cell(cell)
                except Exception:  # the full path reports it, with its offset
                    value = None
                if len(_names) >= _CACHE_SIZE:
                    _names.pop(next(iter(_names)))
                _names[key] = None if value is None or too_large(value) else value
            if _names[key] is None:
                return None
            row_values.append(_names[key])
        values.append(row_values)
    return sympy.ImmutableMatrix(values)


def integer_matrix(rows: list[list[int]]) -> sympy.ImmutableMatrix:
    matrix = _from_integers(rows) if _internal_route_agrees() else sympy.ImmutableMatrix(rows)
    _remember(matrix, _array_of_ints(rows), integers=True)
    return matrix


def integer_rows(value: Any) -> bool:
    """A non-empty rectangular list of non-empty lists of ints (what ``integer_matrix`` builds from)."""
    return bool(value) and isinstance(value, list) and all(
        isinstance(row, list) and row and all(type(cell) is int for cell in row) for row in value
    ) and len({len(row) for row in value}) == 1


def mutable_integer_matrix(rows: list[list[int]]) -> sympy.Matrix:
    """``sympy.Matrix(rows)`` for a non-empty rectangular list of lists of ints (a parameter's exact value)."""
    from sympy.matrices.dense import MutableDenseMatrix

    if speed.FAST and _internal_route_agrees(MutableDenseMatrix):
        return _from_integers(rows, MutableDenseMatrix)
    return sympy.Matrix(rows)


def _from_integers(rows: list[list[int]], kind: type | None = None) -> sympy.ImmutableMatrix:
    """What ``ImmutableMatrix(rows)`` (or ``kind(rows)``) builds for integers (a sparse ZZ matrix), without
    sympifying each cell."""
    from sympy.matrices.immutable import ImmutableDenseMatrix
    from sympy.polys.domains import ZZ
    from sympy.polys.matrices import DomainMatrix

    nonzero = {}
    for i, row in enumerate(rows):
        cells = {j: ZZ(value) for j, value in enumerate(row) if value}
        if cells:
            nonzero[i] = cells
    return (kind or ImmutableDenseMatrix)._fromrep(DomainMatrix(nonzero, (len(rows), len(rows[0])), ZZ))


@lru_cache(maxsize=2)
def _internal_route_agrees(kind: type | None = None) -> bool:
    """sympy's internals can change between versions: use them only if they build the very same matrix."""
    sample = [[0, -3, 7], [10**40, 0, 1], [0, 0, 0]]
    try:
        mine, public = _from_integers(sample, kind), (kind or sympy.ImmutableMatrix)(sample)
        same = (type(mine) is type(public) and mine == public and mine._rep == public._rep
                and type(mine._rep.rep) is type(public._rep.rep) and mine.tolist() == public.tolist())
        if kind is None:
            same = same and mine.args == public.args and hash(mine) == hash(public)
        return same
    except Exception:
        return False


def _array_of_ints(rows: list[list[int]]) -> np.ndarray:
    try:  # complex(int) is what the cell-by-cell conversion computes for an Integer
        return np.array([[complex(value) for value in row] for row in rows], dtype=complex)
    except OverflowError:  # beyond float range: as the cell-by-cell conversion does
        return np.array([[_big(value) for value in row] for row in rows], dtype=complex)


def _big(value: int) -> complex:
    try:
        return complex(value)
    except OverflowError:
        return complex(float("inf"))


# ----- per-matrix numbers, remembered ---------------------------------------------------------------
_arrays: dict[int, tuple[Any, np.ndarray | None, bool]] = {}
_memo: dict[tuple, tuple[Any, Any]] = {}


def _remember(matrix: Any, array: np.ndarray | None, integers: bool) -> None:
    if len(_arrays) >= _CACHE_SIZE:
        _arrays.pop(next(iter(_arrays)))
    _arrays[id(matrix)] = (matrix, array, integers)  # holding the matrix keeps its id from being reused


def remembered(kind: str, matrix: Any, compute: Callable[[], Any], *extra: Any) -> Any:
    """``compute()`` once per (kind, matrix object, extra); matrices are immutable."""
    if not speed.FAST:
        return compute()
    key = (kind, id(matrix), *extra)
    entry = _memo.get(key)
    if entry is not None and entry[0] is matrix:
        return entry[1]
    value = compute()
    if len(_memo) >= _CACHE_SIZE:
        _memo.pop(next(iter(_memo)))
    _memo[key] = (matrix, value)
    return value


def transposed(matrix: sympy.MatrixBase) -> sympy.MatrixBase:
    return remembered("T", matrix, lambda: matrix.T)


def negated(matrix: sympy.MatrixBase) -> sympy.MatrixBase:
    return remembered("neg", matrix, lambda: -matrix)


def free_symbols(matrix: sympy.MatrixBase) -> frozenset:
    return remembered("symbols", matrix, lambda: frozenset().union(*(_cell_symbols(cell) for cell in _flat(matrix))))


def _flat(matrix: sympy.MatrixBase) -> list:
    """The cells row by row, as ``list(matrix)`` gives them (one call instead of one index per cell)."""
    return matrix.flat() if hasattr(matrix, "flat") else list(matrix)


@lru_cache(maxsize=4096)
def _cell_symbols(cell: sympy.Basic) -> frozenset:
    return frozenset(cell.free_symbols)


_cells: dict[tuple, list[complex | None]] = {}


def _cell_values(cell: sympy.Basic, symbols: tuple, points: list[dict],
                 evaluate: Callable[[sympy.Basic, dict], complex | None]) -> list[complex | None]:
    """One cell's values at the points of these symbols; the same few cells recur in every answer."""
    key = (type(cell), cell, symbols)  # equal sympy trees evaluate alike (the type keeps 2 and 2.0 apart)
    values = _cells.get(key)
    if values is None:
        values = [evaluate(cell, point) for point in points]
        if len(_cells) >= 4 * _CACHE_SIZE:
            _cells.pop(next(iter(_cells)))
        _cells[key] = values
    return values


def symbolic_entries_right(value: sympy.MatrixBase, reference: sympy.MatrixBase, points: list[dict],
                           symbols: tuple, rtol: float, atol: float,
                           evaluate: Callable[[sympy.Basic, dict], complex | None]) -> np.ndarray | None:
    """Entry by entry: equal at every point (both defined, within tolerance); the values are remembered.

    None when the fast path is off: the caller then compares cell by cell as before.
    """
    if not speed.FAST:
        return None

    def values_of(matrix: sympy.MatrixBase) -> list[list[complex | None]]:
        return remembered("values", matrix, lambda: [_cell_values(cell, symbols, points, evaluate) for cell in _flat(matrix)],
                          symbols)

    mine, theirs = values_of(value), values_of(reference)
    result = np.zeros(reference.shape, dtype=bool)
    flat = result.reshape(-1)
    for index, (my_values, their_values) in enumerate(zip(mine, theirs)):
        flat[index] = all(a is not None and b is not None and abs(a - b) <= rtol * max(abs(a), abs(b)) + atol
                          for a, b in zip(my_values, their_values))
    return result


def numeric_array(matrix: sympy.MatrixBase, number: Callable[[sympy.Basic], complex]) -> np.ndarray | None:
    """The matrix as complex numbers (``number`` per cell), or None when a cell is not a number."""
    entry = _arrays.get(id(matrix)) if speed.FAST else None
    if entry is not None and entry[0] is matrix:
        return entry[1]
    cells = matrix.tolist()
    numeric = all(cell.is_number for row in cells for cell in row)
    array = np.array([[number(c) for c in row] for row in cells], dtype=complex) if numeric else None
    integers = numeric and all(cell.is_Integer for row in cells for cell in row)
    if speed.FAST:
        _remember(matrix, array, integers)
    return array


def nonzero_integers(matrix: sympy.MatrixBase) -> np.ndarray | None:
    """Where an all-integer matrix is nonzero (exact: float(n) == 0 only for n == 0); None otherwise."""
    entry = _arrays.get(id(matrix)) if speed.FAST else None
    if entry is None or entry[0] is not matrix or not entry[2]:
        return None
    return entry[1] != 0


def integer_text(matrix: sympy.MatrixBase) -> str | None:
    """``[[1, 2], [3, 4]]`` for an all-integer matrix (what the answer printer writes), else None."""
    entry = _arrays.get(id(matrix)) if speed.FAST else None
    if entry is None or entry[0] is not matrix or not entry[2]:
        return None
    return "[" + ", ".join("[" + ", ".join(str(cell.p) for cell in row) + "]" for row in matrix.tolist()) + "]"


def clear() -> None:
    _cells.clear()
    _arrays.clear()
    _memo.clear()
    _names.clear()
    _symbolic.clear()
