"""End-to-end grading benchmark: a simulated course through the real `grader` commands.

    python benchmarks/bench_grade.py                 # 1,000 students (the target size)
    python benchmarks/bench_grade.py --students 100  # a quicker run
    python benchmarks/bench_grade.py --keep /tmp/bench   # keep the generated class and outputs

What it does, all in a temporary folder:

1. writes a roster and one answers file per student, each for the student's own
   variant of the full bank (questions/cnn.yaml), with a realistic mix per part:
   ~60% right, ~25% a declared mistake (or another wrong answer where the bank
   declares none), ~10% malformed (the format errors of scripts/make_samples.py),
   ~5% blank; free-response parts get a sentence;
2. times `grader grade` on the whole class with --jobs 1 and --jobs 2 (wall time,
   and peak memory: the largest process from /usr/bin/time -v, or getrusage, and
   the whole process tree sampled from /proc);
3. builds the Gradescope zip with `grader autograder` and times one cold
   submission through the real run_autograder script (mean of 5 fresh runs);
4. if otter-grader is installed and `grader otter` exists, exports the bank, runs
   `otter assign`, and times `otter run` on one equivalent notebook submission;
5. the per-part limit: checks every auto-graded answer of the first students twice in
   this process, with check_answer (no limit, the baseline) and with check_part (the
   limit; symbolic parts go through the killable worker), and reports the cost per
   part of each; then grades a copy of the class where 5% of the symbolic and number
   answers are adversarial (the hostile-suite payloads), and reports its wall time
   beside the ordinary class's and how many parts hit the limit.

It prints a table with the numbers, the targets and whether each is met.
Targets: 1,000 students x full bank in under 10 s with 2 jobs; one cold
submission in under 1.0 s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANK_PATH = ROOT / "questions" / "cnn.yaml"
NOTEBOOK = ROOT / "submissions" / "notebooks" / "correct.ipynb"
SECRET = "bench-secret-not-for-a-real-course"
FREE_TEXT = "Pooling grows the receptive field with no parameters, while larger kernels cost many more weights."
MIX = (("right", 0.60), ("mistake", 0.25), ("malformed", 0.10), ("blank", 0.05))
ADVERSARIAL_SHARE = 0.05  # of the expression, matrix and number answers, in the adversarial class
LIMIT_SAMPLE_STUDENTS = 100  # students whose answers the in-process limit comparison checks
TARGET_CLASS_SECONDS = 10.0  # 1,000 students x full bank, --jobs 2
TARGET_CLASS_STUDENTS = 1000
TARGET_COLD_SECONDS = 1.0
COLD_RUNS = 5
_SCRIPT = Path(sys.executable).with_name("grader")
GRADER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "grader.cli"]
TIME_BIN = "/usr/bin/time"


# --- 1. the simulated class ---------------------------------------------------------------------------------

_bank = None


def _init_generator() -> None:
    global _bank
    from grader.bank.model import load_bank

    _bank = load_bank(BANK_PATH)


def _wrong(checker, spec, part_type: str, rng: random.Random) -> str:
    """A wrong answer: a declared mistake when the bank has one, else a plausible slip."""
    if spec["mistakes"]:
        return checker.format(rng.choice(spec["mistakes"])["answer"], spec)
    right = checker.format(spec["answer"], spec)
    if part_type in ("choice", "checkbox"):
        letters = "ABCDEFGH"[: len(spec["options"])]
        wrong = [letter for letter in letters if letter not in right]
        return rng.choice(wrong) if wrong else right
    if part_type == "matrix" and hasattr(spec["answer"], "T"):
        return checker.format(spec["answer"].T, spec)
    if part_type == "integer" and re.fullmatch(r"-?\d+", right):
        return str(int(right) + rng.choice((-1, 1)))
    if part_type == "text":
        return "dropout"
    return right


def _malformed(right: str, part_type: str, rng: random.Random) -> str:
    """The format errors students make (see scripts/make_samples.py, Grace's file)."""
    if part_type == "integer":
        if re.fullmatch(r"\d{4,}", right):
            return f"{int(right):,}"
        return rng.choice((f"{right} weights", f"(({right}"))
    if part_type == "number":
        return rng.choice(("nan", f"{right}%%", f"{right} percent"))
    if part_type == "expression":
        return right + ")"
    if part_type == "matrix":
        return "[[1, 2], [3]]"
    if part_type in ("choice", "checkbox"):
        return "Z"
    return "(("


def adversarial(part_type: str, spec: dict, rng: random.Random) -> str:
    """An answer under every cap whose checking used to cost seconds (see tests/test_parse_hostile.py)."""
    name = (spec.get("variables") or ["x"])[0]
    if part_type == "matrix":
        cell = "max(" + ",".join(f"{k}^{k % 7 + 2}" for k in range(2, 40)) + ")"
        return "[" + ", ".join([cell] * 20) + "]"
    if part_type == "number":
        return rng.choice(["floor(" + "+".join(f"(sqrt(2)+sqrt({k}))^50" for k in range(2, 30)) + ")",
                           "max(" + ",".join(f"sqrt({k})" for k in range(2, 120)) + ")"])
    terms = ",".join(f"{name}^{k}" for k in range(2, 200))
    return rng.choice([f"max({terms})"[:990].rsplit(",", 1)[0] + ")",
                       f"cosh(ln(cosh(((({name}-3)*7)^2)^10)))", "(" + f"{name}+1)*(" * 60 + f"{name})"])


def _student_file(job: tuple[str, int, str] | tuple[str, int, str, float]) -> tuple[str, dict[str, int]]:
    from grader.bank.variant import make_variant
    from grader.check.registry import REGISTRY

    student, seed, folder = job[:3]
    hostile_share = job[3] if len(job) > 3 else 0.0
    rng = random.Random(seed)
    counts = {kind: 0 for kind, _ in MIX}
    lines = [f"# {student}: simulated answers"]
    for question in _bank.questions:
        variant = make_variant(_bank, question, SECRET, student)
        lines.append(f"{question.id}:")
        for part in question.parts:
            if part.type == "code":
                continue  # graded from the notebook, not in an answers file
            if part.type == "free":
                lines.append(f"  {part.id}: {json.dumps(FREE_TEXT)}")
                continue
            spec = variant.parts[part.id]
            checker = REGISTRY.get(part.type)
            right = checker.format(spec["answer"], spec)
            kind = rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
            counts[kind] += 1
            if kind == "right":
                value = right
            elif kind == "mistake":
                value = _wrong(checker, spec, part.type, rng)
            elif kind == "malformed":
                value = _malformed(right, part.type, rng)
            else:
                value = ""
            if hostile_share and part.type in ("expression", "matrix", "number") and rng.random() < hostile_share:
                value = adversarial(part.type, spec, rng)
            lines.append(f"  {part.id}: {json.dumps(value, ensure_ascii=False)}")
    (Path(folder) / f"{student}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return student, counts


def make_class(folder: Path, students: int, hostile_share: float = 0.0) -> dict[str, int]:
    submissions = folder / "submissions"
    submissions.mkdir(parents=True)
    ids = [f"b{index:05d}" for index in range(1, students + 1)]
    with open(folder / "roster.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "SID", "Email"])
        writer.writerows([f"Student {i}", i, f"{i}@example.edu"] for i in ids)
    totals = {kind: 0 for kind, _ in MIX}
    jobs = [(student, index, str(submissions), hostile_share) for index, student in enumerate(ids)]
    with Pool(min(2, os.cpu_count() or 1), initializer=_init_generator) as pool:
        for _, counts in pool.imap_unordered(_student_file, jobs, chunksize=16):
            for kind, count in counts.items():
                totals[kind] += count
    return totals


# --- 2. timing a command ------------------------------------------------------------------------------------

def _tree_rss_kb(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc (0 where /proc is missing)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            pid, ppid, pages = int(entry.name), int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(pid)
        rss[pid] = pages * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def measure(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> dict:
    """Run a command; wall time, exit code, peak RSS of the largest process, and peak RSS of the tree."""
    use_time = os.path.exists(TIME_BIN)
    report = cwd / f".time-{time.monotonic_ns()}.txt"
    command = [TIME_BIN, "-v", "-o", str(report), *args] if use_time else args
    before = _children_maxrss_kb()
    cpu_before = _children_cpu_seconds()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_tree = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak_tree[0] = max(peak_tree[0], _tree_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if os.path.isdir("/proc"):
        sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    peak = None
    if use_time and report.exists():
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read_text())
        peak = int(match.group(1)) if match else None
        report.unlink()
    if peak is None:
        after = _children_maxrss_kb()
        peak = after if after > before else None  # ru_maxrss of children is a running maximum
    return {"wall": wall, "returncode": process.returncode, "peak_kb": peak, "tree_kb": peak_tree[0] or None,
            "stdout": stdout, "stderr": stderr, "cpu": _children_cpu_seconds() - cpu_before}


def _children_cpu_seconds() -> float:
    """User + system CPU of all finished child processes (and the children they waited for)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _children_maxrss_kb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}


def grade_class(folder: Path, jobs: int, extra_env: dict[str, str] | None = None, name: str = "") -> dict:
    out = folder / f"out-jobs{jobs}{name}"
    result = measure(GRADER + ["grade", str(BANK_PATH), str(folder / "submissions"), "--roster",
                               str(folder / "roster.csv"), "--out", str(out), "--jobs", str(jobs), "--secret",
                               SECRET], folder, _env() | (extra_env or {}))
    if result["returncode"] != 0:
        raise SystemExit(f"grader grade --jobs {jobs} failed:\n{result['stdout']}\n{result['stderr']}")
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    result["rows"] = len(rows)
    result["statuses"] = {status: sum(r["status"] == status for r in rows) for status in {r["status"] for r in rows}}
    result["gradebook"] = (out / "gradebook.csv").read_bytes()
    result["out"] = out
    summary = json.loads((out / "summary.json").read_text())
    result["mean_percent"] = 100 * summary["mean"] / summary["max_score"] if summary["mean"] is not None else None
    return result


# --- 3. one cold submission through run_autograder ----------------------------------------------------------

def _extract(archive: Path, target: Path) -> None:
    from grader.integrations.autograder import unpack  # lazily, like the rest of this script's grader imports

    unpack(archive, target)


def cold_submission(folder: Path, student: str, extra_env: dict[str, str] | None = None, name: str = "",
                    python: str | None = None) -> dict:
    """Mean wall time of COLD_RUNS submissions through run_autograder, each from a fresh copy of the image.

    ``python``: the image's interpreter (a venv like the one setup.sh makes); by default this one.
    """
    python = python or sys.executable
    secret_file = folder / "secret.txt"
    secret_file.write_text(SECRET + "\n")
    archive = folder / "autograder.zip"
    built = subprocess.run(GRADER + ["autograder", str(BANK_PATH), "--out", str(archive), "--secret-file",
                                     str(secret_file)], cwd=folder, env=_env(), capture_output=True, text=True)
    if built.returncode != 0:
        raise SystemExit(f"grader autograder failed:\n{built.stdout}\n{built.stderr}")
    metadata = json.loads((ROOT / "tests" / "fixtures" / "submission_metadata.json").read_text())
    metadata["users"][0]["sid"] = student
    times, scores = [], []
    # The image Gradescope builds once: the zip unpacked and setup.sh's compile and prepare steps (its apt and
    # pip steps need the network and are the same for every submission). Each submission starts from a copy.
    image = folder / f"autograder{name}-image"
    shutil.rmtree(image, ignore_errors=True)
    _extract(archive, image / "source")
    subprocess.run([python, "-m", "compileall", "-q", str(image / "source" / "grader_src")], check=True)
    subprocess.run([python, "-m", "grader.integrations.autograder", "--root", str(image), "--prepare"], check=True,
                   cwd=image / "source", env=_env() | (extra_env or {}) | {"PYTHONPATH": str(image / "source" / "grader_src")})
    for run in range(COLD_RUNS):
        root = folder / f"autograder{name}-{run}"
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(image, root)  # copy2 keeps the sources' times, so the compiled files stay valid
        (root / "submission").mkdir()
        (root / "results").mkdir()
        shutil.copy(folder / "submissions" / f"{student}.yaml", root / "submission" / "answers.yaml")
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
        env = _env() | (extra_env or {}) | {"AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": python}
        started = time.perf_counter()
        subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd=root, env=env, capture_output=True)
        times.append(time.perf_counter() - started)
        scores.append(json.loads((root / "results" / "results.json").read_text())["score"])
    return {"mean": sum(times) / len(times), "min": min(times), "max": max(times), "score": scores[0]}


# --- 4. otter ------------------------------------------------------------------------------------------------

def otter_comparison(folder: Path) -> tuple[dict | None, str]:
    """(numbers, note): times `otter run` on one notebook, or says why it was skipped."""
    help_text = subprocess.run(GRADER + ["--help"], capture_output=True, text=True, env=_env()).stdout
    if not re.search(r"^\s+otter\b", help_text, re.M):
        return None, "otter comparison: skipped (no grader otter command yet)"
    otter = shutil.which("otter")
    if otter is None:
        return None, "otter comparison: skipped (otter-grader is not installed)"
    if not NOTEBOOK.exists():
        return None, f"otter comparison: skipped (no notebook submission at {NOTEBOOK.relative_to(ROOT)})"
    work = folder / "otter"
    export = subprocess.run(GRADER + ["otter", str(BANK_PATH), "--out", str(work), "--secret", SECRET], env=_env(),
                            capture_output=True, text=True)
    if export.returncode != 0:
        return None, f"otter comparison: skipped (grader otter failed: {export.stderr.strip()[:200]})"
    started = time.perf_counter()
    assign = subprocess.run([otter, "assign", "master.ipynb", "dist"], cwd=work, capture_output=True, text=True)
    assign_time = time.perf_counter() - started
    zips = sorted((work / "dist" / "autograder").glob("*.zip"))
    if assign.returncode != 0 or not zips:
        return None, f"otter comparison: skipped (otter assign failed: {(assign.stdout + assign.stderr)[-200:]})"
    out = work / "run-out"
    out.mkdir()
    started = time.perf_counter()
    run = subprocess.run([otter, "run", "-a", str(zips[0]), "-o", str(out), str(NOTEBOOK)], cwd=work,
                         capture_output=True, text=True)
    run_time = time.perf_counter() - started
    if not (out / "results.json").exists():
        return None, f"otter comparison: skipped (otter run wrote no results: {(run.stdout + run.stderr)[-200:]})"
    results = json.loads((out / "results.json").read_text())
    scored = [t for t in results.get("tests", []) if t.get("max_score")]
    score = f"{sum(t['score'] for t in scored):g}/{sum(t['max_score'] for t in scored):g}"
    return ({"run": run_time, "assign": assign_time, "score": score},
            f"otter comparison: otter run {run_time:.2f} s on {NOTEBOOK.name} (score {score}); otter assign "
            f"{assign_time:.1f} s")


# --- 5. the per-part limit ----------------------------------------------------------------------------------

def limit_overhead(folder: Path, students: int) -> dict:
    """ms per part with check_answer (no limit) and check_part (limited), symbolic and cheap parts apart."""
    from grader.bank.model import load_bank
    from grader.bank.variant import make_variant
    from grader.check.answer import check_answer
    from grader.check.limits import WORKER, check_part, needs_worker
    from grader.check.registry import answers_file_parts
    from grader.grading.submission import read_submission

    bank = load_bank(BANK_PATH)
    work: dict[bool, list] = {True: [], False: []}
    for path in sorted((folder / "submissions").glob("*.yaml"))[:students]:
        submission = read_submission(path, bank, path.stem)
        for question in bank.questions:
            variant = make_variant(bank, question, SECRET, path.stem)
            for part in answers_file_parts(question):
                spec = variant.parts[part.id]
                work[needs_worker(spec)].append((spec, submission.answers.get(question.id, {}).get(part.id)))
    for spec, raw in work[True] + work[False]:  # warm sympy's caches first, so neither side pays for them
        check_answer(spec, raw)
    check_part(*work[True][0])  # start the child outside the timing, as a grading worker does once
    numbers = {}
    for symbolic, items in work.items():
        for name, function in (("baseline", check_answer), ("limited", check_part)):
            started = time.perf_counter()
            for spec, raw in items:
                function(spec, raw)
            numbers[(symbolic, name)] = 1000 * (time.perf_counter() - started) / max(len(items), 1)
        numbers[(symbolic, "count")] = len(items)
    WORKER.stop()
    return numbers


def adversarial_class(folder: Path, students: int) -> dict:
    hostile = folder / "adversarial"
    make_class(hostile, students, ADVERSARIAL_SHARE)
    result = grade_class(hostile, 2)
    outputs = [json.loads(p.read_text()) for p in (hostile / "out-jobs2" / "results").glob("*/results.json")]
    tests = [t for r in outputs for t in r.get("tests", [])]
    result["timeouts"] = sum("could not be checked in time" in t["output"] for t in tests)
    return result


# --- the report ----------------------------------------------------------------------------------------------

def _mb(kb: int | None) -> str:
    return "n/a" if kb is None else f"{kb / 1024:.0f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=TARGET_CLASS_STUDENTS, help="class size (default 1000)")
    parser.add_argument("--keep", type=Path, help="write everything here instead of a temporary folder")
    parser.add_argument("--skip-otter", action="store_true", help="do not run the otter comparison")
    parser.add_argument("--skip-limits", action="store_true", help="do not measure the per-part limit")
    args = parser.parse_args(argv)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="grader-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        print(f"benchmark folder: {folder}", flush=True)
        started = time.perf_counter()
        mix = make_class(folder, args.students)
        parts = sum(mix.values())
        print(f"generated {args.students} students ({parts} auto-graded answers: "
              + ", ".join(f"{k} {100 * v / parts:.0f}%" for k, v in mix.items())
              + f") in {time.perf_counter() - started:.1f} s", flush=True)

        classes = {}
        for jobs in (1, 2):
            classes[jobs] = grade_class(folder, jobs)
            c = classes[jobs]
            print(f"grader grade --jobs {jobs}: {c['wall']:.1f} s, {c['rows']} gradebook rows, statuses "
                  f"{c['statuses']}, mean {c['mean_percent']:.0f}% of auto-graded points", flush=True)
        same = classes[1]["gradebook"] == classes[2]["gradebook"]
        print(f"gradebooks with --jobs 1 and --jobs 2 identical: {same}", flush=True)

        cold = cold_submission(folder, "b00001")
        print(f"cold run_autograder: mean {cold['mean']:.2f} s over {COLD_RUNS} runs "
              f"(min {cold['min']:.2f}, max {cold['max']:.2f}); score {cold['score']:g}", flush=True)

        otter, note = (None, "otter comparison: skipped (--skip-otter)") if args.skip_otter else \
            otter_comparison(folder)
        print(note, flush=True)

        limits = hostile = None
        if not args.skip_limits:
            limits = limit_overhead(folder, min(args.students, LIMIT_SAMPLE_STUDENTS))
            hostile = adversarial_class(folder, args.students)
            print(f"adversarial class ({ADVERSARIAL_SHARE:.0%} of symbolic/number answers): "
                  f"{hostile['wall']:.1f} s with --jobs 2, {hostile['timeouts']} parts hit the limit, statuses "
                  f"{hostile['statuses']}", flush=True)

        scale = f"{args.students:,} students"
        target_note = "" if args.students == TARGET_CLASS_STUDENTS else f" (target is for {TARGET_CLASS_STUDENTS:,})"
        rows = [
            ("metric", "value", "target", "met"),
            (f"grade {scale} x full bank, --jobs 1: wall", f"{classes[1]['wall']:.1f} s", "-", "-"),
            (f"grade {scale}, --jobs 1: peak RSS (largest process / tree)",
             f"{_mb(classes[1]['peak_kb'])} / {_mb(classes[1]['tree_kb'])}", "-", "-"),
            (f"grade {scale} x full bank, --jobs 2: wall", f"{classes[2]['wall']:.1f} s",
             f"< {TARGET_CLASS_SECONDS:g} s{target_note}",
             _met(classes[2]["wall"] < TARGET_CLASS_SECONDS, args.students >= TARGET_CLASS_STUDENTS)),
            (f"grade {scale}, --jobs 2: peak RSS (largest process / tree)",
             f"{_mb(classes[2]['peak_kb'])} / {_mb(classes[2]['tree_kb'])}", "-", "-"),
            ("grade: per student, --jobs 2", f"{1000 * classes[2]['wall'] / args.students:.0f} ms",
             f"< {1000 * TARGET_CLASS_SECONDS / TARGET_CLASS_STUDENTS:.0f} ms",
             _met(classes[2]["wall"] / args.students < TARGET_CLASS_SECONDS / TARGET_CLASS_STUDENTS,
                  args.students >= TARGET_CLASS_STUDENTS)),
            ("--jobs 1 and --jobs 2 gradebooks identical", str(same), "True", _met(same)),
            (f"one cold submission, run_autograder (mean of {COLD_RUNS})", f"{cold['mean']:.2f} s",
             f"< {TARGET_COLD_SECONDS:g} s", _met(cold["mean"] < TARGET_COLD_SECONDS)),
        ]
        if otter:
            rows.append((f"one notebook, otter run (score {otter['score']})", f"{otter['run']:.2f} s", "-", "-"))
            rows.append(("  (otter assign, once per assignment)", f"{otter['assign']:.1f} s", "-", "-"))
            rows.append(("otter run / cold run_autograder, one submission", f"{otter['run'] / cold['mean']:.1f}x",
                         "-", "-"))
        else:
            rows.append(("one notebook, otter run", "skipped", "-", "-"))
        if limits:
            for symbolic, label in ((True, "symbolic parts (expression, matrix): worker"),
                                    (False, "cheap parts (integer, number, choice, text, free): no worker")):
                base, limited = limits[(symbolic, "baseline")], limits[(symbolic, "limited")]
                rows.append((f"check, {label}: check_answer / check_part ({limits[(symbolic, 'count')]} parts)",
                             f"{base:.2f} / {limited:.2f} ms ({limited - base:+.2f} ms)", "-", "-"))
        if hostile:
            rows.append((f"grade {scale} with {ADVERSARIAL_SHARE:.0%} adversarial answers, --jobs 2: wall",
                         f"{hostile['wall']:.1f} s (ordinary class {classes[2]['wall']:.1f} s)",
                         f"< {TARGET_CLASS_SECONDS:g} s{target_note}",
                         _met(hostile["wall"] < TARGET_CLASS_SECONDS, args.students >= TARGET_CLASS_STUDENTS)))
            rows.append(("  parts that hit the per-part limit / students not graded",
                         f"{hostile['timeouts']} / {args.students - hostile['statuses'].get('graded', 0)}",
                         "0 / 0", _met(hostile["statuses"].get("graded", 0) == args.students)))
        print()
        print(_table(rows))
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def _met(ok: bool, applicable: bool = True) -> str:
    if not applicable:
        return ("yes" if ok else "no") + " (scaled run)"
    return "yes" if ok else "NO"


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
