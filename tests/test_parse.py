"""Behaviour of the whitelisting math parser on ordinary student answers.

Expected values are built from sympy objects here, never from strings, so a
test can only pass when the parser builds the same tree itself.
"""

from __future__ import annotations

import pytest
import sympy

from grader.check.matrix_text import split_matrix_text
from grader.check.parse import (
    DEFAULT_FUNCTIONS,
    ParseLimits,
    parse_expression,
    parse_number_text,
    symbol,
)
from grader.core.errors import FormatError

x, y, k = sympy.Symbol("x"), sympy.Symbol("y"), sympy.Symbol("k")
XY = ("x", "y")

VALID = [
    ("2x", XY, 2 * x),
    ("2(x+1)", XY, 2 * x + 2),
    ("x^2", XY, x**2),
    ("x**2", XY, x**2),
    ("x^2 + 2x", XY, x**2 + 2 * x),
    ("(x+1)(x-1)", XY, (x + 1) * (x - 1)),
    ("3 pi", (), 3 * sympy.pi),
    ("3pi", (), 3 * sympy.pi),
    ("sqrt(x)", XY, sympy.sqrt(x)),
    ("ln(x)", XY, sympy.log(x)),
    ("log(x)", XY, sympy.log(x)),
    ("log(8, 2)", (), sympy.Integer(3)),
    ("log(x, 10)", XY, sympy.log(x) / sympy.log(10)),
    ("exp(x)", XY, sympy.exp(x)),
    ("e^x", XY, sympy.exp(x)),
    ("e", (), sympy.E),
    ("x y", XY, x * y),
    ("x(x+1)", XY, x * (x + 1)),
    ("(x+1)x", XY, x * (x + 1)),
    ("(x+1)2", XY, 2 * x + 2),
    ("2 sin(x)cos(x)", XY, 2 * sympy.sin(x) * sympy.cos(x)),
    ("sin(x)^2 + cos(x)^2", XY, sympy.sin(x) ** 2 + sympy.cos(x) ** 2),
    ("-x^2", XY, -(x**2)),
    ("-2^2", (), sympy.Integer(-4)),
    ("2^-1", (), sympy.Rational(1, 2)),
    ("x^2^3", XY, x**8),
    ("2x^2", XY, 2 * x**2),
    ("x/2y", XY, x * y / 2),  # Python precedence: (x/2)*y
    ("abs(x - y)", XY, sympy.Abs(x - y)),
    ("floor(7/2) + ceil(7/2)", (), sympy.Integer(7)),
    ("min(x, y, 3)", XY, sympy.Min(x, y, 3)),
    ("max(1, 2)", (), sympy.Integer(2)),
    ("factorial(5)", (), sympy.Integer(120)),
    ("factorial(x)", XY, sympy.factorial(x)),
    ("asin(1)", (), sympy.pi / 2),
    ("tanh(x) + sinh(x) + cosh(x)", XY, sympy.tanh(x) + sympy.sinh(x) + sympy.cosh(x)),
    ("x^0.5", XY, sympy.sqrt(x)),
    ("k_1 + k1", ("k_1", "k1"), sympy.Symbol("k_1") + sympy.Symbol("k1")),
    ("  x\t+\ny ", XY, x + y),
    ("3\u2212x", XY, 3 - x),  # unicode minus
    ("2\u00d7x \u00b7 y", XY, 2 * x * y),  # times and middle dot
    ("\u03c0 x", XY, sympy.pi * x),
    ("x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x", XY, 45 * x),
]


@pytest.mark.parametrize(("text", "variables", "expected"), VALID)
def test_valid_expressions(text: str, variables: tuple[str, ...], expected: sympy.Expr) -> None:
    result = parse_expression(text, variables=variables)
    assert sympy.simplify(result - expected) == 0, (text, result)


EXACT = [
    ("1/3", sympy.Rational(1, 3)),
    ("0.1", sympy.Rational(1, 10)),
    (".5", sympy.Rational(1, 2)),
    ("1.", sympy.Integer(1)),
    ("4.704e3", sympy.Integer(4704)),
    ("4.704E3", sympy.Integer(4704)),
    ("1e-3", sympy.Rational(1, 1000)),
    ("-4.5e3", sympy.Integer(-4500)),
    ("2^10", sympy.Integer(1024)),
    ("0.30000000000000004", sympy.Rational(30000000000000004, 10**17)),
    ("007", sympy.Integer(7)),
    ("10^400", sympy.Integer(10) ** 400),
    ("1e-400", sympy.Rational(1, 10**400)),
]


@pytest.mark.parametrize(("text", "expected"), EXACT)
def test_numbers_are_exact(text: str, expected: sympy.Rational) -> None:
    result = parse_expression(text)
    assert isinstance(result, sympy.Rational)
    assert result == expected  # structural: an approximate Float would not be equal
    assert parse_number_text(text) == expected


