"""Sign-in tokens, session and CSRF keys, all derived from the course secret.

A student's link carries ``<student id, base64url>.<HMAC>``; the HMAC is over
the student id and a per-student salt kept in the database, so rotating the
salt (``grader links --rotate ID``) revokes that one link and every session
made with it. The instructor token is an HMAC of its own label and salt, so
no student token can ever open the instructor pages. Tokens are compared in
constant time. Each use of the secret has its own derived key, so the key
that seeds variants never signs a cookie.

LTI 1.3 would arrive as one more way to reach ``Identity`` (a launch
verified against the platform's keys); the rest of the app only sees the
identity, never how it was proven.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

INSTRUCTOR = "instructor"
STUDENT = "student"
INSTRUCTOR_SUBJECT = "instructor"  # the salt table's key; students are "student:<id>", so ids never collide


def student_subject(student: str) -> str:
    return f"student:{student}"


@dataclass(frozen=True)
class Identity:
    role: str  # student | instructor
    student: str = ""  # the student id for a student


def derived_key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"grader-web|{purpose}".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, message: str) -> str:
    return _b64(hmac.new(derived_key(secret, "sign-in"), message.encode(), hashlib.sha256).digest())


def student_token(secret: str, student: str, salt: str) -> str:
    return f"{_b64(student.encode())}.{_mac(secret, f'student|{student}|{salt}')}"


def instructor_token(secret: str, salt: str) -> str:
    return f"i.{_mac(secret, f'instructor|{salt}')}"


def claimed_student(token: str) -> str | None:
    """The student id a token claims (not yet verified), or None for a malformed or instructor token."""
    head, _, mac = token.partition(".")
    if not mac or head == "i":
        return None
    try:
        return _unb64(head).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def verify_student(secret: str, token: str, student: str, salt: str) -> bool:
    return hmac.compare_digest(token.encode(), student_token(secret, student, salt).encode())


def verify_instructor(secret: str, token: str, salt: str) -> bool:
    return hmac.compare_digest(token.encode(), instructor_token(secret, salt).encode())


def salt_fingerprint(secret: str, salt: str) -> str:
    """What a session remembers of the salt: enough to notice a rotation, useless to forge a link."""
    return _mac(secret, f"salt|{salt}")[:16]


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def same_token(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(str(given).encode(), str(expected).encode())
