"""Symbolic answers: equivalence by evaluation at test points, confirmed exactly.

Like WeBWorK, both expressions are evaluated at several points of the
declared domain; points where the reference is undefined are skipped.
When too few points are usable, or a form (expanded / factored) must be
checked, exact sympy runs in the killable worker under a time limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy
from sympy.printing.str import StrPrinter

from grader.check.base import Checker, Diagnosis
from grader.check.domains import DEFAULT_DOMAIN, choose_points
from grader.check.evaluate import evaluate
from grader.check.expression_fast import printed
from grader.check.forms import FORMS, ParseOptions, form_problem, forms_of, in_form, typed_decimals
from grader.check.parse import DEFAULT_FUNCTIONS, parse_expression
from grader.check.worker import run_limited
from grader.core.messages import feedback

DEFAULT_POINTS = 8
DEFAULT_RTOL = 1e-6
MIN_USABLE_POINTS = 4
__all__ = ["DEFAULT_DOMAIN", "ExpressionChecker", "StudentExpression"]


@dataclass(frozen=True)
class StudentExpression:
    """A student's expression and the text it came from (form tests and the decimals rule read the text)."""

    value: sympy.Basic
    text: str


def unwrap(value: Any) -> sympy.Basic:
    return value.value if isinstance(value, StudentExpression) else value


class ExpressionChecker(Checker):
    name = "expression"
    settings = {"variables": [], "functions": None, "implicit_multiplication": True, "domain": {},
                "points": DEFAULT_POINTS, "rtol": DEFAULT_RTOL, "form": None, "form_variable": None,
                "unknown_functions": []}

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        problems = []
        variables = spec.get("variables")
        if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
            problems.append("variables must be a list of names")
        form = spec.get("form")
        if not (form is None or isinstance(form, (str, list))) or any(f not in FORMS for f in forms_of(form)):
            problems.append("form must be one of (or a list of) " + ", ".join(FORMS))
        unknown_functions = spec.get("unknown_functions") or []
        if not isinstance(unknown_functions, list) or not all(isinstance(f, str) for f in unknown_functions):
            problems.append("unknown_functions must be a list of names")
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

    def parse(self, raw: str, spec: Mapping[str, Any]) -> StudentExpression:
        options = parse_options(spec)
        value = parse_expression(raw, variables=options.variables, functions=options.functions,
                                 implicit_multiplication=options.implicit,
                                 unknown_functions=options.unknown_functions)
        return StudentExpression(value, raw)

    def advice(self, spec: Mapping[str, Any]) -> list[str]:
        reference = spec["answer"]
        if not isinstance(reference, sympy.Basic) or not reference.free_symbols:
            return []
        usable = sum(_real(evaluate(reference, point)) for point in _points(spec, reference))
        if usable >= MIN_USABLE_POINTS:
            return []
        return [f"only {usable} of the test points are usable (the reference is undefined or not real at the "
                "others), so answers are confirmed symbolically: set a domain for the variables"]

    def score(self, value: Any, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        expression = unwrap(value)
        if not _equivalent(expression, reference, spec):
            return 0.0, "", ""
        text = value.text if isinstance(value, StudentExpression) else ""
        if text and "rtol" not in spec and typed_decimals(text) and _exact(reference) \
                and not run_limited(_exactly_equal, expression, reference):
            # 0.3333333*x for x/3 agrees to 1e-6 at every point; an exact reference asks for the exact value
            return 0.0, "inexact-decimals", feedback("inexact-decimals")
        forms = forms_of(spec.get("form"))
        if forms and text:
            problem = run_limited(form_problem, text, parse_options(spec), forms, spec.get("form_variable"))
            if problem is not None:
                return 0.5, problem[0], problem[1]
        return 1.0, "correct", ""

    def matches(self, value: Any, reference: Any, spec: Mapping[str, Any]) -> bool:
        return _equivalent(unwrap(value), reference, spec)

    def diagnose(self, value: Any, reference: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
        text = value.text if isinstance(value, StudentExpression) else ""
        value = unwrap(value)
        if text and typed_decimals(text) and _equivalent(value, reference, spec):
            return Diagnosis("inexact-decimals", feedback("inexact-decimals"))
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
        if isinstance(reference, StudentExpression):
            return _AnswerPrinter().doprint(reference.value)
        forms = forms_of(spec.get("form"))
        if forms and isinstance(reference, sympy.Basic):  # the key shows the reference in the form asked
            reference = in_form(reference, tuple(forms), spec.get("form_variable"), tuple(spec.get("variables") or ()))
        return printed(reference, _AnswerPrinter().doprint)


def parse_options(spec: Mapping[str, Any]) -> ParseOptions:
    return ParseOptions(tuple(spec.get("variables") or ()), tuple(sorted(spec.get("functions") or DEFAULT_FUNCTIONS)),
                        bool(spec.get("implicit_multiplication", True)), tuple(spec.get("unknown_functions") or ()))


def _exact(reference: Any) -> bool:
    return isinstance(reference, sympy.Basic) and not reference.has(sympy.Float)


def _real(value: complex | None) -> bool:
    return value is not None and abs(value.imag) <= 1e-9 * max(1.0, abs(value.real))


class _AnswerPrinter(StrPrinter):
    """Prints sympy the way our parser reads it back (e for Euler, abs, ceil)."""

    def _print_Exp1(self, expr: Any) -> str:
        return "e"

    def _print_Abs(self, expr: Any) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_ceiling(self, expr: Any) -> str:
        return f"ceil({self._print(expr.args[0])})"


def _points(spec: Mapping[str, Any], reference: sympy.Basic, value: sympy.Basic | None = None,
            positive: bool = False) -> list[dict[sympy.Symbol, complex]]:
    return choose_points(spec, reference, value, int(spec.get("points", DEFAULT_POINTS)), positive)


def _values(value: sympy.Basic, reference: sympy.Basic, spec: Mapping[str, Any], positive: bool = False):
    return [(evaluate(value, point), evaluate(reference, point)) for point in _points(spec, reference, value, positive)]


def _equivalent(value: sympy.Basic, reference: sympy.Basic, spec: Mapping[str, Any]) -> bool:
    rtol = float(spec.get("rtol", DEFAULT_RTOL))
    for positive in (False, True):  # too few usable points: retry where logs and roots are real
        usable = 0
        for mine, theirs in _values(value, reference, spec, positive):
            if theirs is None or not _real(theirs) and reference.free_symbols:
                continue  # the reference is undefined or not real here: not a fair test point
            if mine is None:
                return False
            if abs(mine - theirs) > rtol * max(abs(mine), abs(theirs)) + 1e-12:
                return False
            usable += 1
        if usable >= MIN_USABLE_POINTS:
            return True
        if not reference.free_symbols or spec.get("domain"):
            break
    return bool(run_limited(_exactly_equal, value, reference))


def _exactly_equal(value: sympy.Basic, reference: sympy.Basic) -> bool:
    return sympy.simplify(value - reference) == 0