@pytest.mark.parametrize("name", ["S", "I", "N", "E", "Q", "O", "C", "beta", "gamma", "zeta", "pi", "e", "sin", "Symbol"])
def test_sympy_names_are_plain_symbols_when_declared(name: str) -> None:
    result = parse_expression(f"2*{name} + 1", variables=[name])
    assert result == 2 * sympy.Symbol(name) + 1
    assert result.free_symbols == {sympy.Symbol(name)}


def test_clashing_names_in_one_expression() -> None:
    result = parse_expression("(I - F + 2*P)/S + 1", variables="I F P S".split())
    assert result.free_symbols == {sympy.Symbol(n) for n in "IFPS"}
    i, f, p, s = (sympy.Symbol(n) for n in "IFPS")
    assert sympy.simplify(result - ((i - f + 2 * p) / s + 1)) == 0


def test_declared_e_wins_over_the_constant_and_names_are_case_sensitive() -> None:
    assert parse_expression("e", variables=["e"]) == sympy.Symbol("e")
    assert parse_expression("E", variables=["E"]) == sympy.Symbol("E")
    with pytest.raises(FormatError) as info:
        parse_expression("X", variables=["x"])
    assert info.value.message == "unknown name 'X'"
    assert "case-sensitive" in info.value.hint


def test_variables_may_be_a_string_and_symbol_has_no_assumptions() -> None:
    assert parse_expression("x y", variables="x, y") == x * y
    assert symbol("x") == sympy.Symbol("x")
    assert symbol("x").assumptions0 == sympy.Symbol("x").assumptions0
    assert parse_expression("x", variables=["x"]) is not None and parse_expression("x", variables=["x"]) == symbol("x")


def test_default_functions() -> None:
    assert {"sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp", "log", "ln", "sqrt",
            "abs", "floor", "ceil", "min", "max", "factorial"} < set(DEFAULT_FUNCTIONS)
    # what students type (issue 9): reciprocal trig, arc- aliases, inverse hyperbolics, sign, atan2
    assert {"sec", "csc", "cot", "asec", "acsc", "acot", "arcsin", "arccos", "arctan", "asinh", "acosh", "atanh",
            "arcsinh", "sign", "atan2"} < set(DEFAULT_FUNCTIONS)


def test_restricted_functions() -> None:
    assert parse_expression("sin(x)", variables=XY, functions=["sin"]) == sympy.sin(x)
    with pytest.raises(FormatError, match="unknown function 'cos'"):
        parse_expression("cos(x)", variables=XY, functions=["sin"])


@pytest.mark.parametrize(("text", "offset", "between"), [
    ("2x", 1, "'2' and 'x'"),
    ("2(x+1)", 1, "'2' and '('"),
    ("(x+1)(x-1)", 5, "')' and '('"),
    ("3 pi", 2, "'3' and 'pi'"),
    ("x y", 2, "'x' and 'y'"),
    ("(x)y", 3, "')' and 'y'"),
    ("x(x+1)", 1, "'x' and '('"),
])
def test_implicit_multiplication_off(text: str, offset: int, between: str) -> None:
    with pytest.raises(FormatError) as info:
        parse_expression(text, variables=XY, implicit_multiplication=False)
    assert info.value.message == f"missing '*' between {between}"
    assert info.value.offset == offset
    assert info.value.text == text


def test_implicit_multiplication_off_still_allows_calls_and_explicit_products() -> None:
    assert parse_expression("2*sin(x)*(x+1)", variables=XY, implicit_multiplication=False) == 2 * sympy.sin(x) * (x + 1)


