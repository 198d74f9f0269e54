"""``grader gradebook GRADED_OUT --format canvas|gradescope|long``: a graded folder's scores for an LMS."""

from __future__ import annotations

import json
from pathlib import Path

from grader.core.errors import GraderError, Location
from grader.course.roster import students_from_json
from grader.grading.grade import SubmissionResult
from grader.grading.hand_scores import apply_hand_scores, read_hand_scores
from grader.grading.records import from_record, read_records
from grader.report.lms_export import FORMATS, Export, canvas_csv, gradescope_csv, long_csv


def export_grades(out_dir: Path, format_name: str, assignment: str | None = None) -> Export:
    out_dir = Path(out_dir)
    if format_name not in FORMATS:
        raise GraderError(f"unknown format '{format_name}'", hint="use one of " + ", ".join(FORMATS))
    roster = out_dir / "roster.json"
    records = read_records(out_dir)
    if not roster.exists() or not records:
        raise GraderError("this is not a graded folder (no roster.json or records/); run grader grade into it first",
                          Location(str(out_dir)))
    students = students_from_json(roster.read_text(encoding="utf-8"))
    results = current_results(out_dir)
    graded = next((r for r in results.values() if r.status == "graded"), next(iter(results.values())))
    points_possible = graded.max_points
    if format_name == "canvas":
        name = assignment or _bank_title(out_dir, records)
        return canvas_csv(students, results, name, points_possible)
    if format_name == "gradescope":
        return gradescope_csv(students, results, points_possible)
    return long_csv(students, results)


def current_results(out_dir: Path) -> dict[str, SubmissionResult]:
    """Every student's result in a graded folder, with the hand scores applied."""
    hand = read_hand_scores(out_dir)
    results = {}
    for student_id, record in read_records(out_dir).items():
        result = from_record(record)
        if result.status == "graded":
            apply_hand_scores(result, hand.get(student_id, {}))
        results[student_id] = result
    return results


def _bank_title(out_dir: Path, records: dict) -> str:
    try:
        run = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
        if run.get("bank_title"):
            return str(run["bank_title"])
    except (OSError, ValueError):
        pass
    return str(next(iter(records.values())).get("bank_id", "assignment"))
