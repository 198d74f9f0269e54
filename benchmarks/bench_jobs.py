"""Where the time of `grader grade` goes, and what --jobs buys: a script, not a test.

    python benchmarks/bench_jobs.py                  # 300 students, --jobs 1, 2 and 4
    python benchmarks/bench_jobs.py --students 100 --jobs 1 2

It makes a simulated class with bench_grade.make_class, then grades it in this
process with grade_class for each --jobs value (the baseline is --jobs 1, in the
same run), timing the phases: the worker pool (start-up and grading), the
finishing step (earlier results kept, stale files removed, hand scores; the
workers write the records), the class outputs (gradebook, summary, item analysis, plots) and the
swap. It also prints the core count, because workers beyond it only take turns.
See docs/term.md, "Why --jobs 4 was no faster than --jobs 1".
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_grade import BANK_PATH, SECRET, make_class  # noqa: E402


def _timed(marks: dict[str, float], name: str, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            marks[name] = marks.get(name, 0.0) + time.perf_counter() - started
    return wrapper


def run(folder: Path, jobs: int) -> dict[str, float]:
    import grader.jobs.grade_class as grade_class
    import grader.jobs.staging as staging
    from grader.bank.model import load_bank
    from grader.course.roster import read_roster

    marks: dict[str, float] = {}
    originals = (grade_class.grade_all, staging.OutputStage.finish, grade_class.write_class_outputs,
                 staging.OutputStage.commit)
    grade_class.grade_all = _timed(marks, "pool", originals[0])
    staging.OutputStage.finish = _timed(marks, "finish", originals[1])
    grade_class.write_class_outputs = _timed(marks, "class outputs", originals[2])
    staging.OutputStage.commit = _timed(marks, "swap", originals[3])
    try:
        bank, students = load_bank(BANK_PATH), read_roster(folder / "roster.csv")
        started, cpu = time.perf_counter(), os.times()
        grade_class.grade_class(bank, SECRET, students, [folder / "submissions"], folder / f"out-{jobs}", jobs)
        after = os.times()
        marks["total"] = time.perf_counter() - started
        marks["cpu"] = (after.user - cpu.user) + (after.system - cpu.system) + \
            (after.children_user - cpu.children_user) + (after.children_system - cpu.children_system)
    finally:
        (grade_class.grade_all, staging.OutputStage.finish, grade_class.write_class_outputs,
         staging.OutputStage.commit) = originals
    return marks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as work:
        folder = Path(work)
        make_class(folder, args.students)
        rows = [(jobs, run(folder, jobs)) for jobs in args.jobs]
    baseline = rows[0][1]["total"]
    print(f"{args.students} students x {BANK_PATH.name}; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f}")
    print("| --jobs | wall | vs first | CPU (incl. workers) | pool | finish | class outputs | swap |")
    print("|---|---|---|---|---|---|---|---|")
    for jobs, marks in rows:
        print(f"| {jobs} | {marks['total']:.2f} s | {baseline / marks['total']:.2f}x | {marks['cpu']:.2f} s | "
              f"{marks['pool']:.2f} s | {marks['finish']:.2f} s | {marks['class outputs']:.2f} s | "
              f"{marks['swap']:.3f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
