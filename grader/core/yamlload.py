"""A strict YAML (and JSON) reader for banks and submissions.

It is built on PyYAML's safe *parser* (events only) and constructs the
Python values itself, which lets it:

* reject duplicate keys, anchors, aliases and explicit tags;
* cap nesting depth and file size before any work;
* resolve plain scalars with the YAML 1.2 core rules (``no`` stays the text
  "no", ``017`` stays "017" in answer mode);
* remember the line and column of every value, so later stages can say
  ``bank.yaml:12:5`` about any path in the document.

It never calls ``yaml.load`` or ``yaml.unsafe_load``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from grader.core.errors import Location

MAX_DEPTH = 20
MAX_BANK_BYTES = 2_000_000
MAX_SUBMISSION_BYTES = 256 * 1024

Path = tuple[Any, ...]
# libyaml's parser when present (same events, several times faster); only events are used either way.
_EVENT_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_INT = re.compile(r"[-+]?[0-9]+$")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


class YamlError(Exception):
    """Raised with the 1-based line/column of the problem."""

    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Document:
    """Parsed data plus the source position of every node (by path)."""

    data: Any
    file: str
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    block_scalars: dict[Path, str] = field(default_factory=dict)  # path -> "|" or ">"
    text: str = ""

    def line_in_value(self, path: Path, line_in_text: int, needle: str = "") -> int | None:
        """The file line of line ``line_in_text`` (1-based) of a text value.

        Folded text (``>``) loses its line breaks, so there the first source line
        after the start that contains ``needle`` is used.
        """
        start = self.positions.get(tuple(path), (None, None))[0]
        if start is None:
            return None
        style = self.block_scalars.get(tuple(path))
        if style == "|":
            return start + line_in_text  # the text starts on the line after the "|"
        if style == ">":
            source = self.text.splitlines()
            for number in range(start, len(source)):
                if needle and needle in source[number]:
                    return number + 1
            return start + 1
        return start + line_in_text - 1

    def where(self, path: Path = ()) -> Location:
        """The location of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path and path not in self.positions:
            path = path[:-1]
        line, column = self.positions.get(path, (None, None))
        return Location(self.file, line, column)


def decode_text(raw: bytes, max_bytes: int) -> str:
    """Bytes to text: size cap first, BOMs honoured, anything but UTF-8/16 refused."""
    if len(raw) > max_bytes:
        raise YamlError(f"the file is larger than the limit of {max_bytes:,} bytes", None, None)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise YamlError("file has a UTF-16 byte order mark but is not valid UTF-16", None, None) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(
            f"byte {exc.start} is not valid UTF-8; save the file as UTF-8", line, None
        ) from exc


def _check_tabs(text: str) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent]:
            raise YamlError("tab character in indentation; indent with spaces", number, line.index("\t") + 1)


def _mark(event: yaml.Event) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


class _Builder:
    def __init__(self, events: list[yaml.Event], answers_mode: bool) -> None:
        self.events = events
        self.index = 0
        self.answers_mode = answers_mode
        self.positions: dict[Path, tuple[int, int]] = {}
        self.block_scalars: dict[Path, str] = {}

    def next(self) -> yaml.Event:
        event = self.events[self.index]
        self.index += 1
        return event

    def node(self, path: Path, depth: int) -> Any:
        event = self.next()
        line, column = _mark(event)
        if isinstance(event, yaml.AliasEvent):
            raise YamlError("aliases (*name) are not allowed; write the value out", line, column)
        if getattr(event, "anchor", None):
            raise YamlError(f"anchors (&{event.anchor}) are not allowed; write the value out", line, column)
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise YamlError(f"YAML tags ({tag}) are not allowed", line, column)
        if depth > MAX_DEPTH:
            raise YamlError(f"nesting is deeper than {MAX_DEPTH} levels", line, column)
        self.positions[path] = (line, column)
        if isinstance(event, yaml.ScalarEvent) and event.style in ("|", ">"):
            self.block_scalars[path] = event.style
        if isinstance(event, yaml.ScalarEvent):
            return self.scalar(event)
        if isinstance(event, yaml.SequenceStartEvent):
            items = []
            while not isinstance(self.events[self.index], yaml.SequenceEndEvent):
                items.append(self.node(path + (len(items),), depth + 1))
            self.next()
            return items
        if isinstance(event, yaml.MappingStartEvent):
            mapping: dict[Any, Any] = {}
            while not isinstance(self.events[self.index], yaml.MappingEndEvent):
                key_event = self.events[self.index]
                key = self.node(path + ("<key>",), depth + 1)
                if isinstance(key, (dict, list)):
                    raise YamlError("a mapping key must be a plain value", *_mark(key_event))
                if key in mapping:
                    raise YamlError(f"duplicate key '{key}'", *_mark(key_event))
                mapping[key] = self.node(path + (key,), depth + 1)
            self.positions.pop(path + ("<key>",), None)
            self.next()
            return mapping
        raise YamlError(f"unexpected YAML element {type(event).__name__}", line, column)

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        value = event.value
        plain = event.implicit[0] and not event.style  # the C parser says "" where the Python one says None
        if not plain:
            return value
        if self.answers_mode:
            # An answer is exactly what the student typed: no coercion at all.
            return None if value in ("", "~", "null") else value
        return resolve_plain_scalar(value)


