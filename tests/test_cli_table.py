"""The terminal results table: aligned by display width, wrapped to the terminal, no escape sequences."""

from __future__ import annotations

from rich.cells import cell_len

from grader.cli.table import table_text


def test_columns_line_up_by_display_width_even_with_wide_characters() -> None:
    text = table_text("T", ["student", "status", "score", "notes"],
                      [["s001", "graded", "30.5 / 30.5", ""], ["学生七", "missing", "0 / 30.5", "No file."]], width=80)
    lines = text.splitlines()
    assert lines[0].strip() == "T"
    assert {cell_len(line) for line in lines[1:]} == {cell_len(lines[1])}  # every line of the box is as wide
    assert lines[2] == "┃ student ┃ status  ┃ score       ┃ notes    ┃"
    assert lines[5] == "│ 学生七  │ missing │ 0 / 30.5    │ No file. │"
    assert lines[1].startswith("┏") and lines[3].startswith("┡") and lines[-1].startswith("└")


def test_a_long_last_column_wraps_to_the_terminal_width() -> None:
    notes = "The file could not be read: s005.yaml:3:6: the '[' on line 3 is never closed"
    lines = table_text("T", ["student", "notes"], [["s005", notes]], width=40).splitlines()
    assert max(cell_len(line) for line in lines) <= 40
    body = [line for line in lines if line.startswith("│")]
    assert len(body) > 1 and body[0].startswith("│ s005 ") and body[1].startswith("│         │ read:")
    assert " ".join(line.split("│")[2].strip() for line in body) == notes  # every word kept, in order


def test_outside_text_cannot_reach_the_terminal_as_escape_sequences() -> None:
    text = table_text("T", ["student", "notes"], [["s\x1b[31m1", "bell\x07 [bold]x[/bold]"]], width=80)
    assert "\x1b" not in text and "\x07" not in text
    assert "[bold]x[/bold]" in text  # shown as typed: this table has no markup


def test_a_short_last_column_is_never_widened_to_fit() -> None:
    lines = table_text("T", ["student", "n"], [["x" * 60, ""]], width=40).splitlines()
    natural = table_text("T", ["student", "n"], [["x" * 60, ""]], width=500).splitlines()
    assert max(cell_len(line) for line in lines) == max(cell_len(line) for line in natural)
