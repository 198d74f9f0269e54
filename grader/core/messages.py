"""Every sentence a user reads is written here.

Errors (``GraderError`` and its kinds) become one line with a place, and
answer feedback is looked up by a stable key. Checkers and pipelines pass
keys and values; they do not compose prose of their own.
"""

from __future__ import annotations

from grader.core.check_messages import CHECK_FEEDBACK
from grader.core.errors import FormatError, GraderError, Location

FEEDBACK = {
    # verdicts
    "correct": "Correct.",
    "incorrect": "Not correct.",
    "blank": "No answer was given.",
    "pending": "Recorded for manual grading.",
    "timeout": "Your answer could not be checked in time; try a simpler form.",
    "timeout-read": "this answer could not be read in time; try a simpler form",
    "internal": "Your answer could not be checked because of a problem on our side; it will be reviewed.",
    # integer and number
    "thousands-separator": "Remove the thousands separator: write {clean} instead of {raw}.",
    "not-integer": "The answer must be a whole number; {raw} is not.",
    "not-finite": "The answer must be a finite number.",
    "percent-not-allowed": "Give a plain number here, not a percentage.",
    "sigfigs": "Give your answer to {sigfigs} significant figures (you gave {given}).",
    "decimals": "Give your answer with {decimals} decimal places (you gave {given}).",
    "close-but-precision": "Your value is close, but not within the required precision.",
    # relationships between a wrong answer and the right one
    "factor": "Your answer is off by a factor of {factor}.",
    "factor-percent": "Your answer looks like a fraction where a percentage was asked (or the reverse): check the factor of 100.",
    "power-of-ten": "Your answer is off by a factor of {factor}: check your units or powers of ten.",
    "sign": "Your answer has the wrong sign.",
    "off-by-one": "Your answer is off by {delta}: check for a missing or extra +1 or -1.",
    "off-by": "Your answer is off by {delta}.",
    "transposed": "Your matrix is {given}; expected {expected}: it looks transposed.",
    "transposed-square": "Your matrix is the transpose of the expected one: check which index is the row.",
    "wrong-shape": "Your matrix is {given}; expected {expected}.",
    "matrix-entries": "{wrong} of {total} entries are not correct.",
    "not-equivalent": "Your expression is not equivalent to the expected one.",
    "form-expanded": "Your expression is equivalent, but it must be given in expanded form.",
    "form-factored": "Your expression is equivalent, but it must be given in factored form.",
    "choose-one": "Choose one option: this question has a single answer.",
    "choice-unknown": "{raw} is not one of the options ({options}).",
    "checkbox-summary": "You selected {right} correct and {wrong} incorrect option(s); {missed} correct option(s) were not selected.",
    "reveal": "The expected answer is {answer}.",
    # graded by hand (grader manual / grader merge)
    "hand-graded": "Graded by hand: {comment}",
    "hand-graded-no-comment": "no comment.",
    # parts of a submission that could not be graded (the reason is given once, at the top)
    "not-graded-missing": "Not graded: no submission was found.",
    "not-graded-unreadable": "Not graded: the answers file could not be read (see the top of this page).",
    "not-graded-error": "Not graded yet: grading failed on our side (see the top of this page).",
    "not-graded-pending": "Graded by hand once a readable answers file is handed in.",
}
FEEDBACK.update(CHECK_FEEDBACK)


def shorten(text: str, limit: int = 40) -> str:
    """A student's text quoted in a message: at most ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def literal(text: str, fence: str = "``") -> str:
    """A student's text quoted in a message as a Markdown code span, so the feedback page shows it as typed:
    ``*3*`` or ``[x](y)`` in a message is not emphasis or a link, and ``1+1`` is not read as the formula 2
    (the fence is two backticks at least: a one-backtick span is an answer that the feedback HTML shows as
    math, grader.report.math_feedback). No backtick inside can end the span, and a line break becomes a
    space (Markdown reads a carriage return as a new line, where ``# x`` would start a heading)."""
    text = text.replace("\r", " ").replace("\n", " ")
    while fence in text:
        fence += "`"
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def feedback(key: str, **values: object) -> str:
    return FEEDBACK[key].format(**values)


def place(location: Location) -> str:
    """``file:line:col`` (as much as is known), then question and part."""
    parts = []
    if location.file:
        spot = location.file
        if location.line is not None:
            spot += f":{location.line}"
            if location.column is not None:
                spot += f":{location.column}"
        parts.append(spot)
    if location.question:
        parts.append(f"question '{location.question}'" + (f" part '{location.part}'" if location.part else ""))
    return ", ".join(parts)


def caret(text: str, offset: int | None) -> str:
    """The answer line with a caret under ``offset`` (long answers are windowed)."""
    if offset is None:
        return ""
    flat = text.replace("\n", " ").replace("\t", " ")
    start = max(0, offset - 30)
    window = flat[start : offset + 30]
    prefix = "..." if start else ""
    return f"    {prefix}{window}\n    {' ' * (len(prefix) + offset - start)}^"


def format_error(error: GraderError) -> str:
    """The one way a user error is shown: place, reason, fix."""
    where = place(error.location)
    line = f"{where}: {error.message}" if where else error.message
    if error.hint:
        line += f" ({error.hint})"
    if isinstance(error, FormatError):
        pointer = caret(error.text, error.offset)
        if pointer:
            line += "\n" + pointer
    return line


def format_answer_error(error: FormatError) -> str:
    """A format error as answer feedback: reason, fix and caret."""
    text = error.message + (f" ({error.hint})" if error.hint else "")
    pointer = caret(error.text, error.offset)
    return text + ("\n" + pointer if pointer else "")
