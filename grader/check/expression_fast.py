"""Printing an expression answer back, remembered per expression object.

Feedback, statistics and the key print the same sympy trees again and again (references are shared by
many students' variants, and trees are immutable), so each tree's text is remembered. Test points are
not cached here: since the domain-aware points they depend on the student's expression as well as the
reference (``grader.check.domains``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader.core import speed

_CACHE_SIZE = 1024

_printed = speed.ByObject(_CACHE_SIZE)


def printed(expression: Any, print_text: Callable[[Any], str]) -> str:
    """``print_text(expression)``, once per expression object (the same answer is typed by many)."""
    if not speed.FAST:
        return print_text(expression)
    return _printed.get(expression, lambda: print_text(expression))


def clear() -> None:
    _printed.clear()
