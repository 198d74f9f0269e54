"""``grader generate`` end to end: rosters from three sources, files per student, keys and HTML.

Expected content is computed with the library (``make_variant``) from the
same bank, secret and student, never copied from generated files.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.bank.model import load_bank
from grader.bank.variant import make_variant
from grader.cli import main
from grader.course.config import load_config

ROOT = Path(__file__).resolve().parent.parent
CNN = ROOT / "questions" / "cnn.yaml"
BUNDLED_ROSTER = ROOT / "submissions" / "roster.csv"
OTHER_SECRET = "test-secret-for-generate"

CANVAS = """Student,ID,SIS User ID,SIS Login ID,Section,Assignment 1 (1234),Current Score
    Points Possible,,,,,10.00,(read only)
"Lovelace, Ada",101,s001,ada,DL 2024,,
"Turing, Alan",102,s002,alan,DL 2024,,
"Hopper, Grace",103,s003,grace,DL 2024,,
"""

GRADESCOPE = """First Name,Last Name,SID,Email,Role
Ada,Lovelace,s001,ada@example.edu,Student
Alan,Turing,s002,alan@example.edu,Student
Tess,Assistant,t900,tess@example.edu,TA
Grace,Hopper,s003,grace@example.edu,Student
Ian,Structor,i100,ian@example.edu,Instructor
"""


def bundled_students() -> dict[str, str]:
    with BUNDLED_ROSTER.open(newline="", encoding="utf-8") as handle:
        return {row["SID"]: row["Name"] for row in csv.DictReader(handle)}


# roster kind -> (roster text or None for the bundled file, extra CLI args, {expected id: expected name})
ROSTERS = {
    "bundled": (None, [], bundled_students()),
    # A Canvas export identifies students by SIS User ID by default, not by Canvas's internal ID.
    "canvas": (CANVAS, [], {"s001": "Lovelace, Ada", "s002": "Turing, Alan", "s003": "Hopper, Grace"}),
    "canvas-internal-id": (CANVAS, ["--id-column", "ID"],
                           {"101": "Lovelace, Ada", "102": "Turing, Alan", "103": "Hopper, Grace"}),
    "gradescope": (GRADESCOPE, [], {"s001": "Ada Lovelace", "s002": "Alan Turing", "s003": "Grace Hopper"}),
}


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    env.update(extra)
    return env


def generate_command(roster: Path, out: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "grader.cli", "generate", str(CNN), "--roster", str(roster), "--out", str(out),
            "--key", *args]


def run_generate(roster: Path, out: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(generate_command(roster, out, *args), capture_output=True, text=True, timeout=120,
                          env=env or clean_env(), cwd=ROOT)


def invoke_generate(roster: Path, out: Path, *args: str, secret: str | None = None) -> subprocess.CompletedProcess:
    """The same command in-process (click's CliRunner): much faster than a new interpreter per run."""
    result = CliRunner().invoke(main, generate_command(roster, out, *args)[3:], env={"GRADER_SECRET": secret})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return subprocess.CompletedProcess(["grader", "generate"], result.exit_code, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def bank():
    return load_bank(CNN)


@pytest.fixture(scope="module")
def demo_secret():
    return load_config(CNN.parent / "course.yaml").secret


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every generate run of this module: one per roster kind, and one with GRADER_SECRET.

    The bundled roster runs as a user runs it, in its own process; the others in-process.
    """
    done = {}
    for kind, (text, args, _) in ROSTERS.items():
        folder = tmp_path_factory.mktemp(kind)
        roster = BUNDLED_ROSTER if text is None else folder / "roster.csv"
        if text is not None:
            roster.write_text(text, encoding="utf-8")
        out = folder / "out"
        done[kind] = (out, run_generate(roster, out, *args) if kind == "bundled" else invoke_generate(roster, out, *args))
    out = tmp_path_factory.mktemp("secret") / "out"
    done["other-secret"] = (out, invoke_generate(BUNDLED_ROSTER, out, secret=OTHER_SECRET))
    return done


@pytest.fixture(scope="module")
def generated(runs):
    """{roster kind: (out dir, completed process, expected students)}."""
    return {kind: (*runs[kind], expected) for kind, (_, _, expected) in ROSTERS.items()}


@pytest.fixture(scope="module")
def other_secret_run(runs):
    return runs["other-secret"]


def sections(markdown: str) -> list[str]:
    """The problem set split at its question headings (## n. Title)."""
    return re.split(r"^## \d+\. ", markdown, flags=re.M)[1:]


def visible_text(html: str) -> str:
    """The HTML with code, preformatted text, MathML, style and tags removed."""
    for element in ("pre", "code", "math", "style", "title"):
        html = re.sub(rf"<{element}\b.*?</{element}>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


# --------------------------------------------------------------------------- files and rosters


@pytest.mark.parametrize("kind", ROSTERS)
def test_generate_succeeds(generated, kind):
    _, result, _ = generated[kind]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", ROSTERS)
def test_files_exist_for_exactly_the_roster_students(generated, kind):
    out, result, expected = generated[kind]
    assert result.returncode == 0, result.stderr
    for folder in ("problem-sets", "keys"):
        for suffix in (".md", ".html"):
            found = {p.stem for p in (out / folder).glob(f"*{suffix}")}
            assert found == set(expected), f"{folder}/*{suffix}: {sorted(found)} != {sorted(expected)}"
    assert (out / "answer_key.csv").is_file()


@pytest.mark.parametrize("kind", ROSTERS)
def test_answer_key_csv_has_a_row_per_student_and_part(generated, bank, demo_secret, kind):
    out, _, expected = generated[kind]
    with (out / "answer_key.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    want = {}
    for student in expected:
        for question in bank.questions:
            variant = make_variant(bank, question, demo_secret, student)
            for part in question.parts:
                want[(student, question.id, part.id)] = (part.type, variant.reference_text(part.id))
    got = {(r["student_id"], r["question"], r["part"]): (r["type"], r["answer"]) for r in rows}
    assert len(rows) == len(want), "one row per student x part, no duplicates"
    assert got == want


@pytest.mark.parametrize("kind", ROSTERS)
def test_each_problem_set_names_its_student(generated, kind):
    out, _, expected = generated[kind]
    for student, name in expected.items():
        text = (out / "problem-sets" / f"{student}.md").read_text(encoding="utf-8")
        assert student in text and name in text, f"{student} / {name!r} not in their problem set"


def test_staff_and_points_possible_rows_are_skipped(generated):
    for kind in ("canvas", "gradescope"):
        out, _, _ = generated[kind]
        ids = {p.stem for p in (out / "problem-sets").glob("*.md")}
        assert not ids & {"t900", "i100", "Points Possible", "Points_Possible"}
        with (out / "answer_key.csv").open(newline="", encoding="utf-8") as handle:
            assert {row["student_id"] for row in csv.DictReader(handle)} == ids


# --------------------------------------------------------------------------- content


def test_problem_set_has_the_students_own_variant_and_no_answers(generated, bank, demo_secret):
    out, _, expected = generated["bundled"]
    for student in expected:
        markdown = (out / "problem-sets" / f"{student}.md").read_text(encoding="utf-8")
        chunks = sections(markdown)
        assert len(chunks) >= len(bank.questions)
        for question, chunk in zip(bank.questions, chunks):
            variant = make_variant(bank, question, demo_secret, student)
            assert variant.render_text().strip() in chunk, f"{student} {question.id}: not their own text"
            shown = variant.render_text() + "".join(variant.render_prompt(p) for p in question.parts) + "".join(
                o["text"] for spec in variant.parts.values() for o in spec.get("options", []))
            for part in question.parts:
                reference = variant.reference_text(part.id)
                if part.settings.get("percent"):
                    continue  # see test_percent_hint_does_not_give_away_the_answer
                if part.type in ("integer", "number", "matrix", "expression") and len(reference) >= 3 \
                        and reference not in shown:
                    assert not re.search(rf"(?<![\w.]){re.escape(reference)}(?![\w.])", chunk), (
                        f"{student} {question.id} part {part.id}: the answer {reference!r} is in the problem set")
            solution = variant.render_solution().strip()
            if solution:
                assert solution not in markdown, f"{student} {question.id}: the worked solution is in the problem set"


def test_percent_hint_does_not_give_away_the_answer(generated, bank, demo_secret):
    """stacked-3x3 (b) asks for a percentage; for F = 15 the answer is 72%."""
    out, _, expected = generated["bundled"]
    question = bank.by_id["stacked-3x3"]
    index = bank.questions.index(question)
    leaks = []
    for student in expected:
        reference = make_variant(bank, question, demo_secret, student).reference_text("b")
        chunk = sections((out / "problem-sets" / f"{student}.md").read_text(encoding="utf-8"))[index]
        if re.search(rf"(?<![\w.]){re.escape(reference)}", chunk):
            leaks.append(f"{student}: {reference}")
    assert not leaks, f"the answer is printed in the problem set of {leaks}"


def test_problem_set_parameters_are_written_out(generated, bank, demo_secret):
    """Spot checks written from the bank's text, not from the generated file."""
    out, _, expected = generated["bundled"]
    for student in expected:
        markdown = (out / "problem-sets" / f"{student}.md").read_text(encoding="utf-8")
        fc = make_variant(bank, bank.by_id["fc-weights"], demo_secret, student).params
        assert f"${fc['H']} \\times {fc['H']} \\times {fc['C']}$" in markdown
        assert f"with {fc['N']} neurons" in markdown
        size = make_variant(bank, bank.by_id["conv-output-size"], demo_secret, student).params
        assert f"stride {size['S']} and zero padding {size['P']} on every side" in markdown
        X = make_variant(bank, bank.by_id["conv-as-matrix"], demo_secret, student).params["X"]
        rows = r" \\ ".join(" & ".join(str(v) for v in row) for row in X)
        assert rows in markdown, f"{student}: their X matrix is not in the problem set"


def test_problem_sets_differ_between_students(generated, bank, demo_secret):
    out, _, expected = generated["bundled"]
    students = sorted(expected)
    question = bank.by_id["conv-as-matrix"]
    texts = {s: make_variant(bank, question, demo_secret, s).render_text().strip() for s in students}
    assert len(set(texts.values())) == len(students)
    for student in students:
        markdown = (out / "problem-sets" / f"{student}.md").read_text(encoding="utf-8")
        others = [s for s in students if s != student and texts[s] in markdown]
        assert not others, f"{student}'s problem set holds the variant of {others}"


def test_key_holds_the_reference_answers_and_solutions(generated, bank, demo_secret):
    out, _, expected = generated["bundled"]
    for student in expected:
        markdown = (out / "keys" / f"{student}.md").read_text(encoding="utf-8")
        for question in bank.questions:
            variant = make_variant(bank, question, demo_secret, student)
            for part in question.parts:
                reference = variant.reference_text(part.id)
                if reference:
                    assert f"`{reference}`" in markdown, f"{student} {question.id} part {part.id}: {reference!r}"
            solution = variant.render_solution().strip()
            if solution:
                assert solution in markdown, f"{student} {question.id}: worked solution missing from the key"


@pytest.mark.parametrize("folder", ["problem-sets", "keys"])
def test_html_has_mathml_and_no_raw_tex(generated, folder):
    out, _, expected = generated["bundled"]
    for student in expected:
        html = (out / folder / f"{student}.html").read_text(encoding="utf-8")
        assert "<math" in html, f"{folder}/{student}.html has no MathML"
        assert "math-error" not in html, f"{folder}/{student}.html has math that did not convert"
        text = visible_text(html)
        assert "$" not in text, f"{folder}/{student}.html: raw TeX near {text[text.find('$') - 60:][:120]!r}"
        assert not re.search(r"\\(times|frac|begin|mathbf|vec|cdot)\b", text), f"{folder}/{student}.html: raw TeX"


# --------------------------------------------------------------------------- the secret


def test_demo_secret_warning_is_printed_on_stderr(generated):
    _, result, _ = generated["bundled"]
    assert re.search(r"warning: .*demo secret", result.stderr), result.stderr
    assert "demo secret" not in result.stdout


def test_grader_secret_changes_the_variants(other_secret_run, generated, bank, demo_secret):
    out, result = other_secret_run
    assert result.returncode == 0, result.stderr
    assert "demo secret" not in result.stderr, "no demo warning when GRADER_SECRET is set"
    demo_out, _, expected = generated["bundled"]
    question = bank.by_id["conv-as-matrix"]
    for student in expected:
        markdown = (out / "problem-sets" / f"{student}.md").read_text(encoding="utf-8")
        ours = make_variant(bank, question, OTHER_SECRET, student).render_text().strip()
        demo = make_variant(bank, question, demo_secret, student).render_text().strip()
        assert ours != demo
        assert ours in markdown and demo not in markdown
        assert markdown != (demo_out / "problem-sets" / f"{student}.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- bad rosters


def test_ids_with_the_same_file_name_do_not_overwrite_each_other(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,SID\nAda Lovelace,ab/1\nAlan Turing,ab_1\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke_generate(roster, out)
    if result.returncode != 0:  # refusing the roster, naming both ids, is fine too
        assert result.returncode == 2 and "ab/1" in result.stderr and "ab_1" in result.stderr, result.stderr
        return
    sets = sorted((out / "problem-sets").glob("*.md"))
    owners = [re.search(r"\((ab.1)\)", p.read_text(encoding="utf-8")).group(1) for p in sets]
    assert sorted(owners) == ["ab/1", "ab_1"], f"problem sets on disk belong to {owners}"


def test_roster_without_an_id_column_exits_2(tmp_path):
    roster = tmp_path / "names.csv"
    roster.write_text("Name,Section\nAda Lovelace,DL 2024\nAlan Turing,DL 2024\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_generate(roster, out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert str(roster) in errors[0] and re.search(r"\bid\b", errors[0], re.I) and "column" in errors[0]
    assert "Name" in errors[0] and "Section" in errors[0], "the message lists the columns it found"
    assert not out.exists(), "nothing is written when the roster cannot be used"
