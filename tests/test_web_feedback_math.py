"""Feedback in the browser is shown as the feedback pages show it: a declared mistake's TeX as MathML (no
network), never as raw dollars, and what the student typed is never markup."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from web_support import (
    HOMEWORK,
    Clock,
    csrf,
    db_url,  # noqa: F401  (a fixture)
    make_client,
    postgres_server,  # noqa: F401  (a fixture)
    sign_in,
    variant,
)

pytestmark = pytest.mark.web


@pytest.fixture
def client(db_url, tmp_path: Path):  # noqa: F811
    text = HOMEWORK.read_text(encoding="utf-8")
    old = "feedback: You subtracted {{ a }} instead of adding it."
    assert old in text
    bank = tmp_path / "homework.yaml"
    bank.write_text(text.replace(old, "feedback: You computed $b - a$, subtracting {{ a }} instead of adding it."),
                    encoding="utf-8")
    with make_client(db_url, Clock(dt.datetime(2030, 1, 5, 9, 0, tzinfo=dt.UTC)), bank=bank) as test_client:
        yield test_client


def test_a_mistakes_tex_is_shown_as_mathml(client):
    sign_in(client, "s001")
    import re

    drawn = variant(HOMEWORK, "add", "s001").values.display
    wrong = str(drawn["b"] - drawn["a"])  # the declared mistake
    page = client.get("/q/add").text
    done = client.post("/q/add", data={"csrf": csrf(page), "action": "submit", "answer.a": wrong},
                       follow_redirects=True)
    feedback = re.search(r'<div class="feedback">(.*?)</div>', done.text, re.S).group(1)
    assert "subtracting" in feedback and "<math" in feedback and "$" not in feedback, feedback
