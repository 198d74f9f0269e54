"""One switch for the fast paths (issue 12), so the old paths stay callable for comparison.

The fast paths give byte-identical results; they are switched off only to prove that
(``tests/test_fast_paths.py``) and to measure the old path as the baseline in the same run
(``benchmarks/``). ``GRADER_FAST_PATHS=0`` switches them off in a new process and its workers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

FAST = os.environ.get("GRADER_FAST_PATHS", "1") != "0"


@contextmanager
def fast_paths(enabled: bool) -> Iterator[None]:
    """Run a block with the fast paths on or off (in this process), then restore the switch."""
    global FAST
    before, FAST = FAST, enabled
    try:
        yield
    finally:
        FAST = before


class ByObject:
    """Values computed once per (immutable) object, remembered by identity, at most ``size`` of them.

    Each entry holds its object, so the object's id cannot be reused while the entry lives; the
    oldest entry goes first. Used for sympy trees and matrices, whose structural equality may call
    2 and 2.0 equal.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[int, tuple[object, object]] = {}

    def get(self, key: object, compute):
        entry = self._entries.get(id(key))
        if entry is not None and entry[0] is key:
            return entry[1]
        value = compute()
        if len(self._entries) >= self.size:
            self._entries.pop(next(iter(self._entries)))
        self._entries[id(key)] = (key, value)
        return value

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class ByObjects:
    """Values computed once per combination of (immutable) objects, remembered by their identities, plus an
    ``extra`` key compared by equality; at most ``size`` of them, the oldest going first. Each entry holds
    its objects, so no id can be reused while it lives."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[tuple, tuple[tuple, object]] = {}

    def get(self, anchors: tuple, compute, extra: object = None):
        key = (*map(id, anchors), extra)
        entry = self._entries.get(key)
        if entry is not None and all(held is anchor for held, anchor in zip(entry[0], anchors)):
            return entry[1]
        value = compute()
        if len(self._entries) >= self.size:
            self._entries.pop(next(iter(self._entries)))
        self._entries[key] = (anchors, value)
        return value

    def clear(self) -> None:
        self._entries.clear()
