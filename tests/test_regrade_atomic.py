"""An interrupted regrade (kill -9, Ctrl-C) leaves the previous output whole, and the next run cleans up."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.jobs.staging import previous_name, recover

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "questions" / "cnn.yaml"
_SCRIPT = Path(sys.executable).with_name("grader")
GRADER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "grader.cli"]
STUDENTS = 150  # enough that grading takes seconds, so a kill lands in the middle


def _env() -> dict[str, str]:
    # a course secret of the test's own: the public demo secret is refused for a roster other than the sample class
    return {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"} | {"GRADER_SECRET": "regrade-atomic-test"}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("atomic")
    ids = [f"x{n:03d}" for n in range(1, STUDENTS + 1)]
    (work / "roster.csv").write_text("SID\n" + "\n".join(ids) + "\n", encoding="utf-8")
    (work / "hand-in").mkdir()
    sample = (ROOT / "submissions" / "s002.yaml").read_text(encoding="utf-8")
    for student in ids:
        (work / "hand-in" / f"{student}.yaml").write_text(sample, encoding="utf-8")
    fixed = work / "fixed"  # a second bank with another fingerprint: the regrade really changes every file
    fixed.mkdir()
    for name in ("cnn.yaml", "cnn_solvers.py", "course.yaml"):
        shutil.copy(BANK.parent / name, fixed / name)
    with (fixed / "cnn.yaml").open("a", encoding="utf-8") as stream:
        stream.write("# fixed\n")
    first = subprocess.run(GRADER + ["grade", str(BANK), "hand-in", "--roster", "roster.csv", "--out", "graded",
                                     "--jobs", "1", "-q"], cwd=work, env=_env(), capture_output=True, text=True,
                           timeout=300)
    assert first.returncode == 0, first.stderr
    return {"work": work, "ids": ids}


def _interrupt(course: dict, sig: int) -> tuple[subprocess.Popen, dict[str, bytes], dict[str, bytes]]:
    work = course["work"]
    before = _snapshot(work / "graded")
    process = subprocess.Popen(GRADER + ["grade", "fixed/cnn.yaml", "hand-in", "--roster", "roster.csv", "--out",
                                         "graded", "--jobs", "1", "-q"], cwd=work, env=_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 60
    while not list(work.glob(".graded.staging-*")) and time.time() < deadline:
        time.sleep(0.02)
    assert list(work.glob(".graded.staging-*")), "the run never started staging"
    time.sleep(1.0)  # well into grading 150 students, long before the swap
    assert process.poll() is None, "the run finished before it could be interrupted; raise STUDENTS"
    os.killpg(process.pid, sig)
    process.wait(timeout=60)
    return process, before, _snapshot(work / "graded")


def test_kill_9_midway_leaves_the_previous_output_intact(course):
    process, before, after = _interrupt(course, signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL
    assert after == before
    work = course["work"]
    assert list(work.glob(".graded.staging-*"))  # the half-written run is beside, not inside, the output
    book = list(csv.DictReader(io.StringIO((work / "graded" / "gradebook.csv").read_text(encoding="utf-8"))))
    assert [row["student_id"] for row in book] == course["ids"]
    assert len({row["bank_fingerprint"] for row in book}) == 1  # consistent: all from the first run
    # The next run removes the leftover and finishes the regrade.
    done = subprocess.run(GRADER + ["grade", "fixed/cnn.yaml", "hand-in", "--roster", "roster.csv", "--out",
                                    "graded", "--jobs", "2", "-q"], cwd=work, env=_env(), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "left by an interrupted run" in done.stdout
    assert not list(work.glob(".graded.*"))
    book = list(csv.DictReader(io.StringIO((work / "graded" / "gradebook.csv").read_text(encoding="utf-8"))))
    assert [row["student_id"] for row in book] == course["ids"]
    old = {row["bank_fingerprint"] for row in
           csv.DictReader(io.StringIO(before["gradebook.csv"].decode("utf-8")))}
    assert len({row["bank_fingerprint"] for row in book}) == 1 and {row["bank_fingerprint"] for row in book} != old


def test_ctrl_c_midway_leaves_the_previous_output_intact_and_no_leftovers(course):
    process, before, after = _interrupt(course, signal.SIGINT)
    assert process.returncode != 0
    assert after == before
    assert not list(course["work"].glob(".graded.staging-*"))  # Ctrl-C cleans up its own staging folder


def test_recover_puts_back_a_swap_cut_between_its_two_renames(tmp_path):
    out = tmp_path / "graded"
    previous = previous_name(out)
    previous.mkdir()
    (previous / "gradebook.csv").write_text("old", encoding="utf-8")
    assert recover(out) == ["restored graded from an interrupted run"]
    assert (out / "gradebook.csv").read_text(encoding="utf-8") == "old" and not previous.exists()
    previous.mkdir()  # cut after the swap: the new output is in place; the old copy goes
    assert recover(out) == [f"removed {previous.name} left by an interrupted run"]
    assert (out / "gradebook.csv").read_text(encoding="utf-8") == "old" and not previous.exists()


def test_the_current_folder_cannot_be_the_output(tmp_path):
    done = subprocess.run(GRADER + ["grade", str(BANK), str(ROOT / "submissions" / "s001.yaml"), "--roster",
                                    str(ROOT / "submissions" / "roster.csv"), "--out", "."], cwd=tmp_path,
                          env=_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "cannot be the current folder" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_midway_leaves_the_previous_output_intact(tmp_path, monkeypatch):
    import errno

    import grader.jobs.class_outputs as class_outputs
    from grader.bank.model import load_bank
    from grader.course.config import DEMO_SECRET
    from grader.course.roster import read_roster
    from grader.jobs.grade_class import grade_class

    bank, students = load_bank(BANK), read_roster(ROOT / "submissions" / "roster.csv")
    out = tmp_path / "graded"
    grade_class(bank, DEMO_SECRET, students, [ROOT / "submissions"], out, jobs=0)
    before = _snapshot(out)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(class_outputs, "write_atomic", disk_full)  # the class outputs come after every student
    with pytest.raises(OSError):
        grade_class(bank, DEMO_SECRET, students, [ROOT / "submissions"], out, jobs=0, fresh=True)
    assert _snapshot(out) == before
    assert not list(tmp_path.glob(".graded.*"))


def test_one_run_at_a_time_per_output_and_a_dead_runs_lock_is_taken_over(tmp_path):
    args = GRADER + ["grade", str(BANK), str(ROOT / "submissions" / "s001.yaml"), "--roster",
                     str(ROOT / "submissions" / "roster.csv"), "--out", "graded", "-q"]
    (tmp_path / ".graded.lock").write_text(str(os.getpid()), encoding="utf-8")  # a live process holds it
    busy = subprocess.run(args, cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120)
    assert busy.returncode == 2 and f"another grader run (process {os.getpid()})" in busy.stderr
    assert not (tmp_path / "graded").exists()
    (tmp_path / ".graded.lock").write_text("4194304", encoding="utf-8")  # PID_MAX_LIMIT: no process has it
    done = subprocess.run(args, cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "graded" / "gradebook.csv").exists() and not (tmp_path / ".graded.lock").exists()
