"""The otter round trip with the real otter-grader: export, otter assign, otter run.

Skipped only when the otter extra is not installed (CI installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
otter = pytest.importorskip("otter", reason='needs the otter extra: pip install -e ".[otter]"')
pytestmark = pytest.mark.otter


def _run(args: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    # otter runs the notebook with the interpreter's own grader: make that the grader under test
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def otter_zip(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("otter")
    # `grader otter` writes the master notebook, then runs the real `otter assign` on it.
    export = _run([sys.executable, "-m", "grader.cli", "otter", str(ROOT / "questions" / "cnn.yaml"),
                   "--out", str(work), "--allow-demo-secret"], ROOT)
    assert export.returncode == 0, export.stdout + export.stderr
    master = work / "master.ipynb"
    text = master.read_text()
    assert "# ASSIGNMENT CONFIG" in text and "check_in_notebook" in text
    assert "student notebook:" in export.stdout and (work / "dist" / "student" / "master.ipynb").exists()
    student_text = (work / "dist" / "student" / "master.ipynb").read_text()
    assert '"instructor"' not in student_text and "return (I - F + 2 * P)" not in student_text
    # The tests otter will copy next to student code hold no reference answers.
    zips = list((work / "dist" / "autograder").glob("*.zip"))
    assert len(zips) == 1
    for test_file in (work / "dist" / "student" / "tests").glob("*.py"):
        assert "check_in_notebook" in test_file.read_text()
    return zips[0]


def _otter_run(otter_zip: Path, notebook: Path, tmp_path: Path) -> dict:
    out = tmp_path / "out"
    out.mkdir()
    result = _run([shutil.which("otter") or "otter", "run", "-a", str(otter_zip), "-o", str(out), str(notebook)],
                  tmp_path)
    assert (out / "results.json").exists(), result.stdout + result.stderr
    return json.loads((out / "results.json").read_text())


def _scores(results: dict) -> dict[str, tuple[float, float]]:
    return {t["name"]: (t["score"], t["max_score"]) for t in results["tests"] if t.get("max_score")}


def _correct_notebook_as(tmp_path: Path, id_line: str) -> Path:
    """The correct sample notebook with its STUDENT_ID line replaced."""
    import nbformat

    notebook = nbformat.read(ROOT / "submissions" / "notebooks" / "correct.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith("STUDENT_ID"):
            cell.source = id_line
    path = tmp_path / "submission.ipynb"
    nbformat.write(notebook, path)
    return path


def test_correct_notebook_gets_full_marks(otter_zip: Path, tmp_path: Path) -> None:
    scores = _scores(_otter_run(otter_zip, ROOT / "submissions" / "notebooks" / "correct.ipynb", tmp_path))
    assert set(scores) == {"output-size", "toeplitz", "params", "equivariance"}
    assert all(score == maximum for score, maximum in scores.values()), scores


def test_incorrect_notebook_is_marked_down_with_the_failing_input(otter_zip: Path, tmp_path: Path) -> None:
    results = _otter_run(otter_zip, ROOT / "submissions" / "notebooks" / "incorrect.ipynb", tmp_path)
    scores = _scores(results)
    total, maximum = sum(s for s, _ in scores.values()), sum(m for _, m in scores.values())
    assert total < maximum
    output = {t["name"]: t.get("output", "") for t in results["tests"]}
    # The feedback names the call that failed and says how the result relates to the right one.
    # These parts show answers: the failing call, what came back and what was expected.
    assert "conv_output_size(" in output["output-size"] and "+1" in output["output-size"]
    assert "returned" in output["output-size"] and "expected" in output["output-size"]
    assert "count_conv_params(" in output["params"]
    assert "translation_gap(dense_layer" in output["equivariance"]


def test_variant_follows_the_student_id(otter_zip: Path, tmp_path: Path) -> None:
    """The same correct code graded as another student still passes: inputs come from that student's variant."""
    path = _correct_notebook_as(tmp_path, 'STUDENT_ID = "s007"')
    scores = _scores(_otter_run(otter_zip, path, tmp_path))
    assert all(score == maximum for score, maximum in scores.values()), scores


def test_missing_student_id_fails_with_a_clear_message(otter_zip: Path, tmp_path: Path) -> None:
    path = _correct_notebook_as(tmp_path, "STUDENT_ID = ...")
    results = _otter_run(otter_zip, path, tmp_path)
    assert sum(s for s, _ in _scores(results).values()) == 0
    assert any("Set STUDENT_ID" in t.get("output", "") for t in results["tests"])
