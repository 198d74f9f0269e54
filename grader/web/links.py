"""``grader links``: each student's personal sign-in link, and the instructor's, from the secret and the salts."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from grader.course.roster import Student
from grader.web.tokens import instructor_token, student_subject, student_token


def student_link(base_url: str, secret: str, student: str, salt: str) -> str:
    return f"{base_url.rstrip('/')}/signin/{quote(student_token(secret, student, salt), safe='')}"


def instructor_link(base_url: str, secret: str, salt: str) -> str:
    return f"{base_url.rstrip('/')}/signin/{instructor_token(secret, salt)}"


def links_csv(students: list[Student], secret: str, salts: dict[str, str], base_url: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "name", "email", "link"])
    for student in students:
        writer.writerow([student.id, student.name, student.email,
                         student_link(base_url, secret, student.id, salts.get(student_subject(student.id), ""))])
    return buffer.getvalue()
