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

import gc
import json
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from grader.bank.model import Bank, load_bank
from grader.check import alarm
from grader.check.worker import MEMORY_LIMIT_BYTES
from grader.core import jsontext, speed
from grader.core.errors import GraderError
from grader.core.files import safe_name, write_atomic, write_staged
from grader.core.messages import format_error
from grader.core.safe_text import terminal_text
from grader.course.roster import Student
from grader.grading.grade import SubmissionResult, empty_result, grade_submission
from grader.grading.records import record_json, record_path
from grader.grading.submission import read_submission
from grader.jobs import staging
from grader.jobs.batches import grade_batches
from grader.jobs.plot_helper import start_plot_helper
from grader.report.feedback import feedback_html, feedback_markdown
from grader.report.gradescope import results_json
from grader.report.item_analysis import option_panels

if TYPE_CHECKING:
    from grader.jobs.plot_helper import PlotHelper

ANSWER_SUFFIXES = (".yaml", ".yml", ".json")
SUBMISSION_TIMEOUT = 120.0


@dataclass
class ClassResult:
    results: dict[str, SubmissionResult]
    out_dir: Path
    unmatched: list[str]
    graded: list[str] = field(default_factory=list)  # graded in this run (the others were kept)
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


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
        stem = unicodedata.normalize("NFC", file.stem)  # roster ids are NFC too (course.roster)
        student_id = by_name.get(stem)
        if student_id is None:
            # Not on the roster: graded under its file name, which must not reuse a student's output files.
            student_id, suffix = stem, 1
            while safe_name(student_id) in taken:
                student_id, suffix = f"{stem}-unmatched{suffix if suffix > 1 else ''}", suffix + 1
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
        return empty_result(bank, student_id, "missing", "No submission was found.", secret=secret)
    try:
        submission = read_submission(path, bank, student_id)
    except GraderError as error:
        # Name the file relative to the submissions folder: the student never saw the instructor's absolute
        # path, and reruns from a moved folder stay byte-identical.
        error.location = replace(error.location, file=path.name)
        return empty_result(bank, student_id, "unreadable", f"The file could not be read: {format_error(error)}",
                            str(path), secret=secret)
    try:
        return grade_submission(bank, secret, submission)
    except Exception as error:  # our bug: keep the submission, say so, grade the rest of the class
        print(terminal_text(f"grading {student_id} failed: {type(error).__name__}: {error}"), file=sys.stderr)
        return empty_result(bank, student_id, "error", f"Internal grading error ({type(error).__name__}); "
                            "the submission is kept and will be regraded.", str(path), secret=secret)


GC_THRESHOLDS = (20_000, 50, 100)  # Python's are (700, 10, 10)
_worker_bank: Bank | None = None
_pool_bank: Bank | None = None  # the bank grade_all is grading with, for workers forked from this process


def _init_worker(bank_path: str) -> None:
    global _worker_bank
    # a forked worker has the parent's bank already, exactly as the parent loaded it (an edit of the file
    # since then cannot reach one worker and not the other); any other start method loads it again
    inherited = _pool_bank
    _worker_bank = inherited if inherited is not None and str(inherited.path) == bank_path else load_bank(bank_path)
    if speed.FAST:  # pebble kills this process when a batch overruns: symbolic parts may be checked here first
        alarm.enable(memory_headroom=MEMORY_LIMIT_BYTES)
        # the bank, sympy and the rest loaded so far live as long as the worker: the collector need not walk
        # them again and again, and it runs less often (grading makes few cycles)
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)


def grade_and_write(bank: Bank, secret: str, student_id: str, path: Path | None, out_dir: Path,
                    notes: list[str] = (), name: str = "", on_roster: bool | None = None) -> SubmissionResult:
    """Grade one student and write their own files (in the worker, so rendering runs in parallel too).

    ``on_roster`` (True or False) also writes the student's record, the auto-graded result as computed.
    """
    result = grade_file(bank, secret, student_id, path)
    result.warnings.extend(notes)
    result.student_name = name  # the feedback names the student at the top
    write_student_outputs(bank, result, out_dir)
    if on_roster is not None:
        write_record(bank, result, out_dir, on_roster)
    return result


def _write_in_stage() -> Callable[[Path, str | bytes], Path]:
    """How a student's files are written: every one goes into the run's staging folder."""
    return write_staged if speed.FAST else write_atomic


def write_record(bank: Bank, result: SubmissionResult, out_dir: Path, on_roster: bool) -> None:
    _write_in_stage()(record_path(out_dir, result.student_id), record_json(bank, result, on_roster))


