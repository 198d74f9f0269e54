"""A whitelisting parser for math typed by students.

Student text is data, never code. We tokenize it with our own scanner, reject
anything that is not plain arithmetic, rebuild a Python-syntax string *only
from our own tokens* (numbers become placeholder names, so Python never reads
a student's digits), let ``ast.parse`` do precedence, refuse every AST node
outside a small whitelist, and build sympy objects directly from the tree.
Nothing here calls eval, sympify or parse_expr, and sympy never sees a string.

Every problem, including resource limits, becomes a ``FormatError`` carrying
the offset of the offending character so the caller can put a caret under it.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable

import sympy

from grader.check.scan import (  # noqa: F401  (re-exported: parse is where callers import them)
    _BIN_OPS,
    _COMPARE,
    _CONSTANTS,
    _EXP_LIKE,
    _FLOOR_MAX,
    _FUNCTIONS,
    _UNDEFINED,
    DEFAULT_FUNCTIONS,
    ParseLimits,
    Scanner,
    _is_control,
    _short,
    symbol,
)
from grader.core.errors import FormatError

DEFAULT_LIMITS = ParseLimits()


class _Parser(Scanner):
    """Stage 2 and 3: the AST walked against the whitelist and built into sympy."""


    def at(self, node: ast.AST) -> int | None:
        col = node.col_offset if isinstance(node, (ast.expr, ast.keyword)) else None
        return self.offsets[col] if col is not None and col < len(self.offsets) else None

    # ----- stage 4: sympy objects -------------------------------------------
    def charge(self, node: ast.AST, units: int = 1) -> None:
        """The cost cap. Each sum or product sympy makes costs its number of terms (it flattens them again
        each time), so a long chain is charged what it really costs, and refused in milliseconds."""
        self.work += units
        if self.work > self.limits.max_work:
            raise self.fail("the expression is too complex to check", self.at(node), "try a simpler form")

    def build(self, node: ast.expr) -> tuple[sympy.Basic, float]:
        """Return (value, weight); weight is the product of nested numeric exponents on symbols."""
        self.charge(node)
        if isinstance(node, ast.BinOp):
            chain, cur = [], node
            while isinstance(cur, ast.BinOp) and (not chain or _BIN_OPS[type(cur.op)] == _BIN_OPS[type(node.op)] != "pow"):
                chain.append(cur)
                cur = cur.left
            value, weight = self.build(cur)
            for op_node in reversed(chain):
                right, rw = self.build(op_node.right)
                value, weight = self.binop(op_node, value, weight, right, rw)
                self.charge(op_node, len(value.args) if isinstance(value, (sympy.Add, sympy.Mul)) else 1)
            return value, weight
        if isinstance(node, ast.UnaryOp):
            value, weight = self.build(node.operand)
            return (sympy.Not(value) if isinstance(node.op, ast.Not) else -value if isinstance(node.op, ast.USub) else value), weight
        if isinstance(node, ast.Name):
            if node.id.startswith("_n"):
                return self.numbers[int(node.id[2:])], 1
            if node.id.startswith("_v") and node.id[2:] in self.variables:  # a keyword-named variable
                return symbol(node.id[2:]), 1
            if node.id in self.variables:
                return symbol(node.id), 1
            if node.id in _CONSTANTS:
                return _CONSTANTS[node.id], 1
            raise self.fail(f"unknown name '{_short(node.id)}'", self.at(node), self.name_hint(node.id))
        if isinstance(node, ast.Constant):  # never produced by our rebuild; kept exact all the same
            value = node.value
            return (sympy.Integer(value) if isinstance(value, int) else sympy.Rational(*value.as_integer_ratio())), 1
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Compare):
            parts, left = [], self.build(node.left)[0]
            for op, comp in zip(node.ops, node.comparators):
                right = self.build(comp)[0]
                parts.append(_COMPARE[type(op)](left, right))
                left = right
            return (parts[0] if len(parts) == 1 else sympy.And(*parts)), 1
        if isinstance(node, ast.BoolOp):
            values = [self.build(v)[0] for v in node.values]
            return (sympy.And if isinstance(node.op, ast.And) else sympy.Or)(*values), 1
        raise self.fail("this kind of expression is not allowed", self.at(node))

    def binop(self, node: ast.BinOp, a: sympy.Basic, aw: float, b: sympy.Basic, bw: float) -> tuple[sympy.Basic, float]:
        op, weight = type(node.op), max(aw, bw)
        if op in (ast.Div, ast.Mod, ast.FloorDiv) and b == 0:
            raise self.fail("division by zero", self.at(node.right))
        if op is ast.Pow:
            return self.power(node, a, aw, b)
        result = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b, ast.Div: lambda: a / b,
                  ast.Mod: lambda: sympy.Mod(a, b), ast.FloorDiv: lambda: sympy.floor(a / b)}[op]()
        coeff = result.as_coeff_Mul()[0] if isinstance(result, sympy.Expr) else sympy.Integer(1)
        if self.log_size(coeff) > self.limits.max_number_digits:
            raise self.fail("number too large", self.at(node), f"numbers may have at most {self.limits.max_number_digits} digits")
        return result, weight

    def power(self, node: ast.BinOp, base: sympy.Basic, bw: float, exp: sympy.Basic) -> tuple[sympy.Basic, float]:
        lim, where = self.limits, self.at(node.right)
        if not (isinstance(exp, sympy.Expr) and exp.is_number):
            return sympy.Pow(base, exp, evaluate=self.trusted), bw  # symbolic exponent: nothing to compute now
        abs_exp = self.magnitude(exp)
        if base == 0 and exp.is_extended_negative:
            raise self.fail("division by zero", where, "0 cannot be raised to a negative power")
        if isinstance(base, sympy.Expr) and not base.is_number:
            weight = bw * max(abs_exp, 1)
            if abs_exp > lim.max_exponent or weight > lim.max_exponent:
                raise self.fail("exponent too large", where, f"powers of variables may be at most {lim.max_exponent}")
            base_size = base.as_coeff_Mul()[0]  # (10x)^1000 becomes 10^1000 x^1000
        else:
            weight, base_size = 1, base
        if abs_exp * self.log_size(base_size) > lim.max_number_digits:
            raise self.fail("number too large", where, f"numbers may have at most {lim.max_number_digits} digits")
        if not self.trusted and not base.is_number and not exp.is_Integer:  # unevaluated: see the note at _FLOOR_MAX
            return sympy.Pow(base, exp, evaluate=False), weight
        return sympy.Pow(base, exp), weight

    def call(self, node: ast.Call) -> tuple[sympy.Basic, float]:
        name = node.func.id  # type: ignore[attr-defined]
        if name in self.unknown_functions:
            built = [self.build(arg) for arg in node.args]
            return sympy.Function(name)(*[b[0] for b in built]), max((b[1] for b in built), default=1)
        fn, lo, hi = _FUNCTIONS[name]
        if not lo <= len(node.args) <= (hi or len(node.args)):
            want = f"{lo} argument" if lo == hi else f"{lo} or {hi} arguments" if hi else f"at least {lo} argument"
            raise self.fail(f"{name} takes {want}, got {len(node.args)}", self.at(node))
        built = [self.build(arg) for arg in node.args]
        args = [b[0] for b in built]
        if isinstance(args[0], sympy.Expr) and args[0].is_number:
            if name == "factorial" and not (args[0].is_Integer and 0 <= args[0] <= self.limits.max_factorial):
                raise self.fail(f"factorial needs a whole number from 0 to {self.limits.max_factorial}", self.at(node.args[0]))
            if name in _EXP_LIKE and self.magnitude(args[0]) * math.log10(math.e) > self.limits.max_number_digits:
                raise self.fail("number too large", self.at(node.args[0]))
            if name in ("floor", "ceil") and not args[0].is_Rational and self.magnitude(args[0]) > _FLOOR_MAX:
                # the integer part of a huge irrational costs sympy seconds of high-precision evaluation
                raise self.fail(f"{name} needs a number below 10^50", self.at(node.args[0]))
        if not self.trusted and not all(isinstance(a, sympy.Expr) and a.is_number for a in args):
            if fn is sympy.log and len(args) == 2:  # log(x, b) is log(x)/log(b), as sympy writes it evaluated
                base = sympy.log(args[1], evaluate=not args[1].free_symbols)
                return sympy.log(args[0], evaluate=False) / base, max(b[1] for b in built)
            return fn(*args, evaluate=False), max(b[1] for b in built)
        return fn(*args), max(b[1] for b in built)

    @staticmethod
    def magnitude(value: sympy.Expr) -> float:
        """|value| as a float, inf when too big; only ever called on numeric expressions."""
        try:
            if value.is_Rational:
                return abs(value.p) / value.q
            return abs(complex(sympy.N(value, 15)))
        except OverflowError:
            return math.inf

    def log_size(self, value: sympy.Basic) -> float:
        """Roughly how many decimal digits writing ``value`` (numerator or denominator) takes."""
        if isinstance(value, sympy.Rational):
            return max(math.log10(abs(value.p) or 1), math.log10(value.q))
        mag = self.magnitude(value) if isinstance(value, sympy.Expr) and value.is_number else 1.0
        return abs(math.log10(mag)) if 0 < mag < math.inf else (0.0 if mag == 0 else math.inf)

    def finish(self, value: sympy.Basic) -> sympy.Basic:
        """Last look at the built value: sympy's own simplifications may have merged powers or made zoo."""
        for sub in sympy.preorder_traversal(value):
            if isinstance(sub, sympy.Pow) and sub.exp.is_Rational and not sub.base.is_number \
                    and abs(sub.exp) > self.limits.max_exponent:  # x^1000 * x^1000 merged into x^2000
                raise self.fail("exponent too large", None, f"powers of variables may be at most {self.limits.max_exponent}")
            if any(sub is u for u in _UNDEFINED):
                raise self.fail("the value is undefined or infinite", None, "check for division by zero or log(0)")
            if isinstance(sub, sympy.Rational) and self.log_size(sub) > self.limits.max_number_digits:
                raise self.fail("number too large", None, f"numbers may have at most {self.limits.max_number_digits} digits")
        return value


