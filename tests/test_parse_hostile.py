"""Hostile input: code injection, resource exhaustion and garbage must all end as FormatError, fast.

Each payload runs in an empty temporary directory; if any of them were ever
executed, the marker file it tries to create would appear there.
"""

from __future__ import annotations

import ast
import inspect
import json
import multiprocessing
import os
import subprocess
import sys
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


# --------------------------------------------------------------------------- adversarial cost
# Text under every cap whose *sympy construction* used to cost seconds to minutes: a single call with
# hundreds of power arguments (18 s), functions of powers whose automatic evaluation asks sympy's
# assumption system costly questions, nesting at the depth cap, big exponents inside functions, and
# many small cells in one matrix. Each must now be answered (a verdict, never a hang and never a
# timeout) through check_answer, check_part, `grader check` and the Gradescope autograder.

FUZZED_14_S = "floor(min(abs(pi),tanh((((y)^99-min(3,1.5,3,3)-(2*y*pi)-max(1.5,y,1.5,2)-(pi)^x)/(tanh(1.5)+tanh(y)+factorial(2)+sinh(2))/(atan(y))^1/2/2/e)),(((cos(x)-cos(e)-(3/2/e))-sin(pi)-abs(pi)))^-1,(min(((2/x)/min(1.5,e)/(2/e/x)),(y/y/3),(ceil(pi))^x,min(e,(2)^99,(2)^1/2,abs(pi)),(floor(y)+max(pi,y,e,y,y)+(1.5/y)+(pi/e/y/e)))-e-(((2)^99-(y*y*y)-tan(3)-(pi+pi+pi+1.5+e))/floor(sqrt(x))/((x)^1/2+(3*y*e)+(y)^10+(pi/pi))/log((pi/2/2))))))"
ADVERSARIAL_COST = [
    "max(" + _fill("x^{k}", ",", 990) + ")",
    "min(" + _fill("x^{k}", ",", 990) + ")",
    "max(" + _fill("{k}*sin(x)", ",", 990) + ")",
    "cosh(ln(cosh(((((7-3-y-x-1.5)*7*min(7,e)))^2)^10)))",  # found by fuzzing: 14 s inside log's eval
    FUZZED_14_S,
    "sin(" * 39 + "x" + ")" * 39,
    "ln(" * 18 + "(x+y)^2" + ")" * 18,
    "abs(" * 12 + "min(x, y, z)^3 - max(x, y)" + ")" * 12,
    _fill("sin(x^{k}0)", "+"),
    _fill("abs((x+{k})^999)", "*"),
    "exp((x+y)^999) + floor((x+y+z)^999/7) + sqrt((x-y)^997)",
    _fill("x^{k}", "+"),
    "(" + _fill("x+{k}", ")*(", 990) + ")",
    "max(" + _fill("(x+{k})^(1/3)", ",", 990) + ")",
]
MATRIX_COST = [
    "[" + ", ".join(["max(" + ",".join(f"x^{k}" for k in range(2, 40)) + ")"] * 20) + "]",
    "; ".join(" ".join(["x"] * 99) for _ in range(99)),
    "[" + "; ".join(", ".join(f"min(x^{k}, y^{k})" for k in range(2, 22)) for _ in range(20)) + "]",
]
X, Y, Z = (sympy.Symbol(name) for name in "xyz")
EXPRESSION_SPEC = {"type": "expression", "id": "a", "variables": VARIABLES, "answer": X + Y + Z, "mistakes": []}
MATRIX_SPEC = {"type": "matrix", "id": "a", "variables": VARIABLES, "mistakes": [],
               "answer": sympy.ImmutableMatrix([[X, 1], [2, Y]])}


def _check_in_child(conn: Connection, spec: dict, text: str) -> None:
    from grader.check.answer import check_answer

    result = check_answer(spec, text)
    conn.send((result.verdict, result.note))
    conn.close()


@pytest.mark.parametrize("spec, text", [(EXPRESSION_SPEC, t) for t in ADVERSARIAL_COST]
                         + [(MATRIX_SPEC, t) for t in MATRIX_COST], ids=lambda v: _id(v) if isinstance(v, str) else "")
