"""The strict answers-file loader: what a student's YAML/JSON file turns into.

Every answer must reach the checkers as the exact text the student typed,
nothing the file says about identity or score may be believed, and every
file that cannot be read must be refused with a message that says where.
"""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import pytest

from grader.bank.model import load_bank
from grader.core.errors import SubmissionError
from grader.core.messages import format_error
from grader.grading.submission import read_submission

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 256 * 1024  # the documented size cap of an answers file


@pytest.fixture(scope="module")
def bank():
    return load_bank(ROOT / "questions" / "cnn.yaml")


def load(tmp_path: Path, content: str | bytes, bank, student: str = "s001", name: str = "answers.yaml"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return read_submission(path, bank, student)


def refused(tmp_path: Path, content: str | bytes, bank, name: str = "answers.yaml") -> SubmissionError:
    with pytest.raises(SubmissionError) as info:
        load(tmp_path, content, bank, name=name)
    return info.value


# --- YAML 1.1 look-alikes stay exactly what the student typed -------------------------------------------------

LOOK_ALIKES = ["017", "no", "3:20", "1e3", "0x1F", ".5", "yes", "off", "0o17", "1_000", "+12", "1.0", "true", "~x"]


@pytest.mark.parametrize("typed", LOOK_ALIKES)
def test_yaml11_look_alikes_stay_text(tmp_path, bank, typed):
    submission = load(tmp_path, f"same-padding:\n  a: {typed}\nvanishing-gradient: {typed}\n", bank)
    assert submission.answers["same-padding"] == {"a": typed}
    assert submission.answers["vanishing-gradient"] == {"a": typed}
    assert all(isinstance(v, str) for q in submission.answers.values() for v in q.values())


def test_look_alikes_in_json_strings_and_quoted_yaml_stay_text(tmp_path, bank):
    submission = load(tmp_path, '{"same-padding": {"a": "017"}, "linear-weights": "0x1F"}', bank, name="a.json")
    assert submission.answers == {"same-padding": {"a": "017"}, "linear-weights": {"a": "0x1F"}}
    submission = load(tmp_path, "same-padding: '017'\nlinear-weights: \"no\"\n", bank)
    assert submission.answers == {"same-padding": {"a": "017"}, "linear-weights": {"a": "no"}}


def test_blank_and_null_answers_are_none_or_empty(tmp_path, bank):
    submission = load(tmp_path, "same-padding:\nfc-weights: ~\nconv-weights: ''\n", bank)
    assert submission.answers["same-padding"] == {"a": None}
    assert submission.answers["fc-weights"] == {"a": None}
    assert submission.answers["conv-weights"] == {"a": ""}


# --- structure the loader refuses -----------------------------------------------------------------------------

def test_duplicate_key_is_refused_with_its_line(tmp_path, bank):
    text = "# answers\nsame-padding: 3\nfc-weights: 10\nsame-padding: 4\n"
    error = refused(tmp_path, text, bank)
    assert "duplicate" in error.message and "same-padding" in error.message
    assert error.location.line == 4  # the second occurrence
    assert "answers.yaml:4" in format_error(error)


def test_duplicate_part_key_is_refused_with_its_line(tmp_path, bank):
    error = refused(tmp_path, "stacked-3x3:\n  a: 3\n  b: 10%\n  a: 4\n", bank)
    assert "duplicate" in error.message and error.location.line == 4


def test_duplicate_key_in_json_is_refused(tmp_path, bank):
    error = refused(tmp_path, '{\n  "same-padding": "1",\n  "same-padding": "2"\n}\n', bank, name="a.json")
    assert "duplicate" in error.message and error.location.line == 3


@pytest.mark.parametrize("text, word", [
    ("same-padding: &x 3\nfc-weights: *x\n", "anchor"),
    ("fc-weights: *x\n", "alias"),  # an alias with no anchor is refused too (by the parser)
    ("same-padding: !!int 3\n", "tag"),
    ("same-padding: !!python/object/apply:os.system ['touch HACKED']\n", "tag"),
    ("same-padding: !custom 3\n", "tag"),
])
def test_anchors_aliases_and_tags_are_refused(tmp_path, bank, text, word, monkeypatch):
    monkeypatch.chdir(tmp_path)
    error = refused(tmp_path, text, bank)
    assert word in error.message.lower() or "invalid yaml" in error.message.lower()
    assert error.location.line == 1 or error.location.line == 2
    assert not (tmp_path / "HACKED").exists()


def test_alias_of_an_anchor_names_the_anchor(tmp_path, bank):
    error = refused(tmp_path, "same-padding: &x 3\n", bank)
    assert "&x" in error.message and error.location.line == 1


def nested(depth: int) -> str:
    """``conv-as-matrix: {b: [[...[1]...]]}``: the root mapping, the question mapping, then lists."""
    lists = depth - 2
    return "conv-as-matrix:\n  b: " + "[" * lists + "1" + "]" * lists + "\n"


def test_moderate_nesting_is_accepted(tmp_path, bank):
    submission = load(tmp_path, nested(12), bank)
    assert submission.answers["conv-as-matrix"]["b"] == "[" * 10 + "1" + "]" * 10


@pytest.mark.parametrize("depth", [22, 30, 200])
def test_nesting_deeper_than_20_is_refused(tmp_path, bank, depth):
    error = refused(tmp_path, nested(depth), bank)
    assert "deeper than 20" in error.message
    assert error.location.line == 2


def test_deep_mapping_nesting_is_refused(tmp_path, bank):
    text = "a: " + "{b: " * 30 + "1" + "}" * 30 + "\n"
    assert "deeper than 20" in refused(tmp_path, text, bank).message


def test_more_than_one_document_is_refused(tmp_path, bank):
    assert "more than one" in refused(tmp_path, "---\nsame-padding: 1\n---\nsame-padding: 2\n", bank).message


def test_a_list_at_top_level_is_refused(tmp_path, bank):
    assert "map question ids" in refused(tmp_path, "- 1\n- 2\n", bank).message


def test_tab_indentation_is_refused_with_line(tmp_path, bank):
    error = refused(tmp_path, "stacked-3x3:\n\ta: 3\n", bank)
    assert "tab" in error.message and error.location.line == 2


def test_malformed_yaml_gives_file_line_column(tmp_path, bank):
    error = refused(tmp_path, "fc-weights:\n  a: [1, 2\nconv-weights: {a: 3\n", bank)
    # PyYAML notices the problem on line 3; the cause, the unclosed '[', is on line 2 and is named there
    assert error.message.startswith("the '[' on line 2 is never closed"), error.message
    assert error.location.line == 2
    assert f"answers.yaml:{error.location.line}:" in format_error(error)


# --- size cap -------------------------------------------------------------------------------------------------

def test_file_at_the_size_cap_is_accepted(tmp_path, bank):
    head = "same-padding: 3\n# "
    text = head + "x" * (LIMIT - len(head) - 1) + "\n"
    assert len(text.encode()) == LIMIT
    assert load(tmp_path, text, bank).answers == {"same-padding": {"a": "3"}}


def test_file_over_the_size_cap_is_refused_before_parsing(tmp_path, bank):
    # One byte over the cap, and the excess is something that would take the YAML parser a long time.
    text = "same-padding: 3\n# " + "x" * LIMIT
    error = refused(tmp_path, text, bank)
    assert "limit" in error.message and f"{LIMIT:,}" in error.message


def test_huge_file_is_refused_fast_without_reading_it_whole(tmp_path, bank):
    path = tmp_path / "huge.yaml"
    # 50 MB of deeply nested flow YAML: parsing it would take very long; the cap must stop it first.
    with open(path, "w") as handle:
        handle.write("same-padding: ")
        for _ in range(50):
            handle.write("[" * 1_000_000)
    started = time.perf_counter()
    with pytest.raises(SubmissionError) as info:
        read_submission(path, bank, "s001")
    elapsed = time.perf_counter() - started
    assert "limit" in info.value.message
    assert elapsed < 0.5, f"refusing an oversized file took {elapsed:.2f} s"


def test_size_message_does_not_misstate_the_size(tmp_path, bank):
    error = refused(tmp_path, "same-padding: 3\n# " + "x" * 1_000_000, bank)
    assert "262,145" not in error.message


# --- encodings ------------------------------------------------------------------------------------------------

def test_utf8_bom_is_accepted(tmp_path, bank):
    submission = load(tmp_path, codecs.BOM_UTF8 + "same-padding: 3\nvanishing-gradient: résidual\n".encode(), bank)
    assert submission.answers == {"same-padding": {"a": "3"}, "vanishing-gradient": {"a": "résidual"}}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded(tmp_path, bank, encoding):
    text = "same-padding: 3\nvanishing-gradient: skip connections ✓\n"
    raw = text.encode(encoding)
    if encoding == "utf-16-le":
        raw = codecs.BOM_UTF16_LE + raw
    elif encoding == "utf-16-be":
        raw = codecs.BOM_UTF16_BE + raw
    submission = load(tmp_path, raw, bank)
    assert submission.answers == {"same-padding": {"a": "3"}, "vanishing-gradient": {"a": "skip connections ✓"}}


def test_invalid_bytes_are_refused_with_a_clear_message(tmp_path, bank):
    raw = b"same-padding: 3\nvanishing-gradient: r\xe9sidual\n"  # Latin-1, not UTF-8
    error = refused(tmp_path, raw, bank)
    offset = raw.index(b"\xe9")
    assert "not valid UTF-8" in error.message and "UTF-8" in error.message.split(";")[-1]
    assert str(offset) in error.message
    assert error.location.line == 2
    assert "answers.yaml:2" in format_error(error)


def test_binary_garbage_is_refused_not_crashed(tmp_path, bank):
    error = refused(tmp_path, bytes(range(256)) * 4, bank)
    assert error.message


def test_missing_file_is_a_submission_error(tmp_path, bank):
    with pytest.raises(SubmissionError) as info:
        read_submission(tmp_path / "nope.yaml", bank, "s001")
    assert "cannot read" in info.value.message


# --- identity and score claims --------------------------------------------------------------------------------

def test_claims_are_ignored_and_listed_as_warnings(tmp_path, bank):
    text = "student: s999\nseed: 4\nscore: 100\nvariant: 3\nsame-padding: 3\n"
    submission = load(tmp_path, text, bank, student="s001")
    assert submission.student_id == "s001"
    assert submission.answers == {"same-padding": {"a": "3"}}
    warnings = "\n".join(submission.warnings)
    for claim in ("seed", "score", "variant"):
        assert f"'{claim}'" in warnings
    assert "s999" in warnings and "graded as s001" in warnings
    assert len(submission.warnings) == 4


def test_claiming_your_own_id_is_still_just_ignored(tmp_path, bank):
    submission = load(tmp_path, "student: s001\nsame-padding: 3\n", bank, student="s001")
    assert submission.student_id == "s001" and len(submission.warnings) == 1
    assert "ignored" in submission.warnings[0]


def test_unknown_question_ids_are_warned(tmp_path, bank):
    submission = load(tmp_path, "same-padding: 3\nq99: 42\nconv-weight: 3\n", bank)
    assert submission.answers == {"same-padding": {"a": "3"}}
    assert any("'q99'" in w and "unknown" in w for w in submission.warnings)
    assert any("'conv-weight'" in w and "unknown" in w for w in submission.warnings)


def test_unknown_part_ids_are_warned(tmp_path, bank):
    submission = load(tmp_path, "stacked-3x3:\n  a: 3\n  z: 4\n", bank)
    assert submission.answers == {"stacked-3x3": {"a": "3"}}
    assert any("'z'" in w for w in submission.warnings)


# --- shapes of answers ----------------------------------------------------------------------------------------

def test_nested_lists_become_matrix_text(tmp_path, bank):
    submission = load(tmp_path, "conv-as-matrix:\n  b: [[1, 2], [3, 4]]\n  a:\n    - [1, 0]\n    - [0, 1]\n", bank)
    assert submission.answers["conv-as-matrix"] == {"b": "[[1, 2], [3, 4]]", "a": "[[1, 0], [0, 1]]"}


def test_matrix_entries_stay_as_typed(tmp_path, bank):
    submission = load(tmp_path, "conv-as-matrix:\n  b: [[017, no], [1e3, .5]]\n", bank)
    assert submission.answers["conv-as-matrix"]["b"] == "[[017, no], [1e3, .5]]"


def test_mapping_as_an_answer_is_a_warning_not_a_crash(tmp_path, bank):
    submission = load(tmp_path, "conv-as-matrix:\n  b: {x: 1}\n", bank)
    assert submission.answers["conv-as-matrix"]["b"] == ""
    assert any("part 'b'" in w for w in submission.warnings)


def test_answers_wrapper_form(tmp_path, bank):
    text = "answers:\n  same-padding: 3\n  conv-as-matrix:\n    b: [[1, 2], [3, 4]]\n"
    submission = load(tmp_path, text, bank)
    assert submission.answers == {"same-padding": {"a": "3"}, "conv-as-matrix": {"b": "[[1, 2], [3, 4]]"}}
    assert submission.positions[("conv-as-matrix", "b")] == 4
    assert submission.warnings == []


def test_answers_wrapper_with_claims_ignores_them(tmp_path, bank):
    text = "student: s002\nscore: 99\nanswers:\n  same-padding: 3\n"
    submission = load(tmp_path, text, bank, student="s001")
    assert submission.answers == {"same-padding": {"a": "3"}}
    assert len(submission.warnings) == 2


def test_answers_wrapper_names_the_claimed_identity(tmp_path, bank):
    submission = load(tmp_path, "student: s002\nanswers:\n  same-padding: 3\n", bank, student="s001")
    assert any("s002" in w and "graded as s001" in w for w in submission.warnings)


def test_single_part_question_accepts_a_bare_value(tmp_path, bank):
    submission = load(tmp_path, "same-padding: 3\nvanishing-gradient: skip connections\n", bank)
    assert submission.answers == {"same-padding": {"a": "3"}, "vanishing-gradient": {"a": "skip connections"}}
    assert submission.warnings == []


def test_multi_part_question_refuses_a_bare_value_with_a_warning(tmp_path, bank):
    submission = load(tmp_path, "stacked-3x3: 3\n", bank)
    assert submission.answers["stacked-3x3"] == {}
    assert any("stacked-3x3" in w and "a, b" in w for w in submission.warnings)


def test_part_positions_are_recorded(tmp_path, bank):
    submission = load(tmp_path, "# c\nstacked-3x3:\n  a: 3\n  b: 10%\n", bank)
    assert submission.positions == {("stacked-3x3", "a"): 3, ("stacked-3x3", "b"): 4}


def test_bare_value_position_is_recorded(tmp_path, bank):
    submission = load(tmp_path, "# c\nsame-padding: 3\n", bank)
    assert submission.positions.get(("same-padding", "a")) == 2


def test_empty_file_is_an_empty_submission_with_a_warning(tmp_path, bank):
    submission = load(tmp_path, "# nothing here\n", bank)
    assert submission.answers == {} and any("empty" in w for w in submission.warnings)


def test_every_sample_file_is_read_or_refused_as_its_header_says(bank):
    """The sample class: s005 is malformed; every other file loads and keeps its answers as strings."""
    paths = sorted(p for p in (ROOT / "submissions").iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    assert len(paths) >= 9
    for path in paths:
        if path.stem == "s005":
            with pytest.raises(SubmissionError):
                read_submission(path, bank, path.stem)
            continue
        submission = read_submission(path, bank, path.stem)
        assert submission.answers, path
        for parts in submission.answers.values():
            assert all(value is None or isinstance(value, str) for value in parts.values()), path