ERRORS = [
    # text, variables, message, offset, hint fragment
    ("x + #", XY, "comments ('#') are not allowed", 4, ""),
    ("xy", XY, "unknown name 'xy'", 0, "declared variables: x, y; write x*y for a product"),
    ("2 + z", XY, "unknown name 'z'", 4, "declared variables: x, y"),
    ("t", (), "unknown name 't'", 0, "this answer takes no variables"),
    ("foo(x)", XY, "unknown function 'foo'", 0, "available functions"),
    ("sin x", XY, "'sin' is a function", 0, "sin(...)"),
    ("x ^", XY, "the expression is incomplete", 3, ""),
    ("x + * y", XY, "unexpected '*'", 4, ""),
    ("(x + 1", XY, "'(' is never closed", 0, ""),
    ("x + 1)", XY, "unmatched ')'", 5, ""),
    ("()", XY, "empty parentheses", 0, ""),
    ("1,5", XY, "',' is only allowed between function arguments", 1, "1.5"),
    ("x 2", XY, "missing operator between 'x' and '2'", 2, "x*2"),
    ("2 3", XY, "missing operator between '2' and '3'", 2, ""),
    ("1.2.3", XY, "a number can have only one '.'", 3, ""),
    ("x.y", XY, "answers cannot use '.' to reach attributes", 1, ""),
    ("x = 2", XY, "'=' is not allowed", 2, "not an equation"),
    ("x < 2", XY, "comparisons are not allowed here", 2, ""),
    ("5%", XY, "'%' is not allowed here", 1, ""),
    ("x // 2", XY, "'//' is not allowed here", 2, ""),
    ("!3", XY, "'!' must follow a number, a name or a bracket", 0, "factorial(n)"),
    ("|x", XY, "'|' is never closed", 0, ""),
    ("2E3", ("E",), "'2E3' is ambiguous because E is a variable here", 0, "2*10^3"),
    ("'x'", XY, "strings are not allowed", 0, ""),
    ("x; y", XY, "';' is not allowed", 1, ""),
    ("[x]", XY, "'[' is not allowed", 0, ""),
    ("x\u0445", XY, "character '\u0445' (U+0445) is not allowed", 1, ""),
    ("__x", XY, "names cannot start with '__'", 0, ""),
    ("_x", XY, "names must start with a letter", 0, ""),
    ("lambda", XY, "'lambda' is not allowed", 0, ""),
    ("x/0", XY, "division by zero", 2, ""),
    ("x/(1-1)", XY, "division by zero", 3, ""),  # points into the divisor
    ("0^-1", XY, "division by zero", 2, ""),
    ("log(0)", XY, "the value is undefined or infinite", None, ""),
    ("", XY, "the answer is empty", 0, ""),
    ("   ", XY, "the answer is empty", 0, ""),
    ("sin(x, y)", XY, "sin takes 1 argument, got 2", 0, ""),
    ("log(x, 2, 3)", XY, "log takes 1 or 2 arguments, got 3", 0, ""),
    ("max()", XY, "max takes at least 1 argument, got 0", 0, ""),
    ("factorial(201)", XY, "factorial needs a whole number from 0 to 200", 10, ""),
    ("factorial(1/2)", XY, "factorial needs a whole number from 0 to 200", 10, ""),
    ("x^1001", XY, "exponent too large", 2, ""),
    ("((x+1)^100)^100", XY, "exponent too large", 12, ""),
    ("(x+1)^600 * (x+1)^600", XY, "exponent too large", None, ""),
    ("2^2000", XY, "number too large", 2, ""),
    ("1e401", XY, "number too large", 0, ""),
    ("x\x00", XY, "invisible or control character (U+0000) is not allowed", 1, ""),
]


@pytest.mark.parametrize(("text", "variables", "message", "offset", "hint"), ERRORS)
def test_errors_have_message_and_offset(text: str, variables: tuple[str, ...], message: str,
                                        offset: int | None, hint: str) -> None:
    with pytest.raises(FormatError) as info:
        parse_expression(text, variables=variables)
    assert info.value.message == message
    assert info.value.offset == offset
    assert hint in info.value.hint
    assert info.value.text == text


def test_too_long_and_custom_limits() -> None:
    with pytest.raises(FormatError, match="too long") as info:
        parse_expression("x+" * 600 + "x", variables=XY)
    assert info.value.offset == 1000
    assert parse_expression("x^5", variables=XY, limits=ParseLimits(max_exponent=5)) == x**5
    with pytest.raises(FormatError, match="exponent too large"):
        parse_expression("x^6", variables=XY, limits=ParseLimits(max_exponent=5))
    with pytest.raises(FormatError, match="nested too deeply"):
        parse_expression("((((x))))", variables=XY, limits=ParseLimits(max_depth=3))


def test_invalid_declarations_are_format_errors() -> None:
    with pytest.raises(FormatError, match="invalid variable name"):
        parse_expression("1", variables=["2x"])
    with pytest.raises(FormatError, match="unsupported function"):
        parse_expression("1", functions=["eval"])


TRUSTED = [
    ("a < b", sympy.Lt(sympy.Symbol("a"), sympy.Symbol("b"))),
    ("a >= 2", sympy.Ge(sympy.Symbol("a"), 2)),
    ("a != b", sympy.Ne(sympy.Symbol("a"), sympy.Symbol("b"))),
    ("a % 2 == 0", sympy.Eq(sympy.Mod(sympy.Symbol("a"), 2), 0)),
    ("a // 2", sympy.floor(sympy.Symbol("a") / 2)),
    ("a > 0 and b > 0", sympy.And(sympy.Symbol("a") > 0, sympy.Symbol("b") > 0)),
    ("a < 0 or not b > 0", sympy.Or(sympy.Symbol("a") < 0, sympy.Not(sympy.Symbol("b") > 0))),
    ("0 < a < b", sympy.And(sympy.Lt(0, sympy.Symbol("a")), sympy.Lt(sympy.Symbol("a"), sympy.Symbol("b")))),
]


