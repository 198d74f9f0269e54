"""Running a code part: the student's function on the variant's inputs, compared like typed answers.

In a notebook (through otter), ``check_function`` calls the student's
function on inputs drawn from the student's own variant and compares each
result with the bank's reference solver using the same checkers as typed
answers (tolerances, shapes, feedback).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from grader.check.answer import check_answer
from grader.check.base import CheckResult


def output_text(value: Any) -> str:
    """A function's return value as the text our checkers read."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple)):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if value and not isinstance(value[0], (list, tuple)):
            value = [value]  # a vector as one row
        return "[" + ", ".join("[" + ", ".join(_scalar(v) for v in row) + "]" for row in value) + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(int(bool(value)))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if hasattr(value, "item"):
        value = value.item()
    return str(value)


def call_text(function: str, args: list[Any]) -> str:
    def show(arg: Any) -> str:
        if callable(arg):
            return getattr(arg, "label", getattr(arg, "__name__", "a function"))
        if isinstance(arg, np.ndarray):
            return repr(arg.tolist())
        return repr(arg)

    return f"{function}({', '.join(show(a) for a in args)})"


def check_function(spec: Mapping[str, Any], function: Callable[..., Any] | None) -> CheckResult:
    """Run the student's function on every case of this variant and compare."""
    name = spec["function"]
    if not callable(function):
        return CheckResult("incorrect", 0.0, f"No function named {name} was found; define it in your notebook.",
                           "missing-function")
    compare = {"type": spec.get("compare", "number"), "rtol": spec.get("rtol", 1e-6), "atol": spec.get("atol", 1e-9),
               "mistakes": [], "show_answer": spec.get("show_answer", False)}
    failures = []
    for case in spec["resolved_cases"]:
        args, expected = case["args"], case["expected"]
        shown = call_text(name, args)
        try:
            returned = function(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        except Exception as error:  # the student's code raised: report it, grade the other cases
            failures.append(f"{shown} raised {type(error).__name__}: {error}")
            continue
        result = check_answer({**compare, "answer": expected}, output_text(returned))
        if result.verdict != "correct":
            if spec.get("show_answer"):
                failures.append(f"{shown} returned {output_text(returned)}; expected {case['expected_text']}. "
                                f"{result.feedback}")
            else:  # answers hidden: name the failing input only, since "off by -1" would give it away
                failures.append(f"{shown} is not correct.")
    passed = len(spec["resolved_cases"]) - len(failures)
    score = passed / len(spec["resolved_cases"])
    if not failures:
        return CheckResult("correct", 1.0, f"All {passed} test inputs passed.", "correct")
    verdict = "partial" if score > 0 else "incorrect"
    return CheckResult(verdict, score, " | ".join(failures), "failed-inputs")
