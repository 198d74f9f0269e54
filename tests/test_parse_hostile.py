"""Hostile input: code injection, resource exhaustion and garbage must all end as FormatError, fast.

Each payload runs in an empty temporary directory; if any of them were ever
executed, the marker file it tries to create would appear there.
"""

from __future__ import annotations

import ast
import inspect
import multiprocessing
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import grader.check.parse as parse_module
from grader.check.matrix_text import split_matrix_text
from grader.check.parse import ParseLimits, parse_expression
from grader.core.errors import FormatError

MARKER = "MARKER"
VARIABLES = ["x", "y", "z"]

HOSTILE = [
    "__import__('os').system('touch MARKER')",
    "__import__(\"pathlib\").Path(\"MARKER\").touch()",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "x.__class__.__mro__",
    "sin.__globals__",
    "(1).__class__",
    "open('/etc/passwd')",
    "open(MARKER, w)",
    "eval('1')",
    "exec",
    "exec(x)",
    "compile(x, y, z)",
    "lambda: 1",
    "lambda x: x",
    "[x for x in range(10)]",
    "(x for x in y)",
    "x if y else z",
    "x and y",
    "x or y",
    "not x",
    "x < y",
    "x == y",
    "x in y",
    "x is y",
    '"str"',
    "b'x'",
    "f'{x}'",
    "x[0]",
    "{1: 2}",
    "{x}",
    "10^10^10",
    "9^9^9^9",
    "9**9**9**9",
    "((x+1)^100)^100",
    "x^100000",
    "x^(10^10)",
    "factorial(100000)",
    "factorial(factorial(10))",
    "2^(2^(2^(2^2)))",
    "(" * 5000 + "x" + ")" * 5000,
    "-" * 5000 + "x",
    "x" * 100_000,
    "1" * 100_000,
    "\x00",
    "x\x00",
    "1e999999999",
    "1e-999999999",
    "exp(10^6)",
    "x#comment",
    "x \\\n+ 1",
    "x;y",
    "f(x)=1",
    "x := 1",
    "x @ y",
    "\u0445 + 1",  # Cyrillic ha looks like x
    "s\u0456n(x)",  # Cyrillic i inside sin
    "\uff58",  # fullwidth x
    "x\u200b",  # zero-width space
    "\ud800",  # lone surrogate
    "\u202ex",  # right-to-left override
    "Symbol('x')",
    "sympify('x')",
    "S('x')",
    "__builtins__",
    "globals()",
    "locals()",
    "getattr(x, 'y')",
    "vars(x)",
    "import os",
    "yield x",
    "await x",
    "x:=1",
    "*x",
    "sin(*x)",
    "sin(**x)",
    "sin(x=1)",
    "x...",
    "Ellipsis",
    "None",
    "True + 1",
    "1j",
    "0x1F",
    "x\ny = 1",
    "del x",
    "x = __import__('os')",
    "`x`",
    "$x",
    "x ? y : z",
    "x & y | z",
    "~x",
    "x << 2",
    "log(0)",
    "1/0",
    "0^-1",
    "2^-10000",
    "(10x)^1000",
    "pi^1000",
    "floor(pi*10^399)",
    "sin(x)^(10^5)",
    "exp(x)^1001",
]


def _fill(term: str, separator: str = "+", limit: int = 1000) -> str:
    """As many copies of ``term`` (with k = 2, 3, ...) as fit in ``limit`` characters."""
    text, k = "", 2
    while len(candidate := text + (separator if text else "") + term.format(k=k)) <= limit:
        text, k = candidate, k + 1
    return text


SLOW_ARITHMETIC = [  # each piece is legal-looking; together they used to cost sympy many seconds
    _fill("floor((sqrt(2)+sqrt({k}))^500)"),
    _fill("ceil((sqrt({k})+sqrt(3))^200/7)"),
    _fill("floor(10^300*sin({k}))"),
    _fill("floor(factorial(200)/sqrt({k}))"),
    _fill("(sqrt({k})+1)^500", ","),
]
HOSTILE += SLOW_ARITHMETIC

ROOMY = ParseLimits(max_length=10**6)  # lets the deep/long payloads reach the depth and size guards
ROOMY_HOSTILE = [
    "(" * 5000 + "x" + ")" * 5000,
    "-" * 5000 + "x",
    "x+" * 50_000 + "x",
    "x^" * 5000 + "x",
    "sin(" * 2000 + "x" + ")" * 2000,
    "1" * 100_000,
    "x" * 100_000,
    "(" * 100,
]


def _id(text: str) -> str:
    """Short test ids: a 100k-character payload must not become a 100k-character test name."""
    return repr(text[:30]) + (f"..+{len(text) - 30}" if len(text) > 30 else "")


_FORK = multiprocessing.get_context("fork")


