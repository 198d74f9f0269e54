"""Text that goes out to a reader: capped, neutralised for spreadsheets, stripped for terminals.

Student text and file names end up in feedback, results.json, gradebooks, summaries and on the
instructor's terminal. Each of those readers can be attacked or broken by the text itself:

- a CSV cell that starts with ``=``, ``+``, ``-``, ``@``, tab or CR is a formula to a spreadsheet
  (OWASP "CSV injection"): such cells get a leading apostrophe, which spreadsheets show as text;
- escape sequences (ESC, other C0/C1 controls) and invisible format characters (bidi overrides)
  can rewrite what a terminal shows: they are removed before printing;
- a 250 KB answer echoed whole makes feedback unreadable and a gradebook cell that Python's csv
  reader refuses (and spreadsheets cut at 32,767 characters): every echo is capped with a visible
  ellipsis that says how long the original was.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

MAX_ANSWER_ECHO = 1000  # characters of an answer echoed back: every typed expression fits, a 250 KB paste does not
MAX_CSV_CELL = 2000  # far below csv's 131,072 field limit and spreadsheets' 32,767
# A hand-graded answer (an essay, a derivation) is kept whole for the grader up to this (what the free-response
# checker reads), which a spreadsheet cell still holds with the ellipsis note.
MAX_HAND_GRADED_ANSWER = 20_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def cap_text(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis and the original length when cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters in all)"


def cap_answer(text: str | None, hand_graded: bool = False) -> str | None:
    """A student's answer as it may be echoed back; a hand-graded one as the grader must read it."""
    return None if text is None else cap_text(text, MAX_HAND_GRADED_ANSWER if hand_graded else MAX_ANSWER_ECHO)


def spreadsheet_cell(value: Any, limit: int = MAX_CSV_CELL) -> str:
    """One CSV cell that a spreadsheet shows as the text it is, never runs as a formula."""
    text = cap_text("" if value is None else str(value), limit)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def spreadsheet_row(values: Iterable[Any]) -> list[str]:
    return [spreadsheet_cell(value) for value in values]


def _hidden(ch: str) -> bool:
    if ch in "\n\t":
        return False
    category = unicodedata.category(ch)
    return category in ("Cc", "Cf", "Cs", "Co", "Cn")


def terminal_text(text: Any) -> str:
    """Text safe to print: control and invisible format characters removed (newlines and tabs kept)."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(ch for ch in text if not _hidden(ch))