def test_adversarial_cost_is_answered_through_check_answer(spec: dict, text: str) -> None:
    receiver, sender = _FORK.Pipe(duplex=False)
    child = _FORK.Process(target=_check_in_child, args=(sender, spec, text))
    child.start()
    sender.close()
    if not receiver.poll(60):  # a guard for the suite, not a timing: the benchmark measures time
        child.kill()
        child.join()
        pytest.fail(f"check_answer on {_id(text)} did not answer within 60 s")
    verdict, note = receiver.recv()
    child.join()
    assert verdict in ("incorrect", "invalid") and note != "timeout", (verdict, note)


@pytest.mark.parametrize("spec, text", [(EXPRESSION_SPEC, t) for t in ADVERSARIAL_COST]
                         + [(MATRIX_SPEC, t) for t in MATRIX_COST], ids=lambda v: _id(v) if isinstance(v, str) else "")
def test_adversarial_cost_is_answered_under_the_part_limit(spec: dict, text: str) -> None:
    from grader.check.limits import check_part

    result = check_part(spec, text)
    assert result.verdict in ("incorrect", "invalid") and result.note != "timeout", result


def _cost_bank(folder: Path) -> tuple[Path, dict[str, str]]:
    """A real bank with one expression question per payload (and a matrix one per matrix payload)."""
    questions, answers = [], {}
    for index, text in enumerate(ADVERSARIAL_COST + MATRIX_COST):
        kind = "expression" if index < len(ADVERSARIAL_COST) else "matrix"
        answer = '"x + y + z"' if kind == "expression" else "[[x, 1], [2, y]]"
        questions.append(f"  - id: q{index}\n    title: Cost {index}\n    text: Give it.\n    parts:\n"
                         f"      - id: a\n        type: {kind}\n        variables: [x, y, z]\n"
                         f"        answer: {answer}\n")
        answers[f"q{index}"] = text
    bank = folder / "cost.yaml"
    bank.write_text("id: cost\ntitle: Adversarial cost\npractice: true\nquestions:\n" + "".join(questions),
                    encoding="utf-8")
    (folder / "answers.yaml").write_text("".join(f"q{i}:\n  a: {json.dumps(t)}\n" for i, t in
                                                 enumerate(answers.values())), encoding="utf-8")
    return bank, answers


def _grader() -> list[str]:
    script = Path(sys.executable).with_name("grader")
    return [str(script)] if script.exists() else [sys.executable, "-m", "grader.cli"]


def test_adversarial_cost_is_answered_through_grader_check(tmp_path: Path) -> None:
    bank, answers = _cost_bank(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    run = subprocess.run(_grader() + ["check", str(bank), str(tmp_path / "answers.yaml"), "--student", "s1",
                                      "--secret", "cost-secret"], capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode in (0, 1), run.stderr
    for question in answers:
        line = next((line for line in run.stdout.splitlines() if f"{question}.a" in line), None)
        assert line is not None and ("practice:" in line or "cannot read:" in line), (question, run.stdout[-2000:])
        assert "could not be" not in line and "correct (" not in line.replace("incorrect (", "")
    assert f"{len(answers)} answered, 0 missing" in run.stdout


def test_adversarial_cost_is_answered_in_the_autograder(tmp_path: Path) -> None:
    import json as json_module

    from grader.integrations.autograder import unpack

    bank, answers = _cost_bank(tmp_path)
    (tmp_path / "secret.txt").write_text("cost-secret\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    built = subprocess.run(_grader() + ["autograder", str(bank), "--out", str(tmp_path / "ag.zip"), "--secret-file",
                                        str(tmp_path / "secret.txt")], capture_output=True, text=True, env=env)
    assert built.returncode == 0, built.stderr
    root = tmp_path / "root"
    unpack(tmp_path / "ag.zip", root / "source")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    (root / "submission" / "answers.yaml").write_text((tmp_path / "answers.yaml").read_text())
    (root / "submission_metadata.json").write_text(json_module.dumps({"users": [{"sid": "s1"}]}))
    subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, timeout=300,
                   env=env | {"AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable})
    results = json_module.loads((root / "results" / "results.json").read_text())
    assert len(results["tests"]) == len(answers), results.get("output")
    assert all(test["status"] == "failed" for test in results["tests"])
    assert not [test for test in results["tests"] if "could not be checked in time" in test["output"]]
