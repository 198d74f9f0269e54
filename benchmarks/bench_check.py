"""Throughput of ``check_answer`` per answer type, and the expression checker against a naive baseline.

Run:  python benchmarks/bench_check.py [--seconds 1.0]

1. answers/second for each type over a realistic mix of answers (correct, declared mistakes,
   near misses, malformed and blank), single process;
2. the symbolic set: >= 200 (answer, reference) pairs, equivalent and not, checked by our
   expression checker and by the naive baseline ``sympy.simplify(parse_expr(a) - parse_expr(b)) == 0``
   in the same run: both rates, the speed ratio and the verdict disagreements.

Targets: >= 20x the baseline on the symbolic set; >= 20,000 answers/s for integer, number (also with
sigfigs) and choice. The kinds added by issue 9 (equation, interval, set, complex, quantity,
antiderivative) are measured without a target.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import sympy
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

import grader.check.types  # noqa: F401  (registers the checkers)
from grader.check import worker
from grader.check.answer import check_answer
from grader.check.parse import parse_expression
from grader.check.registry import REGISTRY

THROUGHPUT_TARGET = 20_000  # answers per second, for integer, number and choice
SPEEDUP_TARGET = 20.0  # times faster than the naive baseline on the symbolic set


def spec(kind: str, answer: Any = None, mistakes: tuple[tuple[Any, str], ...] = (), **settings: Any) -> dict:
    checker = REGISTRY.get(kind)
    part: dict[str, Any] = {"type": kind, **settings}
    part["answer"] = checker.reference(answer, part) if checker.needs_answer else None
    part["mistakes"] = [{"answer": checker.reference(value, part), "note": note, "feedback": f"mistake {note}"}
                        for value, note in mistakes]
    return part


# ----- realistic mixes ------------------------------------------------------------------------------
H, K = sympy.Symbol("H"), sympy.Symbol("K")
X, Y = sympy.Symbol("x"), sympy.Symbol("y")
OPTIONS = [
    {"text": "Apple pie", "feedback": "No."},
    {"text": "Banana split", "correct": True, "feedback": "Yes."},
    {"text": "Cherry tart", "feedback": "No."},
    {"text": "Date loaf", "feedback": "No."},
]
CHECKBOX_OPTIONS = [{**o, "correct": i < 2} for i, o in enumerate(OPTIONS)]
WIDE = [[r * 16 + c for c in range(16)] for r in range(4)]


def _rows(matrix: list[list[int]]) -> str:
    return "[" + ", ".join("[" + ", ".join(map(str, row)) + "]" for row in matrix) + "]"


MIXES: dict[str, list[tuple[dict, list[str]]]] = {
    "integer": [(
        spec("integer", 4704, mistakes=((1568, "forgot-depth"), (4736, "counted-biases"))),
        ["4704", " 4704 ", "4704.0", "4.704e3", "1568", "4736", "4705", "47040", "-4704", "9408",
         "4,704", "four", "", "1e999999", "12", "4704"],
    )],
    "number": [(
        spec("number", Fraction(72), mistakes=((Fraction(28), "kept-not-saved"),), percent=True, rtol=0.002),
        ["72", "72%", "72.1", "0.72", "28", "71", "7.2e1", "144/2", "1/3", "abc", "nan", "", "72,5",
         "-72", "72.0%", "7200"],
    )],
    "number-sigfigs": [(
        spec("number", sympy.E, sigfigs=3),
        ["2.72", "2.73", "2.718", "2.7", "-2.72", "(2.72)", "e", "1/3", "27.2e-1", "", "2,72", "abc"],
    )],
    "choice": [(
        spec("choice", options=OPTIONS),
        ["B", "b", "B)", "Banana split", "A", "C", "D", "Z", "", "a", "B", "banana split"],
    )],
    "checkbox": [(
        spec("checkbox", options=CHECKBOX_OPTIONS, mode="net-correct"),
        ["A, B", "A", "A C", "B D", "A B C", "Z", "", "b, a", "Apple pie"],
    )],
    "text": [(
        spec("text", answers=["residual connections", "skip connection"],
             regex=r"(residual|skip|shortcut)s?\s+(connections?|blocks?|links?)"),
        ["residual connections", "Skip connections.", "dropout", "", "shortcut links", "batch norm",
         "RESIDUAL-CONNECTIONS", "skip"],
    )],
    "expression": [(
        spec("expression", H - K + 1, mistakes=((H - K, "missing-plus-one"), (H - 2 * K + 1, "double-kernel")),
             variables=["H", "K"]),
        ["H-K+1", "1+H-K", "H - K", "-(H-K+1)", "2(H-K+1)", "H-2K+1", "HK", "h-k+1", "", "H-K+",
         "H - K + 1", "(H-K)+1"],
    )],
    # issue 9: the new kinds
    "equation": [(
        spec("equation", sympy.Eq(Y, 2 * X + 1), variables=["x", "y"]),
        ["y = 2x + 1", "2x - y + 1 = 0", "y = 2x", "2x + 1", "4x - 2y = -2", "y = = 1", ""],
    )],
    "interval": [(
        spec("interval", sympy.Gt(X, 3)),
        ["x > 3", "(3, inf)", "[3, inf)", "x >= 3", "(4, inf)", "(3, inf]", "[0, 1) U (2, 5]", "", "abc"],
    )],
    "set": [(
        spec("set", sympy.Matrix([-2, 3])),
        ["{-2, 3}", "3, -2", "{3}", "{-2, 3, 3}", "{-2, 3, 4}", "{1 + 2, -2}", "", "{,}"],
    )],
    "complex": [(
        spec("complex", 3 - 4 * sympy.Symbol("i")),
        ["3 - 4i", "3 + 4i", "-3 + 4i", "5 e^(-i*atan(4/3))", "3", "x", ""],
    )],
    "quantity": [(
        spec("quantity", Fraction(98, 10), unit="m/s^2"),
        ["9.8 m/s^2", "980 cm/s^2", "9.8 m/s", "9.8", "19.6 m/s^2", "9.8 blorps", ""],
    )],
    "antiderivative": [(
        spec("antiderivative", X**3 / 3, variables=["x"], require_constant=True),
        ["x^3/3 + C", "x^3/3", "(x^3 + 7)/3 + C", "x^2", "x^3", ""],
    )],
    "matrix": [
        (spec("matrix", [[1, 2], [3, 4]], partial=True),
         ["[[1,2],[3,4]]", "[1 2; 3 4]", "[[1,3],[2,4]]", "[[4,3],[2,1]]", "[1 2 3 4]", "[[1,2],[3]]", "",
          "[[1,2],[3,5]]"]),
        (spec("matrix", WIDE, partial=True),
         [_rows(WIDE), _rows([list(col) for col in zip(*WIDE)]), _rows(WIDE[::-1])]),
    ],
}


def throughput(mix: list[tuple[dict, list[str]]], seconds: float) -> tuple[float, int]:
    pairs = [(part, raw) for part, answers in mix for raw in answers]
    for part, raw in pairs:  # warm caches, import lazily loaded modules
        check_answer(part, raw)
    count, start = 0, time.perf_counter()
    while True:
        for part, raw in pairs:
            check_answer(part, raw)
        count += len(pairs)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed, count


# ----- the symbolic set -----------------------------------------------------------------------------
# (answer, reference, equivalent) templates; {k}, {k2} (=2k), {kk} (=k^2), {k1} (=k+1) are filled in.
EQUIVALENT = [
    ("(x+{k})^2", "x^2 + {k2}*x + {kk}"),
    ("(x-{k})*(x+{k})", "x^2 - {kk}"),
    ("sin(x)^2 + cos(x)^2 + {k}", "{k1}"),
    ("2*sin({k}*x)*cos({k}*x)", "sin({k2}*x)"),
    ("exp(x + {k})", "exp(x)*exp({k})"),
    ("(x^2 - {kk})/(x - {k})", "x + {k}"),
    ("{k}*(x + y)", "{k}*x + {k}*y"),
    ("(x + {k}*y)^3", "x^3 + 3*{k}*x^2*y + 3*{kk}*x*y^2 + {kk}*{k}*y^3"),
    ("1/(x + {k}) + 1/(x - {k})", "2*x/(x^2 - {kk})"),
    ("cos(x + {k})", "cos(x)*cos({k}) - sin(x)*sin({k})"),
    ("x^{k}*x^2", "x^({k} + 2)"),
    ("tan(x)*cos(x) + {k}", "sin(x) + {k}"),
    ("cosh(x)^2 - sinh(x)^2", "{k}/{k}"),
    ("(x + 1)^{k}*(x + 1)", "(x + 1)^{k1}"),
]
NOT_EQUIVALENT = [
    ("(x+{k})^2", "x^2 + {kk}"),
    ("(x-{k})^2", "x^2 - {kk}"),
    ("2*sin({k}*x)", "sin({k2}*x)"),
    ("exp(x + {k})", "exp(x) + exp({k})"),
    ("(x^2 - {kk})/(x - {k})", "x - {k}"),
    ("{k1}*(x + y)", "{k1}*x + y"),
    ("cos(x + {k})", "cos(x) + cos({k})"),
    ("x^{k}*x^2", "x^({k} + 3)"),
    ("1/(x + {k})", "1/x + 1/{k}"),
    ("sqrt(x^2 + {kk})", "x + {k}"),
    ("log(x*{k1})", "log(x)*{k1}"),
    ("sin(x)^2 - cos(x)^2", "{k}"),
]
KS = range(1, 9)
SYMBOLS = {"x": sympy.Symbol("x"), "y": sympy.Symbol("y")}
VARIABLES = ["x", "y"]


def symbolic_set() -> list[tuple[str, str, bool]]:
    pairs = []
    for k in KS:
        values = {"k": k, "k2": 2 * k, "kk": k * k, "k1": k + 1}
        pairs += [(a.format(**values), b.format(**values), True) for a, b in EQUIVALENT]
        pairs += [(a.format(**values), b.format(**values), False) for a, b in NOT_EQUIVALENT]
    return pairs


def ours(answer: str, reference: str) -> bool:
    # The reference goes through our own safe parser (as a bank's solver output would be a sympy object).
    part = {"type": "expression", "variables": VARIABLES, "mistakes": [],
            "answer": parse_expression(reference, variables=VARIABLES)}
    return check_answer(part, answer).verdict == "correct"


_TRANSFORMS = standard_transformations + (convert_xor,)


def baseline(answer: str, reference: str) -> bool:
    # parse_expr evaluates its input as Python: acceptable ONLY because this benchmark feeds its own
    # fixed strings above. Student text must never reach parse_expr (see docs/security.md).
    a = parse_expr(answer, local_dict=dict(SYMBOLS), transformations=_TRANSFORMS)
    b = parse_expr(reference, local_dict=dict(SYMBOLS), transformations=_TRANSFORMS)
    return sympy.simplify(a - b) == 0


def timed(function: Callable[[str, str], bool], pairs: list[tuple[str, str, bool]],
          min_seconds: float = 0.0) -> tuple[float, list[bool]]:
    """Seconds for one pass over the pairs (averaged over repeated passes until min_seconds) and the verdicts."""
    start, passes = time.perf_counter(), 0
    while True:
        verdicts = [function(a, b) for a, b, _ in pairs]
        passes += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed / passes, verdicts


# ----- report ---------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per answer type (default 1.0)")
    args = parser.parse_args(argv)

    print(f"Python {sys.version.split()[0]}, sympy {sympy.__version__}, single process\n")
    print(f"{'type':<16}{'answers/s':>12}{'answers':>10}{'target':>12}  met")
    met_all = True
    for kind, mix in MIXES.items():
        rate, count = throughput(mix, args.seconds)
        target = THROUGHPUT_TARGET if kind in ("integer", "number", "number-sigfigs", "choice") else None
        met = "" if target is None else ("yes" if rate >= target else "NO")
        met_all &= met != "NO"
        print(f"{kind:<16}{rate:>12,.0f}{count:>10,}{(f'{target:,}' if target else '-'):>12}  {met or '-'}")

    pairs = symbolic_set()
    ours(pairs[0][0], pairs[0][1])  # warm up
    ours_time, ours_verdicts = timed(ours, pairs, min_seconds=args.seconds)
    base_time, base_verdicts = timed(baseline, pairs)
    disagreements = [(a, b, o, s) for (a, b, _), o, s in zip(pairs, ours_verdicts, base_verdicts) if o != s]
    wrong_ours = sum(o != label for (_, _, label), o in zip(pairs, ours_verdicts))
    wrong_base = sum(s != label for (_, _, label), s in zip(pairs, base_verdicts))
    ratio = base_time / ours_time
    n = len(pairs)
    print(f"\nsymbolic set: {n} pairs ({sum(p[2] for p in pairs)} equivalent, {sum(not p[2] for p in pairs)} not)")
    print(f"{'checker':<40}{'pairs/s':>10}{'total s':>10}{'ms/pair':>10}{'vs label':>10}")
    print(f"{'ours (check_answer, expression)':<40}{n / ours_time:>10,.0f}{ours_time:>10.2f}"
          f"{1000 * ours_time / n:>10.2f}{f'{n - wrong_ours}/{n}':>10}")
    print(f"{'baseline simplify(a - b) == 0':<40}{n / base_time:>10,.1f}{base_time:>10.2f}"
          f"{1000 * base_time / n:>10.2f}{f'{n - wrong_base}/{n}':>10}")
    speed_met = ratio >= SPEEDUP_TARGET
    met_all &= speed_met
    print(f"speed ratio: {ratio:,.1f}x (target >= {SPEEDUP_TARGET:.0f}x): {'yes' if speed_met else 'NO'}")
    print(f"verdict disagreements: {len(disagreements)} of {n}")
    for a, b, o, s in disagreements[:12]:
        print(f"  ours={'equal' if o else 'differ':<6} baseline={'equal' if s else 'differ':<6}  {a}  vs  {b}")
    if len(disagreements) > 12:
        print(f"  ... and {len(disagreements) - 12} more")
    print(f"\nall targets met: {'yes' if met_all else 'NO'}")
    worker.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
