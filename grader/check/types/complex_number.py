"""Complex numbers: ``3 - 4i``, ``5 e^(i pi/3)``, ``5*exp(i*pi/3)``, with ``i`` (or ``j``) declared.

The value is compared with a relative tolerance on |z - w|. With ``form: rectangular`` or ``form: polar``
the typed structure must be a + b i or r e^(i θ): a right value in the other form gets partial credit.
Conjugates and a right real or imaginary part alone are named.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy

from grader.check.base import Checker, Diagnosis
from grader.check.evaluate import evaluate
from grader.check.forms import ParseOptions, typed_tree
from grader.check.kinds_common import reference_value
from grader.check.parse import DEFAULT_FUNCTIONS, parse_expression
from grader.check.types.expression import _AnswerPrinter
from grader.core.errors import FormatError
from grader.core.messages import feedback

DEFAULT_RTOL = 1e-6
FORMS = (None, "rectangular", "polar")


class ComplexChecker(Checker):
    name = "complex"
    settings = {"imaginary": "i", "form": None, "rtol": DEFAULT_RTOL, "atol": 0.0}

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        problems = []
        if spec.get("imaginary", "i") not in ("i", "j"):
            problems.append("imaginary must be i or j")
        if spec.get("form") not in FORMS:
            problems.append("form must be rectangular or polar")
        return problems

    def answer_names(self, spec: Mapping[str, Any]) -> list[str]:
        return [str(spec.get("imaginary", "i"))]

    def reference(self, value: Any, spec: Mapping[str, Any]) -> sympy.Expr:
        if isinstance(value, complex):
            value = sympy.Float(value.real) + sympy.I * sympy.Float(value.imag)
        expression = value if isinstance(value, sympy.Basic) else reference_value(value)
        expression = expression.xreplace({sympy.Symbol(str(spec.get("imaginary", "i"))): sympy.I})
        if not (isinstance(expression, sympy.Expr) and expression.is_number):
            raise ValueError(f"the reference {value!r} is not a complex number")
        return expression

    def parse(self, raw: str, spec: Mapping[str, Any]) -> tuple[sympy.Expr, str]:
        unit = str(spec.get("imaginary", "i"))
        value = parse_expression(raw, variables=[unit], functions=DEFAULT_FUNCTIONS)
        try:
            value = value.xreplace({sympy.Symbol(unit): sympy.I})
            usable = isinstance(value, sympy.Expr) and bool(value.is_number) and _number(value) is not None
        except Exception:  # noqa: BLE001 - sympy fails in odd ways on e^(i*10^300); it is the answer's problem
            usable = False
        if not usable:
            raise FormatError(feedback("complex-not-number", unit=unit), raw, None)
        return value, raw

    def score(self, value: tuple, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        if not _close(_number(value[0]), _number(reference), spec):
            return 0.0, "", ""
        form = spec.get("form")
        if form and _typed_form(value[1], str(spec.get("imaginary", "i"))) != form:
            unit = str(spec.get("imaginary", "i"))
            return 0.5, f"complex-form-{form}", feedback(f"complex-form-{form}", unit=unit)
        return 1.0, "correct", ""

    def matches(self, value: tuple, reference: Any, spec: Mapping[str, Any]) -> bool:
        return _close(_number(value[0]), _number(reference), spec)

    def diagnose(self, value: tuple, reference: Any, spec: Mapping[str, Any]) -> Diagnosis | None:
        mine, theirs = _number(value[0]), _number(reference)
        if mine is None or theirs is None:
            return None
        if theirs.imag != 0 and _close(mine, theirs.conjugate(), spec):
            return Diagnosis("conjugate", feedback("complex-conjugate"))
        if _close(-mine, theirs, spec):
            return Diagnosis("sign", feedback("sign"))
        scale = max(abs(theirs), 1e-300)
        if abs(mine.real - theirs.real) <= 1e-9 * scale:
            return Diagnosis("imaginary-part", feedback("complex-real-part"))
        if abs(mine.imag - theirs.imag) <= 1e-9 * scale:
            return Diagnosis("real-part", feedback("complex-imaginary-part"))
        return None

    def format(self, reference: Any, spec: Mapping[str, Any]) -> str:
        if isinstance(reference, tuple):  # a student's answer: shown as typed
            return reference[1].strip()
        value = reference
        unit = str(spec.get("imaginary", "i"))
        if spec.get("form") == "polar":
            radius, angle = sympy.Abs(value), sympy.arg(value)
            printer = _AnswerPrinter()
            return f"{printer.doprint(radius)}*exp({unit}*({printer.doprint(angle)}))"
        real, imaginary = sympy.re(value), sympy.im(value)
        printer = _AnswerPrinter()
        sign = "-" if (imaginary < 0) == sympy.true else "+"
        return f"{printer.doprint(real)} {sign} {printer.doprint(abs(imaginary))}*{unit}"


def _number(value: sympy.Expr) -> complex | None:
    try:
        return evaluate(value, {})
    except Exception:  # noqa: BLE001 - see parse
        return None


def _close(a: complex | None, b: complex | None, spec: Mapping[str, Any]) -> bool:
    if a is None or b is None:
        return False
    rtol, atol = float(spec.get("rtol", DEFAULT_RTOL)), float(spec.get("atol", 0.0))
    return abs(a - b) <= max(rtol * abs(b), atol)


def _typed_form(text: str, unit: str) -> str | None:
    """'rectangular' for a + b i, 'polar' for r e^(i θ) or r exp(i θ), as the student typed it."""
    try:
        tree = typed_tree(text, ParseOptions((unit,)))
    except FormatError:
        return None
    i = sympy.Symbol(unit)
    exponentials = [sub for sub in sympy.preorder_traversal(tree)
                    if (isinstance(sub, sympy.exp) or (isinstance(sub, sympy.Pow) and sub.base == sympy.E))
                    and sub.has(i)]
    if exponentials:
        terms = tree.args if isinstance(tree, sympy.Add) else (tree,)
        return "polar" if len(terms) == 1 else None
    terms = tree.args if isinstance(tree, sympy.Add) else (tree,)
    with_i = [term for term in terms if term.has(i)]
    return "rectangular" if len(with_i) <= 1 and len(terms) <= 2 else None

