"""Hard limits of ``check_answer``: hostile text ends invalid or incorrect, fast, and runs nothing.

Every payload goes through the full ``check_answer`` path of an expression, a matrix, a number
and an integer part, in an empty temporary directory: if any payload were ever executed, the
marker file it tries to create would appear there. Each check is timed on its own. The killable
worker is exercised with a form check that would take sympy minutes, and Hypothesis feeds
arbitrary text to every answer type.
"""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import grader.check.types  # noqa: F401  (registers the checkers)
import grader.check.worker as worker
from grader.check.answer import check_answer
from grader.check.base import VERDICTS, CheckResult
from tests.kinds_helpers import spec

MARKER = "MARKER"
TIME_LIMIT = 2.0
x, y = sympy.Symbol("x"), sympy.Symbol("y")


SPECS = {
    "expression": spec("expression", x + 1, variables=["x", "y"]),
    "matrix": spec("matrix", [[1, 2], [3, 4]], variables=["x"], partial=True),
    "number": spec("number", Fraction(72), percent=True),
    "integer": spec("integer", 4704),
}

_MATLAB_1000 = "[" + "; ".join(" ".join("1" for _ in range(1000)) for _ in range(1000)) + "]"
_JSON_1000 = "[" + ",".join("[" + ",".join("1" for _ in range(1000)) + "]" for _ in range(1000)) + "]"
_YAML_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
)

HOSTILE: list[tuple[str, str]] = [
    # code injection
    ("import-system", "__import__('os').system('touch MARKER')"),
    ("import-pathlib", "__import__(\"pathlib\").Path(\"MARKER\").touch()"),
    ("open-write", "open('MARKER', 'w').write('pwned')"),
    ("eval", "eval(\"__import__('os').system('touch MARKER')\")"),
    ("exec", "exec('import os; os.system(\"touch MARKER\")')"),
    ("statement", "x; import os"),
    ("walrus", "(y := __import__('os'))"),
    ("shell-subst", "$(touch MARKER)"),
    ("backticks", "`touch MARKER`"),
    ("template", "{{ cycler.__init__.__globals__.os.popen('touch MARKER') }}"),
    ("jndi", "${jndi:ldap://example.invalid/a}"),
    # attribute walks
    ("mro", "().__class__.__mro__"),
    ("subclasses", "().__class__.__bases__[0].__subclasses__()"),
    ("x-class", "x.__class__.__mro__[-1].__subclasses__()"),
    ("int-class", "(1).__class__"),
    ("func-globals", "sin.__globals__['__builtins__']"),
    ("getattr", "getattr(x, '__class__')"),
    ("builtins", "__builtins__"),
    ("globals", "globals()"),
    ("sympify", "sympify('x')"),
    ("Symbol", "Symbol('x')"),
    # lambdas and comprehensions
    ("lambda", "lambda: __import__('os').system('touch MARKER')"),
    ("lambda-call", "(lambda: 1)()"),
    ("listcomp", "[__import__('os').system('touch MARKER') for _ in (1,)]"),
    ("genexp", "(x for x in ().__class__.__mro__)"),
    ("dictcomp", "{x: x for x in range(10**9)}"),
    # arithmetic bombs
    ("tower", "10^10^10"),
    ("tower-9", "9^9^9^9"),
    ("tower-2", "2^(2^(2^(2^2)))"),
    ("nested-power", "((x+1)^100)^100"),
    ("big-power", "x^100000"),
    ("power-of-power", "x^(10^10)"),
    ("factorial", "factorial(100000)"),
    ("exp", "exp(10^6)"),
    ("sinh", "sinh(10^5)"),
    ("div-zero", "1/0"),
    ("log-zero", "log(0)"),
    # size and depth
    ("parens-5000", "(" * 5000 + "x" + ")" * 5000),
    ("unary-5000", "-" * 5000 + "x"),
    ("x-100k", "x" * 100_000),
    ("sum-100k", "x+" * 50_000 + "x"),
    ("digits-100k", "1" * 100_000),
    ("digits-5000", "9" * 5000),
    ("one-then-zeros", "1" + "0" * 5000),
    ("tiny-decimal", "0." + "0" * 5000 + "1"),
    ("matrix-1000-matlab", _MATLAB_1000),
    ("matrix-1000-json", _JSON_1000),
    ("open-brackets", "[[" * 5000),
    ("close-brackets", "]]" * 5000),
    ("balanced-brackets", "[" * 5000 + "]" * 5000),
    ("quotes-1000", "'" * 1000),
    ("backslashes", "\\" * 1000),
    # YAML / JSON bombs as plain text
    ("yaml-laughs", _YAML_LAUGHS),
    ("yaml-tag", "!!python/object/apply:os.system ['touch MARKER']"),
    ("json-nest", '{"a": ' * 5000 + "1" + "}" * 5000),
    ("json-array-nest", "[" * 100 + "1" + "]" * 100),
    # NUL and control characters
    ("nul", "\x00"),
    ("nul-suffix", "4704\x00"),
    ("nul-inside", "x\x00+1"),
    ("nul-matrix", "[[1, 2], [3, 4\x00]]"),
    ("escape", "\x1b[2J72"),
    # unicode tricks
    ("cyrillic-x", "\u0445 + 1"),
    ("cyrillic-i", "s\u0456n(x)"),
    ("fullwidth-x", "\uff58 + 1"),
    ("zero-width", "x\u200b+1"),
    ("rtl-override", "\u202ex+1"),
    ("lone-surrogate", "\ud800"),
    ("math-bold", "\U0001d431+1"),
    ("superscript", "x\u00b2"),
    ("fullwidth-digits", "\uff14\uff17\uff10\uff14"),
    ("arabic-indic-digits", "\u0664\u0667\u0660\u0664"),
    # numbers past every limit
    ("exp-999999999", "1e999999999"),
    ("exp-neg", "-1e-999999999"),
    ("exp-19-digits", "9e9999999999999999999"),
    ("exp-309", "1e309"),
    ("exp-400", "1e400"),
    ("neg-exp-309", "-1e309"),
    ("matrix-exp-400", "[[1e400, 2], [3, 4]]"),
    ("nan", "nan"),
    ("inf-percent", "inf%"),
]

