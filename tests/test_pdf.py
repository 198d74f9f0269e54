"""``grader generate --pdf`` and ``--exam``: real PDFs from headless Chromium, read back with poppler.

Expected text comes from the library's variants (``make_variant``) for the same secret and students,
never from the generated files.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.bank.model import load_bank
from grader.bank.variant import make_variant
from grader.cli import main

ROOT = Path(__file__).resolve().parent.parent
CNN = ROOT / "questions" / "cnn.yaml"
TINY = ROOT / "tests" / "fixtures" / "banks" / "tiny.yaml"
SECRET = "test-secret-for-pdf"
STUDENTS = [("s101", "Ada Lovelace"), ("s102", "Alan Turing"), ("s103", "Grace Hopper")]
HAVE_BROWSER = bool((shutil.which("chromium") or shutil.which("google-chrome"))
                    and (shutil.which("chromedriver") or Path("/usr/bin/chromedriver").exists()))

pytestmark = [pytest.mark.pdf,
              pytest.mark.skipif(not HAVE_BROWSER, reason="needs chromium and chromedriver (.ci/run installs them)"),
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")]


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    run = subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True, check=True)
    return run.stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def squash(text: str) -> str:
    """Whitespace collapsed and hyphens dropped: pdftotext joins a word broken at a line's end hyphen."""
    return re.sub(r"\s+", " ", re.sub(r"-\s*\n\s*", "", text)).replace("-", "")


