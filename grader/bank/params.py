"""Parameter specs and drawing one variant's parameter values.

A spec is one of (YAML):

* ``32``                                 a constant
* ``{choice: [28, 32, 64]}``             one item of a list
* ``{range: [3, 7], step: 2}``           an integer range, both ends included
* ``{uniform: [0.01, 0.1], decimals: 3}`` a decimal range on a grid of 10^-decimals
* ``{matrix: [4, 4], range: [0, 4]}``     an integer matrix
* ``{derived: "(I - F + 2*P)/S + 1"}``    a sympy expression of other parameters

``where:`` constraints are met by bounded rejection sampling.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sympy

from grader.check.compiled import evaluate, names_of
from grader.check.matrix_fast import integer_rows, mutable_integer_matrix
from grader.check.parse import parse_expression, symbol
from grader.core import speed
from grader.core.errors import BankError, FormatError, Location
from grader.core.variant_seed import Draws

MAX_ATTEMPTS = 2000
MAX_MATRIX_CELLS = 400


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str  # constant | choice | range | uniform | matrix | derived
    values: tuple[Any, ...] = ()
    low: Any = None
    high: Any = None
    step: int = 1
    decimals: int = 0
    shape: tuple[int, int] = (0, 0)
    expression: sympy.Basic | None = None

    @property
    def is_drawn(self) -> bool:
        return self.kind != "derived"


@dataclass(frozen=True)
class ParamValues:
    """One variant's values: ``display`` for templates and solvers, ``exact`` for sympy."""

    display: dict[str, Any]
    exact: dict[str, Any]

    def substitution(self) -> dict[sympy.Symbol, Any]:
        return {symbol(name): value for name, value in self.exact.items() if value is not None}


