"""Every part bounded, nothing lost: per-part time limits, the killable worker, and per-student retries.

The banks here are real files a course could write. The slow part is genuinely slow (deciding that
x^999 + x^500 + 1 is in factored form makes sympy try to factor a degree-999 trinomial), and the killed worker is really killed
(its solver sends SIGKILL to its own process), so the tests exercise what a course would hit.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from grader.bank import resolved_cache
from grader.bank.model import load_bank
from grader.bank.variant import make_variant
from grader.check.limits import WORKER, check_part, time_limit_of
from grader.core import speed
from grader.core.errors import BankError
from grader.course.roster import Student
from grader.jobs.grade_class import grade_class

_SCRIPT = Path(sys.executable).with_name("grader")
GRADER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "grader.cli"]
SECRET = "limits-test-secret"

SLOW_BANK = """\
id: limits
title: Limits
time_limit: 1.5
questions:
  - id: expand
    title: Factor a trinomial
    text: Factor the trinomial, then give two easy answers.
    parts:
      - id: a
        type: expression
        variables: [x]
        answer: x^999 + x^500 + 1
        form: factored
        time_limit: 0.5
      - id: b
        type: integer
        answer: 7
      - id: c
        type: expression
        variables: [x]
        answer: x^2 + 1
"""
SLOW_ANSWERS = 'expand:\n  a: "x^999 + x^500 + 1"\n  b: 7\n  c: "x^2 + 1"\n'

KILL_BANK = """\
id: killer
title: A solver that can kill its process
questions:
  - id: q
    title: Double it
    params:
      n: {range: [1, 9]}
    text: What is 2 times {{ n }}?
    parts:
      - id: a
        type: integer
        answer: {solver: double, args: [n]}
      - id: b
        type: expression
        variables: [x]
        answer: n*x
