"""Code parts: the student implements a named function in a notebook or .py file.

In an answers file there is nothing to run, so the part is recorded as
graded from the notebook; ``grader.check.code_cases`` runs the function.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.check.base import Checker

COMPARE_TYPES = ("integer", "number", "matrix")


class CodeChecker(Checker):
    name = "code"
    bounded = True
    settings = {"function": None, "compare": "number", "cases": [], "reference": None, "solution_code": "",
                "stub": "", "rtol": 1e-6, "atol": 1e-9}
    needs_answer = False
    in_answers_file = False

    def validate(self, spec: Mapping[str, Any]) -> list[str]:
        problems = []
        if not isinstance(spec.get("function"), str) or not spec["function"].isidentifier():
            problems.append("function must be the name of the function the student writes")
        if spec.get("compare", "number") not in COMPARE_TYPES:
            problems.append(f"compare must be one of {', '.join(COMPARE_TYPES)}")
        cases = spec.get("cases")
        if not isinstance(cases, list) or not cases or not all(isinstance(c, list) for c in cases):
            problems.append("cases must be a non-empty list of argument lists")
        if not spec.get("solution_code"):
            problems.append("solution_code (the reference implementation shown in the master notebook) is required")
        return problems

    def parse(self, raw: str, spec: Mapping[str, Any]) -> str:
        return raw

    def score(self, value: Any, reference: Any, spec: Mapping[str, Any]) -> tuple[float, str, str]:
        return 0.0, "notebook", "This part is graded from your notebook."
