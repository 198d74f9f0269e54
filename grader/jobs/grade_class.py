"""``grader grade``: a class of submission files in; feedback, gradebook and summary out.

Files are matched to roster students by file name. Every roster student
gets a gradebook row and feedback: a missing or unreadable submission is
recorded with its reason, and a file that matches nobody on the roster is
still graded and listed, so no submission is ever lost silently.
Submissions are graded in a pebble pool of ``jobs`` worker processes, so
each submission has a hard time limit (``jobs=0`` grades in this process,
without one).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from grader.bank.model import Bank, load_bank
from grader.core.errors import GraderError
from grader.core.files import safe_name, write_atomic
from grader.core.messages import format_error
from grader.course.roster import Student
from grader.documents.render import html_page
from grader.grading.grade import SubmissionResult, empty_result, grade_submission
from grader.grading.submission import read_submission
from grader.report.feedback import feedback_html, feedback_markdown
from grader.report.gradebook import gradebook_csv
from grader.report.gradescope import results_json
from grader.report.summary import class_summary, histogram_png, summary_markdown

ANSWER_SUFFIXES = (".yaml", ".yml", ".json")
SUBMISSION_TIMEOUT = 120.0


@dataclass
class ClassResult:
    results: dict[str, SubmissionResult]
    out_dir: Path
    unmatched: list[str]


def collect_submissions(paths: list[Path], students: list[Student]
                        ) -> tuple[dict[str, Path], list[str], dict[str, list[str]]]:
    """Map student id -> answers file; files matching no roster id keep their stem as id.

    Also returns, per student, the notes about extra files that were not graded.
    """
    by_name = {safe_name(s.id): s.id for s in students} | {s.id: s.id for s in students}
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in ANSWER_SUFFIXES))
        else:
            files.append(path)
    found: dict[str, Path] = {}
    unmatched: list[str] = []
    notes: dict[str, list[str]] = {}
    taken = {safe_name(s.id) for s in students}
    for file in files:
        student_id = by_name.get(file.stem)
        if student_id is None:
            # Not on the roster: graded under its file name, which must not reuse a student's output files.
            student_id, suffix = file.stem, 1
            while safe_name(student_id) in taken:
                student_id, suffix = f"{file.stem}-unmatched{suffix if suffix > 1 else ''}", suffix + 1
            taken.add(safe_name(student_id))
            unmatched.append(file.name)
        if student_id in found:
            notes.setdefault(student_id, []).append(
                f"{file.name} was also handed in; only {found[student_id].name} was graded")
            continue
        found[student_id] = file
    return found, unmatched, notes


def grade_file(bank: Bank, secret: str, student_id: str, path: Path | None) -> SubmissionResult:
    """Grade one student's file; never raises for the student's input."""
    if path is None:
        return empty_result(bank, student_id, "missing", "No submission was found.")
    try:
        submission = read_submission(path, bank, student_id)
    except GraderError as error:
        # Name the file relative to the submissions folder: the student never saw the instructor's absolute
        # path, and reruns from a moved folder stay byte-identical.
        error.location = replace(error.location, file=path.name)
        return empty_result(bank, student_id, "unreadable", f"The file could not be read: {format_error(error)}",
                            str(path))
    try:
        return grade_submission(bank, secret, submission)
    except Exception as error:  # our bug: keep the submission, say so, grade the rest of the class
        return empty_result(bank, student_id, "error", f"Internal grading error ({type(error).__name__}); "
                            "the submission is kept and will be regraded.", str(path))


_worker_bank: Bank | None = None


def _init_worker(bank_path: str) -> None:
    global _worker_bank
    _worker_bank = load_bank(bank_path)


def grade_and_write(bank: Bank, secret: str, student_id: str, path: Path | None, out_dir: Path,
                    notes: list[str] = (), name: str = "") -> SubmissionResult:
    """Grade one student and write their own files (in the worker, so rendering runs in parallel too)."""
    result = grade_file(bank, secret, student_id, path)
    result.warnings.extend(notes)
    result.student_name = name  # the feedback names the student at the top
    write_student_outputs(bank, result, out_dir)
    return result


def _grade_in_worker(secret: str, student_id: str, path: str | None, out_dir: str,
                     notes: list[str], name: str = "") -> SubmissionResult:
    assert _worker_bank is not None
    return grade_and_write(_worker_bank, secret, student_id, Path(path) if path else None, Path(out_dir), notes,
                           name)


def grade_all(bank: Bank, secret: str, items: list[tuple[str, Path | None]], out_dir: Path, jobs: int = 1,
              progress: Callable[[], None] | None = None,
              notes: dict[str, list[str]] | None = None,
              names: dict[str, str] | None = None) -> dict[str, SubmissionResult]:
    results: dict[str, SubmissionResult] = {}
    notes = notes or {}
    names = names or {}
    if jobs <= 0:  # in this process: no time limit per submission (library callers that want speed)
        for student_id, path in items:
            results[student_id] = grade_and_write(bank, secret, student_id, path, out_dir, notes.get(student_id, []),
                                                  names.get(student_id, ""))
            if progress:
                progress()
        return results
    from pebble import ProcessPool

    with ProcessPool(max_workers=jobs, initializer=_init_worker, initargs=(str(bank.path),)) as pool:
        futures = {student_id: pool.schedule(_grade_in_worker,
                                             args=(secret, student_id, str(path) if path else None, str(out_dir),
                                                   notes.get(student_id, []), names.get(student_id, "")),
                                             timeout=SUBMISSION_TIMEOUT)
                   for student_id, path in items}
        for student_id, path in items:
            try:
                results[student_id] = futures[student_id].result()
            except Exception as error:  # timeout or a crashed worker: the student still gets a row
                reason = "grading took too long" if isinstance(error, TimeoutError) else type(error).__name__
                results[student_id] = empty_result(bank, student_id, "error",
                                                   f"Internal grading error ({reason}); the submission is kept "
                                                   "and will be regraded.", str(path or ""))
                write_student_outputs(bank, results[student_id], out_dir)
            if progress:
                progress()
    return results


def grade_class(bank: Bank, secret: str, students: list[Student], submission_paths: list[Path], out_dir: Path,
                jobs: int = 1, progress: Callable[[], None] | None = None,
                on_total: Callable[[int], None] | None = None) -> ClassResult:
    found, unmatched, notes = collect_submissions(submission_paths, students)
    roster_ids = [s.id for s in students]
    items = [(sid, found.get(sid)) for sid in roster_ids] + [(sid, p) for sid, p in found.items()
                                                           if sid not in set(roster_ids)]
    if on_total:
        on_total(len(items))
    started = time.time()
    results = grade_all(bank, secret, items, out_dir, jobs, progress, notes, {s.id: s.name for s in students})
    write_class_outputs(bank, students, results, out_dir)
    write_atomic(out_dir / "run.json", json.dumps({"started": started, "finished": time.time(), "jobs": jobs,
                                                   "bank": str(bank.path), "unmatched_files": unmatched,
                                                   "files_not_graded": notes},
                                                  indent=2) + "\n")
    return ClassResult(results, out_dir, unmatched)


def write_student_outputs(bank: Bank, result: SubmissionResult, out_dir: Path) -> None:
    name = safe_name(result.student_id)
    markdown = feedback_markdown(bank, result)
    write_atomic(out_dir / "feedback" / f"{name}.md", markdown)
    write_atomic(out_dir / "feedback" / f"{name}.html", feedback_html(bank, result))
    write_atomic(out_dir / "results" / name / "results.json",
                 json.dumps(results_json(bank, result), indent=2, ensure_ascii=False) + "\n")


def write_class_outputs(bank: Bank, students: list[Student], results: dict[str, SubmissionResult],
                        out_dir: Path) -> None:
    write_atomic(out_dir / "gradebook.csv", gradebook_csv(bank, students, results))
    summary = class_summary(bank, results)
    write_atomic(out_dir / "summary.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    markdown = summary_markdown(bank, summary)
    write_atomic(out_dir / "summary.md", markdown)
    write_atomic(out_dir / "summary.html", html_page(f"Summary: {bank.title}", markdown))
    write_atomic(out_dir / "histogram.png", histogram_png(summary))
