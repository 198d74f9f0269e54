"""Form tests on the structure the student typed, following STACK's FacForm, Expanded, LowestTerms, SingleFrac,
PartFrac and CompSquare.

The parser normally evaluates as it builds (sympy turns ``2*(x-1)`` into ``2*x - 2``), so a form test
re-reads the answer with sympy's evaluation switched off and looks at that tree. It runs in the killable
worker (``factor_list`` on a hostile polynomial can take long), and it gets the text, not a sympy object,
because pickling an unevaluated tree would evaluate it again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import sympy

from grader.check.parse import DEFAULT_FUNCTIONS, parse_expression
from grader.core.errors import FormatError
from grader.core.messages import feedback

FORMS = ("expanded", "factored", "lowest-terms", "single-fraction", "partial-fractions", "completed-square",
         "no-floats")
# a decimal point, or a negative power of ten in scientific notation: the answer is not exact
_TYPED_DECIMAL = re.compile(r"(?<![A-Za-z_0-9])(?:[0-9]*\.[0-9]|[0-9]+\.(?![0-9])|[0-9][eE]-[0-9])")


@dataclass(frozen=True)
class ParseOptions:
    """What the worker needs to re-read an answer exactly as the checker did (picklable)."""

    variables: tuple[str, ...]
    functions: tuple[str, ...] = tuple(sorted(DEFAULT_FUNCTIONS))
    implicit: bool = True
    unknown_functions: tuple[str, ...] = ()


def forms_of(setting: object) -> list[str]:
    """A part's ``form:`` as a list (one name or a list of names)."""
    if setting is None:
        return []
    return [setting] if isinstance(setting, str) else list(setting)  # type: ignore[arg-type]


def typed_decimals(text: str) -> bool:
    """Whether the student typed a decimal such as 0.333 or 1e-7 (read exactly, but not an exact answer)."""
    return bool(_TYPED_DECIMAL.search(text))


def typed_tree(text: str, options: ParseOptions) -> sympy.Basic:
    """The answer as typed: sympy's automatic evaluation switched off while our parser builds it."""
    with sympy.evaluate(False):
        return parse_expression(text, variables=options.variables, functions=options.functions,
                                implicit_multiplication=options.implicit,
                                unknown_functions=options.unknown_functions)


def form_problem(text: str, options: ParseOptions, forms: Sequence[str], variable: str | None) -> tuple[str, str] | None:
    """(note, message) for the first form the answer is not in, or None. Runs in the worker."""
    if "no-floats" in forms and typed_decimals(text):
        return "form-no-floats", feedback("form-no-floats")
    try:
        tree = typed_tree(text, options)
    except FormatError:
        return None  # read already once; a structure we cannot rebuild is not held against the student
    names = [sympy.Symbol(name) for name in options.variables]
    main = sympy.Symbol(variable) if variable else (names[0] if names else None)
    for form in forms:
        if form == "no-floats":
            continue
        problem = _CHECKS[form](tree, names, main)
        if problem is not None:
            return problem
    return None


# ----- pieces of a typed tree ---------------------------------------------------------------------------
def evaluated(node: sympy.Basic) -> sympy.Basic:
    """Rebuild a typed subtree with evaluation on (the worker is outside ``sympy.evaluate(False)``)."""
    if not node.args:
        return node
    return node.func(*[evaluated(arg) for arg in node.args])


def _free(node: sympy.Basic, names: Iterable[sympy.Symbol]) -> bool:
    return bool(node.free_symbols & set(names))


def factors(node: sympy.Basic) -> list[tuple[sympy.Basic, int]]:
    """The multiplicative pieces of a typed tree as (base, exponent); nested products flattened."""
    if isinstance(node, sympy.Mul):
        return [piece for arg in node.args for piece in factors(arg)]
    if isinstance(node, sympy.Pow) and node.exp.is_Integer:
        return [(base, exponent * int(node.exp)) for base, exponent in factors(node.base)]
    return [(node, 1)]


