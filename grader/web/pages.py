"""Responses as HTML (autoescaped jinja2 templates from ``templates/``) or as JSON, Datasette style.

Every page is built as a plain dict first; ``?format=json`` (or an
``Accept: application/json`` request) returns that dict, anything else the
template rendered from it. Question text, prompts and options arrive as
HTML already rendered by ``grader.documents.render`` (Markdown with the
math as MathML, the same as the problem set) and are the only values
marked safe.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from grader.bank.templates import points

TEMPLATES = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["points"] = points
    env.filters["trusted_html"] = lambda text: Markup(text)  # only for grader.documents.render output
    return env


def wants_json(request: Request) -> bool:
    if request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def respond(request: Request, template: str, data: dict[str, Any], status: int = 200) -> Response:
    if wants_json(request):
        return JSONResponse(data, status_code=status)
    body = environment().get_template(template).render(**data)
    return HTMLResponse(body, status_code=status)


def message_page(request: Request, status: int, message: str, title: str = "grader") -> Response:
    return respond(request, "message.html.j2", {"title": title, "message": message, "status": status}, status)
