"""Which parameters a part's resolved spec depends on, found in the part's own definition.

A question's parts often use different parameters: in "output size as the kernel grows" the formula
part uses none (its H and K are the formula's variables), one integer part uses H alone, another H and
K. A part's spec (reference, mistakes, rendered feedback and option texts) is a function of the values
of the parameters its definition names, so variants that agree on those share one spec, and the
checks made against it (``grader.bank.resolved_cache``).

The names are collected conservatively: every identifier in every text of the part (templates, option
texts, feedback, numpy code), every symbol of its sympy trees and every name a compiled numpy answer
refers to; a derived parameter brings the parameters it is computed from. Anything of another kind in
the definition makes the answer "all of the question's parameters", as without this analysis.
"""

from __future__ import annotations

import re
import types
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from grader.bank.model import Mistake, Part, Question

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Unknown(Exception):
    """A value whose use of the parameters this analysis cannot see."""


def part_parameters(question: Question, part: Part, extra_mistakes: tuple[Mistake, ...] = ()) -> frozenset[str]:
    """The names of the question's parameters that ``part``'s spec can depend on (all of them when unsure).

    ``extra_mistakes``: mistakes that come from elsewhere (a solver's declared variants).
    """
    names: set[str] = set()
    try:
        _collect(part.answer, names)
        for mistake in (*part.mistakes, *extra_mistakes):
            _collect(mistake.answer, names)
            _collect(mistake.feedback, names)
        _collect(part.settings, names)
    except (_Unknown, RecursionError):
        return frozenset(question.params)
    used = names & set(question.params)
    pending = list(used)
    while pending:  # a derived parameter's display value is rounded: key on what it is computed from too
        spec = question.params[pending.pop()]
        if spec.kind == "derived" and spec.expression is not None:
            for name in (str(symbol) for symbol in spec.expression.free_symbols):
                if name in question.params and name not in used:
                    used.add(name)
                    pending.append(name)
    return frozenset(used)


def _collect(value: Any, names: set[str]) -> None:
    if value is None or isinstance(value, (bool, int, float, complex, Decimal, Fraction)):
        return
    if isinstance(value, str):
        names.update(_IDENTIFIER.findall(value))
    elif isinstance(value, sympy.MatrixBase):
        for cell in value:
            _collect(cell, names)
    elif isinstance(value, sympy.Basic):
        names.update(str(symbol) for symbol in value.free_symbols)
        names.update(str(function.func) for function in value.atoms(sympy.Function))
    elif isinstance(value, types.CodeType):  # a compiled {numpy: ...} answer: every name it refers to
        names.update(value.co_names)
        names.update(value.co_varnames)
        for constant in value.co_consts:
            _collect(constant, names)
    elif isinstance(value, dict):
        for key, item in value.items():
            _collect(key, names)
            _collect(item, names)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _collect(item, names)
    elif isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        return
    elif isinstance(value, Mistake):
        _collect(value.answer, names)
        _collect(value.feedback, names)
    else:
        raise _Unknown(type(value).__name__)
