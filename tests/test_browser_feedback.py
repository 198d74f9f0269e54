"""Feedback pages with math, graded by ``grader grade`` and opened in real headless Chromium.

Declared feedback holds TeX (``$(2x)^2 = 4x^2$``) and the expected answer is revealed: in the page both
must be MathML that Chromium draws, with no $...$ TeX and no Python syntax (``**``) left in the text.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, TIMEOUT, chromium, text_content

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs Debian's chromium)"),
]

BANK = """\
id: squares
title: Squares
show_answers: true
questions:
  - id: square
    title: The square of a double
    params:
      a: {range: [2, 5]}
    text: Expand $(a x)^2$ for a = {{ a }}.
    parts:
      - id: a
        type: expression
        variables: [x]
        answer: a**2*x**2
        mistakes:
          - answer: a*x**2
            note: squared-only-x
            feedback: 'Square the coefficient too: $(2x)^2 = 4x^2$, not $2x^2$.'
"""


@pytest.fixture(scope="module")
def feedback_page(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("feedback-browser")
    (folder / "squares.yaml").write_text(BANK, encoding="utf-8")
    (folder / "roster.csv").write_text("Name,SID\nGrace Hopper,s001\n", encoding="utf-8")
    submissions = folder / "submissions"
    submissions.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    # the student's own variant decides a; the declared mistake a*x^2 is wrong for every a >= 2
    from grader import load_bank, make_variant

    bank = load_bank(folder / "squares.yaml")
    a = make_variant(bank, bank.by_id["square"], "browser-secret", "s001").params["a"]
    (submissions / "s001.yaml").write_text(f"square:\n  a: {a}x^2\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(folder / "squares.yaml"),
                             str(submissions), "--roster", str(folder / "roster.csv"), "--out", str(folder / "out"),
                             "--secret", "browser-secret", "--jobs", "1"],
                            capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((folder / "out" / "results" / "s001.json").read_text())
    assert results["tests"][0]["output_format"] == "html" and "<math" in results["tests"][0]["output"]
    return folder / "out" / "feedback" / "s001.html"


def test_feedback_math_renders_as_mathml(feedback_page: Path, tmp_path: Path) -> None:
    source = feedback_page.read_text(encoding="utf-8")
    assert "squared-only-x" not in source  # notes are for statistics, not for the student
    result = chromium(tmp_path / "profile", "--dump-dom", feedback_page.as_uri())
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    dom = result.stdout.decode("utf-8")
    section = re.search(r'<section class="part">.*?</section>', dom, flags=re.S)
    assert section, "no part section in the rendered feedback"
    maths = re.findall(r"<math\b.*?</math>", section.group(0), flags=re.S)
    # the declared feedback's two formulas and the revealed answer
    assert len(maths) >= 3, f"{len(maths)} <math> elements in the part's feedback"
    assert any("<msup>" in m for m in maths), "the powers are not MathML superscripts"
    text = text_content(dom)
    assert "Square the coefficient too" in text
    assert "$" not in text and "**" not in text, text
    assert "Grace Hopper" in text and "s001" in text  # the student is named at the top
