"""`grader grade` on the sample class, run as an instructor would: the real CLI on the real files.

Expectations are computed here from the roster, the bank YAML and each
student's variant parameters, not read back from the grader's own output.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.bank.model import load_bank
from grader.bank.variant import make_variant
from grader.course.config import DEMO_SECRET

ROOT = Path(__file__).resolve().parent.parent
BANK_PATH = ROOT / "questions" / "cnn.yaml"
SUBMISSIONS = ROOT / "submissions"
ROSTER = SUBMISSIONS / "roster.csv"
SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "gradescope_results.schema.json").read_text())
_SCRIPT = Path(sys.executable).with_name("grader")
GRADER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "grader.cli"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}  # the samples use the demo secret
    env["COLUMNS"] = "200"
    return env


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    # A session of its own, so that a run that hangs can be ended with every worker it started.
    return subprocess.Popen(GRADER + args, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _finish(process: subprocess.Popen, timeout: float = 90) -> subprocess.CompletedProcess:
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"{' '.join(process.args)} did not finish in {timeout} s\n{stdout}\n{stderr}")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _grade_args(out: str, jobs: int) -> list[str]:
    return ["grade", str(BANK_PATH), str(SUBMISSIONS), "--roster", str(ROSTER), "--out", out, "--jobs", str(jobs)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """Three real runs, in parallel: the main one, a re-run into a second folder, and one with --jobs 2."""
    work = tmp_path_factory.mktemp("grade")
    started = {name: _start(_grade_args(name, jobs), work)
               for name, jobs in (("out", 1), ("again", 1), ("parallel", 2))}
    done = {name: _finish(process) for name, process in started.items()}
    for name, result in done.items():
        assert result.returncode == 0, f"{name}: {result.stdout}\n{result.stderr}"
    return {"work": work, "done": done, **{name: work / name for name in started}}


@pytest.fixture(scope="module")
def out(runs) -> Path:
    return runs["out"]


# --- independent facts --------------------------------------------------------------------------------------

def roster_ids() -> list[str]:
    with open(ROSTER, newline="", encoding="utf-8-sig") as handle:
        return [row["SID"] for row in csv.DictReader(handle)]


RAW_BANK = yaml.safe_load(BANK_PATH.read_text(encoding="utf-8"))


def part_points() -> dict[tuple[str, str], tuple[str, float]]:
    """(question, part) -> (type, points): question points split over parts by weight."""
    default = RAW_BANK.get("points", 1)
    table = {}
    for question in RAW_BANK["questions"]:
        weights = [part.get("weight", 1) for part in question["parts"]]
        for part, weight in zip(question["parts"], weights):
            table[(question["id"], str(part["id"]))] = (part["type"],
                                                        question.get("points", default) * weight / sum(weights))
    return table


POINTS = part_points()
MANUAL_TYPES = ("free",)  # free response: read by a person
NOTEBOOK_TYPES = ("code",)  # graded from the notebook, not from an answers file
AUTO_POINTS = sum(p for t, p in POINTS.values() if t not in MANUAL_TYPES + NOTEBOOK_TYPES)
MANUAL_POINTS = sum(p for t, p in POINTS.values() if t in MANUAL_TYPES)
MANUAL_PARTS = [key for key, (t, _) in POINTS.items() if t in MANUAL_TYPES]
QUESTION_IDS = [q["id"] for q in RAW_BANK["questions"]]
TITLES = {q["id"]: q["title"] for q in RAW_BANK["questions"]}
ANSWER_FILES = {p.stem: p for p in SUBMISSIONS.iterdir() if p.suffix in (".yaml", ".yml", ".json")}


def gradebook(folder: Path) -> dict[str, dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO((folder / "gradebook.csv").read_text(encoding="utf-8"))))
    return {row["student_id"]: row for row in rows}


def all_ids() -> list[str]:
    return roster_ids() + sorted(set(ANSWER_FILES) - set(roster_ids()))


def feedback_section(markdown: str, question_id: str, part: str | None = None) -> str:
    """The text of one question (or one part of it) in a feedback page."""
    sections = re.split(r"^## ", markdown, flags=re.M)
    section = next(s for s in sections if re.match(rf"\d+\. {re.escape(TITLES[question_id])}:", s))
    if part is None:
        return section
    parts = re.split(r"^### ", section, flags=re.M)
    return next(p for p in parts if p.startswith(f"Part {part}\n"))


def student_answer(student: str, question: str, part: str = "a") -> str:
    data = yaml.safe_load(ANSWER_FILES[student].read_text(encoding="utf-8"))
    return str(data[question][part])


def params(student: str, question_id: str) -> dict:
    bank = load_bank(BANK_PATH)
    question = bank.by_id[question_id]
    return make_variant(bank, question, DEMO_SECRET, student).params


# --- the gradebook ------------------------------------------------------------------------------------------

def test_gradebook_has_every_roster_student_and_the_visitor(out):
    book = gradebook(out)
    assert list(book) == all_ids()
    assert len(roster_ids()) == 10 and list(book)[:10] == roster_ids()
    assert book["visitor"]["status"] == "not-on-roster"
    assert all(book[s]["status"] != "not-on-roster" for s in roster_ids())
    answerable = [q for q in QUESTION_IDS if any(POINTS[(q, p)][0] not in NOTEBOOK_TYPES
                                                 for (qid, p) in POINTS if qid == q)]
    columns = list(next(iter(book.values())))
    assert columns[8:8 + len(answerable)] == answerable and columns[8 + len(answerable)] == "message"


def test_missing_student_has_a_reason(out):
    row = gradebook(out)["s010"]
    assert "s010" not in ANSWER_FILES
    assert row["status"] == "missing" and float(row["score"]) == 0
    assert row["message"].strip() and "submission" in row["message"].lower()


def test_unreadable_student_has_file_and_line(out):
    row = gradebook(out)["s005"]
    assert row["status"] == "unreadable" and float(row["score"]) == 0
    match = re.search(r"s005\.yaml:(\d+)", row["message"])
    assert match, row["message"]
    lines = ANSWER_FILES["s005"].read_text().splitlines()
    first_bad = next(i for i, line in enumerate(lines, 1) if "[1, 2" in line)
    assert first_bad <= int(match.group(1)) <= len(lines)


def test_hostile_submission_scores_zero_and_runs_nothing(runs):
    row = gradebook(runs["out"])["s006"]
    assert row["status"] == "graded" and float(row["score"]) == 0
    # claims in the file are reported, not believed
    assert "s001" in row["message"] and "graded as s006" in row["message"]
    for place in (runs["work"], ROOT, SUBMISSIONS, Path.cwd()):
        assert not list(Path(place).rglob("HACKED")), place


def test_perfect_student_full_marks_in_results_json(out):
    results = json.loads((out / "results" / "s001.json").read_text())
    graded = [t for t in results["tests"] if t["max_score"] > 0]
    assert all(t["status"] == "passed" for t in graded), [t["name"] for t in graded if t["status"] != "passed"]
    assert results["score"] == pytest.approx(AUTO_POINTS, abs=1e-5)
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(AUTO_POINTS)


def test_perfect_student_scores_are_exact(out):
    """A part worth 4/3 with full marks scores exactly its max_score (no 1.333333 of 1.3333333333333333)."""
    results = json.loads((out / "results" / "s001.json").read_text())
    assert all(t["score"] == t["max_score"] for t in results["tests"] if t.get("status") == "passed")
    assert abs(results["score"] - AUTO_POINTS) < 1e-9
    summary = json.loads((out / "summary.json").read_text())
    assert max(summary["scores"]) == pytest.approx(AUTO_POINTS, abs=1e-9)


def test_perfect_student_full_marks_in_gradebook(out):
    """Notebook (code) parts are not points of an answers file: a perfect file is 100%."""
    row = gradebook(out)["s001"]
    assert float(row["max_score"]) == pytest.approx(AUTO_POINTS)
    assert float(row["score"]) == pytest.approx(AUTO_POINTS)
    assert row["percent"] == "100.0"
    markdown = (out / "feedback" / "s001.md").read_text(encoding="utf-8")
    assert f"Score: **{AUTO_POINTS:g} / {AUTO_POINTS:g}** auto-graded points." in markdown


def test_gradebook_scores_agree_with_results_json(out):
    book = gradebook(out)
    for student in all_ids():
        results = json.loads((out / "results" / f"{student}.json").read_text())
        assert float(book[student]["score"]) == pytest.approx(results["score"], abs=1e-4), student
        assert float(book[student]["pending_manual"]) == pytest.approx(MANUAL_POINTS), student


# --- feedback -----------------------------------------------------------------------------------------------

def test_mistakes_student_gets_the_pedagogical_notes(out):
    markdown = (out / "feedback" / "s002.md").read_text(encoding="utf-8")

    p = params("s002", "conv-output-size")
    right = (p["I"] - p["F"] + 2 * p["P"]) // p["S"] + 1
    assert (p["I"] - p["F"] + 2 * p["P"]) % p["S"] == 0
    assert int(student_answer("s002", "conv-output-size")) == right - 1
    section = feedback_section(markdown, "conv-output-size", "a")
    assert "incorrect" in section and "+1" in section

    p = params("s002", "fc-weights")
    assert p["C"] > 1
    assert int(student_answer("s002", "fc-weights")) == p["H"] * p["H"] * p["N"]  # forgot the depth
    section = feedback_section(markdown, "fc-weights", "a")
    assert f"{p['C']} input channels" in section

    p = params("s002", "conv-weights")
    assert int(student_answer("s002", "conv-weights")) == p["F"] * p["F"] * p["K"]
    assert "depth" in feedback_section(markdown, "conv-weights", "a")

    import numpy as np

    p = params("s002", "conv-as-matrix")
    X, K = np.array(p["X"], dtype=int), np.array(p["K"], dtype=int)
    flipped = K[::-1, ::-1]
    expected_flipped = [[int((X[r:r + 3, c:c + 3] * flipped).sum()) for c in range(2)] for r in range(2)]
    assert yaml.safe_load(student_answer("s002", "conv-as-matrix", "b")) == expected_flipped
    assert "flipped the kernel" in feedback_section(markdown, "conv-as-matrix", "b")
    assert "flipped" in feedback_section(markdown, "conv1d-toeplitz", "a")

    p = params("s002", "output-vs-kernel")
    assert int(student_answer("s002", "output-vs-kernel", "b")) == p["Hn"] - p["Kn"]
    for part in ("a", "b", "d"):
        assert "+1" in feedback_section(markdown, "output-vs-kernel", part), part


def test_mistake_notes_reach_the_class_summary(out):
    summary = json.loads((out / "summary.json").read_text())
    notes = {(q["id"], p["part"]): {note for note, _ in p["common_notes"]}
             for q in summary["questions"] for p in q["parts"]}
    assert "missing-plus-one" in notes[("conv-output-size", "a")]
    assert "forgot-depth" in notes[("fc-weights", "a")]
    assert "forgot-depth" in notes[("conv-weights", "a")]
    assert "flipped-kernel" in notes[("conv-as-matrix", "b")]
    assert "flipped-kernel" in notes[("conv1d-toeplitz", "a")]


def test_pending_free_response_parts_are_listed_as_graded_by_hand(out):
    markdown = (out / "feedback" / "s001.md").read_text(encoding="utf-8")
    assert len(MANUAL_PARTS) == 4
    for question, part in MANUAL_PARTS:
        section = feedback_section(markdown, question, part)
        assert "graded by hand" in section, (question, part)
        assert student_answer("s001", question, part)[:40] in section
    assert f"{MANUAL_POINTS:g} more points are graded by hand ({len(MANUAL_PARTS)} part(s))" in markdown
    results = json.loads((out / "results" / "s001.json").read_text())
    pending = [t for t in results["tests"] if "graded by hand" in t["name"]]
    assert {t["number"].split(".", 1)[1] for t in pending} >= {p for _, p in MANUAL_PARTS}
    assert all(t["score"] == 0 and t["max_score"] == 0 and "status" not in t for t in pending)


def test_every_student_has_feedback_and_valid_results(out):
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(SCHEMA)
    for student in all_ids():
        markdown = (out / "feedback" / f"{student}.md").read_text(encoding="utf-8")
        assert f"**{student}**" in markdown or f"({student})" in markdown.split("\n\n")[1]  # name (id) at the top
        page = (out / "feedback" / f"{student}.html").read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and student in page and "<script" not in page
        results = json.loads((out / "results" / f"{student}.json").read_text(encoding="utf-8"))
        errors = sorted(validator.iter_errors(results), key=str)
        assert not errors, (student, [e.message for e in errors])
    assert sorted(p.name for p in (out / "results").iterdir()) == sorted(f"{sid}.json" for sid in all_ids())


def test_not_graded_students_get_score_zero_with_the_reason(out):
    for student, words in (("s010", "No submission"), ("s005", "s005.yaml:")):
        results = json.loads((out / "results" / f"{student}.json").read_text())
        assert results["score"] == 0 and words in results["output"]
        assert words in (out / "feedback" / f"{student}.md").read_text()


def test_hostile_text_is_shown_inert_in_html(out):
    page = (out / "feedback" / "s006.html").read_text(encoding="utf-8")
    assert "__import__(&#x27;os&#x27;)" in page or "__import__(&#39;os&#39;)" in page or "__import__('os')" in page
    assert "<lambda" not in page


# --- class outputs ------------------------------------------------------------------------------------------

def test_summary_files_exist(out):
    assert (out / "summary.md").read_text(encoding="utf-8").startswith("# Summary")
    assert (out / "histogram.png").read_bytes()[:8] == PNG_MAGIC
    assert "histogram.png" in (out / "summary.md").read_text(encoding="utf-8")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["students"] == len(roster_ids())  # the visitor is kept out of class statistics
    assert summary["not_on_roster"] == len(all_ids()) - len(roster_ids())
    assert summary["not_graded"] == {"missing": 1, "unreadable": 1, "error": 0}


def test_summary_percent_correct_matches_results_json(out):
    summary = json.loads((out / "summary.json").read_text())
    graded = []
    for student in roster_ids():  # students not on the roster are kept out of class statistics
        results = json.loads((out / "results" / f"{student}.json").read_text())
        if results["tests"]:
            graded.append(results)
    assert summary["graded"] == len(graded) == len(roster_ids()) - 2
    correct: dict[tuple[str, str], int] = {}
    for results in graded:
        for test in results["tests"]:
            index, part = test["number"].split(".", 1)
            key = (QUESTION_IDS[int(index) - 1], part)
            correct[key] = correct.get(key, 0) + (test.get("status") == "passed")
    assert set(correct) == {key for key, (kind, _) in POINTS.items() if kind not in NOTEBOOK_TYPES}
    checked = 0
    for question in summary["questions"]:
        for part in question["parts"]:
            if (question["id"], part["part"]) in MANUAL_PARTS:  # pending until scored by hand, never "0% correct"
                assert part["percent_correct"] is None and part["pending"] == len(graded)
            else:
                expected = round(100 * correct[(question["id"], part["part"])] / len(graded), 1)
                assert part["percent_correct"] == pytest.approx(expected), (question["id"], part["part"])
            checked += 1
    assert checked == len(correct)


def test_rerun_is_byte_identical_except_run_json(runs):
    first, second = runs["out"], runs["again"]
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file()) == files
    different = [str(f) for f in files if f.name != "run.json" and (first / f).read_bytes() != (second / f).read_bytes()]
    assert not different


def test_two_jobs_give_the_same_gradebook(runs):
    assert (runs["parallel"] / "gradebook.csv").read_bytes() == (runs["out"] / "gradebook.csv").read_bytes()
    assert (runs["parallel"] / "summary.json").read_bytes() == (runs["out"] / "summary.json").read_bytes()
    assert json.loads((runs["parallel"] / "run.json").read_text())["jobs"] == 2


def test_no_temporary_files_are_left(runs):
    for name in ("out", "again", "parallel"):
        leftovers = [p for p in runs[name].rglob("*")
                     if p.name.startswith(".") or p.suffix in (".tmp", ".temp", ".part") or p.name.endswith("~")]
        assert not leftovers, leftovers
    assert sorted(p.name for p in runs["work"].iterdir()) == ["again", "out", "parallel"]


def test_cli_reports_the_class(runs):
    result = runs["done"]["out"]
    assert "visitor.yaml matches no roster id" in result.stdout
    assert "wrote feedback" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_cli_user_error_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("Name,Nothing\nA,B\n")
    result = _finish(_start(_grade_args(str(tmp_path / "o"), 1)[:3] + ["--roster", str(bad), "--out",
                                                                      str(tmp_path / "o")], tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error:") and "roster" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_runs_and_says_where_the_outputs_are(tmp_path):
    demo_out = tmp_path / "demo"
    result = _finish(subprocess.Popen(GRADER + ["demo", "--out", str(demo_out)], cwd=ROOT, env=_env(),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      start_new_session=True))
    assert result.returncode == 0, result.stdout + result.stderr
    shown = re.findall(r"^(?:problem sets|answer keys|feedback|gradebook|summary):\s+(\S+)", result.stdout, re.M)
    assert len(shown) == 5, result.stdout
    for path in shown:
        assert Path(path).exists(), path
        assert Path(path).resolve().is_relative_to(demo_out.resolve())
    assert (demo_out / "graded" / "gradebook.csv").exists()
    assert len(list((demo_out / "generated" / "problem-sets").iterdir())) >= 10
    assert not list(ROOT.rglob("HACKED"))


def test_second_file_for_a_student_is_not_dropped_silently(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "s001.yaml").write_text((SUBMISSIONS / "s001.yaml").read_text())
    (subs / "s001.json").write_text((SUBMISSIONS / "s008.json").read_text())
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,SID\nAda,s001\n")
    result = _finish(_start(["grade", str(BANK_PATH), str(subs), "--roster", str(roster), "--out", "out"], tmp_path))
    assert result.returncode == 0, result.stderr
    told = result.stdout + result.stderr + (tmp_path / "out" / "gradebook.csv").read_text() + \
        (tmp_path / "out" / "run.json").read_text()
    assert "s001.yaml" in told and "s001.json" in told


def test_an_output_with_a_results_folder_per_student_moves_to_one_file_each(tmp_path: Path) -> None:
    # outputs written before results/<id>.json kept results/<id>/results.json; grading into one (the students
    # graded again, and the ones kept from earlier runs) leaves one file per student and no folders
    import shutil

    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for name in ("s001.yaml", "s002.yaml", "s003.yaml"):
        shutil.copy(SUBMISSIONS / name, submissions / name)
    out = tmp_path / "out"
    first = subprocess.run(GRADER + ["grade", str(BANK_PATH), str(submissions), "--roster", str(ROSTER), "--out",
                                     str(out), "--jobs", "1", "--allow-demo-secret", "-q"],
                           capture_output=True, text=True, env=_env(), timeout=300)
    assert first.returncode == 0, first.stderr
    before = {}
    for student in ("s001", "s002", "s003"):
        flat = out / "results" / f"{student}.json"
        before[student] = flat.read_bytes()
        (out / "results" / student).mkdir()
        flat.rename(out / "results" / student / "results.json")  # as the earlier layout had it
    (submissions / "s002.yaml").unlink()  # s002 and s003 are kept from the first run, s001 graded again
    (submissions / "s003.yaml").unlink()
    again = subprocess.run(GRADER + ["grade", str(BANK_PATH), str(submissions), "--roster", str(ROSTER), "--out",
                                     str(out), "--jobs", "1", "--allow-demo-secret", "-q"],
                           capture_output=True, text=True, env=_env(), timeout=300)
    assert again.returncode == 0, again.stderr
    assert json.loads((out / "run.json").read_text())["kept_from_earlier_runs"] == ["s002", "s003"]
    for student in ("s001", "s002", "s003"):
        assert not (out / "results" / student).exists()
        assert (out / "results" / f"{student}.json").read_bytes() == before[student]
