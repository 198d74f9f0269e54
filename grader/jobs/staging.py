"""Regrading that never loses work: build the new output beside the old one, then swap.

A run writes into a staging folder next to ``--out`` that starts as a
hard-linked copy of the previous output (every output file is replaced by
rename, never rewritten in place, so the links can never change the old
files). Students graded in this run replace their own files; everyone else
keeps their row, feedback and record from earlier runs, unless ``fresh``.
Files of students who are no longer graded (dropped from the roster since
the last run) are removed and reported; files that matched nobody on the
roster stay listed until ``fresh``. Only when every
file is written is the folder swapped in, with two renames; a run that is
killed at any point leaves the previous output whole, and the next run
finishes or undoes a half-done swap before it starts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from grader.bank.model import Bank
from grader.core.errors import GraderError, Location
from grader.core.files import safe_name
from grader.course.roster import Student
from grader.grading.grade import SubmissionResult
from grader.grading.hand_scores import apply_hand_scores, read_hand_scores
from grader.grading.records import RECORDS, from_record, read_records, record_path

# What grader writes into a graded folder; anything else in it is the instructor's and is always kept.
OWNED = ("feedback", "results", RECORDS, "gradebook.csv", "summary.md", "summary.html", "summary.json",
         "histogram.png", "item-analysis.png", "options.png", "run.json", "roster.json", "regrade-report.csv",
         "regrade-report.md")


def previous_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.previous")


def staging_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.staging-{os.getpid()}")


def lock_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


def _lock(target: Path) -> None:
    """One run at a time per output folder: a second would swap away the first one's work."""
    lock = lock_name(target)
    for _ in range(2):
        try:
            handle = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            text = lock.read_text(encoding="utf-8").strip() if lock.exists() else ""
            if text.isdigit() and int(text) != os.getpid() and _alive(int(text)):
                raise GraderError(f"another grader run (process {text}) is writing this folder; wait for it "
                                  "to finish", Location(str(target))) from None
            lock.unlink(missing_ok=True)  # left by a run that was killed
            continue
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(str(os.getpid()))
        return


def _unlock(target: Path) -> None:
    lock_name(target).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(target: Path) -> list[str]:
    """Finish or undo what a killed run left behind; return what was done, for the log."""
    done = []
    previous = previous_name(target)
    if previous.exists():
        if target.exists():  # killed after the swap, before the old copy was removed
            shutil.rmtree(previous, ignore_errors=True)
            done.append(f"removed {previous.name} left by an interrupted run")
        else:  # killed between the two renames: put the previous output back
            previous.rename(target)
            done.append(f"restored {target.name} from an interrupted run")
    for leftover in target.parent.glob(f".{target.name}.staging-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue  # another grader run is writing it right now
        shutil.rmtree(leftover, ignore_errors=True)
        done.append(f"removed {leftover.name} left by an interrupted run")
    return done


def _link_tree(source: Path, destination: Path, skip: Iterable[str] = ()) -> None:
    skipped = set(skip)
    destination.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.name in skipped:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, destination / entry.name, copy_function=_link_or_copy, symlinks=True)
        else:
            _link_or_copy(str(entry), str(destination / entry.name))


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination, follow_symlinks=False)
    except OSError:  # a file system without hard links
        shutil.copy2(source, destination, follow_symlinks=False)


def _flat_results(folder: Path) -> None:
    """An output from before results/<id>.json kept each student's results.json in a folder of their own:
    in the stage (links, so the previous output is untouched) each becomes results/<id>.json."""
    if not folder.is_dir():
        return
    for entry in list(folder.iterdir()):
        old = entry / "results.json"
        if entry.is_dir() and not entry.is_symlink() and old.is_file():
            flat = folder / f"{entry.name}.json"
            if not flat.exists():
                os.replace(old, flat)
            shutil.rmtree(entry)


