"""Reading a class roster CSV, as exported by Canvas, Gradescope or by hand.

The id column is the first of ``ID_HEADERS`` that is present, except in a
Canvas gradebook export (it has ``SIS User ID`` and ``SIS Login ID``), where
it is ``SIS User ID``: Canvas's own ``ID`` is an internal number students do
not know. Rows that are not students (Canvas's "Points Possible" row and its
Test Student, staff rows of a ``Role`` column, rows without an id) are
skipped, and ``read_roster_report`` lists each with its line and reason.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from grader.core.errors import Location, RosterError

ID_HEADERS = ("sid", "student id", "student_id", "studentid", "id", "sis user id", "login id", "sis login id",
              "email", "email address", "e-mail")
NAME_HEADERS = ("name", "full name", "student", "student name")


CANVAS_HEADERS = ("sis user id", "sis login id")
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
KEPT_COLUMNS = CANVAS_COLUMNS + ("SID", "Email", "First Name", "Last Name")
TEST_STUDENT_NAMES = ("test student", "student, test")


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""
    email: str = ""
    columns: tuple[tuple[str, str], ...] = ()  # the roster's own id columns (Canvas ID, SIS Login ID, Section...)

    def column(self, name: str) -> str:
        return next((value for key, value in self.columns if key.lower() == name.lower()), "")


@dataclass
class RosterReport:
    students: list[Student]
    id_column: str
    canvas: bool = False
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def roster_json(students: list[Student]) -> str:
    return json.dumps([{"id": s.id, "name": s.name, "email": s.email, "columns": dict(s.columns)} for s in students],
                      indent=1, ensure_ascii=False) + "\n"


def students_from_json(text: str) -> list[Student]:
    return [Student(item["id"], item.get("name", ""), item.get("email", ""),
                    tuple((item.get("columns") or {}).items())) for item in json.loads(text)]


def _find(headers: dict[str, str], candidates: tuple[str, ...]) -> str | None:
    return next((headers[c] for c in candidates if c in headers), None)


def read_roster(path: str | Path, id_column: str | None = None) -> list[Student]:
    return read_roster_report(path, id_column).students


def read_roster_report(path: str | Path, id_column: str | None = None) -> RosterReport:
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise RosterError(f"cannot read the roster: {error.strerror}", Location(str(path))) from error
    except UnicodeDecodeError as error:
        raise RosterError("the roster is not UTF-8 text; export it as CSV (UTF-8)", Location(str(path))) from error
    reader = csv.DictReader(io.StringIO(text))
    headers = {h.strip().lower(): h for h in (reader.fieldnames or []) if h}
    canvas = all(h in headers for h in CANVAS_HEADERS)
    default = headers["sis user id"] if canvas else _find(headers, ID_HEADERS)
    column = headers.get(id_column.strip().lower()) if id_column else default
    if column is None:
        wanted = id_column or "one of SID, Student ID, ID, Email"
        raise RosterError(f"the roster has no {wanted} column (found: {', '.join(headers.values()) or 'none'})",
                          Location(str(path), 1))
    name_column = _find(headers, NAME_HEADERS)
    email_column = _find(headers, ("email", "email address", "e-mail"))
    role_column = headers.get("role")
    students, seen, skipped = [], {}, []
    kept = [headers[c.lower()] for c in KEPT_COLUMNS if c.lower() in headers]
    for line, row in enumerate(reader, start=2):
        # NFC: a file named on macOS (NFD) must match the same id typed elsewhere (NFC)
        student_id = unicodedata.normalize("NFC", (row.get(column) or "").strip())
        name_cell = (row.get(name_column or "") or "").strip()
        if "points possible" in (student_id.lower(), name_cell.lower()):
            skipped.append((line, "the Points Possible row (not a student)"))
            continue
        if name_cell.lower() in TEST_STUDENT_NAMES:
            skipped.append((line, f"Canvas's Test Student ({name_cell})"))
            continue
        if role_column and (row.get(role_column) or "student").strip().lower() not in ("student", ""):
            skipped.append((line, f"role '{(row.get(role_column) or '').strip()}' (staff, not a student)"))
            continue
        if not student_id:
            if any((value or "").strip() for value in row.values() if isinstance(value, str)):
                skipped.append((line, f"no {column} ({name_cell or 'no name'})"))
            continue
        if student_id in seen:
            raise RosterError(f"student id '{student_id}' appears twice (first on line {seen[student_id]})",
                              Location(str(path), line))
        seen[student_id] = line
        name = (row.get(name_column) or "").strip() if name_column else ""
        if not name and "first name" in headers:
            name = f"{row.get(headers['first name'], '')} {row.get(headers.get('last name', ''), '')}".strip()
        students.append(Student(student_id, name, (row.get(email_column) or "").strip() if email_column else "",
                                tuple((c, (row.get(c) or "").strip()) for c in kept)))
    if not students:
        raise RosterError("the roster has no students", Location(str(path)))
    from grader.core.files import safe_name

    by_file: dict[str, str] = {}
    for student in students:
        other = by_file.setdefault(safe_name(student.id), student.id)
        if other != student.id:
            raise RosterError(f"student ids '{other}' and '{student.id}' would share the output file "
                              f"'{safe_name(student.id)}'; make them differ in letters or digits",
                              Location(str(path), seen[student.id]))
    return RosterReport(students, column, canvas, skipped)
