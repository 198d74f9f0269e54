"""Outputs that cannot be turned against their readers, secrets that cannot leak, names that match.

Each test drives the real CLI (or the real run_autograder) and reads the outputs back as their readers
would: CSV with Python's csv module (and the first character a spreadsheet looks at), terminal
output as bytes, results.json as JSON.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest

from grader.core.safe_text import MAX_ANSWER_ECHO, cap_text, spreadsheet_cell, terminal_text
from grader.course.config import DEMO_SECRET

ROOT = Path(__file__).resolve().parent.parent
BANK_PATH = ROOT / "questions" / "cnn.yaml"
_SCRIPT = Path(sys.executable).with_name("grader")
GRADER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "grader.cli"]
SECRET = "safe-outputs-secret"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _env(**extra: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"} | {"COLUMNS": "200"} | extra


def _cli(args: list[str], cwd: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(GRADER + args, cwd=cwd, capture_output=True, text=True, env=_env(**extra), timeout=180)


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))  # the default field limit (131,072) must hold


def _as_a_spreadsheet_sees(cell: str) -> bool:
    """True when a spreadsheet would evaluate the cell: it starts with a formula character."""
    return cell.startswith(FORMULA_STARTS) and not cell.lstrip("-").replace(".", "", 1).isdigit()


@pytest.mark.parametrize("text, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+cmd", "'+1+cmd"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("-3", "-3"), ("2.5", "2.5"), ("s001", "s001"),
])
def test_spreadsheet_cells_are_neutralised(text: str, expected: str) -> None:
    assert spreadsheet_cell(text) == expected


def test_terminal_text_strips_escapes_and_caps_say_so() -> None:
    assert terminal_text("a\x1b[31mred\x1b]0;title\x07\u202eb\nc\td") == "a[31mred]0;titleb\nc\td"
    capped = cap_text("x" * 1000, 100)
    assert capped.startswith("x" * 100) and "…" in capped and "1,000 characters" in capped


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    work = tmp_path_factory.mktemp("hostile-class")
    subs = work / "subs"
    subs.mkdir()
    with open(work / "roster.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "SID", "Email"])
        writer.writerow(["=HYPERLINK(\"http://evil\",\"click\")", "s1", "@evil"])
        writer.writerow(["José NFC", unicodedata.normalize("NFC", "josé"), "jose@example.edu"])
        writer.writerow(["Big", "s3", "big@example.edu"])
    (subs / "s1.yaml").write_text("conv-output-size:\n  a: '=1+1'\n", encoding="utf-8")
    (subs / (unicodedata.normalize("NFD", "josé") + ".yaml")).write_text("conv-output-size:\n  a: '1'\n",
                                                                         encoding="utf-8")
    unknown = "".join(f"=k{index}: 1\n" for index in range(5000))  # thousands of unknown keys
    (subs / "s3.yaml").write_text("vanishing-gradient:\n  a: " + "y" * 250 + "\n" + unknown, encoding="utf-8")
    (subs / "=cmd|' calc'!A0.yaml").write_text("conv-output-size:\n  a: '1'\n", encoding="utf-8")
    (subs / "esc\x1b[2Jcape.yaml").write_text("conv-output-size:\n  a: '1'\n", encoding="utf-8")
    run = _cli(["grade", str(BANK_PATH), str(subs), "--roster", str(work / "roster.csv"), "--out",
                str(work / "out"), "--secret", SECRET], work)
    assert run.returncode == 0, run.stderr
    return work, run


def test_no_gradebook_cell_is_a_formula(hostile_class) -> None:
    work, _ = hostile_class
    rows = _rows(work / "out" / "gradebook.csv")
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if _as_a_spreadsheet_sees(cell)]
    names = {row[0]: row for row in rows[1:]}
    assert names["s1"][1] == "'=HYPERLINK(\"http://evil\",\"click\")" and names["s1"][2] == "'@evil"
    assert "'=cmd|' calc'!A0" in names  # the file matching nobody keeps its name, as text


def test_thousands_of_unknown_keys_make_a_short_gradebook_cell(hostile_class) -> None:
    work, _ = hostile_class
    header, *rows = _rows(work / "out" / "gradebook.csv")
    row = {r[0]: r for r in rows}["s3"]
    message = row[header.index("message")]  # by name: the bank_fingerprint and grader_version columns follow it
    assert len(message) < 3000
    assert "4,990 more unknown question ids" in message


def test_an_nfd_file_name_matches_the_nfc_roster_id(hostile_class) -> None:
    work, _ = hostile_class
    rows = {r[0]: r for r in _rows(work / "out" / "gradebook.csv")}
    nfc = unicodedata.normalize("NFC", "josé")
    assert rows[nfc][3] == "graded"
    assert unicodedata.normalize("NFD", "josé") not in rows


def test_escape_sequences_never_reach_the_terminal(hostile_class) -> None:
    _, run = hostile_class
    assert "\x1b" not in run.stdout and "\x1b" not in run.stderr
    assert "esc[2Jcape" in run.stdout  # the name is still shown, without its escape


def test_grader_check_strips_escapes_from_keys(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text('"\\e]0;pwned\\a\\e[31m": 1\nconv-output-size:\n  a: "12"\n', encoding="utf-8")
    run = _cli(["check", str(BANK_PATH), str(answers), "--student", "s001"], tmp_path)
    assert "unknown question id" in run.stdout
    assert "\x1b" not in run.stdout and "\x07" not in run.stdout


def test_a_huge_answer_is_echoed_capped_in_feedback_and_results(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    (tmp_path / "roster.csv").write_text("SID\ns1\n", encoding="utf-8")
    (subs / "s1.yaml").write_text("vanishing-gradient:\n  a: " + "z" * 250_000 + "\n", encoding="utf-8")
    run = _cli(["grade", str(BANK_PATH), str(subs), "--roster", str(tmp_path / "roster.csv"), "--out",
                str(tmp_path / "out"), "--secret", SECRET], tmp_path)
    assert run.returncode == 0, run.stderr
    results = json.loads((tmp_path / "out" / "results" / "s1.json").read_text(encoding="utf-8"))
    assert len(json.dumps(results)) < 60_000
    outputs = " ".join(test["output"] for test in results["tests"])
    assert "z" * MAX_ANSWER_ECHO + "… (250,000 characters in all)" in outputs
    feedback = (tmp_path / "out" / "feedback" / "s1.md").read_text(encoding="utf-8")
    assert "z" * (MAX_ANSWER_ECHO + 1) not in feedback and "250,000 characters in all" in feedback
    summary = (tmp_path / "out" / "summary.json").read_text(encoding="utf-8")
    assert "z" * (MAX_ANSWER_ECHO + 1) not in summary


def test_answer_key_csv_cells_are_neutralised(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("SID\n=2+5\n", encoding="utf-8")
    run = _cli(["generate", str(BANK_PATH), "--roster", str(roster), "--out", str(tmp_path / "build"), "--key",
                "--secret", SECRET], tmp_path)
    assert run.returncode == 0, run.stderr
    rows = _rows(tmp_path / "build" / "answer_key.csv")
    assert rows[1][0] == "'=2+5"
    assert not [cell for row in rows for cell in row if _as_a_spreadsheet_sees(cell)]


# --------------------------------------------------------------------------- secrets


def test_an_empty_secret_file_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "secret.txt"
    empty.write_text("  \n", encoding="utf-8")
    run = _cli(["autograder", str(BANK_PATH), "--out", str(tmp_path / "ag.zip"), "--secret-file", str(empty)],
               tmp_path)
    assert run.returncode == 2
    assert "secret file is empty" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "ag.zip").exists()


def test_a_missing_secret_file_is_an_error(tmp_path: Path) -> None:
    run = _cli(["autograder", str(BANK_PATH), "--out", str(tmp_path / "ag.zip"), "--secret-file",
                str(tmp_path / "nope.txt")], tmp_path)
    assert run.returncode == 2 and not (tmp_path / "ag.zip").exists()


def test_the_demo_secret_is_never_packed_without_the_flag(tmp_path: Path) -> None:
    run = _cli(["autograder", str(BANK_PATH), "--out", str(tmp_path / "ag.zip")], tmp_path)
    assert run.returncode == 2 and "public demo secret cannot be used to build an autograder" in run.stderr
    assert not (tmp_path / "ag.zip").exists()
    allowed = _cli(["autograder", str(BANK_PATH), "--out", str(tmp_path / "ag.zip"), "--allow-demo-secret"],
                   tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    with zipfile.ZipFile(tmp_path / "ag.zip") as archive:
        assert archive.read("secret.txt").decode().strip() == DEMO_SECRET


def test_the_demo_secret_grades_only_the_sample_class(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("SID\nreal-student-1\n", encoding="utf-8")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "real-student-1.yaml").write_text("conv-output-size:\n  a: '1'\n", encoding="utf-8")
    args = ["grade", str(BANK_PATH), str(subs), "--roster", str(roster), "--out", str(tmp_path / "out")]
    run = _cli(args, tmp_path)
    assert run.returncode == 2 and "cannot be used to grade a roster other than the sample class" in run.stderr
    assert not (tmp_path / "out").exists()
    assert _cli(args + ["--allow-demo-secret"], tmp_path).returncode == 0
    sample = _cli(["grade", str(BANK_PATH), str(ROOT / "submissions"), "--roster",
                   str(ROOT / "submissions" / "roster.csv"), "--out", str(tmp_path / "sample")], tmp_path)
    assert sample.returncode == 0, sample.stderr


# --------------------------------------------------------------------------- the autograder's uploads


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("ag")
    (work / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    run = _cli(["autograder", str(BANK_PATH), "--out", str(work / "ag.zip"), "--secret-file",
                str(work / "secret.txt")], work)
    assert run.returncode == 0, run.stderr
    return work / "ag.zip"


def _run_autograder(archive: Path, root: Path, files: dict[str, str]) -> dict:
    from grader.integrations.autograder import unpack

    unpack(archive, root / "source")
    for name, text in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_text(text, encoding="utf-8")
    (root / "results").mkdir()
    metadata = json.loads((ROOT / "tests" / "fixtures" / "submission_metadata.json").read_text())
    (root / "submission_metadata.json").write_text(json.dumps(metadata))
    subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd=root, capture_output=True, timeout=180,
                   env=_env(AUTOGRADER_ROOT=str(root), GRADER_PYTHON=sys.executable))
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_several_uploads_without_answers_yaml_are_refused_clearly(autograder_zip: Path, tmp_path: Path) -> None:
    results = _run_autograder(autograder_zip, tmp_path, {"mine.yaml": "conv-output-size:\n  a: '12'\n",
                                                         "old.yaml": "conv-output-size:\n  a: '1'\n"})
    assert results["score"] == 0 and results["tests"] == []
    assert "Several files were uploaded (mine.yaml, old.yaml)" in results["output"]
    assert "answers.yaml" in results["output"]


def test_the_autograder_says_which_file_it_graded(autograder_zip: Path, tmp_path: Path) -> None:
    results = _run_autograder(autograder_zip, tmp_path, {"answers.yaml": "conv-output-size:\n  a: '12'\n",
                                                         "draft.yaml": "conv-output-size:\n  a: '1'\n"})
    assert results["tests"], results
    assert "graded answers.yaml; not graded: draft.yaml" in results["output"]
    shutil.rmtree(tmp_path / "source")