def resolve_plain_scalar(value: str) -> Any:
    """YAML 1.2 core schema: only true/false/null/ints/floats are special."""
    lowered = value.lower()
    if lowered in ("", "~", "null"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value) and any(ch.isdigit() for ch in value):
        return float(value)
    return value


def parse_text(text: str, file: str, *, answers_mode: bool = False) -> Document:
    """Parse one YAML (or JSON) document strictly; raise YamlError with a position."""
    if answers_mode:
        from grader.core import speed

        if speed.FAST:
            simple = parse_simple_answers(text, file)
            if simple is not None:
                return simple
    _check_tabs(text)
    try:
        events = list(yaml.parse(text, Loader=_EVENT_LOADER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        reason = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"invalid YAML: {reason}", line, column) from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", None, None) from exc
    documents = sum(isinstance(e, yaml.DocumentStartEvent) for e in events)
    if documents > 1:
        raise YamlError("the file holds more than one YAML document", None, None)
    builder = _Builder(events, answers_mode)
    # StreamStart, DocumentStart?, node, DocumentEnd?, StreamEnd
    builder.next()
    if isinstance(builder.events[builder.index], yaml.StreamEndEvent):
        return Document(None, file, {})
    builder.next()
    data = builder.node((), 1)
    return Document(data, file, builder.positions, builder.block_scalars, text)


def load_file(path: str, *, answers_mode: bool = False, max_bytes: int = MAX_BANK_BYTES) -> Document:
    with open(path, "rb") as handle:
        raw = handle.read(max_bytes + 1)
    return parse_text(decode_text(raw, max_bytes), str(path), answers_mode=answers_mode)


# ----- the usual answers file, read without the YAML parser ----------------------------------------------
# Most answers files are question ids at the left margin, each with its parts indented under it, one
# scalar per line ("a: 28", "b: \"[[1, 0], [0, 1]]\"", "c:"), and comments. For exactly that shape the
# lines are read directly, with the same data and positions as the parser gives (tests/test_yamlload_fast.py
# compares the two); anything else (flow lists, block text, escapes, tabs, anchors, odd characters,
# duplicates, "null" as a key, ...) returns None and goes through the parser, which has the rules and the
# messages.

_SIMPLE_LINE = re.compile(r"( *)([A-Za-z0-9_][A-Za-z0-9_.\-]*):(?:( +)(.*))?$")
# what YAML reads as text as written: printable, no line-break characters other than \n, no BOM, no tab
_SIMPLE_TEXT = re.compile("[\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*")
_PLAIN_START_NOT = frozenset("-?:,[]{}#&*!|>'\"%@`")
_NO_VALUE = object()  # a line that is not one of the simple values
_MAX_SIMPLE_KEY = 1024  # libyaml refuses a longer key written without "? " (its "simple key" limit)


def _simple_value(rest: str) -> Any:
    """The value of what follows "key: " on one line, or _NO_VALUE when the parser must decide."""
    if not rest or rest[0] == "#":
        return None
    if rest[0] in "\"'":
        end = rest.find(rest[0], 1)
        if end < 0:
            return _NO_VALUE
        content, after = rest[1:end], rest[end + 1:]
        if "\\" in content and rest[0] == '"':
            return _NO_VALUE
        if after.strip(" ") and not (after[0] == " " and after.lstrip(" ")[0] == "#"):
            return _NO_VALUE
        return content
    if rest[0] in _PLAIN_START_NOT and not (rest[0] == "-" and rest[1:2] not in ("", " ", "-")):
        return _NO_VALUE
    comment = rest.find(" #")
    value = (rest if comment < 0 else rest[:comment]).rstrip(" ")
    if ": " in value or value.endswith(":"):
        return _NO_VALUE
    return None if value in ("~", "null") else value


def parse_simple_answers(text: str, file: str) -> Document | None:
    """An answers file of the usual shape (above), as ``parse_text`` reads it; None for any other file."""
    if not _SIMPLE_TEXT.fullmatch(text):
        return None
    data: dict[str, Any] = {}
    positions: dict[Path, tuple[int, int]] = {}
    question: str | None = None  # the question whose parts are being read (its value is a mapping)
    indent = 0  # of that question's parts
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip(" ")
        if not stripped or stripped[0] == "#":
            continue
        match = _SIMPLE_LINE.match(line)
        if match is None:
            return None
        spaces, key, gap, rest = match.groups()
        if key == "null" or len(key) > _MAX_SIMPLE_KEY:
            return None
        value = _simple_value(rest or "")
        if value is _NO_VALUE:
            return None
        # of the value (1-based); a missing value is placed right after the colon
        column = len(spaces) + len(key) + 2 + (len(gap) if rest and rest[0] != "#" else 0)
        if not spaces:  # a question id
            if key in data:
                return None
            if not positions:
                positions[()] = (number, 1)
            data[key] = value
            positions[(key,)] = (number, column)
            empty = not rest or rest[0] == "#"  # parts may follow; after a value (even ~ or null) they may not
            question, indent = (key, 0) if empty else (None, 0)
            continue
        if question is None or (indent and len(spaces) != indent):
            return None  # under a value, or at another depth: the parser knows what it is
        parts = data[question]
        if parts is None:  # the first part: the question's value is a mapping, which starts here
            parts = data[question] = {}
            indent = len(spaces)
            positions[(question,)] = (number, indent + 1)
        if key in parts:
            return None
        parts[key] = value
        positions[(question, key)] = (number, column)
    if not positions:
        return None
    return Document(data, file, positions, {}, text)