def _grade_in_worker(secret: str, student_id: str, path: str | None, out_dir: str,
                     notes: list[str], name: str = "", on_roster: bool | None = None) -> SubmissionResult:
    """One student on their own (a retry, or the old path): every symbolic part in the checking child."""
    alarm.disable()
    return _grade_here(secret, student_id, path, out_dir, notes, name, on_roster)


def _grade_here(secret: str, student_id: str, path: str | None, out_dir: str,
                notes: list[str], name: str = "", on_roster: bool | None = None) -> SubmissionResult:
    assert _worker_bank is not None
    return grade_and_write(_worker_bank, secret, student_id, Path(path) if path else None, Path(out_dir), notes,
                           name, on_roster)


def _grade_batch_in_worker(secret: str, batch: list[tuple[str, str | None, list[str], str, bool | None]],
                           out_dir: str) -> list[SubmissionResult]:
    """A batch: symbolic parts checked here first under an alarm (a batch that overruns is graded again,
    one student at a time, through the child)."""
    if speed.FAST:
        alarm.enable()
    return [_grade_here(secret, *student[:2], out_dir, *student[2:]) for student in batch]


def grade_all(bank: Bank, secret: str, items: list[tuple[str, Path | None]], out_dir: Path, jobs: int = 1,
              progress: Callable[[], None] | None = None,
              notes: dict[str, list[str]] | None = None,
              names: dict[str, str] | None = None, roster: frozenset[str] | None = None) -> dict[str, SubmissionResult]:
    """Every student graded and their files written; with ``roster`` (the roster's ids) also their records.

    ``out_dir`` is a folder nobody reads until the run is over, as ``grade_class``'s staging folder: the files
    are written in place there (``write_staged``), not each through a temporary name."""
    results: dict[str, SubmissionResult] = {}
    notes = notes or {}
    names = names or {}

    def on_roster(student_id: str) -> bool | None:
        return None if roster is None else student_id in roster

    if jobs <= 0:  # in this process: no time limit per submission (library callers that want speed)
        for student_id, path in items:
            results[student_id] = grade_and_write(bank, secret, student_id, path, out_dir, notes.get(student_id, []),
                                                  names.get(student_id, ""), on_roster(student_id))
            if progress:
                progress()
        return results
    from pebble import ProcessPool

    global _pool_bank
    _pool_bank = bank if speed.FAST else None
    try:
        with _class_collector(), ProcessPool(max_workers=jobs, initializer=_init_worker,
                                             initargs=(str(bank.path),)) as pool:
            def schedule(student_id: str, path: Path | None):
                return pool.schedule(_grade_in_worker, args=(secret, student_id, str(path) if path else None,
                                                             str(out_dir), notes.get(student_id, []),
                                                             names.get(student_id, ""), on_roster(student_id)),
                                     timeout=SUBMISSION_TIMEOUT)

            # a few students per task: the pool's cost per task is about that of grading one student; a batch that
            # fails leaves its students to be graded one by one below, with the retry
            batched = grade_batches(pool, _grade_batch_in_worker, secret, items, out_dir, notes, SUBMISSION_TIMEOUT,
                                    progress, names, on_roster) if speed.FAST else {}
            futures = {student_id: schedule(student_id, path) for student_id, path in items
                       if batched.get(student_id) is None}
            for student_id, path in items:
                if batched.get(student_id) is not None:
                    results[student_id] = batched[student_id]
                    continue
                # a student whose batch failed is graded as without batches: the loss of the batch, perhaps
                # to a neighbour's submission, is not counted against them
                results[student_id] = _collect(bank, secret, student_id, path, out_dir, futures[student_id], schedule,
                                               name=names.get(student_id, ""), on_roster=on_roster(student_id))
                if progress:
                    progress()
    finally:
        _pool_bank = None
    return results


_collector_depth = 0