@pytest.fixture(scope="module")
def roster(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    path.write_text("Name,SID\n" + "".join(f"{name},{sid}\n" for sid, name in STUDENTS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def printed(roster, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "build"
    run = CliRunner().invoke(main, ["generate", str(CNN), "--roster", str(roster), "--out", str(out), "--key",
                                    "--pdf", "--secret", SECRET])
    assert run.exit_code == 0, run.output
    return out


def own_phrases(student: str) -> list[str]:
    """Sentences of the student's own variant that quote their parameter values."""
    bank = load_bank(CNN)
    fc = make_variant(bank, bank.by_id["fc-weights"], SECRET, student).params
    gradient = make_variant(bank, bank.by_id["vanishing-gradient"], SECRET, student).params
    linear = make_variant(bank, bank.by_id["linear-weights"], SECRET, student).params
    return [squash(phrase) for phrase in [f"fully connected layer with {fc['N']} neurons",
            f"A plain CNN with {gradient['deep']} ReLU layers trains worse than one with {gradient['shallow']}",
            f"maps a {linear['n']}-dimensional vector to a {linear['n']}-dimensional vector"]]


def test_each_students_pdf_holds_their_values_and_no_one_elses(printed) -> None:
    texts = {sid: squash(pdf_text(printed / "problem-sets" / f"{sid}.pdf")) for sid, _ in STUDENTS}
    for sid, _ in STUDENTS:
        mine = own_phrases(sid)
        for phrase in mine:
            assert phrase in texts[sid], (sid, phrase)
        assert sid in texts[sid]
        for other, _ in STUDENTS:
            if other == sid:
                continue
            assert other not in texts[sid]
            for phrase in own_phrases(other):
                if phrase not in mine:
                    assert phrase not in texts[sid], (sid, other, phrase)


def test_the_key_holds_the_answers_and_the_problem_set_does_not(printed) -> None:
    bank = load_bank(CNN)
    for sid, _ in STUDENTS:
        problem_set = squash(pdf_text(printed / "problem-sets" / f"{sid}.pdf"))
        key = squash(pdf_text(printed / "keys" / f"{sid}.pdf"))
        answers = [make_variant(bank, bank.by_id[q], SECRET, sid).reference_text("a")
                   for q in ("fc-weights", "conv-weights", "linear-weights")]
        for answer in answers:
            assert answer in key
            assert answer not in problem_set, (sid, answer)
        assert "Worked solution" in key and "Worked solution" not in problem_set


def test_every_pdf_renders_to_images_without_errors(printed, tmp_path) -> None:
    pdfs = sorted(printed.rglob("*.pdf"))
    assert len(pdfs) == 2 * len(STUDENTS) + 2  # problem sets, keys, and the two class PDFs
    for pdf in pdfs:
        run = subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / f"{pdf.parent.name}-{pdf.stem}")],
                             capture_output=True, text=True)
        assert run.returncode == 0 and not run.stderr.strip(), (pdf, run.stderr)
    assert len(list(tmp_path.glob("*.png"))) == sum(pdf_pages(pdf) for pdf in pdfs)


def test_the_class_pdf_is_in_roster_order_and_each_student_starts_a_new_sheet(printed) -> None:
    combined = printed / "class-problem-sets.pdf"
    page = 1
    for sid, _ in STUDENTS:
        own = pdf_pages(printed / "problem-sets" / f"{sid}.pdf")
        assert page % 2 == 1  # a front side: duplex printing never puts two students on one sheet
        assert sid in pdf_text(combined, page)
        assert f"page 1 of {own}" in pdf_text(combined, page)
        page += own + own % 2
    assert pdf_pages(combined) == page - 1


def test_math_is_typeset_not_left_as_latex(printed) -> None:
    text = pdf_text(printed / "problem-sets" / f"{STUDENTS[0][0]}.pdf")
    assert "\\times" not in text and "\\frac" not in text and "$" not in text
    assert "×" in text  # the MathML times sign


def test_exam_mode_has_fields_a_code_on_every_page_and_no_answers(roster, tmp_path) -> None:
    out = tmp_path / "exam"
    run = CliRunner().invoke(main, ["generate", str(CNN), "--roster", str(roster), "--out", str(out), "--exam",
                                    "--pdf", "--secret", SECRET])
    assert run.exit_code == 0, run.output
    with (out / "exam_codes.csv").open(encoding="utf-8") as handle:
        codes = {row["student_id"]: row["exam_code"] for row in csv.DictReader(handle)}
    assert set(codes) == {sid for sid, _ in STUDENTS} and len(set(codes.values())) == len(codes)
    bank = load_bank(CNN)
    for sid, _ in STUDENTS:
        pdf = out / "exams" / f"{sid}.pdf"
        pages = pdf_pages(pdf)
        assert pages > 1
        for number in range(1, pages + 1):
            assert codes[sid] in pdf_text(pdf, number), (sid, number)
        text = squash(pdf_text(pdf))
        assert "Name" in text and "Student ID" in text
        for phrase in own_phrases(sid):
            assert phrase in text
        answer = make_variant(bank, bank.by_id["fc-weights"], SECRET, sid).reference_text("a")
        assert answer not in text and "Worked solution" not in text and "How to hand in" not in text
    assert pdf_pages(out / "class-exams.pdf") >= sum(pdf_pages(out / "exams" / f"{s}.pdf") for s, _ in STUDENTS)


def test_student_facing_fixes(printed, roster, tmp_path) -> None:
    page = (printed / "problem-sets" / "s101.html").read_text(encoding="utf-8")
    # the hand-in command is a code block, which never wraps mid-option
    assert re.search(r"<pre><code[^>]*>grader check student-bank.yaml answers.yaml --student s101\n</code></pre>", page)
    # primes are written after their base at full size, not as a shrunken superscript
    assert "&#x02032;" in page and not re.search(r"<msup><mi>H</mi>(<mrow>)?<mi>&#x02032;", page)
    assert "How to type math" in page and "sqrt(x)" in page
    out = tmp_path / "tiny"
    assert CliRunner().invoke(main, ["generate", str(TINY), "--roster", str(roster), "--out", str(out),
                                     "--secret", SECRET]).exit_code == 0
    assert "How to type math" not in (out / "problem-sets" / "s101.md").read_text(encoding="utf-8")


def test_without_a_browser_pdf_is_a_clear_error_not_a_traceback(roster, tmp_path, monkeypatch) -> None:
    import grader.documents.pdf as pdf

    monkeypatch.setattr(pdf, "_chromium", lambda: None)
    run = CliRunner().invoke(main, ["generate", str(TINY), "--roster", str(roster), "--out", str(tmp_path),
                                    "--pdf", "--secret", SECRET])
    assert run.exit_code == 2 and "apt-get install chromium chromium-driver" in run.output
    assert "Traceback" not in run.output