def _parse_in_child(conn: Connection, text: str, kwargs: dict[str, object]) -> None:
    start = time.monotonic()
    try:
        parse_expression(text, variables=VARIABLES, **kwargs)  # type: ignore[arg-type]
        outcome: tuple[object, ...] = ("returned",)
    except FormatError as error:
        offset_ok = error.offset is None or 0 <= error.offset <= len(text)
        outcome = ("FormatError", bool(error.message), error.text == text, offset_ok)
    except BaseException as error:  # noqa: BLE001 - report, never swallow: the parent fails the test
        outcome = (type(error).__name__, repr(error)[:300])
    conn.send((outcome, time.monotonic() - start))
    conn.close()


def _assert_rejected_quickly(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **kwargs: object) -> None:
    """Parse in a forked child so that a hang or a blow-up fails this test instead of stalling the suite."""
    monkeypatch.chdir(tmp_path)
    receiver, sender = _FORK.Pipe(duplex=False)
    child = _FORK.Process(target=_parse_in_child, args=(sender, text, kwargs))
    child.start()
    sender.close()
    if not receiver.poll(10):
        child.kill()
        child.join()
        pytest.fail(f"parsing {_id(text)} did not finish within 10 s")
    outcome, elapsed = receiver.recv()
    child.join()
    assert outcome == ("FormatError", True, True, True), outcome
    assert elapsed < 2.0, f"took {elapsed:.2f} s"
    assert not (tmp_path / MARKER).exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text", HOSTILE, ids=_id)
def test_hostile_input_is_rejected(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _assert_rejected_quickly(text, tmp_path, monkeypatch)


@pytest.mark.parametrize("text", ROOMY_HOSTILE, ids=_id)
def test_hostile_input_with_roomy_length_limit(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _assert_rejected_quickly(text, tmp_path, monkeypatch, limits=ROOMY)


@pytest.mark.parametrize("text", ["x and y", "x < y", "__import__('os')", "x.real", "lambda: x", "x if y else z",
                                  "10^10^10", "x = 1", "(x < y) + 1", "x % 0"])
def test_hostile_input_in_trusted_mode(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if text in ("x and y", "x < y"):
        assert isinstance(parse_expression(text, variables=VARIABLES, trusted=True), sympy.Basic)
    else:
        _assert_rejected_quickly(text, tmp_path, monkeypatch, trusted=True)


@pytest.mark.parametrize("text", [
    "[__import__('os').system('touch MARKER')]",
    "[[1, 2], [3, " * 50,
    "[" * 5000,
    "]" * 5000,
    "[1 2; 3 4" + "; 5" * 200,
    "[\x00]",
    "[" + ", ".join(["1"] * 101) + "]",
    "x" * 30_000,
    "[(((]",
    "['unclosed]",
], ids=_id)
def test_hostile_matrix_text(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    start = time.monotonic()
    try:
        rows = split_matrix_text(text)
    except FormatError:
        rows = None
    else:  # the scanner only splits; the cells must then fail in parse_expression
        with pytest.raises(FormatError):
            for row in rows:
                for cell in row:
                    parse_expression(cell, variables=VARIABLES)
    assert time.monotonic() - start < 2.0
    assert not (tmp_path / MARKER).exists()


FORBIDDEN_NAMES = {"eval", "exec", "compile", "__import__", "getattr", "sympify", "parse_expr", "S", "Matrix",
                   "literal_eval"}
FORBIDDEN_METHODS = {"eval", "exec", "sympify", "parse_expr", "S", "Matrix", "literal_eval", "loads", "safe_load",
                     "load", "subs", "equals", "evalf_string"}


def test_parser_source_never_calls_an_evaluator() -> None:
    """Guard against a future edit sneaking eval/sympify into the parser (reads our own source, not input)."""
    tree = ast.parse(inspect.getsource(parse_module))
    names = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    methods = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    assert not names & FORBIDDEN_NAMES
    assert not methods & FORBIDDEN_METHODS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_any_text(text: str) -> None:
    try:
        result = parse_expression(text, variables=VARIABLES)
    except FormatError as error:
        assert error.offset is None or 0 <= error.offset <= len(text)
    else:
        assert isinstance(result, sympy.Basic)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789xy+-*/^()., e", max_size=60))
def test_fuzz_math_alphabet(text: str) -> None:
    for kwargs in ({}, {"implicit_multiplication": False}, {"trusted": True}):
        try:
            result = parse_expression(text, variables=VARIABLES, **kwargs)  # type: ignore[arg-type]
        except FormatError as error:
            assert error.offset is None or 0 <= error.offset <= len(text)
        else:
            assert isinstance(result, sympy.Basic)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789xy+-*/^()., e[];\n'\"", max_size=80))
def test_fuzz_matrix_text(text: str) -> None:
    try:
        rows = split_matrix_text(text)
    except FormatError as error:
        assert error.offset is None or 0 <= error.offset <= len(text)
    else:
        assert rows and all(isinstance(c, str) and c for row in rows for c in row)
        assert len({len(row) for row in rows}) == 1
