"""The exceptions that carry a user-facing problem.

Every error knows *where* it happened (a file position or a character
offset inside one answer) so that ``grader.core.messages`` can turn it into a
single line a person can act on. No other module formats these.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A place in an input file: 1-based line and column, both optional."""

    file: str = ""
    line: int | None = None
    column: int | None = None
    question: str | None = None
    part: str | None = None

    def with_context(self, question: str | None = None, part: str | None = None) -> Location:
        return Location(self.file, self.line, self.column, question or self.question, part or self.part)


class GraderError(Exception):
    """Base of every error that is the user's to fix (never a bug of ours)."""

    def __init__(self, message: str, location: Location | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.location = location or Location()
        self.hint = hint


class BankError(GraderError):
    """A question bank (or its solver module) is malformed."""


class BankErrors(BankError):
    """Several problems in one bank (one per question at most); shown as the first, with a count."""

    def __init__(self, errors: list[BankError]) -> None:
        first = errors[0]
        more = f"and {len(errors) - 1} more problem(s) in this bank; grader validate lists them all"
        super().__init__(first.message, first.location, f"{first.hint}; {more}" if first.hint else more)
        self.errors = errors


class SubmissionError(GraderError):
    """A submission file cannot be read at all."""


class RosterError(GraderError):
    """A roster CSV cannot be used."""


class FormatError(GraderError):
    """One answer's text could not be read.

    ``text`` is the student's raw answer and ``offset`` the 0-based
    character index of the problem, so the message can put a caret under it.
    """

    def __init__(self, message: str, text: str = "", offset: int | None = None, hint: str = "") -> None:
        super().__init__(message, None, hint)
        self.text = text
        self.offset = offset
