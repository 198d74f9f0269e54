"""What the misconception engine needs from a variant, beside the resolved references.

The reference formula (the compiled tree, before the variant's values go in)
and the values themselves, so mistakes can be derived by mutating it; the
mistake variants a solver declares beside itself (``conv_output_size__no_stride``),
evaluated on the variant like declared mistakes; and declared mistakes
whose value cannot be an answer here (a fraction for a whole-number part),
kept so a rounded version of them is still named.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy

from grader.bank.model import Bank, Mistake, Part
from grader.bank.params import ParamValues
from grader.bank.solve import evaluate_answer
from grader.bank.templates import render

SOLVER_VARIANT_SEPARATOR = "__"


def formula_of(answer: Any, values: ParamValues, mistakes: tuple[Mistake, ...] = ()) -> dict[str, Any] | None:
    """The reference formula and the variant's values of its symbols and of the declared mistakes' formulas
    (all that the misconception engine substitutes), when the answer is an expression."""
    if not isinstance(answer, sympy.Basic):
        return None
    symbols = set(answer.free_symbols)
    for mistake in mistakes:
        if isinstance(mistake.answer, sympy.Basic):
            symbols |= mistake.answer.free_symbols
    return {"tree": answer, "values": {s: v for s, v in values.substitution().items() if s in symbols}}


def solver_variants(bank: Bank, part: Part) -> list[Mistake]:
    """Mistake variants of the part's solver, named ``<solver>__<variant>`` in the solver module."""
    answer = part.answer
    if not isinstance(answer, dict) or "solver" not in answer or bank.solvers is None:
        return []
    prefix = answer["solver"] + SOLVER_VARIANT_SEPARATOR
    found = []
    for name in sorted(dir(bank.solvers)):
        function = getattr(bank.solvers, name)
        if name.startswith(prefix) and callable(function):
            doc = (function.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
            note = name[len(prefix):].replace("_", "-")
            found.append(Mistake({"solver": name, "args": answer.get("args") or []}, doc or f"Mistake: {note}.",
                                 note))
    return found


def inexact_mistake(mistake: Mistake, values: ParamValues, bank: Bank) -> dict[str, Any] | None:
    """A declared mistake whose value this part cannot take, kept for 'a rounded version of it'."""
    try:
        raw = evaluate_answer(mistake.answer, values, bank.solvers)
    except Exception:
        return None
    if isinstance(raw, (int, float, Fraction)) and not isinstance(raw, bool):
        raw = sympy.nsimplify(raw) if isinstance(raw, float) else sympy.Rational(raw)
    if isinstance(raw, sympy.Basic) and raw.is_number:
        return {"answer": raw, "note": mistake.note, "feedback": render(mistake.feedback, values.display)}
    return None
