"""A results table for the terminal, drawn directly: a class of 1,000 is 1,000 rows.

rich's Table measures and renders every cell through its console machinery, about a quarter of a
second per 1,000 rows, paid by the parent after the last student. This draws the same kind of
box (heavy header, light rows) from the cells' display widths, wrapping the last column when the
table is wider than the terminal. Cells are outside text: control characters are stripped first.
"""

from __future__ import annotations

import shutil

from rich.cells import cell_len

from grader.core.safe_text import terminal_text

MIN_LAST_COLUMN = 12


def _wrap(text: str, width: int) -> list[str]:
    """Words into lines of at most ``width`` cells (a word longer than that is cut)."""
    lines, line = [], ""
    for word in text.split(" "):
        while cell_len(word) > width:
            head = word
            while cell_len(head) > width:
                head = head[:-1]
            if line:
                lines.append(line)
                line = ""
            lines.append(head)
            word = word[len(head):]
        candidate = f"{line} {word}" if line else word
        if cell_len(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return lines


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))


def table_text(title: str, columns: list[str], rows: list[list[str]], width: int | None = None) -> str:
    """The table as lines of text, at most ``width`` cells wide when the last column can wrap to fit."""
    width = width or shutil.get_terminal_size((80, 24)).columns
    cells = [[terminal_text(cell) for cell in row] for row in rows]
    widths = [max([cell_len(column)] + [cell_len(row[i]) for row in cells]) for i, column in enumerate(columns)]
    overflow = sum(widths) + 3 * len(widths) + 1 - width
    if overflow > 0:
        widths[-1] = min(widths[-1], max(MIN_LAST_COLUMN, widths[-1] - overflow))  # never wider than it was

    def line(left: str, fill: str, middle: str, right: str) -> str:
        return left + middle.join(fill * (w + 2) for w in widths) + right

    def row_lines(row: list[str], bar: str) -> list[str]:
        wrapped = [[cell] for cell in row[:-1]] + [_wrap(row[-1], widths[-1])]
        height = max(len(cell) for cell in wrapped)
        return [bar + bar.join(f" {_pad(cell[k] if k < len(cell) else '', w)} " for cell, w in zip(wrapped, widths))
                + bar for k in range(height)]

    top = line("┏", "━", "┳", "┓")
    out = [title.center(cell_len(top)).rstrip(), top, *row_lines(columns, "┃"), line("┡", "━", "╇", "┩")]
    for row in cells:
        out.extend(row_lines(row, "│"))
    out.append(line("└", "─", "┴", "┘"))
    return "\n".join(out)
