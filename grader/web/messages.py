"""Every sentence the web app shows a person, by key (answer feedback itself comes from grader.core.messages)."""

from __future__ import annotations

WEB_MESSAGES = {
    "sign-in-needed": "Please sign in with the personal link your instructor sent you.",
    "bad-link": "This sign-in link is not valid (it may have been replaced). Ask your instructor for a new one.",
    "instructor-only": "This page is for the instructor.",
    "students-only": "Only students answer questions; sign in with a student's link to try one.",
    "no-question": "There is no question '{question}' in this bank.",
    "not-assigned": "Question '{question}' is not on your problem set: its pool gave you other questions.",
    "no-student": "There is no student '{student}' on the roster.",
    "csrf": "This form has expired or did not come from this site. Reload the page and try again.",
    "too-large": "That request is too large (at most {limit} bytes).",
    "bad-request": "That request could not be read: {reason}.",
    "answer-too-long": "Your answer is too long ({length} characters; at most {limit}). Shorten it.",
    "rate-limited": "Too many submissions in a short time; wait a minute and submit again.",
    "nothing-to-submit": "Type an answer for at least one open part first.",
    "not-open": "This question opens at {opens}.",
    "closed": "This question closed at {closes}; answers are no longer accepted.",
    "late": "The deadline has passed; answers until {late_until} lose {penalty:.0%} of their points.",
    "fix-format": "Nothing was submitted and no attempt was used: fix the answers marked below first.",
    "submitted": "Submitted (attempt stored at {time}).",
    "practice": "Practice: your scores here do not count.",
    "read-as": "We read this as {text}",
    "busy": "Another submission of this question was stored at the same moment; reload the page and try again.",
}


def web_message(key: str, **values: object) -> str:
    return WEB_MESSAGES[key].format(**values)
