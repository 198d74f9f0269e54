"""Test points drawn once per part, and each expression evaluated once at them.

Checking one expression answer compares it with the reference, then with each declared mistake, then
diagnoses it: before, every comparison drew the part's test points again (SHA-256 per coordinate) and
walked both sympy trees again. The points depend only on the part's variables, domain and count, and
an expression's values at them only on the expression (sympy trees are immutable), so both are
remembered; a reference shared by many students' variants is evaluated once for all of them. The
values are computed by the same tree walk as before, so every verdict and diagnosis is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from grader.core import speed

_CACHE_SIZE = 1024

Points = list[dict[Any, complex]]
_points: dict[tuple, Points] = {}
_values: dict[tuple[int, int], tuple[Any, Points, list[complex | None]]] = {}


def points_key(spec: Mapping[str, Any]) -> tuple:
    return (tuple(spec.get("variables") or ()), repr(spec.get("domain") or {}), repr(spec.get("points")))


def remembered_points(spec: Mapping[str, Any], draw: Callable[[Mapping[str, Any]], Points]) -> Points:
    """``draw(spec)``, once per distinct (variables, domain, count)."""
    if not speed.FAST:
        return draw(spec)
    key = points_key(spec)
    points = _points.get(key)
    if points is None:
        if len(_points) >= _CACHE_SIZE:
            _points.pop(next(iter(_points)))
        points = _points[key] = draw(spec)
    return points


def values_at(expression: Any, points: Points, evaluate: Callable[[Any, dict], complex | None]
              ) -> list[complex | None]:
    """``[evaluate(expression, p) for p in points]``, once per (expression, points)."""
    if not speed.FAST:
        return [evaluate(expression, point) for point in points]
    key = (id(expression), id(points))
    entry = _values.get(key)
    if entry is not None and entry[0] is expression and entry[1] is points:
        return entry[2]
    values = [evaluate(expression, point) for point in points]
    if len(_values) >= _CACHE_SIZE:
        _values.pop(next(iter(_values)))
    _values[key] = (expression, points, values)  # holding both keeps their ids from being reused
    return values


_printed: dict[int, tuple[Any, str]] = {}


def printed(expression: Any, print_text: Callable[[Any], str]) -> str:
    """``print_text(expression)``, once per expression object (the same answer is typed by many)."""
    if not speed.FAST:
        return print_text(expression)
    entry = _printed.get(id(expression))
    if entry is not None and entry[0] is expression:
        return entry[1]
    text = print_text(expression)
    if len(_printed) >= _CACHE_SIZE:
        _printed.pop(next(iter(_printed)))
    _printed[id(expression)] = (expression, text)
    return text


def clear() -> None:
    _printed.clear()
    _points.clear()
    _values.clear()
