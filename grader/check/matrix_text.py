"""Splitting matrix text into cells: ``[[1, 2], [3, 4]]`` or MATLAB's ``[1 2; 3 4]``.

A small bracket scanner of our own (never json, yaml or literal_eval), so
each cell stays the student's text and then goes through the safe parser.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from grader.core import speed
from grader.core.errors import FormatError


def _is_control(ch: str) -> bool:
    return ch not in "\t\n\r" and unicodedata.category(ch)[0] == "C"

MAX_MATRIX_ROWS = MAX_MATRIX_COLUMNS = 100
MAX_MATRIX_CHARS = 20000


@dataclass
class _Row:
    items: list[tuple[str, int] | _Group]  # raw text segments (with offsets) and bracketed groups
    commas: bool = False

    def blank(self) -> bool:
        return not self.commas and all(isinstance(i, tuple) and not i[0].strip() for i in self.items)


@dataclass
class _Group:
    rows: list[_Row]
    offset: int


class _MatrixScanner:
    """A bracket scanner for [[1, 2], [3, 4]], [1, 2, 3], [1 2; 3 4] or 1 2; 3 4 (no json/yaml/eval)."""

    def __init__(self, text: str) -> None:
        self.text, n = text, len(text)
        self.next_sig = [n] * (n + 1)  # index of the next non-space character, for newline decisions
        for k in range(n - 1, -1, -1):
            self.next_sig[k] = self.next_sig[k + 1] if text[k].isspace() else k

    def fail(self, message: str, offset: int | None, hint: str = "") -> FormatError:
        return FormatError(message, text=self.text, offset=offset, hint=hint)

    def scan(self, i: int, depth: int, opened: int | None = None) -> tuple[list[_Row], int]:
        """Read rows until the ']' closing the '[' at ``opened`` (or the end); return them and the next index."""
        text, rows = self.text, [_Row([])]
        start, parens, last_sig = i, [], None
        while i < len(text):
            ch = text[i]
            if ch in "\"'":
                end = text.find(ch, i + 1)
                if end < 0:
                    raise self.fail("quote is never closed", i)
                i, last_sig = end + 1, ch
                continue
            if ch in "[];" and parens:
                raise self.fail("'(' is never closed", parens[-1])
            if ch == "(":
                parens.append(i)
            elif ch == ")":
                if not parens:
                    raise self.fail("unmatched ')'", i)
                parens.pop()
            elif ch == "[":
                if depth >= 2:
                    raise self.fail("too many levels of '['", i, "write [[1, 2], [3, 4]] or [1 2; 3 4]")
                rows[-1].items.append((text[start:i], start))
                inner, after = self.scan(i + 1, depth + 1, i)
                rows[-1].items.append(_Group(inner, i))
                i = after
                start, last_sig = i, "]"
                continue
            elif ch == "]":
                if depth == 0:
                    raise self.fail("unmatched ']'", i)
                rows[-1].items.append((text[start:i], start))
                return rows, i + 1
            elif ch == "," and not parens:
                rows[-1].items.append((text[start:i], start))
                rows[-1].commas, start = True, i + 1
            elif (ch == ";" or (ch == "\n" and not parens and self.newline_breaks(i, last_sig))):
                rows[-1].items.append((text[start:i], start))
                rows.append(_Row([]))
                start = i + 1
            if not ch.isspace():
                last_sig = ch
            i += 1
        if parens:
            raise self.fail("'(' is never closed", parens[-1])
        if depth:
            raise self.fail("'[' is never closed", opened, "add the missing ']'")
        rows[-1].items.append((text[start:], start))
        return rows, i

    def newline_breaks(self, i: int, last_sig: str | None) -> bool:
        """A newline starts a new row unless the row so far or the next line plainly continues."""
        nxt = self.next_sig[i]
        return (last_sig is not None and last_sig not in ",;[(+-*/^" and nxt < len(self.text)
                and self.text[nxt] not in ",;])*/^")

    def cells(self, row: _Row) -> list[tuple[str, int]]:
        """Split one row of raw segments into cells: by commas if it has any, else by spaces (MATLAB)."""
        cells = []
        for seg, at in row.items:  # type: ignore[misc]
            if row.commas:
                cells.append((seg, at))
                continue
            for chunk, pos in _chunks(seg, at):
                joins = cells and (cells[-1][0][-1] in "+-*/^" or chunk[0] in "*/^" or chunk in ("+", "-"))
                if joins:
                    prev_at = cells[-1][1]
                    cells[-1] = (self.text[prev_at:pos + len(chunk)], prev_at)
                else:
                    cells.append((chunk, pos))
        return [self.cell(c, at) for c, at in cells]

    def cell(self, raw: str, at: int) -> tuple[str, int]:
        stripped = raw.strip()
        if len(stripped) >= 2 and stripped[0] == stripped[-1] and stripped[0] in "\"'":
            stripped = stripped[1:-1].strip()  # a JSON/YAML-quoted entry
        if not stripped:
            raise self.fail("empty entry", at + len(raw) - len(raw.lstrip()), "remove the extra ',' or fill it in")
        return stripped, at + len(raw) - len(raw.lstrip())


def _chunks(segment: str, at: int) -> list[tuple[str, int]]:
    """Whitespace-separated pieces of a segment, keeping parenthesised and quoted parts whole."""
    out, depth, start, quote = [], 0, None, ""
    for k, ch in enumerate(segment + " "):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "()":
            depth += 1 if ch == "(" else -1
        if ch.isspace() and depth <= 0 and not quote:
            if start is not None:
                out.append((segment[start:k], at + start))
            start = None
        elif start is None:
            start = k
    return out


def _entries(count: int) -> str:
    return f"{count} entr{'y' if count == 1 else 'ies'}"


def _group_row(row: _Row) -> bool:
    """True for a row made only of bracketed groups (the [[1, 2], [3, 4]] style)."""
    return any(isinstance(i, _Group) for i in row.items) and all(
        isinstance(i, _Group) or not i[0].strip() for i in row.items)


def split_matrix_text(text: str) -> list[list[str]]:
    """Split a typed matrix into rows of cell strings; each cell then goes through parse_expression.

    Accepts [[1, 2], [3, 4]], [1, 2, 3] (one row), [1 2; 3 4], [1, 2; 3, 4], and the same without
    the outer brackets; rows split on ';' or newlines. A row containing commas splits only on
    commas (so "2 x, 1" works); otherwise it splits on spaces like MATLAB: a space then a sign
    glued to what follows starts a new entry ("1 -2" is two entries), while a lone sign or a
    dangling operator continues it ("1 - 2", "1 -  2", "x^ 2" are one entry each).
    """
    if not isinstance(text, str):
        raise FormatError("the matrix must be text", text="", offset=None)
    if len(text) > MAX_MATRIX_CHARS:
        raise FormatError("the matrix is too long", text=text, offset=MAX_MATRIX_CHARS,
                          hint=f"at most {MAX_MATRIX_CHARS} characters")
    bad = next((i for i, ch in enumerate(text) if _is_control(ch)), None)
    if bad is not None:
        raise FormatError(f"invisible or control character (U+{ord(text[bad]):04X}) is not allowed",
                          text=text, offset=bad)
    scanner = _MatrixScanner(text)
    rows = [r for r in scanner.scan(0, 0)[0] if not r.blank()]
    if len(rows) == 1 and _group_row(rows[0]) and len(rows[0].items) == 3:  # "", [ ... ], "": unwrap
        rows = [r for r in rows[0].items[1].rows if not r.blank()]  # type: ignore[union-attr]
    mixed = [r for r in rows if _group_row(r) != _group_row(rows[0]) or (
        not _group_row(r) and any(isinstance(i, _Group) for i in r.items))]
    if mixed:
        first = next(i.offset if isinstance(i, _Group) else i[1] + len(i[0]) - len(i[0].lstrip())
                     for i in mixed[0].items if isinstance(i, _Group) or i[0].strip())
        raise scanner.fail("mix of bracketed rows and plain entries", first, "write [[1, 2], [3, 4]] or [1 2; 3 4]")
    matrix: list[list[tuple[str, int]]] = []
    for row in rows:
        if not _group_row(row):
            matrix.append(scanner.cells(row))
            continue
        for group in (i for i in row.items if isinstance(i, _Group)):
            inner = [r for r in group.rows if not r.blank()]
            if len(inner) != 1 or any(isinstance(i, _Group) for i in inner[0].items):
                raise scanner.fail("each bracketed row must hold one row of entries", group.offset,
                                   "write [[1, 2], [3, 4]] or [1 2; 3 4]")
            matrix.append(scanner.cells(inner[0]))
    if not matrix:
        raise FormatError("the matrix is empty", text=text, offset=0)
    if len(matrix) > MAX_MATRIX_ROWS:
        raise scanner.fail(f"too many rows (at most {MAX_MATRIX_ROWS})", matrix[MAX_MATRIX_ROWS][0][1])
    for number, row_cells in enumerate(matrix, start=1):
        if len(row_cells) > MAX_MATRIX_COLUMNS:
            raise scanner.fail(f"too many entries in a row (at most {MAX_MATRIX_COLUMNS})",
                               row_cells[MAX_MATRIX_COLUMNS][1])
        if len(row_cells) != len(matrix[0]):
            raise scanner.fail(f"row {number} has {_entries(len(row_cells))} but row 1 has {_entries(len(matrix[0]))}",
                               row_cells[0][1])
    return [[c for c, _ in row_cells] for row_cells in matrix]


# ----- the tidy spellings, read by a regular expression (the fast path of check/matrix_fast.py) ----------
MAX_DIGITS = 300  # the full path refuses entries past 10**300; shorter ones are always below it

_INT = rf"[+-]?[0-9]{{1,{MAX_DIGITS}}}"
_TOKEN = rf"(?:{_INT}|[A-Za-z][A-Za-z0-9]{{0,30}})"
_SP = r"[ \t]*"
_LIST = rf"{_TOKEN}(?:{_SP},{_SP}{_TOKEN})*"  # 1, k2, 3
_NESTED = re.compile(rf"{_SP}\[{_SP}(\[{_SP}{_LIST}{_SP}\](?:{_SP},{_SP}\[{_SP}{_LIST}{_SP}\])*){_SP}\]{_SP}")
_WORDS = rf"{_TOKEN}(?:[ \t]+{_TOKEN})*"  # 1 k2 3
_MATLAB = re.compile(rf"{_SP}\[{_SP}({_WORDS}(?:{_SP};{_SP}{_WORDS})*){_SP}\]{_SP}")
_ROW = re.compile(rf"\[{_SP}({_LIST}){_SP}\]")
_CELL = re.compile(_TOKEN)
NUMBER_START = frozenset("+-0123456789")


def plain_cells(text: str) -> list[list[str]] | None:
    """The cells of ``[[1, 2], [3, 4]]`` or ``[1 2; 3 4]`` (numbers or names); None for anything else."""
    if not speed.FAST or len(text) > MAX_MATRIX_CHARS:
        return None
    nested = _NESTED.fullmatch(text)
    if nested is not None:
        rows = [_CELL.findall(row) for row in _ROW.findall(nested.group(1))]
    else:
        matlab = _MATLAB.fullmatch(text)
        if matlab is None:
            return None
        rows = [row.split() for row in matlab.group(1).split(";")]
    if len(rows) > MAX_MATRIX_ROWS or any(len(row) != len(rows[0]) for row in rows) or len(rows[0]) > MAX_MATRIX_COLUMNS:
        return None  # the full path words these errors
    return rows
