"""Reference solutions: from an answer spec and one variant's parameters to a value.

An answer spec is one of

* an expression over the parameters (and, for expression and matrix
  parts, the part's own variables): ``"(I - F + 2*P)/S + 1"``;
* a nested list of such expressions (a matrix);
* ``{numpy: "np.kron(A, B)"}``: a numpy computation over the parameters;
* ``{solver: conv_output_size, args: [I, F, P, S]}``: a function in the
  bank's solver module (``<bank>_solvers.py`` beside the bank).

Everything here is instructor-written and trusted; student text never
reaches this module.
"""

from __future__ import annotations

import builtins
import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import sympy

from grader.bank.params import ParamValues
from grader.check.compiled import evaluate
from grader.check.parse import parse_expression
from grader.core.errors import FormatError

_NUMPY_BUILTINS = {name: getattr(builtins, name)
                   for name in ("abs", "float", "int", "len", "max", "min", "range", "round", "sum")}
NUMPY_GLOBALS = {"__builtins__": _NUMPY_BUILTINS, "np": np, "numpy": np}


class SolveError(Exception):
    """A reference could not be computed; the message says why."""


def load_solver_module(path: Path) -> ModuleType:
    """Import the bank's solver module from its file (instructor code, trusted)."""
    name = f"grader_solvers_{abs(hash(str(path.resolve())))}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SolveError(f"cannot import solver module {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:  # a half-imported module must not be found by the next load
        sys.modules.pop(name, None)
        raise
    return module


def compile_answer(answer: Any, names: list[str], unknown_functions: tuple[str, ...] = ()) -> Any:
    """Parse the expression strings of an answer spec once, at bank load time."""
    if isinstance(answer, bool):
        raise SolveError("an answer cannot be true/false")
    if isinstance(answer, (int, float, str, Decimal)):
        try:
            return parse_expression(str(answer), variables=names, trusted=True, unknown_functions=unknown_functions)
        except FormatError as error:
            raise SolveError(f"answer expression '{answer}': {error.message}") from error
    if isinstance(answer, list):
        return [compile_answer(item, names, unknown_functions) for item in answer]
    if isinstance(answer, dict):
        if set(answer) == {"numpy"} and isinstance(answer["numpy"], str):
            try:
                return {"numpy": compile(answer["numpy"], "<bank numpy answer>", "eval")}
            except SyntaxError as error:
                raise SolveError(f"numpy answer does not parse: {error.msg}") from error
        if "solver" in answer and set(answer) <= {"solver", "args"}:
            args = answer.get("args") or []
            if not isinstance(args, list):
                raise SolveError("solver args must be a list")
            return {"solver": str(answer["solver"]), "args": [compile_answer(a, names) for a in args]}
        raise SolveError("an answer mapping must be {numpy: ...} or {solver: name, args: [...]}")
    raise SolveError(f"cannot use {type(answer).__name__} as an answer")


def python_value(value: Any) -> Any:
    """A parameter or sympy value as plain Python/numpy, for solvers and numpy code."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return np.array(value)
    if isinstance(value, sympy.MatrixBase):
        return np.array([[python_value(cell) for cell in row] for row in value.tolist()])
    if isinstance(value, sympy.Basic) and value.is_number:
        return int(value) if value.is_Integer else float(value)
    return value


def evaluate_answer(compiled: Any, values: ParamValues, solvers: ModuleType | None) -> Any:
    """Compute the reference value of a compiled answer spec for one variant."""
    if isinstance(compiled, sympy.Basic):
        return evaluate(compiled, values.exact)  # exact Python when it can be, else sympy's xreplace
    if isinstance(compiled, list):
        rows = [row if isinstance(row, list) else [row] for row in compiled]
        return sympy.Matrix([[evaluate_answer(cell, values, solvers) for cell in row] for row in rows])
    if "numpy" in compiled:
        namespace = {name: python_value(value) for name, value in values.display.items()}
        # Instructor code from the bank (trusted like the solver module), never student text.
        return eval(compiled["numpy"], dict(NUMPY_GLOBALS), namespace)  # noqa: S307
    if solvers is None:
        raise SolveError(f"solver '{compiled['solver']}' is used but the bank has no solver module")
    function = getattr(solvers, compiled["solver"], None)
    if not callable(function):
        raise SolveError(f"solver module has no function '{compiled['solver']}'")
    args = [
        python_value(values.display[arg.name])
        if isinstance(arg, sympy.Symbol) and arg.name in values.display
        else python_value(evaluate_answer(arg, values, solvers))
        for arg in compiled["args"]
    ]
    return function(*args)
