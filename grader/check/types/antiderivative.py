"""Antiderivatives: equal to the reference up to an additive constant (STACK's Int / AddConst).

The answer is differentiated with respect to the part's ``variable`` and the derivative compared with the
reference's at test points, so any constant (``+ C``, ``+ 5``) is allowed and ``log(2x)`` passes for
``log(x)``. With ``require_constant: true`` an answer without the constant name gets partial credit and a
reminder. Giving the integrand back, or its derivative, is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy

from grader.check.base import Checker, Diagnosis
from grader.check.types.expression import ExpressionChecker, StudentExpression, _equivalent, unwrap
from grader.core.messages import feedback

DEFAULT_CONSTANT = "C"


class AntiderivativeChecker(Checker):
    name = "antiderivative"
    settings = {"variables": [], "variable": None, "constant": DEFAULT_CONSTANT, "require_constant": False,
                "functions": None, "implicit_multiplication": True, "domain": {}, "rtol": 1e-6}

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        variables = spec.get("variables")
        if not isinstance(variables, list) or not variables or not all(isinstance(v, str) for v in variables):
            return ["variables must be a non-empty list of names"]
        if spec.get("variable") is not None and spec["variable"] not in variables:
            return ["variable must be one of the part's variables"]
        if spec.get("constant", DEFAULT_CONSTANT) in variables:
            return ["the constant of integration must not be one of the variables"]
        return []

    def reference(self, value: Any, spec: Mapping[str, Any]) -> sympy.Basic:
        return ExpressionChecker().reference(value, spec)

    def parse(self, raw: str, spec: Mapping[str, Any]) -> StudentExpression:
        return ExpressionChecker().parse(raw, _with_constant(spec))

    def score(self, value: Any, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        expression, variable = unwrap(value), _variable(spec)
        constant = sympy.Symbol(str(spec.get("constant", DEFAULT_CONSTANT)))
        if not _equivalent(sympy.diff(expression, variable), sympy.diff(reference, variable), _with_constant(spec)):
            return 0.0, "", ""
        if spec.get("require_constant") and not expression.has(constant):
            return 0.5, "missing-constant", feedback("antiderivative-constant", name=constant)
        return 1.0, "correct", ""

    def matches(self, value: Any, reference: Any, spec: Mapping[str, Any]) -> bool:
        variable = _variable(spec)
        return _equivalent(sympy.diff(unwrap(value), variable), sympy.diff(reference, variable), _with_constant(spec))

    def diagnose(self, value: Any, reference: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
        expression, variable = unwrap(value), _variable(spec)
        integrand = sympy.diff(reference, variable)
        extended = _with_constant(spec)
        if _equivalent(expression, integrand, extended):
            return Diagnosis("integrand", feedback("antiderivative-integrand"))
        if _equivalent(expression, sympy.diff(integrand, variable), extended):
            return Diagnosis("derivative", feedback("antiderivative-derivative"))
        return Diagnosis("not-antiderivative", feedback("antiderivative-wrong"))

    def format(self, reference: Any, spec: Mapping[str, Any]) -> str:
        text = ExpressionChecker().format(reference, spec)
        if isinstance(reference, StudentExpression):
            return text
        return f"{text} + {spec.get('constant', DEFAULT_CONSTANT)}" if spec.get("require_constant") else text


def _variable(spec: Mapping[str, Any]) -> sympy.Symbol:
    return sympy.Symbol(str(spec.get("variable") or spec["variables"][0]))


def _with_constant(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The part with the constant of integration as one more variable the student may use."""
    constant = str(spec.get("constant", DEFAULT_CONSTANT))
    return {**spec, "variables": [*spec.get("variables", ()), constant]}
