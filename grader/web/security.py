"""Security edges of the web app: response headers, CSRF, and reading a request body with a size cap.

The Content-Security-Policy allows scripts and styles only from this
server's own /static/ (no inline script, no CDN), forbids framing and
sends nothing to other sites. Forms are read by us with a byte cap before
any parsing, so a huge body costs nothing but the cap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grader.web.messages import web_message
from grader.web.tokens import same_token

MAX_BODY_BYTES = 64 * 1024
MAX_ANSWER_CHARS = 4000
MAX_FIELDS = 200

SECURITY_HEADERS = {
    "content-security-policy": ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",  # sign-in links carry a token in the URL
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-store",
}


class SecurityHeaders:
    """ASGI middleware that adds ``SECURITY_HEADERS`` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()
                         if k.encode() not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BadForm(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class AnswerForm:
    action: str = ""
    csrf: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)


async def read_form(request: Request) -> AnswerForm:
    """A urlencoded form or a JSON body, at most ``MAX_BODY_BYTES``, as (action, csrf, answers by part)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BadForm(413, web_message("too-large", limit=MAX_BODY_BYTES))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise BadForm(413, web_message("too-large", limit=MAX_BODY_BYTES))
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form = AnswerForm(csrf=request.headers.get("x-csrf-token", ""))
    if kind == "application/json":
        try:
            data = json.loads(bytes(body) or b"{}")
        except (ValueError, UnicodeDecodeError) as error:
            raise BadForm(400, web_message("bad-request", reason="the body is not JSON")) from error
        if not isinstance(data, dict) or not isinstance(data.get("answers", {}), dict):
            raise BadForm(400, web_message("bad-request", reason="expected {\"action\": ..., \"answers\": {...}}"))
        form.action = str(data.get("action", ""))
        form.csrf = form.csrf or str(data.get("csrf", ""))
        form.answers = {str(k): "" if v is None else str(v) for k, v in data.get("answers", {}).items()}
        form.fields = {str(k): str(v) for k, v in data.items() if isinstance(v, (str, int, float))}
        return form
    if kind not in ("application/x-www-form-urlencoded", ""):
        raise BadForm(415, web_message("bad-request", reason="send a form or JSON"))
    try:
        pairs = parse_qs(bytes(body).decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadForm(400, web_message("bad-request", reason="the form is not UTF-8 or has too many fields")) from error
    for name, values in pairs.items():
        if name.startswith("answer."):
            # Checkboxes send one value per ticked box: "A, C" is how an answers file writes them too.
            form.answers[name[len("answer."):]] = ", ".join(v for v in values if v) if len(values) > 1 else values[0]
        else:
            form.fields[name] = values[-1]
    form.action = form.fields.get("action", "")
    form.csrf = form.csrf or form.fields.get("csrf", "")
    return form


def csrf_ok(form: AnswerForm, session_token: str | None) -> bool:
    return same_token(form.csrf, session_token)
