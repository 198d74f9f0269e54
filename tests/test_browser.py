"""A generated problem set and answer key, opened in real headless Chromium, offline.

Chromium draws MathML natively, so the pages must show their math with no
script and no network: the DOM after loading must hold <math> elements in the
body, its text must hold no $...$ TeX, and nothing may be fetched.
"""

from __future__ import annotations

import html as html_lib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CNN = ROOT / "questions" / "cnn.yaml"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
TIMEOUT = 60
STUDENT = "s002"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs Debian's chromium)"),
]


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """One student's problem set and key, written by ``grader generate`` as a user runs it."""
    folder = tmp_path_factory.mktemp("browser")
    roster = folder / "roster.csv"
    roster.write_text(f"Name,SID,Email\nAlan Turing,{STUDENT},alan@example.edu\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    result = subprocess.run([sys.executable, "-m", "grader.cli", "generate", str(CNN), "--roster", str(roster),
                             "--out", str(folder / "out"), "--key"],
                            capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return {"problem-set": folder / "out" / "problem-sets" / f"{STUDENT}.html",
            "key": folder / "out" / "keys" / f"{STUDENT}.html"}


@pytest.fixture(scope="module")
def doms(pages, tmp_path_factory):
    rendered = {}
    for name, page in pages.items():
        profile = tmp_path_factory.mktemp(f"profile-{name}")
        result = chromium(profile, "--dump-dom", page.as_uri())
        assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
        rendered[name] = result.stdout.decode("utf-8")
    return rendered


def text_content(dom: str) -> str:
    """What a reader sees: the body's text, without style, code blocks and the MathML itself."""
    body = re.search(r"<body\b.*?</body>", dom, flags=re.S | re.I)
    assert body, "the DOM has no body"
    text = body.group(0)
    for element in ("style", "pre", "code", "math"):
        text = re.sub(rf"<{element}\b.*?</{element}>", " ", text, flags=re.S | re.I)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", text))


@pytest.fixture(scope="module")
def blank_screenshot_size(tmp_path_factory):
    """The size of a screenshot of an almost empty page, as a baseline."""
    folder = tmp_path_factory.mktemp("blank")
    page = folder / "blank.html"
    page.write_text("<!DOCTYPE html><html><body><p>s002</p></body></html>", encoding="utf-8")
    png = folder / "blank.png"
    chromium(folder / "profile", f"--screenshot={png}", "--window-size=1000,3000", page.as_uri())
    return png.stat().st_size if png.exists() else 0


@pytest.mark.parametrize("name", ["problem-set", "key"])
def test_screenshot_is_not_blank(pages, tmp_path, blank_screenshot_size, name):
    png = tmp_path / f"{name}.png"
    result = chromium(tmp_path / "profile", f"--screenshot={png}", "--window-size=1000,3000", pages[name].as_uri())
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    assert png.is_file(), "chromium wrote no screenshot"
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    # A blank 1000x3000 page compresses to a few KB; text and math make it much larger.
    assert len(data) > 20_000, f"screenshot is only {len(data)} bytes: the page looks empty"
    assert len(data) > 5 * blank_screenshot_size, (
        f"screenshot is {len(data)} bytes, an almost empty page gives {blank_screenshot_size}")


@pytest.mark.parametrize("name", ["problem-set", "key"])
def test_rendered_dom_has_mathml_in_the_body(doms, name):
    dom = doms[name]
    body = re.search(r"<body\b.*?</body>", dom, flags=re.S | re.I).group(0)
    maths = re.findall(r"<math\b[^>]*>", body)
    assert len(maths) >= 5, f"{name}: {len(maths)} <math> elements in the rendered body"
    assert any('display="block"' in m for m in maths), f"{name}: no display math (the matrices)"
    assert re.search(r"<math\b[^>]*>.*?<(mi|mn|mo)\b", body, flags=re.S), "MathML elements have no content"


@pytest.mark.parametrize("name", ["problem-set", "key"])
def test_rendered_text_has_no_raw_tex(doms, name):
    text = text_content(doms[name])
    assert STUDENT in text, "the page text should name the student"
    assert not re.search(r"\$[^$\n]+\$", text), f"{name}: $...$ TeX in the text: {re.search(r'.{0,60}[$].{0,60}', text)}"
    assert "$" not in text
    assert not re.search(r"\\(times|frac|begin|end|mathbf|vec|cdot|qquad)\b", text), f"{name}: TeX commands in text"


@pytest.mark.parametrize("name", ["problem-set", "key"])
def test_page_is_offline_and_scriptless(pages, doms, name):
    for source in (pages[name].read_text(encoding="utf-8"), doms[name]):
        assert not re.search(r"<script\b", source, flags=re.I), f"{name}: has a <script>"
        assert not re.search(r"<(link|img|iframe|object|embed|audio|video|source)\b", source, flags=re.I), (
            f"{name}: loads an external resource")
        resources = re.findall(r"(?:src|href|action|poster|data)\s*=\s*[\"']?\s*(?:https?:)?//", source, flags=re.I)
        assert not resources, f"{name}: references {resources}"
        assert not re.search(r"(@import|url\()\s*[\"']?\s*(?:https?:)?//", source, flags=re.I), f"{name}: CSS fetches"
