"""Reading a student's math text: the caps, the function table, and the scanner that turns text into
tokens and then a Python AST built only from our own tokens (see ``grader.check.parse``).
"""

from __future__ import annotations

import ast
import keyword
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sympy

from grader.check import student_syntax
from grader.core.errors import FormatError


@dataclass(frozen=True)
class ParseLimits:
    """Caps that keep a hostile answer cheap (milliseconds, bounded memory)."""

    max_length: int = 1000  # characters
    max_depth: int = 40  # nesting depth (parentheses, unary signs, powers)
    max_exponent: int = 1000  # |numeric exponent| on a symbolic base, nested powers multiplied
    max_number_digits: int = 400  # numbers may not exceed 10**max_number_digits
    max_factorial: int = 200
    max_nodes: int = 2000
    max_work: int = 60000  # the cost cap, counted while building: nodes plus the size of every sum and product made


# name -> (sympy constructor, min args, max args or None for "any")
_FUNCTIONS: dict[str, tuple[Callable[..., sympy.Basic], int, int | None]] = {
    **{f.__name__: (f, 1, 1) for f in (sympy.sin, sympy.cos, sympy.tan, sympy.asin, sympy.acos, sympy.atan,
                                        sympy.sinh, sympy.cosh, sympy.tanh, sympy.exp, sympy.floor)},
    "sqrt": (sympy.sqrt, 1, 1),
    "log": (sympy.log, 1, 2), "ln": (sympy.log, 1, 1), "abs": (sympy.Abs, 1, 1),
    "ceil": (sympy.ceiling, 1, 1), "min": (sympy.Min, 1, None), "max": (sympy.Max, 1, None),
    "factorial": (sympy.factorial, 1, 1),
    **student_syntax.STUDENT_FUNCTIONS,
}
DEFAULT_FUNCTIONS: frozenset[str] = frozenset(_FUNCTIONS)
_CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}
_EXP_LIKE = frozenset({"exp", "sinh", "cosh"})  # grow like e**x, so their numeric argument is capped
_FLOOR_MAX = 1e50
# Unevaluated: sympy's automatic evaluation of a function (or a fractional power) of a symbolic argument asks its
# assumption system questions whose cost has no useful bound: cosh(ln(cosh(((x+y)^2)^10))), 51 characters,
# took 14 s in log's eval; min() of three mixed terms took as long. So student text builds these
# unevaluated; checking evaluates them numerically at points, which costs the same either way.
_UNDEFINED = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)