KNOWN_BUGS: dict[tuple[str, str], tuple[str, type[BaseException] | None]] = {}


def _cases() -> list:
    cases = []
    for kind in SPECS:
        for name, text in HOSTILE:
            marks = []
            if (name, kind) in KNOWN_BUGS:
                reason, raises = KNOWN_BUGS[(name, kind)]
                marks.append(pytest.mark.xfail(strict=True, reason=reason, raises=raises))
            cases.append(pytest.param(kind, text, id=f"{kind}-{name}", marks=marks))
    return cases


def test_enough_hostile_inputs() -> None:
    assert len(HOSTILE) >= 40
    assert len({name for name, _ in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize("kind, text", _cases())
def test_hostile_input_is_refused_fast_and_runs_nothing(kind: str, text: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    result = check_answer(SPECS[kind], text)
    elapsed = time.perf_counter() - start
    assert isinstance(result, CheckResult)
    assert result.verdict in ("invalid", "incorrect"), result
    assert result.score == 0.0
    assert elapsed < TIME_LIMIT, f"took {elapsed:.2f}s"
    assert not (tmp_path / MARKER).exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["choice", "checkbox", "text", "free"])
def test_hostile_input_for_other_types(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    options = [{"text": "yes", "correct": True}, {"text": "no"}]
    part = {
        "choice": lambda: spec("choice", options=options),
        "checkbox": lambda: spec("checkbox", options=options, mode="each-answer"),
        "text": lambda: spec("text", answers=["residual connections"], regex=r"(residual|skip)\s+connections?"),
        "free": lambda: spec("free", rubric=["anything"]),
    }[kind]()
    for _, text in HOSTILE:
        start = time.perf_counter()
        result = check_answer(part, text)
        assert time.perf_counter() - start < TIME_LIMIT
        assert result.verdict in (("pending",) if kind == "free" else ("invalid", "incorrect")), (text[:40], result)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", [
    "expression", "number", "integer", "text",
    "matrix", "choice", "checkbox",
])
def test_feedback_does_not_echo_a_huge_answer(kind: str) -> None:
    options = [{"text": "yes", "correct": True}, {"text": "no"}]
    part = {**SPECS, "text": spec("text", answers=["relu"]), "choice": spec("choice", options=options),
            "checkbox": spec("checkbox", options=options)}[kind]
    result = check_answer(part, "Q" * 15_000)
    assert result.verdict == "invalid"
    assert len(result.feedback) < 2000, len(result.feedback)


# ----- the killable worker ----------------------------------------------------------------------
# Form tests read the typed structure, so expanded is instant even for (x+1)^1000*(x-1)^1000; deciding whether
# a degree-999 trinomial is irreducible (form: factored) still takes sympy's factor_list minutes.
SLOW_POWER = x**999 + x**500 + 1
SLOW_TEXT = "x^999 + x^500 + 1"


def test_expanded_form_of_a_huge_product_is_decided_from_the_structure() -> None:
    part = spec("expression", (x + 1) ** 1000 * (x - 1) ** 1000, variables=["x"], form="expanded",
                domain={"x": [-1.1, 1.1]})
    assert check_answer(part, "(x+1)^1000*(x-1)^1000").note == "form-expanded"


def test_slow_form_check_times_out_as_invalid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker, "DEFAULT_TIMEOUT", 1.0)
    part = spec("expression", SLOW_POWER, variables=["x"], form="factored")
    start = time.perf_counter()
    result = check_answer(part, SLOW_TEXT)
    elapsed = time.perf_counter() - start
    assert (result.verdict, result.note, result.score) == ("invalid", "timeout", 0.0)
    assert "could not be checked in time" in result.feedback
    assert elapsed < 10.0, f"took {elapsed:.1f}s"
    # the pool recovers: the next form check runs in a fresh worker
    quick = spec("expression", x**2 + 2 * x + 1, variables=["x"], form="expanded")
    assert check_answer(quick, "(x+1)^2").note == "form-expanded"
    assert check_answer(quick, "x^2+2x+1").verdict == "correct"


