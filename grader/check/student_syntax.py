"""The math students type beyond plain arithmetic, for the safe parser (``grader.check.parse``).

``|x|`` as abs(x), ``n!`` as factorial(n), Greek letters as the names of declared variables, reciprocal
and inverse trig with their arc- aliases, and scientific notation that collides with a declared E or e.
Each rewrites our own token list; nothing here reads the student's text as code.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from typing import Any

import sympy

STUDENT_FUNCTIONS: dict[str, tuple[Callable[..., sympy.Basic], int, int | None]] = {
    **{f.__name__: (f, 1, 1) for f in (sympy.sec, sympy.csc, sympy.cot, sympy.asec, sympy.acsc, sympy.acot,
                                        sympy.asinh, sympy.acosh, sympy.atanh, sympy.sign)},
    **{"arc" + f.__name__[1:]: (f, 1, 1) for f in (sympy.asin, sympy.acos, sympy.atan, sympy.asec, sympy.acsc,
    sympy.acot, sympy.asinh, sympy.acosh, sympy.atanh)},
    "atan2": (sympy.atan2, 2, 2), "arctan2": (sympy.atan2, 2, 2),
}
MANTISSA_RE = re.compile(r"(?:([0-9]+)(?:\.([0-9]*))?|\.([0-9]+))()")  # a number read without its exponent
GREEK = {chr(0x3b1 + k): name for k, name in enumerate(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron".split())}
GREEK.update({"\u03c1": "rho", "\u03c3": "sigma", "\u03c4": "tau", "\u03c5": "upsilon", "\u03c6": "phi",
               "\u03d5": "phi", "\u03c7": "chi", "\u03c8": "psi", "\u03c9": "omega", "\u00b5": "mu",
               "\u0393": "Gamma", "\u0394": "Delta", "\u0398": "Theta", "\u039b": "Lambda", "\u03a3": "Sigma",
               "\u03a6": "Phi", "\u03a8": "Psi", "\u03a9": "Omega"})


def bar_or_greek(parser: Any, toks: list, at: int, make_token: Callable[..., Any]) -> int:
    """|x| is abs(x): a bar after an operand closes the innermost open bar, any other bar opens one.

    A Greek letter is the name of a variable (λ is lambda); returns the index after the character.
    """
    char = parser.text[at]
    if char in GREEK:
        name = GREEK[char]
        toks.append(make_token("name", "_v" + name if keyword.iskeyword(name) else name, at, char))
    elif parser.bars and toks and toks[-1].kind in ("num", "name", ")"):
        parser.bars.pop()
        toks.append(make_token(")", ")", at, "|"))
    else:
        parser.bars.append(at)
        toks.extend((make_token("name", "abs", at, "|"), make_token("(", "(", at, "|")))
    return at + 1


def factorial(parser: Any, toks: list, at: int, make_token: Callable[..., Any]) -> int:
    """n! is factorial(n): wrap the operand just before the '!' (a number, a name or a bracket)."""
    if not toks or toks[-1].kind not in ("num", "name", ")"):
        raise parser.fail("'!' must follow a number, a name or a bracket", at, "write n! or factorial(n)")
    start = len(toks) - 1
    if toks[-1].kind == ")":
        depth = 0
        for start in range(len(toks) - 1, -1, -1):
            depth += (toks[start].kind == ")") - (toks[start].kind == "(")
            if depth == 0:
                break
        if start > 0 and toks[start - 1].kind == "name" and toks[start - 1].text in parser.functions:
            start -= 1  # f(x)! wraps the whole call
    first = toks[start].offset
    toks[start:start] = [make_token("name", "factorial", first, ""), make_token("(", "(", first, "")]
    toks.append(make_token(")", ")", at, "!"))
    return at + 1


def exponent_letter(parser: Any, m: re.Match[str], at: int) -> re.Match[str]:
    """'2E+3' when E is a declared variable: read as 2*E + 3; '2E3' is refused as ambiguous."""
    letter = parser.text[m.start(4) - 1]
    if m.group(4)[0] in "+-":
        mantissa = MANTISSA_RE.match(parser.text, at)
        assert mantissa is not None
        return mantissa
    shown = m.group()
    raise parser.fail(f"'{shown}' is ambiguous because {letter} is a variable here", at,
                    f"write {shown[:m.start(4) - 1 - at]}*{letter}*{m.group(4)} for a product, "
                    f"or {shown[:m.start(4) - 1 - at]}*10^{m.group(4)} for the number")

