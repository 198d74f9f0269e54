"""The import rules of Canvas and Gradescope grade CSVs, as written in docs/gradebook-formats.md.

Each check reads a CSV as the LMS would and fails on anything its import
would refuse or misread; it returns the student rows.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

CANVAS_ID_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def _number(text: str) -> float:
    value = float(text)
    assert value == value and value >= 0, text
    return value


def check_canvas(path: Path, assignment: str) -> list[dict[str, str]]:
    raw = path.read_bytes()
    text = raw.decode("utf-8")  # Canvas reads UTF-8
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    # Rule 1: the five identity columns, in Canvas's order, then the assignment column(s).
    assert header[:5] == CANVAS_ID_COLUMNS, header
    assert header[5:] == [assignment], header
    # Rule 2: an optional "Points Possible" row right under the header, with the assignment's points.
    body = rows[1:]
    points = None
    if body and body[0][0].strip() == "Points Possible":
        points = _number(body[0][5])
        body = body[1:]
    students = [dict(zip(header, row)) for row in body]
    for number, row in enumerate(students, start=3 if points is not None else 2):
        assert len(row) == len(header), f"row {number}: {len(row)} cells"
        # Rule 3: each row names its student by ID, SIS User ID or SIS Login ID (Canvas matches in that order).
        assert row["ID"] or row["SIS User ID"] or row["SIS Login ID"], f"row {number} names no student"
        # Rule 4: no Test Student and no second Points Possible row.
        assert row["Student"].strip().lower() not in ("student, test", "test student", "points possible")
        # Rule 5: a score is a plain number (no %, no letters), at most the points possible; blank = unchanged.
        score = row[assignment]
        if score:
            assert _number(score) <= (points if points is not None else float("inf")) + 1e-9, score
    for column in ("ID", "SIS User ID"):  # Rule 6: ids are unique
        values = [r[column] for r in students if r[column]]
        assert len(values) == len(set(values)), column
    return students


def check_gradescope(path: Path) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"))))
    header = list(rows[0]) if rows else []
    # Rule 1: a header row with Name, SID and Email, and a score column with its maximum.
    assert {"Name", "SID", "Email", "Total Score", "Max Points"} <= set(header), header
    emails = [r["Email"].strip().lower() for r in rows if r["Email"].strip()]
    assert len(emails) == len(set(emails)), "Gradescope needs unique emails"  # Rule 2
    for number, row in enumerate(rows, start=2):
        assert row["Email"].strip() or row["SID"].strip(), f"row {number}: Gradescope matches on Email or SID"
        if row["Email"].strip():
            assert "@" in row["Email"], f"row {number}: not an email"
        if row["Total Score"]:
            assert _number(row["Total Score"]) <= _number(row["Max Points"]) + 1e-9
    return rows