def numerator_denominator(node: sympy.Basic) -> tuple[list[sympy.Basic], list[sympy.Basic]]:
    """Top-level split of a typed product into the typed numerator and denominator pieces."""
    top, bottom = [], []
    for base, exponent in factors(node):
        if exponent < 0:
            bottom.append(base ** -exponent if exponent != -1 else base)
        elif isinstance(base, sympy.Rational) and base.q != 1:
            top.append(sympy.Integer(base.p))
            bottom.append(sympy.Integer(base.q))
        else:
            top.append(base ** exponent if exponent != 1 else base)
    return top, bottom


def _has_division(node: sympy.Basic) -> bool:
    return any((isinstance(sub, sympy.Pow) and sub.exp.is_number and sub.exp.is_negative)
               or (isinstance(sub, sympy.Rational) and sub.q != 1) for sub in sympy.preorder_traversal(node))


def _product(pieces: list[sympy.Basic]) -> sympy.Basic:
    return evaluated(sympy.Mul(*pieces, evaluate=False)) if pieces else sympy.Integer(1)


def _shown(node: sympy.Basic) -> str:
    return str(evaluated(node)).replace("**", "^")


# ----- the forms ------------------------------------------------------------------------------------------
def _factored(tree: sympy.Basic, names: list[sympy.Symbol], main: sympy.Symbol | None) -> tuple[str, str] | None:
    """FacForm: every non-constant factor irreducible over the rationals (constants may sit anywhere)."""
    for base, _ in factors(tree):
        if not _free(base, names):
            continue
        value = evaluated(base)
        if not value.is_Add:
            continue  # x, sin(x), exp(x): atoms of a product
        try:
            polynomial = sympy.Poly(value, *names)
        except sympy.PolynomialError:
            return "form-factored", feedback("form-factored")  # x - 4 + 4/x is not a factor of a product
        if not polynomial.domain.is_QQ and not polynomial.domain.is_ZZ:
            return "form-factored", feedback("form-factored")
        _, pieces = sympy.factor_list(value, *names)
        if sum(multiplicity for _, multiplicity in pieces) > 1:
            return "form-factored", feedback("form-factored-reducible", factor=_shown(base))
    return None


def _expanded(tree: sympy.Basic, names: list[sympy.Symbol], main: sympy.Symbol | None) -> tuple[str, str] | None:
    """Expanded: no product with a sum in it and no positive power of a sum (as STACK: expand(SA) = SA)."""
    for sub in sympy.preorder_traversal(tree):
        if isinstance(sub, sympy.Mul) and any(arg.is_Add and _free(arg, names) for arg in sub.args):
            return "form-expanded", feedback("form-expanded")
        if isinstance(sub, sympy.Pow) and sub.base.is_Add and _free(sub.base, names) and sub.exp.is_Integer \
                and sub.exp > 1:
            return "form-expanded", feedback("form-expanded")
    return None


def _lowest_terms(tree: sympy.Basic, names: list[sympy.Symbol], main: sympy.Symbol | None) -> tuple[str, str] | None:
    """LowestTerms: no fraction anywhere whose numerator and denominator share a factor (6/4, (x^2-1)/(x-1))."""
    for sub in sympy.preorder_traversal(tree):
        if not isinstance(sub, (sympy.Mul, sympy.Pow)):
            continue
        top, bottom = numerator_denominator(sub)
        if not bottom:
            continue
        numerator, denominator = _product(top), _product(bottom)
        common = sympy.gcd(numerator, denominator)
        if common not in (1, -1) and not (common.is_number and abs(common) == 1):
            return "form-lowest-terms", feedback("form-lowest-terms")
    return None


def _single_fraction(tree: sympy.Basic, names: list[sympy.Symbol], main: sympy.Symbol | None
                     ) -> tuple[str, str] | None:
    """SingleFrac: one numerator over one denominator, neither containing a further fraction."""
    top, bottom = numerator_denominator(tree)
    if any(_has_division(piece) for piece in top + bottom):
        return "form-single-fraction", feedback("form-single-fraction")
    return None