@dataclass
class OutputStage:
    """One run's staging folder and what the previous output held."""

    target: Path
    path: Path
    previous: dict[str, dict] = field(default_factory=dict)  # student id -> record from earlier runs
    recovered: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    stale_hand_scores: list[str] = field(default_factory=list)

    def keeps(self, student_id: str) -> bool:
        """Whether a student without a file in this run keeps an earlier result (a missing one is just redone)."""
        return self.previous.get(student_id, {}).get("status", "missing") != "missing"

    def student_files(self, student_id: str) -> list[Path]:
        name = safe_name(student_id)
        return [self.path / "feedback" / f"{name}.md", self.path / "feedback" / f"{name}.html",
                self.path / "results" / f"{name}.json", self.path / "results" / name, record_path(self.path, student_id)]

    def remove_student(self, student_id: str) -> None:
        for path in self.student_files(student_id):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)

    def remove_stale(self, current: set[str]) -> list[str]:
        """Remove every student's files that this output no longer covers (also from folders without records)."""
        names = {p.stem for p in (self.path / "feedback").glob("*.md")}
        names |= {p.stem for p in (self.path / "results").glob("*.json")}
        names |= {p.name for p in (self.path / "results").iterdir() if p.is_dir()} if (self.path / "results").is_dir() else set()
        names |= {p.stem for p in (self.path / RECORDS).glob("*.json")}
        stale = sorted(names - current)
        for name in stale:
            self.remove_student(name)
        return stale

    def finish(self, bank: Bank, students: list[Student], graded: dict[str, SubmissionResult],
               rewrite: callable, keep: dict[str, SubmissionResult] | None = None) -> dict[str, SubmissionResult]:
        """The whole class: this run's results, earlier results kept, stale files removed, hand scores applied.

        ``rewrite(bank, result, folder)`` writes one student's feedback and results.json again (after hand
        scores change them). ``keep``: results outside the roster to keep as they are (a merge keeps them).
        The graded students' records are already in the folder: the worker that graded each wrote it.
        """
        roster_ids = [s.id for s in students]
        roster = frozenset(roster_ids)
        results: dict[str, SubmissionResult] = {}
        for student_id in roster_ids:
            if student_id in graded:
                results[student_id] = graded[student_id]
            elif student_id in self.previous:
                results[student_id] = from_record(self.previous[student_id])
                self.kept.append(student_id)
        names = {s.id: s.name for s in students}
        for student_id, result in results.items():  # a kept result's feedback, rewritten, still names the student
            result.student_name = result.student_name or names.get(student_id, "")
        # Files that matched nobody on the roster: this run's, and earlier runs' (kept until --fresh).
        visitors = {sid: from_record(r) for sid, r in self.previous.items()
                    if not r.get("on_roster", True) and sid not in roster}
        for student_id, result in {**visitors, **(keep or {}), **graded}.items():
            results.setdefault(student_id, result)
            if student_id in visitors and student_id not in graded:
                self.kept.append(student_id)
        self.removed = self.remove_stale({safe_name(student_id) for student_id in results})
        hand = read_hand_scores(self.path)
        for student_id, scores in hand.items():
            result = results.get(student_id)
            if result is None:
                continue
            if result.status == "graded":
                self.stale_hand_scores += [f"{student_id} {key}" for key in apply_hand_scores(result, scores)]
            rewrite(bank, result, self.path)
        return results

    def run_facts(self) -> dict:
        return {"kept_from_earlier_runs": sorted(self.kept), "removed_stale": self.removed,
                "hand_scores_answer_changed": self.stale_hand_scores, "recovered": self.recovered}

    def notices(self) -> list[str]:
        """What an instructor should be told about this run, one sentence each."""
        told = list(self.recovered)
        if self.kept:
            told.append(f"kept {len(self.kept)} student(s) graded in earlier runs (use --fresh to regrade from scratch)")
        if self.removed:
            told.append(f"removed the files of {len(self.removed)} student(s) no longer graded: "
                        + ", ".join(self.removed))
        for item in self.stale_hand_scores:
            told.append(f"hand score for {item} not applied: the answer changed since it was scored; grade it again")
        return told

    def commit(self) -> None:
        """Swap the finished staging folder in: two renames, undone or finished by ``recover``."""
        previous = previous_name(self.target)
        if self.target.exists():
            self.target.rename(previous)
        self.path.rename(self.target)
        shutil.rmtree(previous, ignore_errors=True)
        _unlock(self.target)

    def abort(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        _unlock(self.target)


def begin(target: Path, fresh: bool = False) -> OutputStage:
    """A staging folder for ``target``, seeded with the previous output (all of it, or with ``fresh`` only the
    files that are not grader's)."""
    target = Path(target).absolute()  # "." and "graded/" need a name and a parent for the sibling folders
    if not target.name:
        raise GraderError("give an output folder other than the file system's root", Location(str(target)))
    target = target.parent.resolve() / target.name
    if Path.cwd().resolve().is_relative_to(target.resolve()):
        raise GraderError("the output folder is replaced as a whole when the run is complete, so it cannot be the "
                          "current folder or hold it", Location(str(target)), hint="use e.g. --out graded")
    if target.exists() and not target.is_dir():
        raise GraderError("the output is a file; give a folder", Location(str(target)))
    target.parent.mkdir(parents=True, exist_ok=True)
    _lock(target)
    try:
        return _begin(target, fresh)
    except BaseException:
        _unlock(target)
        raise


def _begin(target: Path, fresh: bool) -> OutputStage:
    recovered = recover(target)
    stage = OutputStage(target, staging_name(target), recovered=recovered)
    if stage.path.exists():
        shutil.rmtree(stage.path)
    if target.is_dir():
        _link_tree(target, stage.path, skip=OWNED if fresh else ())  # hand scores survive even --fresh
        _flat_results(stage.path / "results")
        if not fresh:
            stage.previous = read_records(target)
    else:
        stage.path.mkdir(parents=True)
    return stage