@contextmanager
def _class_collector() -> Iterator[None]:
    """While a class is graded and written: what is held so far frozen for the collector (the workers are forked
    with it frozen, so it does not copy the bank's pages either), and collections rarer. The results pile up
    and are kept to the end, so walking them again and again is wasted; after the last output, as before."""
    global _collector_depth
    if not speed.FAST or _collector_depth:
        yield
        return
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    _collector_depth += 1
    try:
        yield
    finally:
        _collector_depth -= 1
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _collect(bank: Bank, secret: str, student_id: str, path: Path | None, out_dir: Path, future,
             schedule, name: str = "", on_roster: bool | None = None) -> SubmissionResult:
    """One student's result. A worker that died under the submission (kill -9, the out-of-memory
    killer) is retried once in a fresh worker; only a second loss, a timeout or our own bug becomes an
    error row, with the reason, and the rest of the class is graded all the same."""
    from pebble import ProcessExpired

    for attempt in (1, 2):
        try:
            return future.result()
        except ProcessExpired as error:
            if attempt == 1:
                future = schedule(student_id, path)
                continue
            reason = f"the grading process stopped twice (exit code {error.exitcode})"
        except TimeoutError:
            reason = f"grading took too long (over {SUBMISSION_TIMEOUT:g} s)"
        except Exception as error:  # our bug in the worker: the student still gets a row
            reason = type(error).__name__
        break
    result = empty_result(bank, student_id, "error", f"Internal grading error: {reason}. The file is kept; grade "
                          "it again, or review it by hand.", str(path or ""), secret=secret)
    result.student_name = name  # the feedback names the student at the top, as for everyone else
    write_student_outputs(bank, result, out_dir)
    if on_roster is not None:
        write_record(bank, result, out_dir, on_roster)
    return result


def grade_class(bank: Bank, secret: str, students: list[Student], submission_paths: list[Path], out_dir: Path,
                jobs: int = 1, progress: Callable[[], None] | None = None,
                on_total: Callable[[int], None] | None = None, fresh: bool = False,
                plots: PlotHelper | None = None) -> ClassResult:
    """``plots``: a plot helper started earlier (``start_plot_helper``; this closes it), else one is started here."""
    with _class_collector():
        return _grade_class(bank, secret, students, submission_paths, out_dir, jobs, progress, on_total, fresh, plots)


def _grade_class(bank: Bank, secret: str, students: list[Student], submission_paths: list[Path], out_dir: Path,
                 jobs: int, progress: Callable[[], None] | None, on_total: Callable[[int], None] | None, fresh: bool,
                 plots: PlotHelper | None) -> ClassResult:
    helper = plots
    found, unmatched, notes = collect_submissions(submission_paths, students)
    stage = staging.begin(out_dir, fresh)  # outputs are built beside out_dir and swapped in at the end
    try:
        roster_ids = [s.id for s in students]
        roster = frozenset(roster_ids)
        # A roster student without a file in this run keeps their earlier result, if there is one.
        items = [(sid, found.get(sid)) for sid in roster_ids if sid in found or not stage.keeps(sid)] + \
            [(sid, p) for sid, p in found.items() if sid not in roster]
        if on_total:
            on_total(len(items))
        started = time.time()
        helper = helper or start_plot_helper(jobs)  # matplotlib starts while the students are graded
        if helper is not None:
            helper.prepare(option_panels(bank))
        graded = grade_all(bank, secret, items, stage.path, jobs, progress, notes,
                           {s.id: s.name for s in students}, roster)  # each record is written with its student
        results = stage.finish(bank, students, graded, write_student_outputs)
        write_class_outputs(bank, students, results, stage.path, helper)
        write_atomic(stage.path / "run.json", json.dumps({"started": started, "finished": time.time(), "jobs": jobs,
                                                          "bank": str(bank.path), "bank_title": bank.title,
                                                          "unmatched_files": unmatched,
                                                          "files_not_graded": notes, **stage.run_facts()},
                                                         indent=2) + "\n")
        stage.commit()
    except BaseException:  # Ctrl-C, a full disk, a bug: the previous output stays as it was
        stage.abort()
        raise
    finally:
        if helper:
            helper.close()
    return ClassResult(results, out_dir, unmatched, list(graded), stage.kept, stage.removed, stage.notices())


def write_student_outputs(bank: Bank, result: SubmissionResult, out_dir: Path) -> None:
    """One student's feedback and results.json, into ``out_dir``: a staging folder (grader.jobs.staging)."""
    name = safe_name(result.student_id)
    write = _write_in_stage()
    write(out_dir / "feedback" / f"{name}.md", feedback_markdown(bank, result))
    write(out_dir / "feedback" / f"{name}.html", feedback_html(bank, result))
    write(out_dir / "results" / f"{name}.json",
          jsontext.dumps(results_json(bank, result, remembered=speed.FAST), indent=2, ensure_ascii=False) + "\n")


def write_class_outputs(bank: Bank, students: list[Student], results: dict[str, SubmissionResult],
                        out_dir: Path, plots: PlotHelper | None = None) -> None:
    from grader.jobs.class_outputs import write_class_outputs as write_class_report

    write_class_report(bank, students, results, out_dir, plots)
