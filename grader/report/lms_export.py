"""Grades out: the class's scores as the CSV a learning-management system imports.

Formats (their column rules are in docs/gradebook-formats.md):

* ``canvas``: Canvas's gradebook import: ``Student, ID, SIS User ID, SIS Login ID, Section`` and one
  column for the assignment; a "Points Possible" row under the header. Canvas matches a row to a
  student by ``ID``, else ``SIS User ID``, else ``SIS Login ID``, so those come from the roster's own
  columns, never guessed; a blank score leaves Canvas's grade as it is.
* ``gradescope``: one row per student with ``Name, SID, Email, Total Score, Max Points, Status``, the
  columns of Gradescope's own score export; Gradescope matches students by email or SID.
* ``long``: one row per student and part (for your own analysis).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from grader.bank.templates import points as pts
from grader.course.roster import Student
from grader.grading.grade import SubmissionResult

FORMATS = ("canvas", "gradescope", "long")
CANVAS_ID_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
GRADESCOPE_COLUMNS = ["Name", "SID", "Email", "Total Score", "Max Points", "Status"]
LONG_COLUMNS = ["student_id", "question", "part", "type", "points", "max_points", "verdict", "note", "graded_by"]


@dataclass
class Export:
    text: str
    rows: int
    warnings: list[str] = field(default_factory=list)


def _score(result: SubmissionResult | None) -> str:
    """The points to import; blank where nothing was handed in (so the LMS keeps what it has)."""
    if result is None or result.status == "missing":
        return ""
    return f"{round(result.points, 2):g}"


def _pending_warning(students: list[Student], results: dict[str, SubmissionResult]) -> list[str]:
    pending = sorted(s.id for s in students if s.id in results and results[s.id].status == "graded"
                     and results[s.id].pending)
    if not pending:
        return []
    return [f"{len(pending)} student(s) still have parts to grade by hand (grader manual, then grader merge); "
            f"their scores leave those parts out: {', '.join(pending[:10])}{' ...' if len(pending) > 10 else ''}"]


def canvas_csv(students: list[Student], results: dict[str, SubmissionResult], assignment: str,
               points_possible: float) -> Export:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CANVAS_ID_COLUMNS + [assignment])
    writer.writerow(["Points Possible", "", "", "", "", pts(points_possible)])
    warnings = []
    without_canvas_id = [s.id for s in students if not s.column("ID") and not s.column("SIS User ID")]
    if without_canvas_id:
        warnings.append(f"{len(without_canvas_id)} student(s) have no Canvas ID or SIS User ID column in the "
                        "roster; their grader id is written as SIS User ID (use a Canvas roster export to be sure)")
    for student in students:
        sis_user_id = student.column("SIS User ID") or (student.id if not student.column("ID") else "")
        writer.writerow([student.column("Student") or student.name, student.column("ID"), sis_user_id,
                         student.column("SIS Login ID"), student.column("Section"), _score(results.get(student.id))])
    return Export(buffer.getvalue(), len(students), warnings + _pending_warning(students, results))


def gradescope_csv(students: list[Student], results: dict[str, SubmissionResult], points_possible: float) -> Export:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(GRADESCOPE_COLUMNS)
    warnings = []
    unmatched = [s.id for s in students if not (s.email or s.column("SID") or s.column("SIS User ID"))]
    if unmatched:
        warnings.append(f"{len(unmatched)} student(s) have neither an email nor an SID in the roster; Gradescope "
                        f"cannot match them: {', '.join(unmatched[:10])}")
    for student in students:
        result = results.get(student.id)
        sid = student.column("SID") or student.column("SIS User ID") or student.id
        writer.writerow([student.name or student.column("Student"), sid, student.email, _score(result),
                         pts(points_possible), "Missing" if result is None or result.status == "missing" else
                         "Graded"])
    return Export(buffer.getvalue(), len(students), warnings + _pending_warning(students, results))


def long_csv(students: list[Student], results: dict[str, SubmissionResult]) -> Export:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LONG_COLUMNS)
    rows = 0
    for student in students:
        result = results.get(student.id)
        for part in result.parts if result else []:
            graded_by = "hand" if part.result.note == "hand-graded" else (
                "pending" if part.result.verdict == "pending" else "auto")
            writer.writerow([student.id, part.question, part.part, part.type, pts(part.points), pts(part.max_points),
                             part.result.verdict, part.result.note, graded_by])
            rows += 1
    return Export(buffer.getvalue(), rows, _pending_warning(students, results))
