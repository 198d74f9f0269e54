"""A whole term through the CLI, as an instructor runs it (README "A term with grader").

Grade the class, grade one late file into it, fix a key, run impact and
compare, fill a grading sheet and merge it, export for Canvas and Gradescope.
Expected values come from the sample files, the roster and each student's
variant parameters; the CSV rules come from docs/gradebook-formats.md.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.bank.model import load_bank
from grader.bank.variant import make_variant
from grader.course.config import DEMO_SECRET

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "questions" / "cnn.yaml"
SAMPLES = ROOT / "submissions"
_SCRIPT = Path(sys.executable).with_name("grader")
GRADER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "grader.cli"]
LATE = "s004"
FREE_PARTS = [("pooling", "b"), ("unshared-features", "b"), ("cnn-vs-mlp", "b"), ("cnn-vs-mlp", "e")]
OLD_A = "        answer: {solver: stacked_3x3_layers, args: [F]}\n        mistakes:\n          - answer: F - 1\n"
NEW_A = "        answer: F - 1\n        mistakes:\n          - answer: F - 2\n"


def run(args: list[str], cwd: Path, expect: int = 0) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    env["COLUMNS"] = "200"
    done = subprocess.run(GRADER + args, cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == expect, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    return {row["student_id"]: row for row in read_csv(out / "gradebook.csv")}


def roster_ids() -> list[str]:
    return [row["SID"] for row in read_csv(SAMPLES / "roster.csv")]


def answer(student: str, question: str, part: str) -> str | None:
    path = next((p for p in (SAMPLES / f"{student}.yaml", SAMPLES / f"{student}.json") if p.exists()), None)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # no coercion, like grader
    except (AttributeError, OSError, yaml.YAMLError):
        return None
    value = ((data or {}).get(question) or {}) if isinstance(data, dict) else {}
    return value.get(part) if isinstance(value, dict) else None


def stacked_f(student: str) -> int:
    bank = load_bank(BANK)
    return int(make_variant(bank, bank.by_id["stacked-3x3"], DEMO_SECRET, student).params["F"])


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def readme_commands() -> list[str]:
    """The commands of the README's walk-through, in order."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## A term with grader", 1)[1]
    section = section.split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.strip().startswith("grader ")]


