"""Answers shown to students: in the syntax they type (``^``, ``2x``), not Python's (``**``, ``2*x``).

The checkers print references so our parser reads them back; students read
them too, in the reveal line and in the class summary, so powers are shown
with ``^`` and a number times a name without the ``*``. Both forms parse to
the same expression.
"""

from __future__ import annotations

import re

# a number times a name or a bracket: 2*x -> 2x (not before e/E, where 2e could read as a number)
_COEFFICIENT = re.compile(r"(?<![\w.])(\d+)\*(?=[A-DF-Za-df-z_(])")


def typed_syntax(text: str) -> str:
    """Python syntax from a checker's format() as a student writes it: -27x^5*exp(-3x)."""
    return _COEFFICIENT.sub(r"\1", text.replace("**", "^"))