def parse_expression(text: str, *, variables: Iterable[str] = (), functions: Iterable[str] = DEFAULT_FUNCTIONS,
                     implicit_multiplication: bool = True, trusted: bool = False,
                     limits: ParseLimits = DEFAULT_LIMITS, unknown_functions: Iterable[str] = ()) -> sympy.Expr | sympy.Basic:
    """Parse a student's math into sympy; raise FormatError (and only that) for any bad text.

    ``trusted`` (for question authors, not students) also allows % // comparisons and and/or/not.
    Invalid ``variables``/``functions`` declarations are reported as FormatError too.
    """
    parser = _Parser(text if isinstance(text, str) else "", variables, functions,
                     implicit_multiplication, trusted, limits, unknown_functions)
    if not isinstance(text, str):
        raise parser.fail("the answer must be text", None)
    if len(text) > limits.max_length:
        raise parser.fail("the answer is too long", limits.max_length, f"at most {limits.max_length} characters")
    bad = next((i for i, ch in enumerate(text) if _is_control(ch)), None)
    if bad is not None:
        raise parser.fail(f"invisible or control character (U+{ord(text[bad]):04X}) is not allowed", bad)
    try:
        tree = parser.to_ast(parser.arrange(parser.tokenize()))
        return parser.finish(parser.build(tree.body)[0])
    except FormatError:
        raise
    except (RecursionError, MemoryError):
        raise parser.fail("the expression is too complex", None) from None
    except Exception as exc:  # noqa: BLE001 - sympy/arithmetic errors on odd input are still the answer's problem
        raise parser.fail("this expression cannot be evaluated", None, f"try a simpler form ({type(exc).__name__})") from None


def parse_number_text(text: str, *, functions: Iterable[str] = DEFAULT_FUNCTIONS,
                      implicit_multiplication: bool = True, limits: ParseLimits = DEFAULT_LIMITS) -> sympy.Expr:
    """A numeric-only answer ("1/3", "2^10", "-4.5e3", "sqrt(2)"): no variables allowed."""
    value = parse_expression(text, functions=functions, implicit_multiplication=implicit_multiplication, limits=limits)
    if not (isinstance(value, sympy.Expr) and value.is_number):
        raise FormatError("expected a number", text=text, offset=None)
    return value
