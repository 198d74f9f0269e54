"""A hand-graded answer reaches the grader whole: the record and the grading sheet keep an essay of
thousands of characters (an auto-graded answer's echo is capped at 1,000), only a paste beyond what the
free-response checker reads is cut with a note, and the sheet shows a leading ``=`` as text, not a formula."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from grader.cli import main
from grader.core.safe_text import MAX_ANSWER_ECHO, MAX_HAND_GRADED_ANSWER

ROOT = Path(__file__).resolve().parent.parent
SECRET = "hand-graded-text-secret"


def _grade_and_sheet(tmp_path: Path, essay: str) -> tuple[dict, dict]:
    answers = yaml.safe_load((ROOT / "submissions" / "s001.yaml").read_text(encoding="utf-8"))
    answers["pooling"]["b"] = essay
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "s001.yaml").write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
    shutil.copy(ROOT / "submissions" / "roster.csv", tmp_path / "roster.csv")
    runner = CliRunner()
    bank = str(ROOT / "questions" / "cnn.yaml")
    done = runner.invoke(main, ["grade", bank, str(tmp_path / "subs"), "--roster", str(tmp_path / "roster.csv"),
                                "--out", str(tmp_path / "out"), "--secret", SECRET, "--jobs", "1", "-q"])
    assert done.exit_code == 0, done.output
    done = runner.invoke(main, ["manual", bank, str(tmp_path / "out"), "--out", str(tmp_path / "sheet.csv")])
    assert done.exit_code == 0, done.output
    import json

    record = json.loads((tmp_path / "out" / "records" / "s001.json").read_text(encoding="utf-8"))
    part = next(p for p in record["parts"] if (p["question"], p["part"]) == ("pooling", "b"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "sheet.csv").read_text(encoding="utf-8"))))
    row = next(r for r in rows if (r["student"], r["question"], r["part"]) == ("s001", "pooling", "b"))
    return part, row


def test_an_essay_longer_than_an_echo_is_kept_whole_for_the_grader(tmp_path: Path) -> None:
    essay = "Pooling keeps the strongest response in each window. " * 100  # about 5,300 characters
    assert MAX_ANSWER_ECHO < len(essay.strip()) < MAX_HAND_GRADED_ANSWER
    part, row = _grade_and_sheet(tmp_path, essay)
    assert part["raw"].strip() == essay.strip()
    assert row["answer"] == essay.strip()


def test_a_paste_beyond_the_limit_is_cut_with_a_note_and_a_formula_stays_text(tmp_path: Path) -> None:
    paste = "=HYPERLINK(\"http://example.com\") " + "x" * (MAX_HAND_GRADED_ANSWER + 500)
    part, row = _grade_and_sheet(tmp_path, paste)
    assert part["raw"].startswith(paste[:MAX_HAND_GRADED_ANSWER]) and "characters in all)" in part["raw"]
    assert row["answer"].startswith("'=HYPERLINK(")  # a spreadsheet shows it as text


def test_a_hand_score_given_when_answers_were_cut_still_holds_for_the_whole_answer() -> None:
    """Before this version a hand-graded answer was kept cut to 1,000 characters with a note; a hand score
    saved then must still apply when the same essay is graded again and kept whole."""
    from grader.check.base import CheckResult
    from grader.core.safe_text import cap_text
    from grader.grading.grade import PartResult, SubmissionResult
    from grader.grading.hand_scores import HandScore, apply_hand_scores, part_key

    essay = "Pooling keeps the strongest response in each window. " * 100

    def result(raw: str) -> SubmissionResult:
        pending = CheckResult("pending", 0.0, "", "pending", "")
        return SubmissionResult("s001", "graded", [PartResult("pooling", "b", "free", 1.0, 0.0, pending, raw)])

    old_cut = cap_text(essay, MAX_ANSWER_ECHO).strip()  # what the old record, and so the hand score, held
    scores = {part_key("pooling", "b"): HandScore(0.5, "good", {}, old_cut)}
    kept = result(essay)
    assert apply_hand_scores(kept, scores) == []
    assert kept.parts[0].points == 0.5 and kept.parts[0].result.verdict == "partial"
    changed = result(essay.replace("strongest", "weakest", 1))  # another answer: the score no longer holds
    assert apply_hand_scores(changed, scores) == [part_key("pooling", "b")]