@pytest.mark.parametrize(("text", "expected"), TRUSTED)
def test_trusted_mode(text: str, expected: sympy.Basic) -> None:
    assert parse_expression(text, variables=["a", "b"], trusted=True) == expected
    with pytest.raises(FormatError):
        parse_expression(text, variables=["a", "b"])


def test_parse_number_text() -> None:
    assert parse_number_text("sqrt(8)") == 2 * sympy.sqrt(2)
    with pytest.raises(FormatError, match="unknown name 'x'"):
        parse_number_text("x")


MATRICES = [
    ("[[1, 2], [3, 4]]", [["1", "2"], ["3", "4"]]),
    ("[[1,2],\n [3,4]]", [["1", "2"], ["3", "4"]]),
    ("[1, 2, 3]", [["1", "2", "3"]]),
    ("[1 2; 3 4]", [["1", "2"], ["3", "4"]]),
    ("[1, 2; 3, 4]", [["1", "2"], ["3", "4"]]),
    ("1 2; 3 4", [["1", "2"], ["3", "4"]]),
    ("1 2\n3 4\n", [["1", "2"], ["3", "4"]]),
    ("[1 2\n 3 4]", [["1", "2"], ["3", "4"]]),
    ("[1 -2]", [["1", "-2"]]),
    ("[1 - 2]", [["1 - 2"]]),
    ("[1 -2; 3 - 4 5]", [["1", "-2"], ["3 - 4", "5"]]),
    ("[x^ 2  y]", [["x^ 2", "y"]]),
    ("[k_1 2x+1; -3 1/2]", [["k_1", "2x+1"], ["-3", "1/2"]]),
    ("[2 x, 1]", [["2 x", "1"]]),
    ("[max(1, 2) 3]", [["max(1, 2)", "3"]]),
    ("[[1 2] [3 4]]", [["1", "2"], ["3", "4"]]),
    ("[1, 2], [3, 4]", [["1", "2"], ["3", "4"]]),
    ("[[1], [2]]", [["1"], ["2"]]),
    ('[["1/2", "x"]]', [["1/2", "x"]]),
    ("[1 2;]", [["1", "2"]]),
    ("5", [["5"]]),
]


@pytest.mark.parametrize(("text", "expected"), MATRICES)
def test_split_matrix_text(text: str, expected: list[list[str]]) -> None:
    assert split_matrix_text(text) == expected


MATRIX_ERRORS = [
    ("[[1, 2], [3, 4, 5]]", "row 2 has 3 entries but row 1 has 2 entries", 10),
    ("[1 2; 3]", "row 2 has 1 entry but row 1 has 2 entries", 6),
    ("", "the matrix is empty", 0),
    ("[]", "the matrix is empty", 0),
    ("[ ; ]", "the matrix is empty", 0),
    ("[1,,2]", "empty entry", 3),
    ("[1, 2", "'[' is never closed", 0),
    ("1 2]", "unmatched ']'", 3),
    ("[[[1]]]", "too many levels of '['", 2),
    ("[1 2] 3", "mix of bracketed rows and plain entries", 0),
    ("[[1 2; 3 4]]", "each bracketed row must hold one row of entries", 1),
    ("[(1, 2]", "'(' is never closed", 1),
    ("[1, 'x]", "quote is never closed", 4),
    ("[1\x00]", "invisible or control character (U+0000) is not allowed", 2),
]


@pytest.mark.parametrize(("text", "message", "offset"), MATRIX_ERRORS)
def test_split_matrix_errors(text: str, message: str, offset: int | None) -> None:
    with pytest.raises(FormatError) as info:
        split_matrix_text(text)
    assert info.value.message == message
    assert info.value.offset == offset


def test_matrix_caps() -> None:
    assert len(split_matrix_text("; ".join(["1"] * 100))) == 100
    with pytest.raises(FormatError, match="too many rows"):
        split_matrix_text("; ".join(["1"] * 101))
    with pytest.raises(FormatError, match="too many entries in a row"):
        split_matrix_text(" ".join(["1"] * 101))
    with pytest.raises(FormatError, match="the matrix is too long"):
        split_matrix_text("1 " * 10001)


def test_matrix_cells_parse() -> None:
    cells = split_matrix_text("[2x+1, -3; 1/2, k]")
    values = [[parse_expression(c, variables=["x", "k"]) for c in row] for row in cells]
    assert values == [[2 * x + 1, -3], [sympy.Rational(1, 2), k]]
