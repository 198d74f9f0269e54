"""Resolved part specs, remembered per loaded bank by the variant's parameter values.

A part's resolved spec (its reference, its mistakes and their rendered feedback) is a pure function of
the part and the variant's parameter values, and for a choice part of the order of its options, which
is the student's own draw: that order is part of the key. Students share parameter values often
(three choices for each of three parameters make at most 27 variants, three options six orders), so
each distinct spec is resolved with sympy once per process instead of once per student.

It can never serve a stale spec: the cache belongs to one ``Bank`` object (reloading an edited bank
starts an empty one, and it goes away with the bank), and every entry remembers the ``Part`` object it
was made from, so a part replaced in place is resolved again. Each part keeps at most
``MAX_PER_PART`` entries, which bounds memory however many students a process grades.

Each remembered spec also remembers the checks made against it (``check_memo``): a check, and the part's
whole result (points, the answer capped, the reference as typed), is a pure function of the resolved
spec and the typed text, and the students who share a variant mostly type the same few answers (the
right one, the usual mistakes, a blank), so each distinct answer to a variant is checked once per
process, at most ``MAX_CHECKS`` of them, and its students share one result object.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from grader.bank.params import ParamValues
from grader.core import speed

MAX_PER_PART = 512
MAX_CHECKS = 256

Resolver = Callable[[], dict[str, Any]]
# bank id -> (question id, part id) -> (the Part, values key -> spec, values key -> {typed text: result}, the
# parameters the spec depends on)
_caches: dict[int, dict[tuple[str, str], tuple[Any, dict[tuple, dict[str, Any]], dict[tuple, dict[Any, Any]],
                                                frozenset[str] | None]]] = {}


def _bank_cache(bank: Any) -> dict:
    key = id(bank)
    cache = _caches.get(key)
    if cache is None:
        cache = _caches[key] = {}
        weakref.finalize(bank, _caches.pop, key, None)
    return cache


def values_key(values: ParamValues, option_numbers: tuple[int, ...] | None = None,
               names: frozenset[str] | None = None) -> tuple:
    """The key of a spec: the values of the parameters in ``names`` (all when None) and the option order."""
    # repr keeps what equality would merge but templates print differently (Decimal('1.0') vs '1.00').
    key = tuple((name, repr(value)) for name, value in values.display.items() if names is None or name in names)
    return key if option_numbers is None else (*key, option_numbers)


def cached_spec(bank: Any, question_id: str, part: Any, values: ParamValues, resolve: Resolver,
                option_numbers: tuple[int, ...] | None = None, read_only: bool = False) -> dict[str, Any]:
    """``resolve()``'s spec for these values, computed once; the caller gets its own copy (with ``read_only``,
    the remembered spec itself, which it must never change). A choice part's spec also depends on the order
    of its options (``option_numbers``: the bank's numbers in that order)."""
    if not speed.FAST or part.type == "code":  # code cases hold numpy arrays handed to student code: never shared
        return resolve()
    _, specs, checks, names = _slot(bank, question_id, part)
    key = values_key(values, option_numbers, names)
    spec = specs.get(key)
    if spec is None:
        spec = resolve()
        if len(specs) >= MAX_PER_PART:
            oldest = next(iter(specs))  # a part with more variants than this gains little anyway
            specs.pop(oldest)
            checks.pop(oldest, None)
        specs[key] = spec
    return spec if read_only else copy_spec(spec)


def _slot(bank: Any, question_id: str, part: Any) -> tuple:
    """(the Part, key -> spec, key -> checks, the parameters its spec depends on)."""
    per_part = _bank_cache(bank)
    slot = per_part.get((question_id, part.id))
    if slot is None or slot[0] is not part:
        slot = per_part[(question_id, part.id)] = (part, {}, {}, _parameters(bank, question_id, part))
    return slot


def _parameters(bank: Any, question_id: str, part: Any) -> frozenset[str] | None:
    from grader.bank.dependencies import part_parameters
    from grader.bank.mistake_sources import solver_variants

    question = getattr(bank, "by_id", {}).get(question_id)
    if question is None or all(p is not part for p in question.parts):
        return None  # not this bank's part: keyed on every value
    return part_parameters(question, part, tuple(solver_variants(bank, part)))


def check_memo(bank: Any, question_id: str, part: Any, values: ParamValues,
               spec: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The checks made against this variant's remembered spec (typed text or None -> PartResult), for the caller
    to read and add to (``remember``); None when the spec is not remembered (a code part, the fast paths
    off). ``spec``: the variant's spec, whose options give a choice part's order."""
    if not speed.FAST or part.type == "code":
        return None
    options = (spec or {}).get("options")
    if "options" in part.settings and not options:
        return None  # the order of its options is not known
    _, specs, checks, names = _slot(bank, question_id, part)
    key = values_key(values, tuple(option["number"] for option in options) if options else None, names)
    if key not in specs:
        return None
    return checks.setdefault(key, {})


def remember(memo: dict[str, Any], raw: str, check: Any) -> None:
    if len(memo) < MAX_CHECKS:
        memo[raw] = check


def copy_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy a caller may change: the dict, its lists and the dicts in them (references are immutable)."""
    copied = {}
    for name, value in spec.items():
        if isinstance(value, list):
            value = [dict(item) if isinstance(item, dict) else item for item in value]
        elif isinstance(value, dict):
            value = dict(value)
        copied[name] = value
    return copied


def clear() -> None:
    _caches.clear()
