"""Indented JSON text, the same bytes as ``json.dumps(value, indent=...)``, about four times faster.

The standard library encodes indented JSON in pure Python, one generator per container and one
small string per token; a class writes two indented files per student (results.json and the
record), and that encoding was a tenth of the time of grading them. Here one function per call
appends to a list, strings go through the standard library's C escaper, and numbers through the
same ``repr`` the standard library uses. Anything but plain dicts (with str keys), lists, tuples,
str, int, float, bool and None is handed to ``json.dumps`` itself, so the text is always what it
would have written (tests/test_jsontext.py compares them on generated values).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

from grader.core import speed

_CONSTANTS: dict[int, tuple[Any, dict[tuple, str]]] = {}  # id -> (the object, its texts by layout)
_MAX_CONSTANTS = 4096


def constant(value: Any) -> Any:
    """Mark a dict or list that is never changed again (a part's settings, in every record of a class):
    its text is made once per layout and reused. Returns the value."""
    if id(value) not in _CONSTANTS:
        if len(_CONSTANTS) >= _MAX_CONSTANTS:
            _CONSTANTS.pop(next(iter(_CONSTANTS)))
        _CONSTANTS[id(value)] = (value, {})  # held, so its id cannot be reused while it is here
    return value


class Remembered:
    """A value whose text is made once per layout while its anchors live: ``make()`` builds the value, and
    the text is reused wherever the same anchors (compared by identity) come again. For a part of a record
    or of results.json: the same PartResult object (students who typed the same answer to the same
    variant share one) and the bank it is shown with give the same text."""

    __slots__ = ("anchors", "make", "extra")

    def __init__(self, anchors: tuple, make: Callable[[], Any], extra: Any = None) -> None:
        self.anchors = anchors
        self.make = make
        self.extra = extra  # anything else the value depends on, compared by equality


_REMEMBERED = speed.ByObjects(8192)  # (anchors, extra and layout) -> the text


def _plain(value: Any) -> Any:
    """For ``json.dumps``: a Remembered value is its value."""
    if isinstance(value, Remembered):
        return value.make()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class _Unusual(Exception):
    """A value this encoder does not write itself (the standard library does)."""


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == float("-inf"):
        return "-Infinity"
    return float.__repr__(value)


def dumps(value: Any, indent: int, ensure_ascii: bool = True, sort_keys: bool = False) -> str:
    """``json.dumps(value, indent=indent, ensure_ascii=ensure_ascii, sort_keys=sort_keys)``."""
    if not speed.FAST:
        return json.dumps(value, indent=indent, ensure_ascii=ensure_ascii, sort_keys=sort_keys, default=_plain)
    text = encode_basestring_ascii if ensure_ascii else encode_basestring
    step = " " * indent
    out: list[str] = []
    append = out.append

    def encode(item: Any, newline: str) -> None:
        kind = type(item)
        if kind is str:
            append(text(item))
            return
        if kind is Remembered:
            append(_REMEMBERED.get(item.anchors, lambda: encoded(lambda: encode(item.make(), newline)),
                                   (item.extra, newline, step, ensure_ascii, sort_keys)))
            return
        if (kind is dict or kind is list) and id(item) in _CONSTANTS:
            held, texts = _CONSTANTS[id(item)]
            if held is item:
                layout = (newline, step, ensure_ascii, sort_keys)
                if layout not in texts:
                    texts[layout] = encoded(lambda: encode_value(item, kind, newline))
                append(texts[layout])
                return
        encode_value(item, kind, newline)

    def encoded(write: Callable[[], None]) -> str:
        """What ``write()`` appends, taken out of the output as one text."""
        start = len(out)
        write()
        piece = "".join(out[start:])
        del out[start:]
        return piece

    def encode_value(item: Any, kind: type, newline: str) -> None:
        if kind is dict:
            if not item:
                append("{}")
                return
            inner = newline + step
            separator = "{" + inner
            for key, member in (sorted(item.items()) if sort_keys else item.items()):
                if type(key) is not str:
                    raise _Unusual
                append(separator)
                append(text(key))
                append(": ")
                encode(member, inner)
                separator = "," + inner
            append(newline + "}")
        elif kind is list or kind is tuple:
            if not item:
                append("[]")
                return
            inner = newline + step
            separator = "[" + inner
            for member in item:
                append(separator)
                encode(member, inner)
                separator = "," + inner
            append(newline + "]")
        elif item is None:
            append("null")
        elif item is True:
            append("true")
        elif item is False:
            append("false")
        elif kind is int:
            append(int.__repr__(item))
        elif kind is float:
            append(_float(item))
        else:
            raise _Unusual

    try:
        encode(value, "\n")
    except (_Unusual, RecursionError, TypeError):  # TypeError: keys sorted that cannot be
        return json.dumps(value, indent=indent, ensure_ascii=ensure_ascii, sort_keys=sort_keys, default=_plain)
    return "".join(out)
