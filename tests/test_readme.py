"""The README's examples must stay true: its bank example validates, its answers example parses."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block_after(heading: str, language: str) -> str:
    section = README.split(heading, 1)[1]
    return re.search(rf"```{language}\n(.*?)```", section, re.S).group(1)


def test_quickstart_has_exactly_two_commands() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", quickstart, re.S)
    # Each is one line that makes (or reuses) a virtual environment: stock Debian/Ubuntu pip refuses otherwise.
    venv = "python3 -m venv .venv && . .venv/bin/activate && "
    assert [c.strip() for c in commands] == [venv + "pip install -e . && grader demo",
                                            venv + 'pip install -e ".[test,otter]" && python -m pytest -q']
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python -m pytest -q" in ci and "python3 -m venv .venv" in ci and ". .venv/bin/activate" in ci


def test_bank_example_validates(tmp_path: Path) -> None:
    (tmp_path / "example.yaml").write_text(_block_after("## The bank format", "yaml"))
    (tmp_path / "example_solvers.py").write_text(
        "def conv_output_size(I, F, P, S):\n    return (I - F + 2 * P) // S + 1\n")
    (tmp_path / "course.yaml").write_text("secret: readme-example\n")
    run = subprocess.run([sys.executable, "-m", "grader.cli", "validate", str(tmp_path / "example.yaml"),
                          "--seeds", "50"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "printed answer '11' disagrees" in run.stdout  # the recorded correction is reported as a note


def test_submission_example_parses_against_the_bundled_bank(tmp_path: Path) -> None:
    from grader.bank.model import load_bank
    from grader.grading.submission import read_submission

    answers = tmp_path / "s001.yaml"
    answers.write_text(_block_after("## Submission format", "yaml"))
    submission = read_submission(answers, load_bank(ROOT / "questions" / "cnn.yaml"), "s001")
    assert submission.warnings == []
    assert submission.answers["stacked-3x3"]["b"] == "72%"
    assert submission.answers["conv-as-matrix"]["b"] == "[[81, 45], [67, 18]]"