def test_worker_timeout_setting_takes_effect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker, "DEFAULT_TIMEOUT", 0.5)
    part = spec("expression", SLOW_POWER, variables=["x"], form="factored")
    check_answer(spec("expression", x, variables=["x"], form="expanded"), "x")  # pool already started
    start = time.perf_counter()
    result = check_answer(part, SLOW_TEXT)
    assert result.note == "timeout"
    assert time.perf_counter() - start < 2.0


def test_run_limited_reports_timeout() -> None:
    start = time.perf_counter()
    with pytest.raises(worker.CheckTimeout):
        worker.run_limited(time.sleep, 30, timeout=0.5)
    assert time.perf_counter() - start < 10.0
    assert worker.run_limited(sum, [1, 2, 3], timeout=5) == 6


# ----- arbitrary text never raises --------------------------------------------------------------
_OPTIONS = [{"text": "first", "correct": True, "feedback": "f1"}, {"text": "second", "feedback": "f2"},
            {"text": "third", "correct": True, "feedback": "f3"}]
ALL_TYPES = {
    **SPECS,
    "number-exact": spec("number", Fraction(1, 3), exact=True),
    "number-sigfigs": spec("number", Fraction(314159, 100000), sigfigs=3),
    "expression-trig": spec("expression", sympy.sin(x) * y, variables=["x", "y"], functions=["sin", "cos"]),
    "matrix-symbolic": spec("matrix", sympy.Matrix([[x, 0], [0, x]]), variables=["x"]),
    "choice": spec("choice", options=_OPTIONS[:2]),
    "checkbox": spec("checkbox", options=_OPTIONS, mode="net-correct"),
    "text": spec("text", answers=["residual connections"], regex=r"(residual|skip)\s+connections?"),
    "free": spec("free", rubric=["anything"]),
}
MATHY = st.text(alphabet="0123456789.eE+-*/^()[], ;%xyk\n", max_size=30)


@pytest.mark.parametrize("kind", list(ALL_TYPES))
@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=200), MATHY))
def test_arbitrary_text_never_raises(kind: str, text: str) -> None:
    result = check_answer(ALL_TYPES[kind], text)
    assert isinstance(result, CheckResult)
    assert result.verdict in VERDICTS
    assert 0.0 <= result.score <= 1.0
    assert isinstance(result.feedback, str) and isinstance(result.note, str) and result.note
