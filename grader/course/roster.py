"""Reading a class roster CSV, as exported by Canvas, Gradescope or by hand."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from grader.core.errors import Location, RosterError

ID_HEADERS = ("sid", "student id", "student_id", "studentid", "id", "sis user id", "login id", "sis login id",
              "email", "email address", "e-mail")
NAME_HEADERS = ("name", "full name", "student", "student name")


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""
    email: str = ""


def _find(headers: dict[str, str], candidates: tuple[str, ...]) -> str | None:
    return next((headers[c] for c in candidates if c in headers), None)


def read_roster(path: str | Path, id_column: str | None = None) -> list[Student]:
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise RosterError(f"cannot read the roster: {error.strerror}", Location(str(path))) from error
    except UnicodeDecodeError as error:
        raise RosterError("the roster is not UTF-8 text; export it as CSV (UTF-8)", Location(str(path))) from error
    reader = csv.DictReader(io.StringIO(text))
    headers = {h.strip().lower(): h for h in (reader.fieldnames or []) if h}
    column = headers.get(id_column.strip().lower()) if id_column else _find(headers, ID_HEADERS)
    if column is None:
        wanted = id_column or "one of SID, Student ID, ID, Email"
        raise RosterError(f"the roster has no {wanted} column (found: {', '.join(headers.values()) or 'none'})",
                          Location(str(path), 1))
    name_column = _find(headers, NAME_HEADERS)
    email_column = _find(headers, ("email", "email address", "e-mail"))
    role_column = headers.get("role")
    students, seen = [], {}
    for line, row in enumerate(reader, start=2):
        # NFC: a file named on macOS (NFD) must match the same id typed elsewhere (NFC)
        student_id = unicodedata.normalize("NFC", (row.get(column) or "").strip())
        if not student_id or student_id.lower() == "points possible" or (row.get(name_column or "") or "").strip().lower() == "points possible":
            continue
        if role_column and (row.get(role_column) or "student").strip().lower() not in ("student", ""):
            continue
        if student_id in seen:
            raise RosterError(f"student id '{student_id}' appears twice (first on line {seen[student_id]})",
                              Location(str(path), line))
        seen[student_id] = line
        name = (row.get(name_column) or "").strip() if name_column else ""
        if not name and "first name" in headers:
            name = f"{row.get(headers['first name'], '')} {row.get(headers.get('last name', ''), '')}".strip()
        students.append(Student(student_id, name, (row.get(email_column) or "").strip() if email_column else ""))
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
    return students
