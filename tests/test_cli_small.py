"""Small things real use hits: the course secret, --secret-file, check's options, help and --jobs defaults."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "questions" / "cnn.yaml"
ROSTER = ROOT / "submissions" / "roster.csv"


def grader(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"} | (env or {})
    clean["COLUMNS"] = "200"
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True, timeout=180,
                          cwd=cwd, env=clean)


def test_secret_new_makes_a_private_random_secret_and_never_overwrites(tmp_path):
    path = tmp_path / "secret.txt"
    made = grader("secret", "new", str(path))
    assert made.returncode == 0 and "--secret-file" in made.stdout
    secret = path.read_text(encoding="utf-8").strip()
    assert len(secret) >= 40 and re.fullmatch(r"[A-Za-z0-9_-]+", secret)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = grader("secret", "new", str(path))
    assert again.returncode != 0 and "never overwritten" in again.stderr
    assert path.read_text(encoding="utf-8").strip() == secret
    other = tmp_path / "other.txt"
    grader("secret", "new", str(other))
    assert other.read_text(encoding="utf-8").strip() != secret


def test_secret_file_gives_the_same_variants_as_the_secret_itself(tmp_path):
    (tmp_path / "secret.txt").write_text("a-course-secret\n", encoding="utf-8")
    by_file = grader("generate", str(BANK), "--roster", str(ROSTER), "--out", str(tmp_path / "a"), "--secret-file",
                     str(tmp_path / "secret.txt"))
    by_option = grader("generate", str(BANK), "--roster", str(ROSTER), "--out", str(tmp_path / "b"), "--secret",
                       "a-course-secret")
    assert by_file.returncode == by_option.returncode == 0, by_file.stderr
    first = (tmp_path / "a" / "problem-sets" / "s001.md").read_text(encoding="utf-8")
    assert first == (tmp_path / "b" / "problem-sets" / "s001.md").read_text(encoding="utf-8")
    demo = grader("generate", str(BANK), "--roster", str(ROSTER), "--out", str(tmp_path / "c"))
    assert (tmp_path / "c" / "problem-sets" / "s001.md").read_text(encoding="utf-8") != first, demo.stderr


@pytest.mark.parametrize("command", ["generate", "grade", "check", "otter", "autograder", "impact"])
def test_every_command_with_a_secret_takes_secret_file(command):
    assert "--secret-file" in grader(command, "--help").stdout


@pytest.fixture(scope="module")
def student_bank(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    done = grader("generate", str(BANK), "--roster", str(ROSTER), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out / "student-bank.yaml"


def test_check_needs_no_student_id_on_a_student_bank(student_bank):
    done = grader("check", str(student_bank), str(ROOT / "submissions" / "s001.yaml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\d+ answered, 0 missing, 0 unreadable", done.stdout)


def test_check_warns_that_a_secret_is_not_used_on_a_student_bank(student_bank):
    done = grader("check", str(student_bank), str(ROOT / "submissions" / "s001.yaml"), "--secret", "x")
    assert "warning: --secret is ignored" in done.stderr
    quiet = grader("check", str(student_bank), str(ROOT / "submissions" / "s001.yaml"),
                   env={"GRADER_SECRET": "from-the-environment"})
    assert "ignored" not in quiet.stderr  # a secret in the environment is not the student's doing


def test_a_practice_bank_still_needs_the_student(tmp_path):
    bank = tmp_path / "p.yaml"
    bank.write_text("id: p\ntitle: P\npractice: true\nquestions:\n  - id: q\n    title: Q\n    text: One?\n"
                    "    parts:\n      - id: a\n        type: integer\n        answer: 1\n", encoding="utf-8")
    (tmp_path / "answers.yaml").write_text("q:\n  a: 1\n", encoding="utf-8")
    done = grader("check", str(bank), str(tmp_path / "answers.yaml"), "--secret", "s")
    assert done.returncode == 2 and "--student is needed" in done.stderr
    done = grader("check", str(bank), str(tmp_path / "answers.yaml"), "--secret", "s", "--student", "s1")
    assert done.returncode == 0 and "practice:" in done.stdout


def test_demo_options_have_help_and_jobs_defaults_agree():
    demo, grade = grader("demo", "--help").stdout, grader("grade", "--help").stdout
    for option in ("--out", "--jobs"):
        line = demo.split(option, 1)[1].split("\n  -", 1)[0]
        assert len(line.split()) > 3, f"demo {option} has no help: {line!r}"
    defaults = [re.search(r"--jobs[^\[]*\[default: (\d+);", text, re.S) for text in (demo, grade)]
    assert all(defaults) and defaults[0].group(1) == defaults[1].group(1)


@pytest.mark.parametrize(("body", "code", "out", "err"), [
    ("print('x' * 70, file=sys.stdout); [print(i) for i in range(50000)]", 0, "49999\n", ""),
    ("atexit.register(lambda: print('cleaned up'))", 0, "cleaned up\n", ""),
    ("raise SystemExit(2)", 2, "", ""),
    ("raise SystemExit('no such folder')", 1, "", "no such folder\n"),
    ("threading.Thread(target=lambda: (time.sleep(0.5), print('thread done'))).start()", 0, "thread done\n", ""),
])
def test_the_console_script_exits_quickly_but_keeps_output_codes_and_cleanup(body, code, out, err):
    # grader.cli.run skips the interpreter's teardown: nothing written, no exit code, no exit handler, and
    # no running thread may be lost on the way out
    script = ("import atexit, sys, threading, time\nimport grader.cli as cli\n"
              f"def main():\n    {body}\ncli.main = main\ncli.run()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == code, done.stderr
    assert done.stdout.endswith(out)
    assert done.stderr.endswith(err)
