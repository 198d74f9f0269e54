"""The class summary shows wrong formula and matrix answers as math in HTML and as typed text in Markdown."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _mistake_rows(text: str, row_pattern: str) -> dict[str, str]:
    section = text[text.index("Common mistakes by note"):]
    return {" ".join(re.findall(r"<td>([^<]*)</td>", row)[:3]): row for row in re.findall(row_pattern, section, re.S)}


def test_wrong_matrix_answers_are_mathml_in_summary_html_and_typed_in_summary_md(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(ROOT / "questions" / "cnn.yaml"),
                          str(ROOT / "submissions"), "--roster", str(ROOT / "submissions" / "roster.csv"),
                          "--out", str(tmp_path / "graded"), "--quiet"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    html = (tmp_path / "graded" / "summary.html").read_text(encoding="utf-8")
    rows = _mistake_rows(html, r"<tr>(.*?)</tr>")
    flipped = next(row for key, row in rows.items() if key.startswith("conv-as-matrix a flipped-kernel"))
    assert flipped.count("<math") == 2 and "<code>" not in flipped  # both wrong matrices drawn as math
    assert "[[" not in flipped and "$" not in flipped
    # an answer that does not read as a formula stays text: never guessed into math
    unreadable = next(row for key, row in rows.items() if key.startswith("output-vs-kernel a invalid"))
    assert "<code>H - K + 1)</code>" in unreadable
    markdown = (tmp_path / "graded" / "summary.md").read_text(encoding="utf-8")
    line = next(line for line in markdown.splitlines() if line.startswith("| conv-as-matrix | a | flipped-kernel"))
    assert "`[[" in line and "$" not in line  # typed syntax, as students write it


def test_results_json_shows_the_students_answer_as_typed_and_only_the_feedback_as_math() -> None:
    from grader.check.base import CheckResult
    from grader.grading.grade import PartResult
    from grader.report.feedback import part_feedback_html

    for typed in ("2*3", "0.50", "1e3", "x^2*x", "b a", "Paris France", "[0, 1]"):
        check = CheckResult("incorrect", 0.0, "The expected answer is `x^2 + 1`.", "not-equivalent", typed)
        html_text = part_feedback_html(PartResult("q", "a", "expression", 1.0, 0.0, check, typed))
        assert f"Your answer: <code>{typed}</code>" in html_text, html_text  # exactly as typed, not read
        assert html_text.count("<math") == 1  # the revealed answer only
