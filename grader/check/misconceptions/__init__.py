"""The misconception engine: a wrong answer explained by a plausible wrong computation.

``explain`` runs after the declared mistakes, only for wrong answers. It
builds candidates from the reference of the student's own variant (one
module per answer family: formulas, numbers, matrices, choices, text),
evaluates them numerically within a budget, and names one (or a pair) only
when nothing else explains the answer equally well. Notes are stable
across variants (``derived:drop-term:+1``), so class statistics count them.
It may import ``grader.check`` and ``grader.core`` only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from itertools import chain
from typing import Any

from grader.check.base import Checker, Diagnosis
from grader.check.matrix_precision import PreciseMatrix
from grader.check.misconceptions.candidates import Budget, Candidate, as_diagnosis, matching, name
from grader.check.misconceptions.formulas import formula_candidates
from grader.check.misconceptions.matrices import matrix_candidates, relation_diagnosis
from grader.check.misconceptions.numbers import number_candidates
from grader.check.misconceptions.text import text_diagnosis
from grader.check.numbers import NumberText

__all__ = ["Candidate", "explain", "candidates_for", "pair_of_mistakes"]
MAX_NAMED = 2
MAX_ROUNDED_MENTIONED = 3  # explanations that need rounding, mentioned beside an exact one


def pair_of_mistakes(mistakes: list[Mapping[str, Any]]) -> Diagnosis:
    """Declared mistakes that give the same answer on this variant: named together, notes sorted."""
    named = name([Diagnosis(m["note"], m["feedback"]) for m in mistakes])
    return named or Diagnosis("incorrect", "")


def _as_given(value: Any, spec: Mapping[str, Any]) -> Any:
    """A candidate value in the form a parsed answer has, so the checker's own comparison applies."""
    if spec["type"] == "number":
        return NumberText(value)
    if spec["type"] == "integer":
        return int(value)
    return value


def candidates_for(checker: Checker, spec: Mapping[str, Any], budget: Budget,
                   near: Callable[[float], bool] | None = None) -> Iterator[Candidate]:
    """Every candidate for the part on this variant (``near``: an optional pre-test against the answer)."""
    kind = spec["type"]
    streams: list[Iterator[Candidate]] = []
    if kind in ("integer", "number", "expression"):
        streams.append(formula_candidates(dict(spec), checker, budget))
    if kind in ("integer", "number"):
        streams.append(number_candidates(dict(spec), checker, near))
    if kind == "matrix":
        streams.append(matrix_candidates(dict(spec)))
    return chain(*streams)


def _exact(spec: Mapping[str, Any]) -> bool:
    return spec["type"] == "number" and bool(spec.get("exact"))


def same_value(checker: Checker, spec: Mapping[str, Any]):
    def same(a: Any, b: Any) -> bool:
        if (isinstance(a, Fraction) and isinstance(b, Fraction)) or _exact(spec):
            return a == b
        return checker.matches(_as_given(a, spec), b, spec)
    return same


def _near(value: Any, spec: Mapping[str, Any]) -> Callable[[float], bool] | None:
    """A generous float pre-test for number candidates (the exact comparison comes after)."""
    if spec["type"] not in ("integer", "number") or getattr(value, "free_symbols", None):
        return None  # float() of a matrix or a formula would evaluate it whole: max() of 38 powers takes minutes
    try:
        given = float(value.value if isinstance(value, NumberText) else value)
    except (TypeError, ValueError, OverflowError):
        return None
    # at least the number checker's default tolerance (1e-3): a pre-test may let too much through, never too little
    rtol = max(float(spec.get("rtol", 0) or 0), 1e-3) * 4
    atol = max(float(spec.get("atol", 0) or 0), 1e-9) * 4
    if spec.get("sigfigs"):
        rtol = max(rtol, 10.0 ** (1 - int(spec["sigfigs"])))
    if spec.get("decimals") is not None:
        atol = max(atol, 10.0 ** -int(spec["decimals"]))
    return lambda candidate: abs(candidate - given) <= max(rtol * max(abs(candidate), abs(given)), atol)


def _explains(checker: Checker, value: Any, spec: Mapping[str, Any]):
    if _exact(spec):  # an exact part: a candidate explains the answer only exactly
        return lambda candidate: value.value == candidate
    return lambda candidate: checker.matches(value, candidate, spec)


def explain(checker: Checker, value: Any, spec: Mapping[str, Any], declared: Diagnosis | None = None,
            budget: Budget | None = None) -> Diagnosis | None:
    """Name the wrong computation behind ``value`` (a parsed wrong answer), or None.

    ``declared`` is the declared mistake the answer matched, if any: it is named unless another
    explanation gives the same answer here, and then both are named (or, past two, none).
    """
    kind = spec["type"]
    if kind == "text":
        return declared or text_diagnosis(str(value), spec)
    if kind not in ("integer", "number", "expression", "matrix") or spec.get("answer") is None:
        return declared
    if isinstance(value, PreciseMatrix):
        return declared  # judged cell by cell by its figures: that feedback already says which cells are wrong
    reference = spec["answer"]
    if kind == "matrix" and 1 in reference.shape and value.shape == reference.shape[::-1] != reference.shape \
            and checker.matches(value, reference.T, spec):
        return declared  # a row for a column vector: the matrix checker names the orientation itself
    if declared and kind == "matrix":
        # Whole matrices coincide by structure, not by chance: the transpose of a Toeplitz matrix is its
        # flipped kernel. A matrix equal to a declared mistake is that mistake, as the author explained it.
        return declared
    budget = budget or Budget()
    named = dict(spec.get("derived_feedback") or {})
    explanations = [declared] if declared else []
    taken = set(declared.note.split(" | ")) if declared else set()
    limit = MAX_NAMED - len(taken)
    found = matching(candidates_for(checker, spec, budget, _near(value, spec)), _explains(checker, value, spec), same_value(checker, spec),
                     spec["answer"], budget, taken, max(limit, 0))
    exact = [as_diagnosis(candidate, named) for candidate in found if not candidate.weak]
    rounded = [as_diagnosis(candidate, named) for candidate in found if candidate.weak]
    if declared and len(taken) > MAX_NAMED - 1 and exact:
        return None  # a pair of declared mistakes and yet another explanation: too many to name
    explanations += exact
    if explanations and rounded:
        # An explanation that needs rounding never hides an exact one, but the student hears of it too.
        diagnosis = name(explanations)
        if diagnosis is None:
            return None
        also = " Or: ".join(d.message for d in rounded[:MAX_ROUNDED_MENTIONED])
        return Diagnosis(diagnosis.note, f"{diagnosis.message} (Rounded, this also gives your answer: {also})")
    explanations += rounded
    if not explanations and kind == "matrix":
        relation = relation_diagnosis(value, spec["answer"], lambda a, b: checker.matches(a, b, spec))
        if relation:
            code, message = relation
            return Diagnosis(f"derived:{code}", named.get(code, message))
    return name(explanations)