"""
KILL_SOLVERS = '''\
"""The first calls kill their own process (as the out-of-memory killer would), as many times as kills.txt says."""
import os
import signal
from pathlib import Path

KILLS = Path(__file__).with_name("kills.txt")


def double(n):
    left = int(KILLS.read_text()) if KILLS.exists() else 0
    if left > 0:
        KILLS.write_text(str(left - 1))
        os.kill(os.getpid(), signal.SIGKILL)
    return 2 * n
'''


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"} | {"COLUMNS": "200"}


def _gradebook(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture
def slow_bank(tmp_path: Path):
    return load_bank(_write(tmp_path, "limits.yaml", SLOW_BANK))


def test_the_part_and_bank_settings_reach_the_spec(slow_bank) -> None:
    variant = make_variant(slow_bank, slow_bank.questions[0], SECRET, "s1")
    assert time_limit_of(variant.parts["a"]) == 0.5  # the part's own
    assert time_limit_of(variant.parts["b"]) == 1.5  # the bank's
    assert time_limit_of(variant.parts["a"], 3) == 3  # the caller's override wins


def test_a_part_that_runs_out_is_invalid_with_timeout_and_the_worker_is_replaced(slow_bank) -> None:
    spec = make_variant(slow_bank, slow_bank.questions[0], SECRET, "s1").parts["a"]
    check_part(spec, "x + 1")  # a child is running now
    before = WORKER.pid()
    result = check_part(spec, "x^999 + x^500 + 1")
    assert (result.verdict, result.note, result.score) == ("invalid", "timeout", 0.0)
    assert "could not be checked in time; try a simpler form" in result.feedback
    assert WORKER.pid() is None or WORKER.pid() != before  # the stuck child was killed, not reused
    again = check_part(spec, "x^2 + 7", time_limit=60)  # a fresh child, a real verdict (roomy: a loaded CI)
    assert again.verdict == "incorrect" and again.note == "not-equivalent"


def test_a_worker_killed_between_parts_is_replaced_and_the_part_still_checked(slow_bank) -> None:
    spec = make_variant(slow_bank, slow_bank.questions[0], SECRET, "s1").parts["c"]
    assert check_part(spec, "x^2 + 1").verdict == "correct"
    pid = WORKER.pid()
    os.kill(pid, signal.SIGKILL)  # as the out-of-memory killer would
    result = check_part(spec, "1 + x*x")
    assert result.verdict == "correct"
    assert WORKER.pid() != pid


def test_cheap_types_never_start_a_worker(slow_bank) -> None:
    spec = make_variant(slow_bank, slow_bank.questions[0], SECRET, "s1").parts["b"]
    WORKER.stop()
    started = WORKER.started
    assert check_part(spec, "7").verdict == "correct"
    assert check_part(spec, "8").verdict == "incorrect"
    assert WORKER.started == started and WORKER.pid() is None


def test_one_part_times_out_and_the_others_still_score_through_the_cli(tmp_path: Path) -> None:
    bank = _write(tmp_path, "limits.yaml", SLOW_BANK)
    _write(tmp_path, "roster.csv", "SID\ns1\n")
    _write(tmp_path, "subs/s1.yaml", SLOW_ANSWERS)
    run = subprocess.run(GRADER + ["grade", str(bank), str(tmp_path / "subs"), "--roster", str(tmp_path / "roster.csv"),
                                   "--out", str(tmp_path / "out"), "--secret", SECRET], capture_output=True,
                         text=True, env=_env(), timeout=120)
    assert run.returncode == 0, run.stderr
    row = _gradebook(tmp_path / "out" / "gradebook.csv")["s1"]
    # three parts of one question worth 1 point: b and c right, a out of time
    assert row["status"] == "graded" and float(row["score"]) == pytest.approx(2 / 3, abs=1e-6)
    results = json.loads((tmp_path / "out" / "results" / "s1.json").read_text())
    by_part = {test["number"]: test for test in results["tests"]}
    assert by_part["1.a"]["score"] == 0 and "could not be checked in time" in by_part["1.a"]["output"]
    assert by_part["1.b"]["status"] == "passed" and by_part["1.c"]["status"] == "passed"


def _kill_class(tmp_path: Path, kills: int, students: list[str]) -> tuple[dict, Path]:
    bank_path = _write(tmp_path, "killer.yaml", KILL_BANK)
    _write(tmp_path, "killer_solvers.py", KILL_SOLVERS)
    for student in students:
        _write(tmp_path, f"subs/{student}.yaml", "q:\n  a: '0'\n  b: x\n")
    bank = load_bank(bank_path)
    answers = {}
    for student in students:  # each student's right answers, computed from their own variant
        n = make_variant(bank, bank.questions[0], SECRET, student).params["n"]
        answers[student] = n
        _write(tmp_path, f"subs/{student}.yaml", f"q:\n  a: '{2 * n}'\n  b: {n}*x\n")
    _write(tmp_path, "kills.txt", str(kills))  # after the variants above: from now on the solver kills
    resolved_cache.clear()  # the workers inherit this process's resolved variants: have them run the solver
    result = grade_class(bank, SECRET, [Student(s, f"Student {s}") for s in students], [tmp_path / "subs"],
                         tmp_path / "out", jobs=1)
    return result.results, tmp_path / "out"


def test_a_worker_killed_mid_submission_is_retried_and_the_student_graded_in_full(tmp_path: Path) -> None:
    results, out = _kill_class(tmp_path, 1, ["s1", "s2", "s3"])
    assert (tmp_path / "kills.txt").read_text() == "0", "the solver did kill a worker"
    book = _gradebook(out / "gradebook.csv")
    for student in ("s1", "s2", "s3"):
        assert book[student]["status"] == "graded", book[student]
        assert float(book[student]["score"]) == float(book[student]["max_score"]) == 1.0
        assert results[student].status == "graded"


def test_a_student_whose_batch_was_lost_gets_both_tries_of_their_own(tmp_path: Path) -> None:
    results, out = _kill_class(tmp_path, 2, ["s1", "s2"])  # the batch's worker, then s1's own first try
    assert (tmp_path / "kills.txt").read_text() == "0"
    assert [results[s].status for s in ("s1", "s2")] == ["graded", "graded"]


def test_a_worker_killed_twice_is_an_error_row_with_the_reason(tmp_path: Path) -> None:
    kills = 3 if speed.FAST else 2  # with batches, the batch's loss first; then the student's own two tries
    results, out = _kill_class(tmp_path, kills, ["s1"])
    book = _gradebook(out / "gradebook.csv")
    assert book["s1"]["status"] == "error"
    assert "stopped twice" in book["s1"]["message"] and "-9" in book["s1"]["message"]
    assert "will be regraded" not in book["s1"]["message"]
    feedback = (out / "feedback" / "s1.md").read_text(encoding="utf-8")
    assert "stopped twice" in feedback
    assert "Student s1" in feedback  # an error row's feedback still names the student at the top


@pytest.mark.parametrize("setting, where", [("time_limit: -1", "bank"), ("time_limit: fast", "bank"),
                                            ("time_limit: 0", "part"), ("time_limit: 1000", "part")])
def test_bad_time_limits_are_bank_errors_with_a_line(tmp_path: Path, setting: str, where: str) -> None:
    lines = SLOW_BANK.replace("time_limit: 1.5\n", "").replace("        time_limit: 0.5\n", "")
    if where == "bank":
        lines = lines.replace("title: Limits\n", f"title: Limits\n{setting}\n")
    else:
        lines = lines.replace("        answer: 7\n", f"        answer: 7\n        {setting}\n")
    path = _write(tmp_path, "bad.yaml", lines)
    with pytest.raises(BankError) as caught:
        load_bank(path)
    error = caught.value
    assert "time_limit must be a number of seconds" in error.message
    expected_line = lines.splitlines().index(setting if where == "bank" else f"        {setting}") + 1
    assert error.location.line == expected_line


def test_grader_check_reads_the_slow_answer_under_its_limit(tmp_path: Path) -> None:
    """`grader check` only reads answers: reading x^999 + x^500 + 1 is fast, so every part counts as answered."""
    bank = _write(tmp_path, "limits.yaml", SLOW_BANK)
    run = subprocess.run(GRADER + ["check", str(bank), str(_write(tmp_path, "a.yaml", SLOW_ANSWERS)), "--student",
                                   "s1"], capture_output=True, text=True, env=_env(), timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 answered, 0 missing, 0 unreadable" in run.stdout


THREADED = '''\
import threading
import sympy
from grader.check.limits import WORKER, check_part

if __name__ == "__main__":
    x = sympy.Symbol("x")
    spec = {"type": "expression", "id": "a", "variables": ["x"], "answer": x**2 + 1, "mistakes": []}
    stop = threading.Event()
    server = threading.Thread(target=stop.wait)  # a threaded process, as a web server is: no plain fork
    server.start()
    first, second = check_part(spec, "x^2+1"), check_part(spec, "x^2+2")
    print(WORKER._context().get_start_method(), first.verdict, second.verdict, second.note)
    stop.set()
    server.join()
'''


def test_a_threaded_process_checks_through_a_forkserver_child(tmp_path: Path) -> None:
    script = _write(tmp_path, "server.py", THREADED)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.stdout.split() == ["forkserver", "correct", "incorrect", "off-by-one"], run.stdout + run.stderr


def test_the_student_copy_keeps_the_limits_for_grader_check(tmp_path: Path) -> None:
    from grader.bank.student_bank import load_shape, write_student_bank

    copy = write_student_bank(_write(tmp_path, "limits.yaml", SLOW_BANK), tmp_path / "student-bank.yaml")
    parts = {part.id: part.spec for part in load_shape(copy).by_id["expand"].parts}
    assert (time_limit_of(parts["a"]), time_limit_of(parts["b"])) == (0.5, 1.5)
    assert "answer" not in parts["a"] and "x^999 + x^500 + 1" not in copy.read_text()


ORPHAN = '''\
import sys
import time
import sympy
from grader.check.limits import WORKER, check_part

x = sympy.Symbol("x")
check_part({"type": "expression", "id": "a", "variables": ["x"], "answer": x, "mistakes": []}, "x")
print(WORKER.pid(), flush=True)
time.sleep(600)
'''


def test_a_checking_child_does_not_outlive_a_killed_parent(tmp_path: Path) -> None:
    """A grading worker killed with kill -9 must not leave its checking child behind, holding memory."""
    import time

    parent = subprocess.Popen([sys.executable, str(_write(tmp_path, "parent.py", ORPHAN))], stdout=subprocess.PIPE,
                              text=True)
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 60  # the child looks for its parent every 5 s
    while time.monotonic() < deadline and Path(f"/proc/{child}").exists() and \
            Path(f"/proc/{child}/stat").read_text().split()[2] != "Z":
        time.sleep(0.2)
    alive = Path(f"/proc/{child}").exists() and Path(f"/proc/{child}/stat").read_text().split()[2] != "Z"
    if alive:
        os.kill(child, signal.SIGKILL)
    assert not alive, "the checking child outlived its parent"
