"""PyYAML's syntax errors, explained for students, at the place the mistake most likely is.

PyYAML reports where it noticed a problem, which is often lines below the
cause: "did not find expected ',' or ']'" two lines under an unclosed
bracket. For the common mistakes in answers files this says what to fix and
points at the line that needs it.
"""

from __future__ import annotations

from dataclasses import dataclass

_CLOSING = {"[": "]", "{": "}", "(": ")"}


@dataclass(frozen=True)
class Explained:
    message: str
    line: int | None
    column: int | None


def _unclosed_bracket(text: str, before_line: int | None, kind: str = "") -> tuple[int, int, str] | None:
    """(line, column, bracket) of the last bracket (of ``kind``, if given) still open at ``before_line``."""
    stack: list[tuple[int, int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if before_line is not None and number > before_line:
            break
        quote = ""
        for column, char in enumerate(line, start=1):
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == "#" and (column == 1 or line[column - 2].isspace()):
                break
            elif char in _CLOSING:
                stack.append((number, column, char))
            elif char in _CLOSING.values() and stack and _CLOSING[stack[-1][2]] == char:
                stack.pop()
    of_kind = [entry for entry in stack if not kind or entry[2] == kind]
    return of_kind[-1] if of_kind else None


def explain_yaml_error(text: str, reason: str, line: int | None, column: int | None) -> Explained:
    """A student-facing explanation of a YAML syntax error (``reason`` is PyYAML's own words)."""
    if "expected ',' or ']'" in reason or "expected ',' or '}'" in reason or "expected ']'" in reason:
        kind = "[" if "']'" in reason else "{" if "'}'" in reason else ""  # the bracket PyYAML was waiting for
        opened = _unclosed_bracket(text, line, kind)
        if opened:
            at_line, at_column, bracket = opened
            return Explained(f"the '{bracket}' on line {at_line} is never closed: add '{_CLOSING[bracket]}' at the end "
                             f"of that answer (or put the whole answer in quotes)", at_line, at_column)
        return Explained("a bracket in this answer is not closed: check each '[' has its ']', or put the answer in "
                         "quotes", line, column)
    if "mapping values are not allowed" in reason:
        return Explained("this answer contains ': ', which YAML reads as a new key: put the answer in quotes, "
                         "for example a: \"x: 3\"", line, column)
    if "could not find expected ':'" in reason:
        return Explained("each line must be 'part: answer' under its question id; check the line above for a "
                         "missing ':' or an unclosed quote", line, column)
    if "found unexpected end of stream" in reason or "found unexpected end" in reason:
        return Explained("a quote or bracket is opened and never closed before the end of the file", line, column)
    if "while scanning a quoted scalar" in reason or "found unknown escape" in reason:
        return Explained("a quoted answer is not closed, or has a backslash YAML cannot read: close the quote, or "
                         "use single quotes", line, column)
    if "found character '\\t'" in reason:
        return Explained("a tab character: indent with spaces", line, column)
    if "bad indentation" in reason or "did not find expected key" in reason:
        return Explained("the indentation is uneven: indent every part of a question by the same number of "
                         "spaces", line, column)
    return Explained(f"the file is not valid YAML ({reason})", line, column)
