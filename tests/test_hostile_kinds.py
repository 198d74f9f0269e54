"""Hostile input for every answer kind added by issue 9: injection, resource exhaustion and garbage.

Each payload goes through ``check_answer`` for each new kind in an empty temporary directory (a payload
that ran would create the marker file there). It must come back as a verdict, never an exception, never
``correct``, and well inside a generous time limit (which fails the test rather than hang it): the caps
must refuse it first.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import sympy

from grader.check.answer import check_answer
from grader.core.deadline import time_limit
from tests.kinds_helpers import spec

MARKER = "MARKER"
x, y, i = sympy.symbols("x y i")

PARTS = {
    "equation": spec("equation", sympy.Eq(y, 2 * x + 1), variables=["x", "y"]),
    "interval": spec("interval", sympy.Gt(x, 3)),
    "set": spec("set", sympy.Matrix([-2, 3])),
    "tuple": spec("tuple", sympy.Matrix([1, 2])),
    "complex": spec("complex", 3 - 4 * i, form="polar"),
    "quantity": spec("quantity", Fraction(98, 10), unit="m/s^2"),
    "antiderivative": spec("antiderivative", x**3 / 3, variables=["x"], require_constant=True),
    "sigfigs": spec("number", sympy.E, sigfigs=3, decimal_comma=True),
    "matrix-sigfigs": spec("matrix", [[sympy.pi, 1]], sigfigs=3),
    "form": spec("expression", x**2 - 1, variables=["x"], form=["factored", "lowest-terms", "partial-fractions"]),
}

COMMON = [
    "__import__('os').system('touch MARKER')",
    "open('MARKER', 'w')",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "eval('1')",
    "x" * 30_000,
    "(" * 5000,
    ")" * 5000,
    "|" * 5000,
    "!" * 5000,
    "1" + "!" * 50,
    "1000000!",
    "9" * 100_000,
    "1e999999",
    "10^10^10",
    "x^999999",
    "(x+1)^1000 * (x-1)^1000",
    "x^999 + x^500 + 1",
    "e^(i*10^300)",
    "exp(i*1e300)",
    "\x00",
    "\u202e3 - 4i",
    "1,2,3," * 20_000,
    "{" * 3000 + "}" * 3000,
    "[" * 3000,
    "=" * 5000,
    "x = " * 2000 + "1",
    "x > " * 2000 + "1",
    "(1, " * 2000,
    "[0, 1) U " * 3000 + "(2, 3)",
    "U" * 5000,
    "9.8 m^99999",
    "9.8 " + "m*" * 5000 + "s",
    "9.8 __import__('os')",
    "9.8 m/s^2)" * 100,
    "1e400 m/s^2",
    "9.8 m/s^" + "9" * 400,
    "C" * 10_000,
    "f(" * 2000,
    "α" * 20_000,
    "1,238,000,000,000" * 100,
]


@pytest.mark.parametrize("kind", sorted(PARTS))
@pytest.mark.parametrize("payload", COMMON, ids=lambda text: repr(text[:30]) + f"[{len(text)}]")
def test_hostile_input_for_the_new_kinds(kind: str, payload: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # here, so a payload that ran would leave the marker here; under a limit far above what any payload
    # needs (a CallTimeout fails the test): the caps must refuse it, not a clock
    with time_limit(20.0):
        result = check_answer(PARTS[kind], payload)
    assert result.verdict in ("invalid", "incorrect", "partial"), (result.verdict, result.feedback[:200])
    assert result.verdict != "correct"
    assert len(result.feedback) < 3000
    assert not (tmp_path / MARKER).exists()
