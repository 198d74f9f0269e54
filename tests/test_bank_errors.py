"""Malformed banks, as a user would write them, through ``grader validate``.

Every fixture in tests/fixtures/banks/ is a small bank with one realistic
mistake. A bank that cannot be read must end with exit code 2 and one line
``error: <file>:<line>[:<col>]: <reason>`` on stderr, never a traceback. The
expected line (and column) is found in the fixture's own text by a marker,
so the tests do not copy positions from the code's output.

Problems only ``validate`` can find by drawing variants (a solver that raises,
constraints that can never hold, printed answers that disagree with the solver)
are reported as ``error:`` findings with exit code 1 (README: "1 means a test
failed, and 2 means a bank cannot be read").
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.bank.model import load_bank
from grader.bank.params import draw_values
from grader.cli import main
from grader.core.variant_seed import Draws, variant_seed
from grader.core.yamlload import MAX_BANK_BYTES, YamlError, decode_text, load_file, parse_text
from grader.jobs.validate import VALIDATE_SECRET

BANKS = Path(__file__).parent / "fixtures" / "banks"
ANSWER_TYPES = ("checkbox", "choice", "code", "expression", "free", "integer", "matrix", "number", "text")


# --------------------------------------------------------------------------- helpers


def validate(*args: str) -> tuple[int, str, str]:
    """Run ``grader validate`` in-process; return (exit code, stdout, stderr)."""
    result = CliRunner().invoke(main, ["validate", *args])
    # An uncaught exception is a traceback for the user: it must never happen.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"grader validate raised {type(result.exception).__name__}: {result.exception}\n{result.stdout}{result.stderr}"
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def marker_position(path: Path, marker: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the ``occurrence``-th line containing ``marker``."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if marker in line:
            seen += 1
            if seen == occurrence:
                return number, line.index(marker) + 1
    raise AssertionError(f"marker {marker!r} not found {occurrence} time(s) in {path}")


def error_lines(stream: str) -> list[str]:
    return [line for line in stream.splitlines() if line.startswith("error:")]


# --------------------------------------------------------------------------- unreadable banks: exit 2


# (fixture, marker in the fixture, which occurrence, check the column too, reason pattern)
UNREADABLE = [
    pytest.param("duplicate_key.yaml", "answer:", 2, True, r"duplicate key 'answer'", id="duplicate-key"),
    pytest.param("tab_indent.yaml", "\t", 1, True, r"tab", id="tab-indentation"),
    pytest.param("unknown_type.yaml", "integr", 1, True, r"unknown answer type 'integr'", id="unknown-answer-type"),
    pytest.param("python_tag.yaml", "!!python", 1, True, r"tags? .*not allowed", id="python-apply-tag"),
    pytest.param("python_object_tag.yaml", "!!python", 1, True, r"tags? .*not allowed", id="python-object-tag"),
    pytest.param("anchor_alias.yaml", "&opts", 1, True, r"anchors? .*not allowed", id="anchor"),
    pytest.param("alias_only.yaml", "*parts", 1, True, r"alias(es)? .*not allowed", id="alias"),
    pytest.param("deep_nesting.yaml", "[[[[", 1, False, r"nest\w* .*deeper than 20", id="nesting-over-20"),
    pytest.param("unknown_key.yaml", "soluton:", 1, False, r"unknown key 'soluton'", id="unknown-question-key"),
    pytest.param("undefined_param.yaml", "{{ S }}", 1, False, r"parameter 'S' .*not defined", id="undefined-param"),
]


@pytest.mark.parametrize(("fixture", "marker", "occurrence", "check_column", "reason"), UNREADABLE)
def test_unreadable_bank_exits_2_with_position(fixture, marker, occurrence, check_column, reason):
    path = BANKS / fixture
    code, stdout, stderr = validate(str(path))
    line, column = marker_position(path, marker, occurrence)
    assert code == 2, f"exit {code}\n{stdout}{stderr}"
    errors = error_lines(stderr)
    assert len(errors) == 1, f"expected one error line on stderr, got:\n{stderr}"
    message = errors[0]
    position = re.match(rf"error: {re.escape(str(path))}:(\d+)(?::(\d+))?[:,] ", message)
    assert position, f"no {path}:<line>[:<col>] in {message!r}"
    assert int(position.group(1)) == line, f"reported line {position.group(1)}, the problem is on line {line}: {message}"
    if check_column:
        assert position.group(2) is not None and int(position.group(2)) == column, (
            f"reported column {position.group(2)}, the problem is at column {column}: {message}")
    assert re.search(reason, message), f"{reason!r} not in {message!r}"
    assert stdout.strip() == "", "nothing but the error should be printed"


def test_unknown_answer_type_lists_the_known_types():
    _, _, stderr = validate(str(BANKS / "unknown_type.yaml"))
    message = error_lines(stderr)[0]
    listed = message.split("known types", 1)[-1]
    missing = [kind for kind in ANSWER_TYPES if not re.search(rf"\b{kind}\b", listed)]
    assert "known types" in message and not missing, f"types {missing} not listed in {message!r}"


def test_undefined_parameter_names_question_and_parameter():
    _, _, stderr = validate(str(BANKS / "undefined_param.yaml"))
    message = error_lines(stderr)[0]
    assert "'conv-size'" in message and "'S'" in message


def test_python_tag_is_never_executed(tmp_path, monkeypatch):
    """The tag must be refused, not run: the payload would create a file."""
    bank = tmp_path / "payload.yaml"
    bank.write_text((BANKS / "python_tag.yaml").read_text().replace("echo pwned", f"touch {tmp_path / 'PWNED'}"))
    monkeypatch.chdir(tmp_path)
    code, _, stderr = validate(str(bank))
    assert code == 2 and "not allowed" in stderr
    assert not (tmp_path / "PWNED").exists()


# Where the text comes from decides which source line the parameter is on: every style must
# point at the line that uses it.
UNDEFINED_IN_TEMPLATE = [
    pytest.param("text: |\n      An input of width {{ I }}\n      with stride {{ S }}.\n", "", id="block-text"),
    pytest.param('text: "An input of width {{ I }} and stride {{ S }}."\n', "", id="quoted-text"),
    pytest.param("text: >\n      An input of width {{ I }}\n      goes through a kernel\n      with stride {{ S }}.\n",
                 "", id="folded-text"),
    pytest.param("text: An input of width {{ I }}.\n", "With stride {{ S }}, how wide is the output?",
                 id="inline-prompt"),
]


@pytest.mark.parametrize(("text_yaml", "prompt"), UNDEFINED_IN_TEMPLATE)
def test_undefined_parameter_line_points_at_its_use(tmp_path, text_yaml, prompt):
    prompt_yaml = f"        prompt: {prompt}\n" if prompt else ""
    bank = tmp_path / "where.yaml"
    bank.write_text(
        "id: where\ntitle: Where is S used\nquestions:\n  - id: q1\n    title: One\n    params:\n"
        "      I: {choice: [28, 32]}\n    " + text_yaml
        + "    parts:\n      - id: a\n        type: integer\n" + prompt_yaml + "        answer: I\n",
        encoding="utf-8",
    )
    code, _, stderr = validate(str(bank))
    line, _ = marker_position(bank, "{{ S }}")
    assert code == 2
    reported = re.search(rf"{re.escape(str(bank))}:(\d+)", stderr)
    assert reported, stderr
    assert int(reported.group(1)) == line, f"reported line {reported.group(1)}, {{{{ S }}}} is on line {line}"


# --------------------------------------------------------------------------- encodings and size via the CLI


def test_invalid_utf8_bank_exits_2_with_line(tmp_path):
    text = (BANKS / "tiny.yaml").read_bytes()
    broken = text.replace(b"Why pooling", b"Why p\xf6oling")  # Latin-1 o-umlaut: not UTF-8
    bank = tmp_path / "latin1.yaml"
    bank.write_bytes(broken)
    line = broken[: broken.index(b"\xf6")].count(b"\n") + 1
    code, _, stderr = validate(str(bank))
    assert code == 2
    assert re.search(rf"error: {re.escape(str(bank))}:{line}\b.*UTF-8", stderr), stderr


def test_utf16_bank_with_bom_validates(tmp_path):
    bank = tmp_path / "utf16.yaml"
    bank.write_bytes((BANKS / "tiny.yaml").read_text(encoding="utf-8").encode("utf-16"))  # writes a BOM
    code, stdout, stderr = validate(str(bank), "--seeds", "5")
    assert code == 0, stdout + stderr


def test_oversize_bank_is_refused_before_parsing(tmp_path):
    bank = tmp_path / "huge.yaml"
    # Unparseable YAML after the limit: only a size check that comes first gives the size message.
    bank.write_bytes((BANKS / "tiny.yaml").read_bytes() + b"#" * MAX_BANK_BYTES + b"\n: : [\n")
    code, _, stderr = validate(str(bank))
    assert code == 2
    assert re.search(rf"error: {re.escape(str(bank))}: .*limit", stderr), stderr
    assert "invalid YAML" not in stderr


# --------------------------------------------------------------------------- problems found by validating


def test_solver_that_raises_names_question_seed_and_parameters():
    path = BANKS / "raising.yaml"
    code, stdout, stderr = validate(str(path), "--seeds", "50")
    assert code != 0, stdout + stderr
    errors = error_lines(stdout + "\n" + stderr)
    assert errors, stdout + stderr
    message = next(e for e in errors if "ZeroDivisionError" in e)
    assert str(path) in message and "'ratio'" in message, message
    seed = re.search(r"seed ([0-9a-f]{8,64})", message)
    values = dict(re.findall(r"\b([AB])=(-?\d+)", message))
    assert seed and set(values) == {"A", "B"}, f"seed and both parameters must be named: {message}"
    assert values["B"] == "0", message
    # The seed shown must reproduce the parameters shown: it is one of validate's seeds.
    question = load_bank(path).by_id["ratio"]
    for index in range(50):
        full = variant_seed(VALIDATE_SECRET, "raising", "ratio", f"validate-{index}")
        if full.hex().startswith(seed.group(1)):
            drawn, _ = draw_values(question.params, question.constraints, Draws(full))
            assert {k: str(v) for k, v in drawn.display.items()} == values
            break
    else:
        pytest.fail(f"seed {seed.group(1)} is none of the validate seeds")


UNSATISFIABLE = [
    pytest.param("unsatisfiable_parity.yaml", "even-odd", ["I % 2 == 0", "I % 2 == 1"], id="contradiction"),
    pytest.param("unsatisfiable_range.yaml", "big-x", ["x > 10"], id="outside-range"),
]


@pytest.mark.parametrize(("fixture", "question", "rules"), UNSATISFIABLE)
def test_unsatisfiable_constraints_are_reported(fixture, question, rules):
    path = BANKS / fixture
    code, stdout, stderr = validate(str(path), "--seeds", "5")
    assert code in (1, 2), f"exit {code}\n{stdout}{stderr}"
    errors = error_lines(stdout + "\n" + stderr)
    assert errors, stdout + stderr
    message = errors[0]
    assert f"'{question}'" in message, message
    assert any(f"'{rule}'" in message for rule in rules), f"no rule of {rules} named in {message!r}"
    reported = re.search(rf"{re.escape(str(path))}:(\d+)", message)
    question_line, _ = marker_position(path, f"id: {question}")
    rule_lines = [marker_position(path, rule)[0] for rule in rules]
    assert reported and int(reported.group(1)) in [question_line, *rule_lines], message


def test_printed_answer_that_disagrees_without_correction_fails():
    path = BANKS / "printed_disagrees.yaml"
    code, stdout, stderr = validate(str(path), "--seeds", "10")
    assert code == 1, stdout + stderr
    # The fixture's test: I=32, F=3, S=3, P=2, and the sheet printed 11.
    solver = (32 - 3 + 2 * 2) // 3 + 1
    message = next((e for e in error_lines(stdout + "\n" + stderr) if "printed" in e), "")
    assert "'11'" in message and f"'{solver}'" in message, stdout + stderr
    assert "correction" in message
    line, _ = marker_position(path, "printed:")
    test_line, _ = marker_position(path, "- params:")
    assert re.search(rf"{re.escape(str(path))}:({line}|{test_line})\b", message), message


def test_printed_answer_with_correction_is_a_note_and_passes():
    path = BANKS / "printed_corrected.yaml"
    code, stdout, stderr = validate(str(path), "--seeds", "10")
    assert code == 0, stdout + stderr
    assert not error_lines(stdout + stderr)
    notes = [line for line in (stdout + stderr).splitlines() if line.startswith("note:")]
    assert any("'11'" in note and "drops the +1" in note for note in notes), stdout + stderr


def test_valid_tiny_bank_passes():
    code, stdout, stderr = validate(str(BANKS / "tiny.yaml"), "--seeds", "20")
    assert code == 0, stdout + stderr
    assert not error_lines(stdout + stderr)
    for question in ("output-width", "pooling"):
        assert question in stderr + stdout


@pytest.mark.parametrize("fixture", ["duplicate_key.yaml", "raising.yaml"])
def test_real_process_prints_no_traceback(fixture):
    """The installed entry point, in its own process, as a user runs it."""
    result = subprocess.run([sys.executable, "-m", "grader.cli", "validate", str(BANKS / fixture), "--seeds", "30"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stdout + result.stderr
    assert error_lines(result.stdout + "\n" + result.stderr)


# --------------------------------------------------------------------------- the strict loader itself


ANSWER_TEXTS = ["017", "no", "yes", "3:20", "1e3", "0x1F", "True", "007.50", "1_000", ".5", "+3", "-0", "72%",
                "H - K + 1", "3 pi", "2^-1"]


@pytest.mark.parametrize("typed", ANSWER_TEXTS)
def test_answers_mode_keeps_exactly_what_was_typed(typed):
    document = parse_text(f"conv-output-size:\n  a: {typed}\n", "answers.yaml", answers_mode=True)
    assert document.data == {"conv-output-size": {"a": typed}}


@pytest.mark.parametrize("blank", ["~", ""])
def test_answers_mode_blank_is_none(blank):
    assert parse_text(f"q:\n  a: {blank}\n", "answers.yaml", answers_mode=True).data == {"q": {"a": None}}


@pytest.mark.parametrize(("plain", "value"), [
    ("no", "no"), ("yes", "yes"), ("off", "off"), ("3:20", "3:20"), ("12", 12), ("-4", -4), ("0.5", 0.5),
    ("1e3", 1000.0), ("true", True), ("~", None),
    ("017", 17),
])
def test_bank_mode_uses_yaml_12_core_rules(plain, value):
    data = parse_text(f"v: {plain}\n", "bank.yaml").data
    assert data["v"] == value and type(data["v"]) is type(value)


def test_leading_zero_range_is_accepted_in_a_bank(tmp_path):
    """``range: [08, 32]`` is a range of whole numbers (YAML 1.2 core: a leading zero is still decimal)."""
    bank = tmp_path / "zero.yaml"
    source = (BANKS / "tiny.yaml").read_text()
    assert "I: {choice: [28, 32]}" in source
    bank.write_text(source.replace("I: {choice: [28, 32]}", "I: {range: [08, 32]}"))
    code, stdout, stderr = validate(str(bank), "--seeds", "5")
    assert code == 0, stdout + stderr


@pytest.mark.parametrize(("text", "line"), [
    ("a: 1\nb: 2\na: 3\n", 3),
    ("q:\n  parts:\n    - id: a\n      type: integer\n      type: number\n", 5),
])
def test_duplicate_keys_rejected_with_line(text, line):
    with pytest.raises(YamlError) as caught:
        parse_text(text, "bank.yaml")
    assert caught.value.line == line and "duplicate" in caught.value.message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_byte_order_marks_are_decoded(tmp_path, encoding):
    text = "id: café\ntitle: Ünïcode ✓\n"
    raw = text.encode(encoding)
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    path = tmp_path / "bom.yaml"
    path.write_bytes(bom + raw)
    assert load_file(str(path)).data == {"id": "café", "title": "Ünïcode ✓"}


def test_invalid_utf8_rejected_with_message():
    raw = b"id: ok\ntitle: caf\xe9\n"
    with pytest.raises(YamlError) as caught:
        decode_text(raw, 1000)
    assert "UTF-8" in caught.value.message and caught.value.line == 2


def test_oversize_rejected_before_parsing():
    limit = 1000
    with pytest.raises(YamlError) as caught:
        decode_text(b"a: [" * 400, limit)  # would also be invalid YAML; the size is checked first
    assert f"{limit:,}" in caught.value.message
    assert decode_text(b"a: 1\n" + b"#" * (limit - 5), limit).startswith("a: 1")  # exactly at the limit is fine
