"""`grader validate` and `generate` on broken banks: a message with file:line for each, never a hang or a traceback.

Each bank is a real file an author could have written with the mistake in it; the CLI runs in a
subprocess with a generous guard timeout, and the test checks what the author reads.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

_SCRIPT = Path(sys.executable).with_name("grader")
GRADER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "grader.cli"]

HEADER = "id: broken\ntitle: Broken\nquestions:\n"
LOOPING_SOLVERS = "def spin(n):\n    while True:\n        n += 1\n\n\ndef double(n):\n    return 2 * n\n"
QUESTION = """\
  - id: q
    title: Q
    params:
      n: {{range: [1, 5]}}
{params}    text: |
      Give {{{{ n }}}}.
{text}    parts:
      - id: a
        type: integer
        answer: {answer}
{part}{solution}"""


def _bank(folder: Path, *, params: str = "", text: str = "", answer: str = "n", part: str = "", solution: str = "",
          solvers: str | None = None) -> Path:
    path = folder / "broken.yaml"
    path.write_text(HEADER + QUESTION.format(params=params, text=text, answer=answer, part=part, solution=solution),
                    encoding="utf-8")
    if solvers is not None:
        (folder / "broken_solvers.py").write_text(solvers, encoding="utf-8")
    return path


def _run(args: list[str], cwd: Path, guard: float = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"} | {"COLUMNS": "200"}
    return subprocess.run(GRADER + args, cwd=cwd, capture_output=True, text=True, env=env, timeout=guard)


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), start=1) if needle in line)


def test_a_looping_solver_ends_with_a_message_within_its_limit(tmp_path: Path) -> None:
    bank = _bank(tmp_path, answer="{solver: spin, args: [n]}", solvers=LOOPING_SOLVERS)
    run = _run(["validate", str(bank), "--seeds", "3", "--solver-time-limit", "1"], tmp_path, guard=60)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    line = _line_of(bank, "- id: a")
    assert f"broken.yaml:{line}" in run.stdout and "did not finish within 1 s" in run.stdout


def test_a_solver_module_that_loops_at_import_is_a_bank_error(tmp_path: Path) -> None:
    bank = _bank(tmp_path, answer="{solver: double, args: [n]}", solvers="while True:\n    pass\n")
    run = _run(["validate", str(bank), "--seeds", "1"], tmp_path, guard=90)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "failed to import: did not finish within 10 s" in run.stderr


def test_a_cycle_in_derived_parameters_is_named_with_its_line(tmp_path: Path) -> None:
    bank = _bank(tmp_path, params="      a: {derived: b + 1}\n      b: {derived: a + n}\n", answer="a")
    run = _run(["validate", str(bank), "--seeds", "1"], tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"broken.yaml:{_line_of(bank, 'params:') + 1}" in run.stderr
    assert "depend on each other in a cycle: a -> b -> a" in run.stderr


def test_a_draw_that_divides_by_zero_is_named_with_the_parameter_values(tmp_path: Path) -> None:
    bank = _bank(tmp_path, params="      m: {derived: 12/(n - 3)}\n", answer="m")
    run = _run(["validate", str(bank), "--seeds", "40"], tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stdout + run.stderr
    assert "derived parameter 'm' divides by zero (or is undefined) when n=3" in run.stdout


def test_a_where_rule_can_exclude_the_draws_that_divide_by_zero(tmp_path: Path) -> None:
    bank = _bank(tmp_path, params="      m: {derived: 12/(n - 3)}\n", answer="m")
    bank.write_text(bank.read_text().replace("    text: |", "    where:\n      - n != 3\n    text: |"))
    run = _run(["validate", str(bank), "--seeds", "40"], tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_sandbox_refusal_in_generate_names_the_template_line(tmp_path: Path) -> None:
    bank = _bank(tmp_path, text="      Then {{ n.__class__.__mro__ }}.\n")
    (tmp_path / "roster.csv").write_text("SID\ns1\n", encoding="utf-8")
    run = _run(["generate", str(bank), "--roster", str(tmp_path / "roster.csv"), "--out", str(tmp_path / "out"),
                "--secret", "x"], tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"broken.yaml:{_line_of(bank, '__class__')}, question 'q'" in run.stderr
    assert "the text template failed at its line 2" in run.stderr
    assert "the sandbox refused it" in run.stderr and "__class__" in run.stderr


def test_a_broken_solution_template_names_the_template_and_its_line(tmp_path: Path) -> None:
    bank = _bank(tmp_path, solution="    solution: |\n      First.\n      {{ answer.zz }}\n")
    run = _run(["validate", str(bank), "--seeds", "2"], tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stdout + run.stderr
    assert "the solution template failed at its line 2" in run.stdout and "UndefinedError" in run.stdout
    assert f"broken.yaml:{_line_of(bank, 'answer.zz')}, question 'q'" in run.stdout
    assert "seed for validate-0 failed" not in run.stdout


def test_an_undefined_name_in_mistake_feedback_is_not_called_a_failed_reference(tmp_path: Path) -> None:
    part = "        mistakes:\n          - answer: n + 1\n            note: plus-one\n            feedback: 'Off by {{ k }}'\n"
    bank = _bank(tmp_path, part=part)
    run = _run(["validate", str(bank), "--seeds", "2"], tmp_path)
    assert run.returncode in (1, 2) and "Traceback" not in run.stdout + run.stderr
    output = run.stdout + run.stderr
    assert "an option or mistake feedback template failed" in output and "'k' is undefined" in output
    assert "reference answer failed" not in output


def test_an_unknown_solver_gets_a_did_you_mean(tmp_path: Path) -> None:
    bank = _bank(tmp_path, answer="{solver: doubel, args: [n]}", solvers=LOOPING_SOLVERS)
    run = _run(["validate", str(bank), "--seeds", "1"], tmp_path)
    assert run.returncode == 2
    assert "solver function 'doubel' not found" in run.stderr and "did you mean 'double'?" in run.stderr


@pytest.mark.parametrize("answer", ["n", "n + 0"])
def test_a_mistake_that_always_equals_the_answer_is_reported(tmp_path: Path, answer: str) -> None:
    part = f"        mistakes:\n          - answer: {answer}\n            note: same\n            feedback: Same.\n"
    bank = _bank(tmp_path, part=part)
    run = _run(["validate", str(bank), "--seeds", "5"], tmp_path)
    assert run.returncode == 1
    assert "mistake 'same' gives the right answer on every variant checked (5)" in run.stdout


def test_a_looping_solver_in_generate_ends_with_a_message(tmp_path: Path) -> None:
    bank = _bank(tmp_path, answer="{solver: spin, args: [n]}", solvers=LOOPING_SOLVERS)
    (tmp_path / "roster.csv").write_text("SID\ns1\n", encoding="utf-8")
    run = _run(["generate", str(bank), "--roster", str(tmp_path / "roster.csv"), "--out", str(tmp_path / "out"),
                "--secret", "x"], tmp_path, guard=90)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"broken.yaml:{_line_of(bank, '- id: a')}" in run.stderr and "did not finish within 10 s" in run.stderr


def test_the_autograder_stops_a_looping_solver_and_still_writes_results(tmp_path: Path, monkeypatch, capsys) -> None:
    import json

    from grader.integrations import autograder
    from grader.jobs import grade_class

    bank = _bank(tmp_path, answer="{solver: spin, args: [n]}", solvers=LOOPING_SOLVERS)
    archive = autograder.build_zip(bank, tmp_path / "ag.zip", "a-secret")
    root = tmp_path / "root"
    autograder.unpack(archive, root / "source")
    (root / "submission").mkdir()
    (root / "submission" / "answers.yaml").write_text("q:\n  a: '2'\n", encoding="utf-8")
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"sid": "s1"}]}))
    monkeypatch.setattr(grade_class, "SUBMISSION_TIMEOUT", 1.0)  # 120 s in production
    results = autograder.run(root)  # returns: the loop was stopped
    assert results["score"] == 0 and results["tests"] == []
    assert "Internal grading error" in results["output"] and "spin" not in results["output"]
    assert json.loads((root / "results" / "results.json").read_text())["output"] == results["output"]
    assert "did not finish within 1 s" in capsys.readouterr().err  # the instructor's log says why
