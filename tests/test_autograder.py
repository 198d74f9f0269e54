"""The Gradescope autograder: build the zip with the CLI, lay it out as Gradescope does, run the real script.

Every case runs ``bash /autograder/source/run_autograder`` in a subprocess
with its own /autograder-like root, and every results.json is checked
against the Gradescope schema. The cases run two at a time to keep the
suite fast.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import signal
import stat
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from grader.bank.model import load_bank
from grader.bank.variant import make_variant
from grader.check.registry import REGISTRY
from grader.integrations.autograder import unpack

ROOT = Path(__file__).resolve().parent.parent
BANK_PATH = ROOT / "questions" / "cnn.yaml"
SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "gradescope_results.schema.json").read_text())
METADATA = json.loads((ROOT / "tests" / "fixtures" / "submission_metadata.json").read_text())
_SCRIPT = Path(sys.executable).with_name("grader")
GRADER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "grader.cli"]
SECRET = "ag-test-secret-" + secrets.token_hex(8)
FREE_TEXT = "Pooling grows the receptive field with no parameters, while larger kernels cost many more weights."
RAW_BANK = yaml.safe_load(BANK_PATH.read_text(encoding="utf-8"))
RUN_TIMEOUT = 30  # seconds; one run takes about two


def _auto_points() -> float:
    total = 0.0
    for question in RAW_BANK["questions"]:
        weights = [part.get("weight", 1) for part in question["parts"]]
        points = question.get("points", RAW_BANK.get("points", 1))
        total += sum(points * w / sum(weights) for part, w in zip(question["parts"], weights)
                     if part["type"] not in ("free", "code"))
    return total


AUTO_POINTS = _auto_points()


def answers_for(student: str, style: str, secret: str = SECRET) -> dict:
    """The approach of scripts/make_samples.py, for any secret: right answers or the declared mistakes."""
    bank = load_bank(BANK_PATH)
    answers: dict = {}
    for question in bank.questions:
        variant = make_variant(bank, question, secret, student)
        parts = {}
        for part in question.parts:
            spec = variant.parts[part.id]
            checker = REGISTRY.get(part.type)
            if part.type == "code":
                continue
            if part.type == "free":
                parts[part.id] = FREE_TEXT
            elif style == "mistakes" and spec["mistakes"]:
                parts[part.id] = checker.format(spec["mistakes"][0]["answer"], spec)
            else:
                parts[part.id] = checker.format(spec["answer"], spec)
        answers[question.id] = parts
    return answers


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    return subprocess.run(GRADER + args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def _extract(archive: Path, target: Path) -> None:
    unpack(archive, target)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("ag")
    secret_file = work / "secret.txt"
    secret_file.write_text(SECRET + "\n")
    zips = {}
    for name, extra in (("sid", []), ("email", ["--identity", "email"])):
        result = _cli(["autograder", str(BANK_PATH), "--out", str(work / f"ag-{name}.zip"), "--secret-file",
                       str(secret_file), *extra], work)
        assert result.returncode == 0, result.stdout + result.stderr
        assert SECRET not in result.stdout + result.stderr
        zips[name] = work / f"ag-{name}.zip"
    return {"work": work, **zips}


def layout(root: Path, archive: Path, files: dict[str, bytes | str] | None, metadata: dict | None) -> Path:
    """/autograder as Gradescope lays it out: source/ (the unzipped autograder), submission/, metadata, results/."""
    _extract(archive, root / "source")
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    for name, content in (files or {}).items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata, indent=2))
    return root


def run_autograder(root: Path, python: str = sys.executable) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    env.update(AUTOGRADER_ROOT=str(root), GRADER_PYTHON=python)
    process = subprocess.Popen(["bash", str(root / "source" / "run_autograder")], cwd=root, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        stdout, _ = process.communicate(timeout=RUN_TIMEOUT)
        returncode = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # bash and the python it started
        stdout, _ = process.communicate()
        returncode, stdout = None, f"timed out after {RUN_TIMEOUT} s\n{stdout}"
    results_path = root / "results" / "results.json"
    text = results_path.read_text(encoding="utf-8") if results_path.exists() else None
    return {"returncode": returncode, "stdout": stdout, "text": text,
            "results": json.loads(text) if text else None, "root": root}


def metadata_for(**user) -> dict:
    data = copy.deepcopy(METADATA)
    data["users"][0].update(user)
    return data


def yaml_text(answers: dict) -> str:
    lines = ["# my answers"]
    for question, parts in answers.items():
        lines.append(f"{question}:")
        lines += [f"  {part}: {json.dumps(value, ensure_ascii=False)}" for part, value in parts.items()]
    return "\n".join(lines) + "\n"


SID = METADATA["users"][0]["sid"]
EMAIL = METADATA["users"][0]["email"]


@pytest.fixture(scope="module")
def cases(built) -> dict:
    work = built["work"]
    no_identity = copy.deepcopy(METADATA)
    del no_identity["users"][0]["sid"]
    plans = {
        "correct": (built["sid"], {"answers.yaml": yaml_text(answers_for(SID, "right"))}, METADATA),
        "correct-json-other-name": (built["sid"], {"hw/mine.json": json.dumps(answers_for(SID, "right"))},
                                    METADATA),
        "mistakes": (built["sid"], {"answers.yaml": yaml_text(answers_for(SID, "mistakes"))}, METADATA),
        "other-students-answers": (built["sid"], {"answers.yaml": yaml_text(answers_for("someone-else", "right"))},
                                   METADATA),
        "no-file": (built["sid"], {"README.txt": "I forgot"}, METADATA),
        "unreadable": (built["sid"], {"answers.yaml": (ROOT / "submissions" / "s005.yaml").read_text()}, METADATA),
        "hostile": (built["sid"], {"answers.yaml": (ROOT / "submissions" / "s006.yaml").read_text()}, METADATA),
        "no-identity": (built["sid"], {"answers.yaml": yaml_text(answers_for(SID, "right"))}, no_identity),
        "no-metadata": (built["sid"], {"answers.yaml": yaml_text(answers_for(SID, "right"))}, None),
        "broken-bank": (built["sid"], {"answers.yaml": yaml_text(answers_for(SID, "right"))}, METADATA),
        "email": (built["email"], {"answers.yaml": yaml_text(answers_for(EMAIL, "right"))}, METADATA),
        "email-with-sid-answers": (built["email"], {"answers.yaml": yaml_text(answers_for(SID, "right"))}, METADATA),
        "python-cannot-start": (built["sid"], {"answers.yaml": "same-padding: 3\n"}, METADATA),
        "several-files": (built["sid"], {"draft.yaml": yaml_text(answers_for(SID, "mistakes")),
                                         "final.yaml": yaml_text(answers_for(SID, "right"))}, METADATA),
        "answers-and-another": (built["sid"], {"answers.yaml": yaml_text(answers_for(SID, "right")),
                                               "old/draft.json": json.dumps(answers_for(SID, "mistakes"))}, METADATA),
    }
    roots = {name: layout(work / name, archive, files, metadata) for name, (archive, files, metadata) in plans.items()}
    (roots["broken-bank"] / "source" / "cnn.yaml").write_text("questions: [unclosed\n\t- garbage: {{\n")
    pythons = {name: sys.executable for name in roots}
    pythons["python-cannot-start"] = "/bin/false"
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(run_autograder, root, pythons[name]) for name, root in roots.items()}
        return {name: future.result() for name, future in futures.items()}


# --- the zip ------------------------------------------------------------------------------------------------

def test_zip_contents(built, tmp_path):
    with zipfile.ZipFile(built["sid"]) as zipped:
        names = set(zipped.namelist())
        modes = {info.filename: (info.external_attr >> 16) & 0o777 for info in zipped.infolist()}
        config = json.loads(zipped.read("autograder.json"))
    assert {"setup.sh", "run_autograder", "autograder.json", "cnn.yaml", "cnn_solvers.py"} <= names
    assert any(n.startswith("grader_src/grader/") and n.endswith("autograder.py") for n in names)
    assert "grader_src/pyproject.toml" in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert config["bank"] == "cnn.yaml" and config["identity"] == "sid"
    _extract(built["sid"], tmp_path / "source")
    for name in ("setup.sh", "run_autograder"):
        assert os.access(tmp_path / "source" / name, os.X_OK)
        assert (tmp_path / "source" / name).read_text().startswith("#!")
    assert (tmp_path / "source" / "cnn.yaml").read_bytes() == BANK_PATH.read_bytes()
    assert (tmp_path / "source" / "grader_src" / "grader").is_dir()


def test_identity_option_is_recorded(built):
    with zipfile.ZipFile(built["email"]) as zipped:
        assert json.loads(zipped.read("autograder.json"))["identity"] == "email"


def test_unzip_tool_keeps_the_scripts_executable(built, tmp_path):
    unzip = subprocess.run(["which", "unzip"], capture_output=True, text=True).stdout.strip()
    if not unzip:
        pytest.skip("no unzip on this machine")
    subprocess.run([unzip, "-q", str(built["sid"]), "-d", str(tmp_path)], check=True)
    assert os.stat(tmp_path / "run_autograder").st_mode & stat.S_IXUSR
    assert os.stat(tmp_path / "setup.sh").st_mode & stat.S_IXUSR


# --- every run ----------------------------------------------------------------------------------------------

def test_every_run_writes_schema_valid_results(cases):
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(SCHEMA)
    for name, case in cases.items():
        assert case["returncode"] == 0, (name, case["stdout"])
        assert case["results"] is not None, (name, case["stdout"])
        errors = [e.message for e in validator.iter_errors(case["results"])]
        assert not errors, (name, errors)


def test_secret_never_in_results(cases):
    for name, case in cases.items():
        assert case["text"] is not None, name
        assert SECRET not in case["text"], name
        assert SECRET[len("ag-test-secret-"):] not in case["text"], name


def test_tests_have_every_field(cases):
    required = {"name", "number", "score", "max_score", "output", "output_format", "visibility"}
    for name, case in cases.items():
        for test in (case["results"] or {}).get("tests", []):
            assert required <= set(test), (name, test)
            assert test["output_format"] == "html" and test["visibility"] in ("visible", "hidden", "after_due_date",
                                                                             "after_published")
            assert isinstance(test["name"], str) and test["name"] and isinstance(test["number"], str)
            assert 0 <= test["score"] <= test["max_score"] + 1e-9, (name, test)


# --- the cases ----------------------------------------------------------------------------------------------

def assert_full_marks(results: dict) -> None:
    graded = [t for t in results["tests"] if t["max_score"] > 0]
    assert graded and all(t.get("status") == "passed" for t in graded), [t["name"] for t in graded
                                                                           if t.get("status") != "passed"]
    assert results["score"] == pytest.approx(AUTO_POINTS, abs=1e-5)
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(AUTO_POINTS)


def test_correct_submission_gets_full_score(cases):
    assert_full_marks(cases["correct"]["results"])


def test_correct_json_under_another_name_gets_full_score(cases):
    assert_full_marks(cases["correct-json-other-name"]["results"])


def test_email_identity_uses_users_email(cases):
    assert_full_marks(cases["email"]["results"])
    # the same answers computed for the sid are wrong for the email's variant
    assert cases["email-with-sid-answers"]["results"]["score"] < AUTO_POINTS - 1


def test_variant_follows_the_submitter(cases):
    assert cases["other-students-answers"]["results"]["score"] < AUTO_POINTS - 1


def test_mistakes_are_marked_down_with_feedback(cases):
    results = cases["mistakes"]["results"]
    bank = load_bank(BANK_PATH)
    tests = {t["number"]: t for t in results["tests"]}
    wrong = 0
    for index, question in enumerate(bank.questions, start=1):
        variant = make_variant(bank, question, SECRET, SID)
        for part in question.parts:
            if part.type in ("free", "code"):
                continue
            test = tests[f"{index}.{part.id}"]
            if variant.parts[part.id]["mistakes"]:
                wrong += 1
                assert test["status"] == "failed", test["name"]
                assert test["score"] < test["max_score"]
                assert variant.parts[part.id]["mistakes"][0]["feedback"] in test["output"]
            else:
                assert test["status"] == "passed", test["name"]
    assert wrong >= 8
    assert results["score"] < AUTO_POINTS
    conv = next(t for t in results["tests"] if t["name"].startswith("Output size of a convolution"))
    assert conv["status"] == "failed" and "+1" in conv["output"]


def test_several_answer_files_get_a_clear_message_not_a_silent_choice(cases):
    results = cases["several-files"]["results"]
    assert results["score"] == 0 and results["tests"] == []
    assert "Several files were uploaded (draft.yaml, final.yaml)" in results["output"]
    assert "answers.yaml" in results["output"]
    both = cases["answers-and-another"]["results"]
    assert both["score"] == cases["correct"]["results"]["score"] > 0
    assert "graded answers.yaml; not graded: old/draft.json" in both["output"]


def test_no_answers_file_scores_zero_with_a_message(cases):
    results = cases["no-file"]["results"]
    assert results["score"] == 0 and results["tests"] == []
    assert "answers.yaml" in results["output"]


def test_unreadable_file_scores_zero_with_the_place(cases):
    results = cases["unreadable"]["results"]
    assert results["score"] == 0
    # the place, and the likely cause explained for a student (not PyYAML's words)
    assert "answers.yaml:" in results["output"] and "is never closed" in results["output"]


def test_hostile_file_scores_zero_and_runs_nothing(cases):
    case = cases["hostile"]
    assert case["results"]["score"] == 0
    assert not list(case["root"].rglob("HACKED"))
    outputs = " ".join(t["output"] for t in case["results"]["tests"])
    assert "graded as" in case["results"]["output"]  # the identity claim in the file is reported, not believed
    assert "__import__" in outputs


def test_metadata_without_identity_scores_zero_with_a_message(cases):
    for name in ("no-identity", "no-metadata"):
        results = cases[name]["results"]
        assert results["score"] == 0 and results["tests"] == []
        assert "sid" in results["output"] and "instructor" in results["output"], name


def test_broken_bank_still_writes_results(cases):
    case = cases["broken-bank"]
    assert case["results"]["score"] == 0 and case["results"]["tests"] == []
    assert "internal error" in case["results"]["output"] and "regraded" in case["results"]["output"]
    assert "cnn.yaml:2" in case["stdout"]  # the instructor-only log says where the bank is broken
    assert SECRET not in case["stdout"]


def test_python_that_cannot_start_still_leaves_results(cases):
    results = cases["python-cannot-start"]["results"]
    assert results["score"] == 0 and "could not start" in results["output"]


def test_setup_compiles_the_grader_once_so_no_submission_pays_for_it(built, tmp_path):
    _extract(built["sid"], tmp_path / "source")
    setup = (tmp_path / "source" / "setup.sh").read_text()
    line = next(line for line in setup.splitlines() if "compileall" in line)
    # the image's own step, with this machine's python and this folder for /autograder
    command = line.replace("/autograder/venv/bin/python", sys.executable).replace("/autograder", str(tmp_path))
    subprocess.run(["bash", "-c", command], check=True)
    sources = sorted((tmp_path / "source" / "grader_src" / "grader").rglob("*.py"))
    assert len(sources) > 50
    tag = sys.implementation.cache_tag
    missing = [s for s in sources if not (s.parent / "__pycache__" / f"{s.stem}.{tag}.pyc").exists()]
    assert missing == []


def test_a_submission_ends_at_once_and_leaves_no_process_behind(built, tmp_path):
    """The autograder ends with os._exit once results.json is written: no checking child may outlive it."""
    root = layout(tmp_path / "root", built["sid"], {"answers.yaml": yaml_text(answers_for(SID, "mistakes"))},
                  METADATA)
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    env.update(AUTOGRADER_ROOT=str(root), GRADER_PYTHON=sys.executable)
    process = subprocess.Popen(["bash", str(root / "source" / "run_autograder")], cwd=root, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    stdout, _ = process.communicate(timeout=RUN_TIMEOUT)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert process.returncode == 0 and results["score"] > 0, stdout
    assert any(test["output"] for test in results["tests"])
    with pytest.raises(ProcessLookupError):  # the whole session is gone: bash, python and its checking child
        os.killpg(process.pid, 0)