@pytest.fixture(scope="module")
def term(tmp_path_factory) -> dict:
    """The README's walk-through, command by command, with a copy of graded/ after each step."""
    work = tmp_path_factory.mktemp("term")
    shutil.copytree(BANK.parent, work / "questions", ignore=shutil.ignore_patterns("__pycache__"))
    (work / "hand-in").mkdir()
    (work / "late").mkdir()
    for path in SAMPLES.iterdir():
        if path.is_file() and path.suffix in (".yaml", ".json"):
            shutil.copy(path, work / ("late" if path.stem == LATE else "hand-in") / path.name)
    shutil.copy(SAMPLES / "roster.csv", work / "roster.csv")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.edu"]
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    subprocess.run(git + ["add", "questions"], cwd=work, check=True)
    subprocess.run(git + ["commit", "-qm", "the bank as handed out"], cwd=work, check=True)
    steps: dict = {"work": work, "commands": []}

    def step(name: str, command: str, snapshot: bool = True) -> None:
        steps["commands"].append(command)
        steps[name] = run(command.split()[1:], work)
        if snapshot:
            shutil.copytree(work / "graded", work / f"after-{name}")

    step("first", "grader grade questions/cnn.yaml hand-in --roster roster.csv --out graded --quiet")
    step("late", f"grader grade questions/cnn.yaml late/{LATE}.yaml --roster roster.csv --out graded")
    # The key fix, in place: stacked-3x3 (a) becomes F - 1, and (b) gets a looser tolerance.
    text = BANK.read_text(encoding="utf-8")
    assert OLD_A in text and "        rtol: 0.002\n" in text
    (work / "questions" / "cnn.yaml").write_text(
        text.replace(OLD_A, NEW_A).replace("        rtol: 0.002\n", "        rtol: 0.05\n"), encoding="utf-8")
    step("impact", "grader impact git:HEAD:questions/cnn.yaml questions/cnn.yaml --roster roster.csv "
                   "--out impact.csv", snapshot=False)
    step("regrade", "grader grade questions/cnn.yaml hand-in late --roster roster.csv --out graded "
                    "--compare graded --quiet")
    step("sheet", "grader manual questions/cnn.yaml graded --out sheet.csv", snapshot=False)
    shutil.copy(work / "sheet.csv", work / "blank-sheet.csv")
    rows = read_csv(work / "sheet.csv")
    headers = list(rows[0])
    pooling_items = [h for h in headers if h.startswith("pooling/b #")]
    for row in rows:  # the TA's work: s001's pooling answer gets both rubric items, s002's unshared answer half
        if row["student"] == "s001" and row["question"] == "pooling":
            row[pooling_items[0]], row[pooling_items[1]] = "0.25", "0.25"
            row["comment"] = "Both points made, clearly."
        if row["student"] == "s002" and row["question"] == "unshared-features":
            row["score"], row["comment"] = "0.5", "Half: say why shared kernels generalise."
    with (work / "sheet.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, headers)
        writer.writeheader()
        writer.writerows(rows)
    step("merge", "grader merge questions/cnn.yaml graded sheet.csv")
    step("canvas", "grader gradebook graded --format canvas --out canvas.csv", snapshot=False)
    step("gradescope", "grader gradebook graded --format gradescope --out gradescope.csv", snapshot=False)
    step("long", "grader gradebook graded --format long --out long.csv", snapshot=False)
    return steps


def test_the_readme_walk_through_is_what_these_tests_run(term):
    assert readme_commands() == term["commands"]


# --- 1. regrading never loses work ---------------------------------------------------------------------------

def test_first_run_has_the_late_student_missing(term):
    book = gradebook(term["work"] / "after-first")
    assert set(book) == set(roster_ids()) | {"visitor"}
    assert book[LATE]["status"] == "missing"
    # --quiet: one summary line, no row per student (s004 moved out and s010 hand in nothing; s005 is malformed)
    lines = term["first"].stdout.splitlines()
    assert lines[0].startswith("this run: 11 student(s) (8 graded, 2 missing, 1 unreadable); mean ")
    assert not any(line.startswith("│") for line in lines)


def test_a_late_file_updates_only_that_student(term):
    work = term["work"]
    before, after = gradebook(work / "after-first"), gradebook(work / "after-late")
    assert after[LATE]["status"] == "graded" and float(after[LATE]["score"]) > 0
    assert {sid: row for sid, row in after.items() if sid != LATE} == \
        {sid: row for sid, row in before.items() if sid != LATE}
    old, new = files(work / "after-first"), files(work / "after-late")
    for student in set(roster_ids()) - {LATE} | {"visitor"}:
        for name in (f"feedback/{student}.md", f"results/{student}.json", f"records/{student}.json"):
            assert new[name] == old[name], name
    assert f"feedback/{LATE}.md" in new and "No submission" not in new[f"feedback/{LATE}.md"].decode()
    assert "kept 9 student(s) graded in earlier runs" in term["late"].stdout  # s010 (missing) is redone
    assert not list(work.glob(".graded.*"))  # no staging or previous copy left behind


def test_summary_html_shows_the_item_analysis_and_its_plots(term):
    folder = term["work"] / "after-late"
    page = (folder / "summary.html").read_text(encoding="utf-8")
    for image in ("histogram.png", "item-analysis.png", "options.png"):
        assert f'src="{image}"' in page and (folder / image).read_bytes()[:4] == b"\x89PNG"
    assert "Item analysis" in page and "point-biserial" in page and "Common mistakes by note" in page


def test_the_summary_covers_the_whole_roster_after_a_late_file(term):
    summary = json.loads((term["work"] / "after-late" / "summary.json").read_text())
    assert summary["students"] == len(roster_ids()) and summary["not_on_roster"] == 1
    assert summary["not_graded"]["missing"] == 1  # s010 only; s004 is graded now
    assert summary["graded"] == len(roster_ids()) - 2


def test_a_dropped_student_loses_their_files_and_is_reported(term, tmp_path):
    out = tmp_path / "graded"
    shutil.copytree(term["work"] / "after-late", out)
    roster = tmp_path / "roster.csv"
    lines = (SAMPLES / "roster.csv").read_text(encoding="utf-8").splitlines()
    roster.write_text("\n".join(line for line in lines if ",s009," not in line) + "\n", encoding="utf-8")
    done = run(["grade", str(BANK), str(SAMPLES / "s001.yaml"), "--roster", str(roster), "--out", str(out), "-q"],
               tmp_path)
    assert "removed the files of 1 student(s) no longer graded: s009" in done.stdout
    assert not (out / "feedback" / "s009.md").exists() and not (out / "results" / "s009.json").exists()
    assert "s009" not in gradebook(out) and "visitor" in gradebook(out)


def test_fresh_drops_earlier_results(term, tmp_path):
    out = tmp_path / "graded"
    shutil.copytree(term["work"] / "after-late", out)
    (out / "my-notes.txt").write_text("mine", encoding="utf-8")
    run(["grade", str(BANK), str(SAMPLES / "s001.yaml"), "--roster", str(SAMPLES / "roster.csv"), "--out", str(out),
         "--fresh", "-q"], tmp_path)
    book = gradebook(out)
    assert book["s001"]["status"] == "graded"
    assert {row["status"] for sid, row in book.items() if sid != "s001"} == {"missing"}
    assert "visitor" not in book and not (out / "feedback" / "visitor.md").exists()
    assert (out / "my-notes.txt").read_text(encoding="utf-8") == "mine"  # not grader's file: kept


def test_every_output_records_the_bank_fingerprint_and_version(term):
    from grader.bank.fingerprint import fingerprint_files, grader_version

    work = term["work"]
    original = fingerprint_files(BANK, BANK.with_name("cnn_solvers.py"))
    fixed = fingerprint_files(work / "questions" / "cnn.yaml", work / "questions" / "cnn_solvers.py")
    assert original != fixed
    results = json.loads((work / "after-late" / "results" / "s001.json").read_text())
    assert results["extra_data"] == {"bank_fingerprint": original, "grader_version": grader_version()}
    assert {row["bank_fingerprint"] for row in gradebook(work / "after-late").values()} == {original}
    assert {row["bank_fingerprint"] for row in gradebook(work / "after-regrade").values()
            if row["status"] != "missing"} == {fixed}
    generated = work / "generated"
    run(["generate", str(BANK), "--roster", "roster.csv", "--out", str(generated), "--key"], work)
    for page in (generated / "problem-sets" / "s001.md", generated / "keys" / "s001.md"):
        assert f"fingerprint {original}, grader {grader_version()}" in page.read_text(encoding="utf-8")


# --- 2. impact and the regrade report ------------------------------------------------------------------------

def test_impact_names_exactly_the_changed_references(term):
    rows = read_csv(term["work"] / "impact.csv")
    assert len(rows) == len(roster_ids()) * len(load_bank(BANK).questions)
    changed = [row for row in rows if row["status"] != "unchanged"]
    assert {row["question"] for row in changed} == {"stacked-3x3"}
    assert {row["student_id"] for row in changed} == set(roster_ids())
    for row in changed:
        f = stacked_f(row["student_id"])
        assert (row["params_changed"], row["text_changed"], row["references_changed"]) == ("no", "no", "yes")
        assert row["detail"] == f"part a: {(f - 1) // 2} → {f - 1}"
    assert "10 of 10 students have a changed variant" in term["impact"].stdout


def test_regrade_report_lists_each_moved_score_with_the_reason(term):
    work = term["work"]
    report = read_csv(work / "graded" / "regrade-report.csv")
    moved = {}
    for student in roster_ids() + ["visitor"]:
        f = stacked_f(student)
        given = answer(student, "stacked-3x3", "a")
        if given is None:
            continue
        before, after = given.strip() == str((f - 1) // 2), given.strip() == str(f - 1)
        if before != after:
            moved[student] = (before, after, f)
    assert moved, "the samples must have someone whose score moves"
    assert {row["student_id"] for row in report} == set(moved)
    for row in report:
        before, after, f = moved[row["student_id"]]
        assert (row["question"], row["part"]) == ("stacked-3x3", "a")
        assert float(row["new_score"]) - float(row["old_score"]) == pytest.approx(1.0 if after else -1.0)
        assert row["why"] == f"new reference: {(f - 1) // 2} → {f - 1}"
    markdown = (work / "graded" / "regrade-report.md").read_text(encoding="utf-8")
    assert f"{len(moved)} student(s) have a new score" in markdown


def test_impact_names_a_missing_git_file(term):
    failed = run(["impact", "git:HEAD:nope.yaml", "questions/cnn.yaml", "--roster", "roster.csv"], term["work"],
                 expect=2)
    assert "git has no file 'nope.yaml' at revision 'HEAD'" in failed.stderr and "Traceback" not in failed.stderr


# --- 3. hand grading -----------------------------------------------------------------------------------------

def test_the_grading_sheet_has_every_pending_part_and_every_rubric_item(term):
    work = term["work"]
    rows = read_csv(work / "blank-sheet.csv")
    graded = [sid for sid, row in gradebook(work / "after-regrade").items()
              if row["status"] in ("graded", "not-on-roster") and row["message"].find("could not be read") < 0]
    assert {(r["student"], r["question"], r["part"]) for r in rows} == \
        {(sid, q, p) for sid in graded for q, p in FREE_PARTS}
    bank = load_bank(BANK)
    rubric = [h for h in rows[0] if "#" in h]
    assert len(rubric) == sum(len(bank.by_id[q].part(p).settings["rubric"]) for q, p in FREE_PARTS)
    s001 = next(r for r in rows if r["student"] == "s001" and r["question"] == "pooling")
    assert s001["answer"] == answer("s001", "pooling", "b").strip() and s001["points"] == "0.5"


def test_merged_hand_scores_reach_gradebook_feedback_and_results(term):
    work = term["work"]
    before, after = gradebook(work / "after-regrade"), gradebook(work / "after-merge")
    assert float(after["s001"]["score"]) == pytest.approx(float(before["s001"]["score"]) + 0.5)
    assert float(after["s002"]["score"]) == pytest.approx(float(before["s002"]["score"]) + 0.5)
    assert float(after["s001"]["pending_manual"]) == pytest.approx(float(before["s001"]["pending_manual"]) - 0.5)
    assert {sid: r for sid, r in after.items() if sid not in ("s001", "s002")} == \
        {sid: r for sid, r in before.items() if sid not in ("s001", "s002")}
    feedback = (work / "after-merge" / "feedback" / "s001.md").read_text(encoding="utf-8")
    assert "Graded by hand: Both points made, clearly." in feedback
    results = json.loads((work / "after-merge" / "results" / "s002.json").read_text())
    index = [q.id for q in load_bank(BANK).questions].index("unshared-features") + 1
    test = next(t for t in results["tests"] if t["number"] == f"{index}.b")
    assert test["score"] == 0.5 and test["max_score"] == 1.0 and "why shared kernels generalise" in test["output"]
    assert "merged 2 hand score(s) for 2 student(s)" in term["merge"].stdout


def test_statistics_show_hand_parts_pending_until_scored(term):
    def item(folder: str, question: str) -> dict:
        summary = json.loads((term["work"] / folder / "summary.json").read_text())
        return next(i for i in summary["items"] if (i["question"], i["part"]) == (question, "b"))

    assert item("after-regrade", "pooling")["status"] == "pending"
    assert item("after-regrade", "pooling")["difficulty"] is None
    merged = item("after-merge", "pooling")
    assert (merged["status"], merged["scored"], merged["difficulty"]) == ("partly-scored", 1, 1.0)
    assert item("after-merge", "cnn-vs-mlp")["status"] == "pending"


def test_grade_with_manual_merges_the_sheet_in_the_same_command(term, tmp_path):
    out = tmp_path / "graded"
    shutil.copytree(term["work"] / "after-regrade", out)
    done = run(["grade", str(term["work"] / "questions" / "cnn.yaml"), str(SAMPLES / "s003.yaml"), "--roster",
                str(SAMPLES / "roster.csv"), "--out", str(out), "--manual", str(term["work"] / "sheet.csv"), "-q"],
               tmp_path)
    assert "merged 2 hand score(s) for 2 student(s)" in done.stdout
    assert gradebook(out)["s001"]["score"] == gradebook(term["work"] / "after-merge")["s001"]["score"]


def test_grade_with_manual_prints_the_scores_after_the_merge(term, tmp_path):
    out = tmp_path / "graded"
    shutil.copytree(term["work"] / "after-regrade", out)
    done = run(["grade", str(term["work"] / "questions" / "cnn.yaml"), str(SAMPLES / "s001.yaml"), "--roster",
                str(SAMPLES / "roster.csv"), "--out", str(out), "--manual", str(term["work"] / "sheet.csv")],
               tmp_path)
    merged = gradebook(term["work"] / "after-merge")["s001"]
    before = gradebook(term["work"] / "after-regrade")["s001"]
    assert merged["score"] != before["score"]  # the sheet changes s001's score
    from grader.bank.templates import points

    (line,) = [line for line in done.stdout.splitlines() if line.startswith("│ s001 ")]
    assert f"│ {points(float(merged['score']))} / {points(float(merged['max_score']))} " in line, line


def test_hand_scores_survive_a_regrade(term, tmp_path):
    out = tmp_path / "graded"
    shutil.copytree(term["work"] / "after-merge", out)
    run(["grade", str(term["work"] / "questions" / "cnn.yaml"), str(SAMPLES / "s001.yaml"), "--roster",
         str(SAMPLES / "roster.csv"), "--out", str(out), "-q"], tmp_path)
    assert gradebook(out)["s001"]["score"] == gradebook(term["work"] / "after-merge")["s001"]["score"]


@pytest.mark.parametrize("edit, message", [
    (lambda row, h: row.update(student="nobody"), "row 2: unknown student 'nobody'"),
    (lambda row, h: row.update(score="0.75"), "row 2: score 0.75 is above the part's points (0.5)"),
    (lambda row, h: row.update({h["cnn-vs-mlp/e #1"]: "1"}), "row 2: rubric item 'cnn-vs-mlp/e #1' is not an item"),
    (lambda row, h: row.update(score="lots"), "row 2: score 'lots' must be a number"),
])
def test_sheet_errors_name_the_row_and_nothing_is_merged(term, tmp_path, edit, message):
    rows = read_csv(term["work"] / "blank-sheet.csv")
    headers = list(rows[0])
    by_prefix = {h.split(":")[0]: h for h in headers if "#" in h}
    first = next(r for r in rows if r["question"] == "pooling")
    edit(first, by_prefix)
    sheet = tmp_path / "bad.csv"
    with sheet.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, headers)
        writer.writeheader()
        writer.writerow(first)
    out = tmp_path / "graded"
    shutil.copytree(term["work"] / "after-regrade", out)
    before = files(out)
    failed = run(["merge", str(term["work"] / "questions" / "cnn.yaml"), str(out), str(sheet)], tmp_path, expect=2)
    assert message in failed.stderr and "nothing was merged" in failed.stderr and "Traceback" not in failed.stderr
    assert files(out) == before


def test_unknown_rubric_column_is_refused(term, tmp_path):
    sheet = tmp_path / "bad.csv"
    sheet.write_text("student,question,part,score,pooling/b #3: no such item\ns001,pooling,b,,0.1\n", encoding="utf-8")
    failed = run(["merge", str(term["work"] / "questions" / "cnn.yaml"), str(term["work"] / "after-regrade"),
                  str(sheet)], tmp_path, expect=2)
    assert "row 1: unknown rubric item #3" in failed.stderr and "has 2" in failed.stderr


def test_the_answer_key_shows_the_rubric(term):
    key = (term["work"] / "generated" / "keys" / "s001.md").read_text(encoding="utf-8")
    for criterion in load_bank(BANK).by_id["pooling"].part("b").settings["rubric"]:
        assert criterion in key


# --- 4. grades out -------------------------------------------------------------------------------------------

def test_canvas_export_follows_canvas_import_rules(term):
    from gradebook_rules import check_canvas

    rows = check_canvas(term["work"] / "canvas.csv", assignment="Convolutional neural networks")
    book = gradebook(term["work"] / "after-merge")
    assert [r["SIS User ID"] for r in rows] == roster_ids()
    for row in rows:
        expected = "" if book[row["SIS User ID"]]["status"] == "missing" else \
            f"{round(float(book[row['SIS User ID']]['score']), 2):g}"
        assert row["Convolutional neural networks"] == expected
    assert "their grader id is written as SIS User ID" in term["canvas"].stderr


def test_gradescope_export_follows_gradescope_rules(term):
    from gradebook_rules import check_gradescope

    rows = check_gradescope(term["work"] / "gradescope.csv")
    emails = {row["SID"]: row["Email"] for row in read_csv(SAMPLES / "roster.csv")}
    assert {r["SID"]: r["Email"] for r in rows} == emails


def test_long_export_has_a_row_per_part(term):
    rows = read_csv(term["work"] / "long.csv")
    s001 = [r for r in rows if r["student_id"] == "s001"]
    assert {r["graded_by"] for r in s001} == {"auto", "hand", "pending"}
    assert next(r for r in s001 if r["question"] == "pooling" and r["part"] == "b")["points"] == "0.5"


def test_a_canvas_roster_uses_sis_user_id_and_lists_skipped_rows(tmp_path):
    from gradebook_rules import check_canvas

    roster = tmp_path / "canvas-roster.csv"
    lines = ["Student,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (1001)", "    Points Possible,,,,,10"]
    sample = read_csv(SAMPLES / "roster.csv")
    for number, row in enumerate(sample, start=1):
        last, first = row["Name"].split(" ", 1)[1], row["Name"].split(" ", 1)[0]
        lines.append(f'"{last}, {first}",{4100 + number},{row["SID"]},{row["Email"].split("@")[0]},CS-101,')
    lines.append('"Student, Test",4199,,,CS-101,')
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run(["grade", str(BANK), str(SAMPLES), "--roster", str(roster), "--out", "graded", "-q"], tmp_path)
    assert "id from column 'SIS User ID' (a Canvas export" in done.stderr
    assert "skipped line 2: the Points Possible row" in done.stderr
    assert f"skipped line {len(sample) + 3}: Canvas's Test Student" in done.stderr
    assert set(gradebook(tmp_path / "graded")) == {r["SID"] for r in sample} | {"visitor"}
    exported = run(["gradebook", "graded", "--format", "canvas", "--out", "canvas.csv", "--assignment",
                    "Quiz 1 (1001)"], tmp_path)
    rows = check_canvas(tmp_path / "canvas.csv", assignment="Quiz 1 (1001)")
    assert [(r["ID"], r["SIS Login ID"]) for r in rows] == \
        [(str(4100 + n), r["Email"].split("@")[0]) for n, r in enumerate(sample, start=1)]
    assert "SIS User ID" not in exported.stderr
