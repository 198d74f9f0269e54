"""Equations: ``y = 2x + 1`` against ``2x - y + 1 = 0``.

Two equations are equivalent when one side minus the other of each is the same up to a nonzero constant
factor (for linear and polynomial equations exactly "the same solution set"), compared at test points as
for expressions. An expression without '=' is a format error that says an equation was asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy

from grader.check.base import Checker, Diagnosis
from grader.check.domains import choose_points
from grader.check.evaluate import evaluate
from grader.check.kinds_common import guard_length, read_expression, split_top_level
from grader.check.types.expression import _AnswerPrinter
from grader.check.worker import run_limited
from grader.core.errors import FormatError
from grader.core.messages import feedback

DEFAULT_RTOL = 1e-6
MIN_USABLE_POINTS = 4


class EquationChecker(Checker):
    name = "equation"
    settings = {"variables": [], "functions": None, "implicit_multiplication": True, "domain": {},
                "rtol": DEFAULT_RTOL}

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        variables = spec.get("variables")
        if not isinstance(variables, list) or not variables or not all(isinstance(v, str) for v in variables):
            return ["variables must be a non-empty list of names"]
        return []

    def reference(self, value: Any, spec: Mapping[str, Any]) -> sympy.Eq:
        if isinstance(value, sympy.Equality):
            return value
        if isinstance(value, sympy.Expr):  # an expression means "expression = 0"
            return sympy.Eq(value, 0, evaluate=False)
        raise ValueError(f"an equation part needs an equation such as 'y == 2*x + 1', not {value!r}")

    def parse(self, raw: str, spec: Mapping[str, Any]) -> sympy.Eq:
        guard_length(raw)
        sides = split_top_level(raw, ["="])
        if len(sides) == 1:
            raise FormatError(feedback("equation-expected"), raw, None)
        if len(sides) > 2:
            raise FormatError(feedback("equation-too-many"), raw, sides[2][1] - 1)
        (left, left_at), (right, right_at) = sides
        if not left.strip() or not right.strip():
            raise FormatError("one side of the equation is empty", raw, left_at if not left.strip() else right_at)
        return sympy.Eq(read_expression(left, left_at, raw, spec), read_expression(right, right_at, raw, spec),
                        evaluate=False)

    def score(self, value: sympy.Eq, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        return (1.0, "correct", "") if _equivalent(value, reference, spec) else (0.0, "", "")

    def diagnose(self, value: sympy.Eq, reference: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
        return Diagnosis("equation-not-equivalent", feedback("equation-not-equivalent"))

    def format(self, reference: Any, spec: Mapping[str, Any]) -> str:
        printer = _AnswerPrinter()
        return f"{printer.doprint(reference.lhs)} = {printer.doprint(reference.rhs)}"


def _difference(equation: sympy.Eq) -> sympy.Expr:
    return equation.lhs - equation.rhs


def _equivalent(value: sympy.Eq, reference: sympy.Eq, spec: Mapping[str, Any]) -> bool:
    """lhs - rhs of the answer is a nonzero constant multiple of the reference's."""
    mine, theirs = _difference(value), _difference(reference)
    rtol = float(spec.get("rtol", DEFAULT_RTOL))
    ratio, usable = None, 0
    for point in choose_points(spec, theirs, mine, 12):
        a, b = evaluate(mine, point), evaluate(theirs, point)
        if a is None or b is None:
            continue
        if abs(b) < 1e-9:  # on the reference's solution set: the answer must vanish too
            if abs(a) > 1e-7:
                return False
            continue
        this = a / b
        if abs(this) < 1e-12:
            return False
        if ratio is None:
            ratio = this
        elif abs(this - ratio) > rtol * abs(ratio):
            return False
        usable += 1
    if usable >= MIN_USABLE_POINTS:
        return True
    return theirs != 0 and bool(run_limited(_constant_ratio, mine, theirs))


def _constant_ratio(mine: sympy.Expr, theirs: sympy.Expr) -> bool:
    quotient = sympy.simplify(mine / theirs)
    return bool(quotient.is_number and quotient != 0)