def parse_param(name: str, raw: Any, names: list[str], where: Location) -> ParamSpec:
    """Build a ParamSpec from its YAML form; ``names`` are all parameter names."""

    def fail(reason: str) -> BankError:
        return BankError(f"parameter '{name}': {reason}", where)

    if not isinstance(raw, dict):
        if isinstance(raw, (int, float, str)) and not isinstance(raw, bool):
            return ParamSpec(name, "constant", values=(_number_or_text(raw),))
        raise fail("expected a value or a mapping such as {range: [1, 5]}")
    kinds = [key for key in ("choice", "range", "uniform", "matrix", "derived") if key in raw]
    if kinds == ["range", "matrix"]:
        kinds = ["matrix"]
    if len(kinds) != 1:
        raise fail("give exactly one of choice, range, uniform, matrix or derived")
    kind = kinds[0]
    allowed = {"choice": {"choice"}, "range": {"range", "step"}, "uniform": {"uniform", "decimals"},
               "matrix": {"matrix", "range"}, "derived": {"derived"}}[kind]
    unknown = set(raw) - allowed
    if unknown:
        raise fail(f"unknown setting(s) {', '.join(sorted(map(str, unknown)))} for a {kind} parameter")
    if kind == "choice":
        values = raw["choice"]
        if not isinstance(values, list) or not values:
            raise fail("choice needs a non-empty list")
        return ParamSpec(name, "choice", values=tuple(_number_or_text(v) for v in values))
    if kind == "derived":
        text = raw["derived"]
        if not isinstance(text, (str, int, float)):
            raise fail("derived needs an expression")
        try:
            expression = parse_expression(str(text), variables=names, trusted=True)
        except FormatError as exc:
            raise fail(f"derived expression: {exc.message}") from exc
        return ParamSpec(name, "derived", expression=expression)
    bounds = raw["range"] if kind in ("range", "matrix") else raw["uniform"]
    if not (isinstance(bounds, list) and len(bounds) == 2 and all(_is_number(b) for b in bounds)):
        raise fail(f"{'range' if kind != 'uniform' else 'uniform'} needs [low, high]")
    if kind == "uniform":
        decimals = raw.get("decimals", 2)
        if not isinstance(decimals, int) or not 0 <= decimals <= 12:
            raise fail("decimals must be a whole number from 0 to 12")
        low, high = (Decimal(str(b)) for b in bounds)
        if low > high:
            raise fail("low is greater than high")
        return ParamSpec(name, "uniform", low=low, high=high, decimals=decimals)
    low, high = bounds
    if not all(isinstance(b, int) for b in bounds) or low > high:
        raise fail("range needs whole numbers [low, high] with low <= high")
    if kind == "matrix":
        shape = raw["matrix"]
        if not (isinstance(shape, list) and len(shape) == 2 and all(isinstance(s, int) and s > 0 for s in shape)):
            raise fail("matrix needs a shape [rows, columns]")
        if shape[0] * shape[1] > MAX_MATRIX_CELLS:
            raise fail(f"matrix has more than {MAX_MATRIX_CELLS} entries")
        return ParamSpec(name, "matrix", low=low, high=high, shape=(shape[0], shape[1]))
    step = raw.get("step", 1)
    if not isinstance(step, int) or step <= 0:
        raise fail("step must be a positive whole number")
    return ParamSpec(name, "range", low=low, high=high, step=step)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number_or_text(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def exact_value(value: Any) -> Any:
    """The sympy value of a display value (None for text, which sympy cannot use)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, Decimal):
        return sympy.Rational(str(value))
    if isinstance(value, list):
        return mutable_integer_matrix(value) if integer_rows(value) else sympy.Matrix(value)
    return None


def display_value(value: sympy.Basic) -> Any:
    if isinstance(value, sympy.MatrixBase):
        return [[display_value(v) for v in row] for row in value.tolist()]
    if value.is_Integer:
        return int(value)
    if value.is_Rational:
        return Decimal(int(value.p)) / Decimal(int(value.q))
    if value.is_number:
        return Decimal(str(sympy.N(value, 15)))
    raise ValueError(f"not a number: {value}")


def draw_one(spec: ParamSpec, draws: Draws, label: str) -> Any:
    if spec.kind == "constant":
        return spec.values[0]
    if spec.kind == "choice":
        return spec.values[draws.below(len(spec.values), label)]
    if spec.kind == "range":
        count = (spec.high - spec.low) // spec.step + 1
        return spec.low + spec.step * draws.below(count, label)
    if spec.kind == "uniform":
        unit = Decimal(1).scaleb(-spec.decimals)
        count = int((spec.high - spec.low) / unit) + 1
        return (spec.low + unit * draws.below(count, label)).quantize(unit)
    if spec.kind == "matrix":
        rows, cols = spec.shape
        cells = draws.many_below(spec.high - spec.low + 1, rows * cols, label)
        return [[spec.low + cells[r * cols + c] for c in range(cols)] for r in range(rows)]
    raise AssertionError(spec.kind)


def derived_order(specs: dict[str, ParamSpec]) -> list[str]:
    """Derived parameters in an order where each comes after what it uses."""
    pending = {name: spec for name, spec in specs.items() if spec.kind == "derived"}
    order: list[str] = []
    while pending:
        ready = sorted(
            name for name, spec in pending.items()
            if all(name not in pending for name in names_of(spec.expression))
        )
        if not ready:
            raise ValueError("derived parameters depend on each other in a cycle: " + _cycle(pending))
        order.extend(ready)
        for name in ready:
            del pending[name]
    return order


def _cycle(pending: dict[str, ParamSpec]) -> str:
    """One cycle among the derived parameters left, written a -> b -> a."""
    path, name = [], sorted(pending)[0]
    while name not in path:
        path.append(name)
        name = sorted(str(s) for s in pending[name].expression.free_symbols if str(s) in pending)[0]
    return " -> ".join(path[path.index(name):] + [name])


def draw_values(
    specs: dict[str, ParamSpec], constraints: list[tuple[str, sympy.Basic]], draws: Draws
) -> tuple[ParamValues, int]:
    """Draw until every constraint holds; return the values and the attempt used.

    Raises ValueError naming the constraint that was never met.
    """
    order, early, drawn, memo = _plan(specs, constraints)
    failures: dict[str, int] = {}
    for attempt in range(MAX_ATTEMPTS):
        display = {name: draw_one(spec, draws, f"{attempt}:{name}") for name, spec in drawn}
        exact = {name: exact_value(value) for name, value in display.items()}
        values = ParamValues(display, exact)
        key = _drawn_key(display) if memo is not None else None
        known = memo.get(key) if key is not None else None
        if known is not None:  # these drawn values were derived and checked before: the same outcome
            failed, derived_exact, derived_display = known
            exact.update(derived_exact)
            display.update(derived_display)
            if failed is None:
                return values, attempt
            failures[failed] = failures.get(failed, 0) + 1
            continue
        failed = next((text for text, rule in early if evaluate(rule, values.exact) is not sympy.true), None)
        if failed is not None:
            failures[failed] = failures.get(failed, 0) + 1
            _remember(memo, key, (failed, {}, {}))
            continue
        for name in order:
            result = derive(name, specs[name], values)
            exact[name] = result
            display[name] = display_value(result)
        failed = next((text for text, rule in constraints if evaluate(rule, values.exact) is not sympy.true), None)
        if key is not None and not any(isinstance(display[name], list) for name in order):
            _remember(memo, key, (failed, {name: exact[name] for name in order}, {name: display[name] for name in order}))
        if failed is None:
            return values, attempt
        failures[failed] = failures.get(failed, 0) + 1
    worst = max(failures, key=failures.get)
    raise ValueError(f"constraint '{worst}' could not be met in {MAX_ATTEMPTS} draws; widen the ranges or fix the rule")


# Per question (its params dict and rules, by identity): its plan, and drawn values -> (the rule that failed or None, the
# derived exact values, their display values). Derivation and rules are pure functions of the drawn values'
# exact values, and equal display values of one type have equal exact values.
_DERIVED: dict[int, tuple[Any, Any, tuple]] = {}
_MAX_DERIVED = 4096  # per question
_MAX_QUESTIONS = 256


def _plan(specs: dict[str, ParamSpec], constraints: list) -> tuple[list[str], list, list, dict | None]:
    """(the derived parameters in order, the rules on drawn parameters alone, the drawn (name, spec) pairs,
    the outcomes remembered by drawn values or None); made once per question with the fast paths."""
    entry = _DERIVED.get(id(specs)) if speed.FAST else None
    if entry is not None and entry[0] is specs and entry[1] is constraints:
        return entry[2]
    order = derived_order(specs)  # raises for a cycle, every time
    drawn = [(name, spec) for name, spec in specs.items() if spec.is_drawn]
    names = {name for name, _ in drawn}
    # Rules on drawn parameters alone are checked before deriving, so a where: rule can exclude the draws
    # for which a derived parameter is undefined. The accepted draw is the same either way.
    early = [(text, rule) for text, rule in constraints if set(names_of(rule)) <= names]
    if not speed.FAST:
        return order, early, drawn, None
    memo = {} if order or constraints else None  # nothing to derive or check: nothing to remember
    if len(_DERIVED) >= _MAX_QUESTIONS:
        _DERIVED.pop(next(iter(_DERIVED)))
    _DERIVED[id(specs)] = (specs, constraints, (order, early, drawn, memo))
    return order, early, drawn, memo


def _drawn_key(display: dict[str, Any]) -> tuple | None:
    """The drawn values as a key (each with its type: True and 1 have different exact values); None for a
    matrix parameter (a list), whose variants are too many to remember anyway."""
    key = []
    for value in display.values():
        if isinstance(value, list):
            return None
        key.append((type(value), value))
    return tuple(key)


def _remember(memo: dict | None, key: tuple | None, outcome: tuple) -> None:
    if memo is not None and key is not None and len(memo) < _MAX_DERIVED:
        memo[key] = outcome


def fixed_values(specs: dict[str, ParamSpec], given: dict[str, Any]) -> ParamValues:
    """Values for a question test: given drawn values, derived ones computed."""
    display = {name: _number_or_text(value) for name, value in given.items()}
    exact = {name: exact_value(value) for name, value in display.items()}
    values = ParamValues(display, exact)
    for name in derived_order(specs):
        if name in given:
            continue
        result = derive(name, specs[name], values)
        exact[name] = result
        display[name] = display_value(result)
    return values


def derive(name: str, spec: ParamSpec, values: ParamValues) -> sympy.Basic:
    """One derived parameter's value; ValueError naming the draw when it is undefined."""
    result = evaluate(spec.expression, values.exact)  # exact, compiled once per expression
    drawn = ", ".join(f"{k}={v}" for k, v in values.display.items() if v is not None)
    if result.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise ValueError(f"derived parameter '{name}' divides by zero (or is undefined) when {drawn}; "
                         "add a where: rule that excludes it")
    if not result.is_number:
        raise ValueError(f"derived parameter '{name}' did not evaluate to a number (got {result})")
    if isinstance(result, sympy.Expr) and result.is_extended_real is False:
        raise ValueError(f"derived parameter '{name}' is not a real number when {drawn} (got {result})")
    return result