_NUMBER_RE = re.compile(r"(?:([0-9]+)(?:\.([0-9]*))?|\.([0-9]+))(?:[eE]([+-]?[0-9]+))?")
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_OPS = ("**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "^", "%", "<", ">", "=", "!", "(", ")", ",")
_UNICODE = {"\u2212": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u00f7": "/", "\u03c0": "pi"}
_BAD_CHARS = {
    "#": ("comments ('#') are not allowed", ""), "\\": ("backslashes are not allowed", ""),
    "'": ("strings are not allowed", "type the math without quotes"), '"': ("strings are not allowed", "type the math without quotes"),
    ";": ("';' is not allowed", "enter a single expression"), ":": ("':' is not allowed", "enter a single expression"),
    "@": ("'@' is not allowed", "use '*' to multiply"), "`": ("backticks are not allowed", ""),
    **{b: (f"'{b}' is not allowed", "use ( and ) for grouping") for b in "[]{}"},
}
_TRUSTED_ONLY = {"//": "use '/' to divide", "%": "write 5/100 instead of 5%",
                 **{c: "enter only the expression" for c in ("==", "!=", "<", "<=", ">", ">=")}}
_BIN_OPS = {ast.Add: "add", ast.Sub: "add", ast.Mult: "mul", ast.Div: "mul", ast.Pow: "pow",
            ast.Mod: "mul", ast.FloorDiv: "mul"}
_ALLOWED = frozenset({ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call, ast.Load,
                      ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd})
_TRUSTED_EXTRA = frozenset({ast.Mod, ast.FloorDiv, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt,
                            ast.GtE, ast.BoolOp, ast.And, ast.Or, ast.Not})
_COMPARE = {ast.Eq: sympy.Eq, ast.NotEq: sympy.Ne, ast.Lt: sympy.Lt, ast.LtE: sympy.Le, ast.Gt: sympy.Gt, ast.GtE: sympy.Ge}


def symbol(name: str) -> sympy.Symbol:
    """The one way to make a variable: no assumptions, so the caller's symbols compare equal."""
    return sympy.Symbol(name)


@dataclass(frozen=True)
class _Tok:
    kind: str  # "num", "name", "op", "(", ")", ","
    text: str  # what goes into the rebuilt source
    offset: int  # index in the original text
    shown: str  # what the student typed, for messages


def _short(s: str) -> str:
    return s if len(s) <= 30 else s[:27] + "..."


def _is_control(ch: str) -> bool:
    return ch not in "\t\n\r" and unicodedata.category(ch)[0] == "C"


class Scanner:
    """Holds one answer's text, settings and offset map so every stage can report positions."""


    def __init__(self, text: str, variables: Iterable[str], functions: Iterable[str],
                 implicit: bool, trusted: bool, limits: ParseLimits, unknown_functions: Iterable[str] = ()) -> None:
        self.text, self.implicit, self.trusted, self.limits = text, implicit, trusted, limits
        if isinstance(variables, str):
            variables = variables.replace(",", " ").split()
        self.variables = frozenset(variables)
        functions = frozenset(functions)
        # A bad declaration is the bank's bug, but callers only catch FormatError, so report it as one.
        for name in self.variables:
            if not (isinstance(name, str) and _NAME_RE.fullmatch(name)) or name in ("and", "or", "not"):
                raise self.fail(f"invalid variable name {str(name)[:30]!r}", None,
                                "a name starts with a letter and uses only letters, digits and '_'")
        unknown = functions - set(_FUNCTIONS)
        if unknown:
            raise self.fail(f"unsupported function '{min(map(str, unknown))}'", None,
                            "available functions: " + ", ".join(sorted(_FUNCTIONS)))
        # a part's own unknown functions, f(x): kept as sympy.Function applications
        self.unknown_functions = frozenset(n for n in unknown_functions if _NAME_RE.fullmatch(n)) - self.variables
        self.functions = (functions | self.unknown_functions) - self.variables  # a declared variable wins
        self.bars: list[int] = []  # offsets of open |x| bars
        self.numbers: list[sympy.Rational] = []
        self.offsets: list[int] = []  # rebuilt index -> original offset
        self.work = 0  # see charge()

    def fail(self, message: str, offset: int | None, hint: str = "") -> FormatError:
        return FormatError(message, text=self.text, offset=offset, hint=hint)

    # ----- stage 1: tokens -------------------------------------------------
    def tokenize(self) -> list[_Tok]:
        text, toks, i, n = self.text, [], 0, len(self.text)
        while i < n:
            ch = text[i]
            if ch.isspace():
                i += 1
            elif ch in _BAD_CHARS:
                message, hint = _BAD_CHARS[ch]
                raise self.fail(message, i, hint)
            elif ch == "|" or ch in student_syntax.GREEK:  # |x| is abs(x); a Greek letter is its name
                i = student_syntax.bar_or_greek(self, toks, i, _Tok)
            elif ch in _UNICODE:
                kind = "name" if ch == "\u03c0" else "op"
                toks.append(_Tok(kind, _UNICODE[ch], i, ch))
                i += 1
            elif ch in "0123456789" or (ch == "." and i + 1 < n and text[i + 1] in "0123456789"):
                if ch == "." and toks and toks[-1].kind in ("name", ")") and toks[-1].offset + len(toks[-1].shown) == i:
                    raise self.fail("answers cannot use '.' to reach attributes", i)
                m = _NUMBER_RE.match(text, i)
                assert m is not None
                if m.group(4) is not None and text[m.start(4) - 1] in self.variables:
                    m = student_syntax.exponent_letter(self, m, i)
                toks.append(_Tok("num", self.number(m, i), i, m.group()))
                i = m.end()
            elif ch.isascii() and ch.isalpha():
                name = _NAME_RE.match(text, i).group()  # type: ignore[union-attr]
                if self.trusted and name in ("and", "or", "not"):
                    toks.append(_Tok("op", name, i, name))
                elif keyword.iskeyword(name) and name not in self.variables:
                    raise self.fail(f"'{name}' is not allowed", i, "answers are plain math expressions")
                else:  # a variable called lambda gets a placeholder name in the rebuilt source
                    toks.append(_Tok("name", "_v" + name if keyword.iskeyword(name) else name, i, name))
                i += len(name)
            elif ch == "_":
                dunder = i + 1 < n and text[i + 1] == "_"
                raise self.fail("names cannot start with '__'" if dunder else "names must start with a letter", i)
            elif ch == ".":
                raise self.fail("answers cannot use '.' to reach attributes", i, "a '.' may only appear inside a number like 1.5")
            else:
                op = next((o for o in _OPS if text.startswith(o, i)), None)
                if op is None:
                    raise self.fail(f"character {ch!r} (U+{ord(ch):04X}) is not allowed", i,
                                    "use plain letters, digits and + - * / ^ ( )" if ord(ch) > 127 else "")
                if op == "=":
                    raise self.fail("'=' is not allowed", i, "use '==' to compare" if self.trusted else "enter only the expression, not an equation")
                if op == "!":
                    i = student_syntax.factorial(self, toks, i, _Tok)
                    continue
                if op in _TRUSTED_ONLY and not self.trusted:
                    what = "comparisons are" if op[0] in "=!<>" else f"'{op}' is"
                    raise self.fail(f"{what} not allowed here", i, _TRUSTED_ONLY[op])
                kind = op if op in ("(", ")", ",") else "op"
                toks.append(_Tok(kind, "**" if op == "^" else op, i, op))
                i += len(op)
        if self.bars:
            raise self.fail("'|' is never closed", self.bars[-1], "add the closing '|'")
        if not toks:
            raise self.fail("the answer is empty", 0)
        return toks

    def number(self, m: re.Match[str], at: int) -> str:
        """Store a literal as an exact Rational; return its placeholder name for the rebuilt source."""
        whole, frac = m.group(1) or "", m.group(2) or m.group(3) or ""
        exp_text, cap = m.group(4) or "0", self.limits.max_number_digits
        if len(exp_text.lstrip("+-")) > 9 or abs(int(exp_text)) > cap:
            raise self.fail("number too large", at, f"exponents in numbers may be at most {cap}")
        if len(whole) + len(frac) > cap:
            raise self.fail("number has too many digits", at, f"at most {cap} digits")
        exp, lead = int(exp_text), len(whole.lstrip("0"))
        if lead and lead - 1 + exp > cap:
            raise self.fail("number too large", at, f"numbers may have at most {cap} digits")
        mantissa, shift = int(whole + frac or "0"), exp - len(frac)
        value = sympy.Rational(mantissa * 10**shift, 1) if shift >= 0 else sympy.Rational(mantissa, 10**-shift)
        self.numbers.append(value)
        return f"_n{len(self.numbers) - 1}"

    # ----- stage 2: adjacency, implicit '*', names, parentheses ------------
    def arrange(self, toks: list[_Tok]) -> list[_Tok]:
        out: list[_Tok] = []
        parens: list[tuple[int, bool]] = []  # (offset, is_call)
        unary, lim = 0, self.limits
        for k, tok in enumerate(toks):
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            prev = out[-1] if out else None
            if k >= lim.max_nodes:  # before ast.parse, whose recursion a long chain could exhaust
                raise self.fail("the expression is too long", tok.offset, f"at most {lim.max_nodes} parts")
            after_operand = prev is not None and prev.kind in ("num", "name", ")")
            if (tok.kind == "op" and not after_operand and tok.text not in ("+", "-", "not")) or (
                    tok.kind in (")", ",") and prev is not None and prev.kind in ("op", ",", "(")
                    and not (tok.kind == ")" and prev.kind == "(")):
                raise self.fail(f"unexpected '{tok.shown}'", tok.offset, "something is missing before it")
            if tok.kind == "name":
                self.check_name(tok, nxt)
            if prev is not None and prev.kind in ("num", "name", ")") and tok.kind in ("num", "name", "("):
                is_call = prev.kind == "name" and prev.text in self.functions
                if prev.kind == "num" and tok.shown.startswith(".") and prev.offset + len(prev.shown) == tok.offset:
                    raise self.fail("a number can have only one '.'", tok.offset)
                if prev.kind in ("num", "name") and tok.kind == "num":
                    raise self.fail(f"missing operator between '{_short(prev.shown)}' and '{_short(tok.shown)}'",
                                    tok.offset, f"write {_short(prev.shown)}*{_short(tok.shown)} for a product")
                if not is_call:
                    if not self.implicit:
                        raise self.fail(f"missing '*' between '{_short(prev.shown)}' and '{_short(tok.shown)}'",
                                        tok.offset, f"write {_short(prev.shown)}*{_short(tok.shown)}")
                    out.append(_Tok("op", "*", tok.offset, ""))
            if tok.kind == "(":
                parens.append((tok.offset, bool(prev and prev.kind == "name" and prev.text in self.functions)))
                if nxt is not None and nxt.kind == ")" and not parens[-1][1]:
                    raise self.fail("empty parentheses", tok.offset)
            elif tok.kind == ")":
                if not parens:
                    raise self.fail("unmatched ')'", tok.offset)
                parens.pop()
            elif tok.kind == "," and not (parens and parens[-1][1]):
                raise self.fail("',' is only allowed between function arguments", tok.offset,
                                "use '.' for decimals, e.g. 1.5")
            is_unary = tok.text in ("+", "-", "not") and not after_operand
            unary = unary + 1 if is_unary else (0 if tok.kind in ("num", "name") else unary)
            if len(parens) + unary > lim.max_depth:
                raise self.fail("the expression is nested too deeply", tok.offset, f"at most {lim.max_depth} levels")
            out.append(tok)
        if parens:
            raise self.fail("'(' is never closed", parens[-1][0], "add the missing ')'")
        if out[-1].kind in ("op", ","):
            raise self.fail("the expression is incomplete", len(self.text), "something is missing at the end")
        return out

    def check_name(self, tok: _Tok, nxt: _Tok | None) -> None:
        name, called = tok.text.removeprefix("_v"), nxt is not None and nxt.kind == "("
        if name in self.functions:
            if not called:
                raise self.fail(f"'{name}' is a function", tok.offset, f"write {name}(...) with parentheses")
        elif name not in self.variables and name not in _CONSTANTS:
            if called:
                raise self.fail(f"unknown function '{_short(name)}'", tok.offset,
                                "available functions: " + ", ".join(sorted(self.functions)))
            raise self.fail(f"unknown name '{_short(name)}'", tok.offset, self.name_hint(name))

    def name_hint(self, name: str) -> str:
        known = sorted(self.variables)
        declared = "declared variables: " + ", ".join(known) if known else "this answer takes no variables"
        same_case = [v for v in known if v.lower() == name.lower()]
        if same_case:
            return f"names are case-sensitive; did you mean '{same_case[0]}'?"
        parts = _split_product(name, self.variables | set(_CONSTANTS))
        if parts and len(parts) > 1:
            return f"{declared}; write {'*'.join(parts)} for a product"
        return declared

    # ----- stage 3: Python AST under a whitelist -----------------------------
    def to_ast(self, toks: list[_Tok]) -> ast.Expression:
        pieces = []
        for tok in toks:
            pieces.append(tok.text + " ")
            self.offsets.extend([tok.offset] * (len(tok.text) + 1))
        source = "".join(pieces)
        try:
            tree = ast.parse(source, mode="eval")
        except SyntaxError as exc:
            idx = (exc.offset or 1) - 1
            if idx >= len(source.rstrip()):
                raise self.fail("the expression is incomplete", len(self.text), "something is missing at the end") from None
            bad = next(t for t in toks if t.offset >= self.offsets[idx])
            raise self.fail(f"unexpected '{_short(bad.shown or bad.text)}'", bad.offset) from None
        allowed = _ALLOWED | _TRUSTED_EXTRA if self.trusted else _ALLOWED
        stack = [(tree.body, 1)]
        count = 0
        for node in ast.walk(tree):
            count += isinstance(node, ast.expr)
            if count > self.limits.max_nodes:
                raise self.fail("the expression is too long", None, f"at most {self.limits.max_nodes} parts")
            bad_const = isinstance(node, ast.Constant) and type(node.value) not in (int, float)
            if type(node) not in allowed or bad_const or (isinstance(node, ast.Call) and (
                    node.keywords or not isinstance(node.func, ast.Name) or node.func.id not in self.functions)):
                raise self.fail("this kind of expression is not allowed", self.at(node))
        while stack:  # depth, iteratively; a left chain of + - (or * /) counts as one level
            node, depth = stack.pop()
            if depth > self.limits.max_depth:
                raise self.fail("the expression is nested too deeply", self.at(node), f"at most {self.limits.max_depth} levels")
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    flat = isinstance(node, ast.BinOp) and child is node.left and isinstance(child, ast.BinOp) \
                        and _BIN_OPS[type(child.op)] == _BIN_OPS[type(node.op)] != "pow"
                    stack.append((child, depth if flat else depth + 1))
        return tree


def _split_product(name: str, known: set[str]) -> list[str] | None:
    """Split 'xy' into ['x', 'y'] if it is a run of known names (only for the unknown-name hint)."""
    if len(name) > 40:
        return None
    back: list[int | None] = [0] + [None] * len(name)  # back[end] = start of the last known piece
    for end in range(1, len(name) + 1):
        back[end] = next((s for s in range(end) if back[s] is not None and name[s:end] in known), None)
    if back[-1] is None:
        return None
    parts, end = [], len(name)
    while end:
        start = back[end]
        assert start is not None
        parts.append(name[start:end])
        end = start
    return parts[::-1]
