"""Every answer type, registered here and nowhere else, and which parts an answers file answers.

Adding a type means writing its module in ``types/`` and listing it below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.check.base import Checker
from grader.check.types.antiderivative import AntiderivativeChecker
from grader.check.types.choice import CheckboxChecker, ChoiceChecker
from grader.check.types.code import CodeChecker
from grader.check.types.collection import SetChecker, TupleChecker
from grader.check.types.complex_number import ComplexChecker
from grader.check.types.equation import EquationChecker
from grader.check.types.expression import ExpressionChecker
from grader.check.types.free import FreeResponseChecker
from grader.check.types.integer import IntegerChecker
from grader.check.types.interval import IntervalChecker
from grader.check.types.matrix import MatrixChecker
from grader.check.types.number import NumberChecker
from grader.check.types.quantity import QuantityChecker
from grader.check.types.text import TextChecker


@dataclass
class Registry:
    checkers: dict[str, Checker] = field(default_factory=dict)

    def register(self, checker: Checker) -> Checker:
        self.checkers[checker.name] = checker
        return checker

    def get(self, name: str) -> Checker:
        return self.checkers[name]


REGISTRY = Registry()
for _checker in (ChoiceChecker(), CheckboxChecker(), CodeChecker(), ExpressionChecker(), FreeResponseChecker(),
                 IntegerChecker(), MatrixChecker(), NumberChecker(), TextChecker()):
    REGISTRY.register(_checker)
# issue 9: the kinds quantitative courses need
for _checker in (EquationChecker(), IntervalChecker(), SetChecker(), TupleChecker(), ComplexChecker(),
                 QuantityChecker(), AntiderivativeChecker()):
    REGISTRY.register(_checker)


def answers_file_parts(question: Any) -> list:
    """The parts of a question that an answers file answers."""
    return [part for part in question.parts if part.type in REGISTRY.checkers and REGISTRY.get(part.type).in_answers_file]


def auto_graded(part_type: str) -> bool:
    """Scored by the grader from an answers file (not by hand, not from a notebook)."""
    checker = REGISTRY.get(part_type)
    return checker.needs_answer and checker.in_answers_file
