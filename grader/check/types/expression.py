"""Symbolic answers: equivalence by evaluation at test points, confirmed exactly.

Like WeBWorK, both expressions are evaluated at several points of the
declared domain; points where the reference is undefined are skipped.
When too few points are usable, or a form (expanded / factored) must be
checked, exact sympy runs in the killable worker under a time limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy
from sympy.printing.str import StrPrinter

from grader.check.base import Checker, Diagnosis
from grader.check.evaluate import evaluate
from grader.check.expression_fast import printed, remembered_points, values_at
from grader.check.parse import DEFAULT_FUNCTIONS, parse_expression, symbol
from grader.check.worker import run_limited
from grader.core.messages import feedback
from grader.core.variant_seed import Draws

DEFAULT_DOMAIN = (-2.0, 2.0)
DEFAULT_POINTS = 8
DEFAULT_RTOL = 1e-6
MIN_USABLE_POINTS = 4
FORMS = (None, "expanded", "factored")


class ExpressionChecker(Checker):
    name = "expression"
    settings = {"variables": [], "functions": None, "implicit_multiplication": True, "domain": {},
                "points": DEFAULT_POINTS, "rtol": DEFAULT_RTOL, "form": None}

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        problems = []
        variables = spec.get("variables")
        if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
            problems.append("variables must be a list of names")
        if spec.get("form") not in FORMS:
            problems.append("form must be expanded or factored")
        unknown = set(spec.get("functions") or ()) - DEFAULT_FUNCTIONS
        if unknown:
            problems.append(f"unknown function(s): {', '.join(sorted(unknown))}")
        return problems

    def reference(self, value: Any, spec: Mapping[str, Any]) -> sympy.Basic:
        expression = sympy.Integer(value) if isinstance(value, int) else sympy.Float(value) if isinstance(value, float) else value
        extra = {str(s) for s in expression.free_symbols} - set(spec.get("variables") or ())
        if extra:
            raise ValueError(f"the reference uses undeclared variable(s) {', '.join(sorted(extra))}")
        return expression

    def parse(self, raw: str, spec: Mapping[str, Any]) -> sympy.Basic:
        return parse_expression(
            raw,
            variables=spec.get("variables") or (),
            functions=spec.get("functions") or DEFAULT_FUNCTIONS,
            implicit_multiplication=spec.get("implicit_multiplication", True),
        )

    def score(self, value: sympy.Basic, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        if not _equivalent(value, reference, spec):
            return 0.0, "", ""
        form = spec.get("form")
        if form and not run_limited(_has_form, value, form):
            return 0.5, f"form-{form}", feedback(f"form-{form}")
        return 1.0, "correct", ""

    def matches(self, value: sympy.Basic, reference: Any, spec: Mapping[str, Any]) -> bool:
        return _equivalent(value, reference, spec)

    def diagnose(self, value: sympy.Basic, reference: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
        pairs = [(a, b) for a, b in _values(value, reference, spec) if a is not None and b is not None]
        if len(pairs) < MIN_USABLE_POINTS:
            return None
        differences = {round((a - b).real, 9) for a, b in pairs}
        if len(differences) == 1:
            delta = differences.pop()
            if delta in (1.0, -1.0):
                return Diagnosis("off-by-one", feedback("off-by-one", delta=f"{int(delta):+d}"))
        if all(b != 0 for _, b in pairs):
            ratios = {round((a / b).real, 9) for a, b in pairs}
            if len(ratios) == 1:
                ratio = ratios.pop()
                if ratio == -1:
                    return Diagnosis("sign", feedback("sign"))
                if ratio not in (0, 1):
                    shown = int(ratio) if float(ratio).is_integer() else sympy.nsimplify(ratio)
                    return Diagnosis("factor", feedback("factor", factor=shown))
        return Diagnosis("not-equivalent", feedback("not-equivalent"))

    def format(self, reference: Any, spec: Mapping[str, Any]) -> str:
        return printed(reference, _AnswerPrinter().doprint)


class _AnswerPrinter(StrPrinter):
    """Prints sympy the way our parser reads it back (e for Euler, abs, ceil)."""

    def _print_Exp1(self, expr: Any) -> str:
        return "e"

    def _print_Abs(self, expr: Any) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_ceiling(self, expr: Any) -> str:
        return f"ceil({self._print(expr.args[0])})"


def _points(spec: Mapping[str, Any]) -> list[dict[sympy.Symbol, complex]]:
    names = list(spec.get("variables") or ())
    domains = spec.get("domain") or {}
    draws = Draws(("points|" + "|".join(names)).encode())
    count = int(spec.get("points", DEFAULT_POINTS))
    points = []
    for index in range(count):
        point = {}
        for name in names:
            low, high = domains.get(name, DEFAULT_DOMAIN)
            fraction = draws.below(1 << 32, f"{name}:{index}") / float(1 << 32)
            point[symbol(name)] = complex(low + (high - low) * fraction)
        points.append(point)
    return points


def _values(value: sympy.Basic, reference: sympy.Basic, spec: Mapping[str, Any]):
    points = remembered_points(spec, _points)  # drawn once per part; each expression walked once
    return list(zip(values_at(value, points, evaluate), values_at(reference, points, evaluate)))


def _equivalent(value: sympy.Basic, reference: sympy.Basic, spec: Mapping[str, Any]) -> bool:
    rtol = float(spec.get("rtol", DEFAULT_RTOL))
    usable = 0
    for mine, theirs in _values(value, reference, spec):
        if theirs is None:
            continue
        if mine is None:
            return False
        if abs(mine - theirs) > rtol * max(abs(mine), abs(theirs)) + 1e-12:
            return False
        usable += 1
    if usable >= MIN_USABLE_POINTS:
        return True
    return bool(run_limited(_exactly_equal, value, reference))


def _exactly_equal(value: sympy.Basic, reference: sympy.Basic) -> bool:
    return sympy.simplify(value - reference) == 0


def _has_form(value: sympy.Basic, form: str) -> bool:
    if form == "expanded":
        return sympy.expand(value) == value
    return sympy.factor(value) == value or not value.is_Add