def _partial_fractions(tree: sympy.Basic, names: list[sympy.Symbol], main: sympy.Symbol | None
                       ) -> tuple[str, str] | None:
    """PartFrac: a polynomial plus terms c/q^k with q irreducible, deg c < deg q, each (q, k) once."""
    problem = ("form-partial-fractions", feedback("form-partial-fractions"))
    if main is None:
        return None
    terms = tree.args if isinstance(tree, sympy.Add) else (tree,)
    seen = set()
    for term in terms:
        top, bottom = numerator_denominator(term)
        if any(_has_division(piece) for piece in top + bottom):
            return problem
        numerator, denominator = _product(top), _product(bottom)
        if not denominator.has(main):
            if not _polynomial_in(numerator, main):
                return problem
            continue
        _, pieces = sympy.factor_list(denominator, main)
        varying = [(q, k) for q, k in pieces if q.has(main)]
        if len(varying) != 1 or not _polynomial_in(numerator, main):
            return problem
        q, k = varying[0]
        if sympy.degree(numerator, main) >= sympy.degree(q, main) or (q, k) in seen:
            return problem
        seen.add((sympy.expand(q), k))
    return None


def _polynomial_in(value: sympy.Basic, main: sympy.Symbol) -> bool:
    try:
        sympy.Poly(value, main)
    except sympy.PolynomialError:
        return False
    return True


def _completed_square(tree: sympy.Basic, names: list[sympy.Symbol], main: sympy.Symbol | None
                      ) -> tuple[str, str] | None:
    """CompSquare: a*(x - h)^2 + k: the variable appears once, inside the square of a linear expression."""
    problem = ("form-completed-square", feedback("form-completed-square"))
    if main is None:
        return None
    terms = tree.args if isinstance(tree, sympy.Add) else (tree,)
    varying = [term for term in terms if term.has(main)]
    if len(varying) != 1:
        return problem
    squares = [(base, exponent) for base, exponent in factors(varying[0]) if base.has(main)]
    if len(squares) != 1 or squares[0][1] != 2:
        return problem
    base = evaluated(squares[0][0])
    if not _polynomial_in(base, main) or sympy.degree(base, main) != 1:
        return problem
    return None


_CHECKS = {"expanded": _expanded, "factored": _factored, "lowest-terms": _lowest_terms,
           "single-fraction": _single_fraction, "partial-fractions": _partial_fractions,
           "completed-square": _completed_square}


@lru_cache(maxsize=1024)  # the key, reveals and validate format the same reference again and again
def in_form(reference: sympy.Basic, forms: tuple[str, ...], variable: str | None, names: tuple[str, ...]) -> sympy.Basic:
    """The reference rewritten in the form a part asks for, so the key (and validate's self-check) shows it."""
    main = sympy.Symbol(variable) if variable else (sympy.Symbol(names[0]) if names else None)
    if not _cheap_to_rewrite(reference):
        return reference  # factor() of a degree-999 polynomial takes minutes: show the reference as written
    for form in forms:
        if form == "factored":
            reference = sympy.factor(reference)
        elif form == "expanded":
            reference = sympy.expand(reference)
        elif form in ("lowest-terms", "single-fraction"):
            reference = sympy.factor(sympy.cancel(sympy.together(reference)))
        elif form == "partial-fractions" and main is not None:
            reference = sympy.apart(reference, main)
        elif form == "completed-square" and main is not None:
            reference = _complete_square(reference, main)
    return reference


MAX_REWRITE_DEGREE = 40
MAX_REWRITE_OPS = 200


def _cheap_to_rewrite(reference: sympy.Basic) -> bool:
    """Small enough that factor, apart and friends finish at once (they run outside any time limit here)."""
    if sympy.count_ops(reference) > MAX_REWRITE_OPS:
        return False
    return all(not (power.exp.is_Integer and abs(power.exp) > MAX_REWRITE_DEGREE) for power in reference.atoms(sympy.Pow))


def _complete_square(reference: sympy.Basic, main: sympy.Symbol) -> sympy.Basic:
    try:
        a, b, c = sympy.Poly(reference, main).all_coeffs()
    except (sympy.PolynomialError, ValueError):
        return reference
    return a * (main + b / (2 * a)) ** 2 + (c - b**2 / (4 * a))
