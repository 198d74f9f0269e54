"""A student in real headless Chromium (Selenium + Debian's chromedriver) against a real ``grader serve``.

The student signs in with the link ``grader links`` wrote, sees the math as MathML, and for an integer,
an expression, a matrix and a choice part sees the caret message for a malformed answer, the named
mistake for a wrong one and full marks for the right one. A screenshot goes to build/browser/.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from web_support import ROOT, free_port, wait_for_server

from grader import load_bank, make_variant
from grader.check.registry import REGISTRY
from grader.course.config import DEMO_SECRET

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists()
                                                else None)
CNN = ROOT / "questions" / "cnn.yaml"
ROSTER = ROOT / "submissions" / "roster.csv"
SCREENSHOTS = ROOT / "build" / "browser"
STUDENT = "s001"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.web,
    pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                       reason="chromium and chromium-driver are not installed (.ci/run installs them)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    database = f"sqlite:///{folder / 'web.sqlite3'}"
    base = f"http://127.0.0.1:{port}"
    links = subprocess.run([sys.executable, "-m", "grader.cli", "links", str(CNN), "--roster", str(ROSTER),
                            "--base-url", base, "--db", database, "--out", str(folder / "links.csv")],
                           capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert links.returncode == 0, links.stderr
    process = subprocess.Popen([sys.executable, "-m", "grader.cli", "serve", str(CNN), "--roster", str(ROSTER),
                                "--db", database, "--port", str(port), "--jobs", "1"],
                               env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if not wait_for_server(base, process, 60):
        process.kill()
        pytest.fail(f"grader serve did not start: {process.stdout.read().decode()[-2000:]}")
    rows = {row["student_id"]: row for row in csv.DictReader((folder / "links.csv").open(encoding="utf-8"))}
    yield {"base": base, "link": rows[STUDENT]["link"]}
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(server):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1100,1600", "--disable-background-networking", "--disable-component-update"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.get(server["link"])
    yield driver
    driver.quit()


def spec(question: str, part: str) -> dict:
    bank = load_bank(CNN)
    return make_variant(bank, bank.by_id[question], DEMO_SECRET, STUDENT).parts[part]


def typed_text(question: str, part: str, value) -> str:
    part_spec = spec(question, part)
    return REGISTRY.get(part_spec["type"]).format(value, part_spec)


def fill(driver, part: str, text: str) -> None:
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.NAME, f"answer.{part}")
    field.clear()
    field.send_keys(text)


def press(driver, action: str) -> None:
    """Press Check or Submit and wait for the page the server answers with, fully loaded.

    Chromium may still be swapping in the previous answer's page when the button is looked up; its
    node then "does not belong to the document" and the click never happened, so it is looked up again.
    The same message while waiting for the new page means the old one is gone.
    """

    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    for attempt in range(5):
        try:
            page = driver.find_element(By.TAG_NAME, "html")
            driver.find_element(By.CSS_SELECTOR, f"button[value={action}]").click()
            break
        except (StaleElementReferenceException, WebDriverException) as error:
            swapped = isinstance(error, StaleElementReferenceException) or "does not belong to the document" in str(error)
            if attempt == 4 or not swapped:
                raise
            time.sleep(0.2)

    def replaced(_driver) -> bool:  # the old page is gone: stale, or (Chromium mid-swap) not in the document
        try:
            page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
        return False

    WebDriverWait(driver, 30).until(replaced)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def part_text(driver, part: str) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, f"part-{part}").text


def test_signing_in_with_the_link_opens_the_bank_page(browser):
    from selenium.webdriver.common.by import By

    assert "Signed in as Ada Lovelace (s001)" in browser.find_element(By.TAG_NAME, "main").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.questions tbody tr")) == 17


def test_the_question_shows_its_math_as_mathml(browser, server):
    browser.get(f"{server['base']}/q/conv-as-matrix")
    maths = browser.execute_script("return document.querySelectorAll('section.question-text math').length")
    assert maths >= 3
    # The matrix is laid out by the browser as a MathML table: it has a real height, not one line of TeX.
    height = browser.execute_script("return document.querySelector('math[display=block] mtable')"
                                    ".getBoundingClientRect().height")
    assert height > 40
    assert "\\begin" not in browser.find_element("css selector", "section.question-text").text


CASES = [
    # question, part, malformed answer, the mistake's message, right answer
    ("conv-output-size", "a", "((32-3)/3", "missing the +1", None),
    ("output-vs-kernel", "a", "H - (K", None, None),
    ("conv-as-matrix", "b", "[[1, 2], [3", "flipped the kernel", None),
]


@pytest.mark.parametrize("question, part, malformed, mistake, _", CASES, ids=[c[0] for c in CASES])
def test_malformed_then_wrong_then_right(browser, server, question, part, malformed, mistake, _):
    part_spec = spec(question, part)
    browser.get(f"{server['base']}/q/{question}")
    fill(browser, part, malformed)
    press(browser, "check")
    assert "^" in part_text(browser, part), "no caret under the problem"
    assert "Kept: 0" in part_text(browser, part)
    first = part_spec["mistakes"][0]
    fill(browser, part, typed_text(question, part, first["answer"]))
    press(browser, "submit")
    assert first["feedback"] in part_text(browser, part)
    assert mistake is None or mistake in part_text(browser, part)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / f"wrong-answer-{question}.png"))
    fill(browser, part, typed_text(question, part, part_spec["answer"]))
    press(browser, "submit")
    points = f"{float(part_text(browser, part).split('of ')[-1].split(' points')[0]):g}"
    assert "Correct" in part_text(browser, part)
    assert f"scored {points} of {points} points" in part_text(browser, part)


def test_the_live_preview_says_how_the_expression_was_read(browser, server):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{server['base']}/q/conv1d-toeplitz")  # not answered yet (the expression part is, above)
    fill(browser, "a", "[[k1, 2k2^2], [0, k3]]")
    WebDriverWait(browser, 10).until(lambda d: "We read this as" in part_text(d, "a"))
    assert "We read this as [[k1, 2*k2^2], [0, k3]]" in part_text(browser, "a")
    fill(browser, "a", "[[k1, k2], [0")
    WebDriverWait(browser, 10).until(lambda d: "^" in part_text(d, "a"))


def test_a_choice_part_with_radio_buttons(browser, server):
    from selenium.webdriver.common.by import By

    part_spec = spec("pooling", "a")
    right = sorted(part_spec["answer"])[0]
    wrong = next(label for label, option in zip("ABCD", part_spec["options"]) if option.get("feedback")
                 and label != right)
    browser.get(f"{server['base']}/q/pooling")
    browser.find_element(By.CSS_SELECTOR, f"input[name='answer.a'][value={wrong}]").click()
    press(browser, "submit")
    wrong_option = part_spec["options"]["ABCD".index(wrong)]
    assert str(wrong_option["feedback"]) in part_text(browser, "a")
    browser.find_element(By.CSS_SELECTOR, f"input[name='answer.a'][value={right}]").click()
    press(browser, "submit")
    assert "Correct" in part_text(browser, "a")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.get(f"{server['base']}/q/conv-as-matrix")
    browser.save_screenshot(str(SCREENSHOTS / "question-conv-as-matrix.png"))
    browser.get(f"{server['base']}/q/conv-output-size")
    browser.save_screenshot(str(SCREENSHOTS / "question-conv-output-size.png"))
    assert (SCREENSHOTS / "question-conv-as-matrix.png").stat().st_size > 20_000
