"""Gradescope autograder: build the zip, and the code its run_autograder calls.

The zip holds setup.sh, run_autograder, this package's source, the bank
with its solvers, and ``autograder.json`` (bank, identity field, secret
file). ``run`` ALWAYS writes ``results/results.json``: for a missing
submission, an unreadable file or an internal error it writes score 0 and
a clear message. The secret sits in the zip (instructor-only) and is never
printed. Answers-file mode never executes student code.

Run by hand: ``python -m grader.integrations.autograder --root /autograder``.
"""

from __future__ import annotations

import io
import json
import os
import sys
import traceback
import zipfile
from pathlib import Path

from grader.core.errors import GraderError

ANSWER_NAMES = ("answers.yaml", "answers.yml", "answers.json")
CONFIG_NAME = "autograder.json"
SECRET_NAME = "secret.txt"
SNAPSHOT_NAME = "bank.snapshot"  # made by setup.sh in the image, never shipped in the zip

SETUP_SH = """#!/usr/bin/env bash
# Runs once when Gradescope builds the image (Ubuntu). Installs Python and this grader.
set -euo pipefail
apt-get update -y
# grader needs Python 3.11 or later; Ubuntu 22.04's default python3 is 3.10.
if apt-get install -y python3.11 python3.11-venv; then PY=python3.11; else apt-get install -y python3 python3-venv; PY=python3; fi
"$PY" -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install /autograder/source/grader_src
# run_autograder imports grader from grader_src: compile it once here, so no submission pays for it
/autograder/venv/bin/python -m compileall -q /autograder/source/grader_src
# and load the bank once here, with the interpreter and libraries every submission runs with
(cd /autograder/source && PYTHONPATH=/autograder/source/grader_src /autograder/venv/bin/python -m grader.integrations.autograder --root /autograder --prepare) \
  || echo "no bank snapshot: each submission will read the bank"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. It always leaves results/results.json.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${GRADER_PYTHON:-$ROOT/venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
export PYTHONPATH="$ROOT/source/grader_src${PYTHONPATH:+:$PYTHONPATH}"
(cd "$ROOT/source" && "$PYTHON" -m grader.integrations.autograder --root "$ROOT")
if [ ! -s "$ROOT/results/results.json" ]; then
  mkdir -p "$ROOT/results"
  printf '%s\\n' '{"score": 0.0, "output": "The autograder could not start; your submission is kept and will be regraded.", "visibility": "visible", "tests": []}' > "$ROOT/results/results.json"
fi
exit 0
"""


