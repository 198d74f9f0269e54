"""Formula mistakes: one-step mutations of the reference's expression tree.

The reference (``answer: (I - F + 2*P)/S + 1``) is an instructor-written
sympy tree over the parameters. Each mutation is a mistake students make
when they write the formula down: a term left out, a coefficient lost, two
parameters swapped, a power or a division misread, a sign flipped, a whole
number rounded the wrong way. Every mutated tree is evaluated numerically
on the variant's values (``xreplace`` then number arithmetic); nothing is
simplified symbolically, and student text never reaches this module.
The same mutations of each declared mistake give two-step candidates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import combinations
from typing import Any

import sympy

from grader.check.compiled import evaluate, exact_value
from grader.check.misconceptions.candidates import Budget, Candidate
from grader.core import speed

Path = tuple[int, ...]
#: the mutations also tried on a declared mistake (two steps); swaps, sign flips and an added 1 there are
#: mostly noise that would crowd out the one-step explanations
TWO_STEP_KINDS = ("drop-term:", "coefficient:", "power:", "drop-factor:", "floor:", "ceil:")
Mutation = tuple[str, str, sympy.Basic]  # (stable code, description, mutated tree)


def typed(expression: sympy.Basic) -> str:
    """A formula as a reader writes it: 2·P, H^2, no Python operators."""
    text = sympy.sstr(expression)
    text = text.replace("**", "^")
    text = re.sub(r"(?<![\w.])(\d+)\*(?=[A-Za-z(])", "\\1·", text)
    return text.replace("*", "·")


def _code(expression: sympy.Basic) -> str:
    return sympy.sstr(expression).replace(" ", "")


def _signed(term: sympy.Basic) -> tuple[str, str]:
    """(code, shown) for a term of a sum, with its sign: '+1', '-F', '+2*P'."""
    code = _code(term)
    shown = typed(term)
    if not code.startswith("-"):
        code, shown = "+" + code, "+" + shown
    return code, shown


def _walk(tree: sympy.Basic, path: Path = ()) -> Iterator[tuple[Path, sympy.Basic, sympy.Basic | None]]:
    yield from _walk_from(tree, path, None)


def _walk_from(node: sympy.Basic, path: Path, parent: sympy.Basic | None):
    yield path, node, parent
    if node.is_Atom:
        return
    for index, child in enumerate(node.args):
        yield from _walk_from(child, path + (index,), node)


def _replace(tree: sympy.Basic, path: Path, new: sympy.Basic) -> sympy.Basic:
    if not path:
        return new
    args = list(tree.args)
    args[path[0]] = _replace(args[path[0]], path[1:], new)
    return tree.func(*args)


def _without(node: sympy.Basic, index: int) -> sympy.Basic:
    rest = node.args[:index] + node.args[index + 1:]
    return node.func(*rest) if rest else (sympy.Integer(0) if node.is_Add else sympy.Integer(1))


def mutations(tree: sympy.Basic) -> Iterator[Mutation]:
    """Every one-step mutation of ``tree``, most common mistakes first, each code stable across variants."""
    for path, node, parent in _walk(tree):
        if node.is_Add:
            for index, term in enumerate(node.args):
                code, shown = _signed(term)
                yield f"drop-term:{code}", f"the term {shown} left out", _replace(tree, path, _without(node, index))
                if not term.is_Number:
                    yield (f"sign:{code}", f"the sign of {shown} flipped",
                           _replace(tree, path, node - 2 * term))
        if node.is_Mul:
            coefficient, rest = node.as_coeff_Mul()
            if coefficient.is_Rational and abs(coefficient) != 1 and not rest.is_Number:
                unit = rest if coefficient > 0 else -rest
                yield (f"coefficient:{_code(node)}->{_code(unit)}", f"{typed(node)} replaced by {typed(unit)}",
                       _replace(tree, path, unit))
                if parent is None or not parent.is_Add:
                    yield (f"coefficient:{_code(node)}->0", f"{typed(node)} taken as 0",
                           _replace(tree, path, sympy.Integer(0)))
            for index, factor in enumerate(node.args):
                if factor.is_Symbol:
                    yield (f"drop-factor:{factor}", f"the factor {factor} left out",
                           _replace(tree, path, _without(node, index)))
                    yield (f"mul-as-div:{factor}", f"divided by {factor} instead of multiplied",
                           _replace(tree, path + (index,), 1 / factor))
            if any(arg.is_Pow and arg.exp.is_negative for arg in node.args):
                yield (f"floor:{_code(node)}", f"{typed(node)} rounded down",
                       _replace(tree, path, sympy.floor(node)))
                yield (f"ceil:{_code(node)}", f"{typed(node)} rounded up",
                       _replace(tree, path, sympy.ceiling(node)))
        if node.is_Pow:
            base, exponent = node.args
            if exponent == -1:
                yield f"div-as-mul:{_code(base)}", f"multiplied by {typed(base)} instead of divided", \
                    _replace(tree, path, base)
            elif exponent.is_Integer and abs(exponent) > 1:
                smaller = base if exponent > 0 else 1 / base
                yield (f"power:{_code(node)}->{_code(smaller)}", f"{typed(node)} taken as {typed(smaller)}",
                       _replace(tree, path, smaller))
        if node.func in (sympy.floor, sympy.ceiling):
            other = sympy.ceiling if node.func is sympy.floor else sympy.floor
            word = "up" if other is sympy.ceiling else "down"
            yield f"{other.__name__}-not-{node.func.__name__}", f"the result rounded {word}", \
                _replace(tree, path, other(node.args[0]))
            yield f"no-{node.func.__name__}", "the rounding left out", _replace(tree, path, node.args[0])
    yield "add:+1", "one more +1", tree + 1
    yield "add:-1", "an extra -1", tree - 1
    names = sorted(tree.free_symbols, key=str)
    for first, second in combinations(names, 2):
        yield (f"swap:{first},{second}", f"{first} and {second} swapped",
               tree.xreplace({first: second, second: first}))


@lru_cache(maxsize=1024)
def _remembered_mutations(tree: sympy.Basic) -> tuple[Mutation, ...]:
    """The mutations of a bank formula: the same tree for every student, so they are built (and printed) once."""
    return tuple(mutations(tree))


def clear() -> None:
    _remembered_mutations.cache_clear()


def _mutations(tree: sympy.Basic) -> Iterator[Mutation] | tuple[Mutation, ...]:
    return _remembered_mutations(tree) if speed.FAST else mutations(tree)


def formula_candidates(spec: dict[str, Any], checker: Any, budget: Budget) -> Iterator[Candidate]:
    """Candidates from the reference formula and, two steps away, from each declared mistake's formula."""
    formula = spec.get("formula")
    if not formula:
        return
    substitution = formula["values"]
    exact = {str(symbol): value for symbol, value in substitution.items()} if speed.FAST else None
    sources = [("", "Your answer matches the formula with {what}.", formula["tree"], None)]
    for mistake in spec.get("mistakes") or ():
        if mistake.get("formula") is not None:
            sources.append((mistake["note"] + "+", mistake["feedback"] + " Also, your answer has {what}.",
                            mistake["formula"], mistake["answer"]))
    # a mutation that gives a declared mistake's formula is that declared mistake, not a rival to it
    seen_trees: set[sympy.Basic] = {tree for _, _, tree, _ in sources}
    for prefix, sentence, tree, parent_value in sources:
        for code, what, mutated in _mutations(tree):
            if budget.left <= 0:
                return
            if prefix and not code.startswith(TWO_STEP_KINDS):
                continue
            if mutated in seen_trees:  # two mutations that give the same formula are one mistake
                continue
            seen_trees.add(mutated)
            value = _evaluate(mutated, substitution, checker, spec, exact)
            if parent_value is not None and _equal(value, parent_value):
                continue  # the second step changes nothing on this variant: it is just the declared mistake
            yield Candidate(prefix + code, sentence.format(what=what), value)


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False


def _evaluate(tree: sympy.Basic, substitution: dict, checker: Any, spec: dict[str, Any],
              exact: dict[str, Any] | None = None) -> Any:
    """The mutated formula on this variant, in the checker's reference form (None when it has no value).

    ``exact`` (the values by name) computes it in exact Python arithmetic where that gives what
    ``xreplace`` gives (``check/compiled.py``), and through sympy otherwise.
    """
    try:
        if exact is not None and spec["type"] in ("integer", "number"):  # their references are Fractions anyway
            number = exact_value(tree, exact)
            if number is not None:
                return checker.reference(number, spec)
        value = evaluate(tree, exact, substitution) if exact is not None else tree.xreplace(substitution)
        if value.is_number and (value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or not value.is_finite):
            return None
        if value.is_number:
            value = value if value.is_Rational else sympy.Float(sympy.N(value, 17))
        return checker.reference(value, spec)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError):
        return None