def build_zip(bank_path: str | Path, out: str | Path, secret: str, identity: str = "sid") -> Path:
    """Write the Gradescope autograder zip for one bank."""
    bank_path = Path(bank_path)
    from grader.bank.model import load_bank

    bank = load_bank(bank_path)  # refuse to package a broken bank
    package_root = Path(__file__).resolve().parent.parent
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "setup.sh", SETUP_SH, 0o755)
        _add(archive, "run_autograder", RUN_AUTOGRADER, 0o755)
        _add(archive, CONFIG_NAME, json.dumps({"bank": bank_path.name, "identity": identity,
                                               "secret_file": SECRET_NAME}, indent=2) + "\n")
        _add(archive, SECRET_NAME, secret + "\n", 0o600)
        _add(archive, bank_path.name, bank_path.read_text(encoding="utf-8"))
        if bank.solver_path:
            _add(archive, bank.solver_path.name, bank.solver_path.read_text(encoding="utf-8"))
        for file in sorted(package_root.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
                _add(archive, f"grader_src/grader/{file.relative_to(package_root)}", file.read_bytes())
        pyproject = package_root.parent / "pyproject.toml"
        _add(archive, "grader_src/pyproject.toml", pyproject.read_text(encoding="utf-8"))
        _add(archive, "grader_src/README.md", "grader, packaged for a Gradescope autograder.\n")
    out = Path(out)
    from grader.core.files import write_atomic

    return write_atomic(out, buffer.getvalue())


def unpack(archive: str | Path, source_dir: str | Path) -> Path:
    """Unzip an autograder zip as Gradescope does, keeping file modes (run_autograder stays executable).

    With AUTOGRADER_ROOT this lets the real run_autograder run anywhere, e.g. in tests or on a laptop.
    """
    source_dir = Path(source_dir)
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            path = Path(zipped.extract(info, source_dir))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                path.chmod(mode)
    return source_dir


def _add(archive: zipfile.ZipFile, name: str, data: str | bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def student_identity(metadata: dict, identity: str) -> str | None:
    """The submitter's id from submission_metadata.json (users[0]), by the configured field."""
    users = metadata.get("users") or []
    if not users or not isinstance(users[0], dict):
        return None
    value = users[0].get(identity)
    if value in (None, ""):
        return None
    import unicodedata

    return unicodedata.normalize("NFC", str(value).strip())


def answer_candidates(submission_dir: Path) -> list[Path]:
    """Every uploaded file that could be the answers file, named answers.* first."""
    candidates = sorted(p for p in submission_dir.rglob("*")
                        if p.is_file() and p.suffix.lower() in (".yaml", ".yml", ".json")
                        # macOS zips carry __MACOSX/._name resource forks: never the answers
                        and "__MACOSX" not in p.parts and not p.name.startswith("."))
    named = [submission_dir / name for name in ANSWER_NAMES if (submission_dir / name).is_file()]
    return named + [p for p in candidates if p not in named]


def find_answers(submission_dir: Path) -> Path | None:
    """The answers file: answers.yaml (or .yml, .json) at the top, else the only answers-like file."""
    candidates = answer_candidates(submission_dir)
    if candidates and (candidates[0].parent == submission_dir and candidates[0].name in ANSWER_NAMES
                       or len(candidates) == 1):
        return candidates[0]
    return None


def run(root: str | Path) -> dict:
    """Grade /autograder/submission and write /autograder/results/results.json (always)."""
    root = Path(root)
    results_path = root / "results" / "results.json"
    from grader.report.gradescope import error_results

    try:
        results = _grade(root)
    except GraderError as error:  # the bank or config is broken: say where, for the instructor's log
        from grader.core.messages import format_error

        print(f"error: {format_error(error)}")
        results = error_results("The autograder hit an internal error: its question bank is misconfigured. Your "
                                "submission is kept and will be regraded; please tell your instructor.")
    except Exception:  # anything unexpected: the student still gets a results.json, the log gets the details
        traceback.print_exc(file=sys.stdout)  # stdout is instructor-only (stdout_visibility hidden)
        results = error_results("The autograder hit an internal error; your submission is kept and will be "
                                "regraded. Please tell your instructor.")
    results_path.parent.mkdir(parents=True, exist_ok=True)
    from grader.core.files import write_atomic

    write_atomic(results_path, json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return results


def _grade(root: Path) -> dict:
    from grader.report.gradescope import error_results

    source = root / "source"
    config = json.loads((source / CONFIG_NAME).read_text(encoding="utf-8"))
    try:
        metadata = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        metadata = {}
    student_id = student_identity(metadata, config.get("identity", "sid"))
    if student_id is None:
        return error_results(f"Your Gradescope account has no {config.get('identity', 'sid')} on file, so your "
                             "personal variant cannot be found. Please tell your instructor.")
    submission_dir = root / "submission"
    answers, candidates = find_answers(submission_dir), answer_candidates(submission_dir)
    if answers is None and candidates:  # several files and none named answers.*: guessing could grade the wrong one
        names = ", ".join(_shown(p, submission_dir) for p in candidates[:10])
        return error_results(f"Several files were uploaded ({names}) and none is named answers.yaml, so it is not "
                             "clear which one holds your answers. Upload one file named answers.yaml.")
    if answers is None:
        return error_results("No answers file was found. Upload answers.yaml (or answers.json) with your answers.")
    from grader.bank.model import load_bank
    from grader.bank.snapshot import load_snapshot
    from grader.core.deadline import CallTimeout, time_limit
    from grader.jobs.grade_class import SUBMISSION_TIMEOUT, grade_file
    from grader.report.gradescope import results_json

    # the bank as setup.sh left it loaded, if it still fits this bank and this image; else read afresh
    bank = load_snapshot(source / SNAPSHOT_NAME, source / config["bank"]) or load_bank(source / config["bank"])
    secret = (source / config.get("secret_file", SECRET_NAME)).read_text(encoding="utf-8").strip()
    try:
        with time_limit(SUBMISSION_TIMEOUT):  # each part has its own limit; this bounds the bank's solvers too
            result = grade_file(bank, secret, student_id, answers)
    except CallTimeout:
        print(f"grading {student_id} took longer than {SUBMISSION_TIMEOUT:g} s (a solver that loops?)")
        return error_results(f"Grading took longer than {SUBMISSION_TIMEOUT:g} s and was stopped. Your submission "
                             "is kept; please tell your instructor.")
    others = [_shown(p, submission_dir) for p in candidates if p != answers]
    if others:
        result.warnings.insert(0, f"graded {_shown(answers, submission_dir)}; not graded: {', '.join(others[:10])}"
                               + (f" and {len(others) - 10} more" if len(others) > 10 else ""))
    return results_json(bank, result)


def _shown(path: Path, folder: Path) -> str:
    from grader.core.messages import shorten

    return shorten(str(path.relative_to(folder)), 60)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Grade one Gradescope submission.")
    parser.add_argument("--root", default="/autograder")
    parser.add_argument("--prepare", action="store_true",
                        help="once, when the image is built: keep the loaded bank for every submission")
    args = parser.parse_args(argv)
    if args.prepare:
        return prepare(args.root)
    run(args.root)
    return 0


def prepare(root: str | Path) -> int:
    """Write the bank's snapshot (``grader.bank.snapshot``) with this image's interpreter and libraries.

    A bank that does not load is left for the submissions to report, as without a snapshot.
    """
    from grader.bank.model import load_bank
    from grader.bank.snapshot import save_snapshot

    source = Path(root) / "source"
    config = json.loads((source / CONFIG_NAME).read_text(encoding="utf-8"))
    try:
        bank = load_bank(source / config["bank"])
    except GraderError as error:
        from grader.core.messages import format_error

        print(f"no bank snapshot: {format_error(error)}")
        return 0
    save_snapshot(bank, source / SNAPSHOT_NAME)
    return 0


def leave(code: int) -> None:
    """End the process as soon as results.json is written.

    A normal exit tears down every module and object of sympy, numpy and the bank: about 0.1 s, a
    quarter of a cold submission, for nothing (Gradescope discards the container). Here the checking
    child is stopped, output is flushed, and the process ends at once; every file was already closed
    (``write_atomic``).
    """
    from grader.check import worker
    from grader.check.limits import WORKER

    WORKER.stop()
    worker.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    leave(main())
