"""``grader otter``: export a bank's code parts as an otter-assign master notebook.

Each code part becomes one otter question with a solution cell (the
bank's ``solution_code``) and one exception-format test. The test holds no
answers: it calls back into grader (``grader.integrations.otter_support``), which finds
the student's variant and computes the reference at grading time.
The bank, its solvers and the secret go to ``autograder_files`` only, never
to the student's download. See docs/security.md for what remains readable.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from grader.bank.model import Bank, Part, Question
from grader.core.files import write_atomic

SUPPORT_CONFIG = "grader_otter.json"
SECRET_FILE = "grader_secret.txt"


def code_questions(bank: Bank) -> list[Question]:
    return [q for q in bank.questions if any(p.type == "code" for p in q.parts)]


def assignment_name(bank: Bank) -> str:
    return f"{bank.id}-notebook"


def _solution_cell(part: Part) -> str:
    """The solution with otter's markers around the body, so students get the signature and ``...``."""
    lines = part.settings["solution_code"].rstrip("\n").splitlines()
    header = [line for line in lines if line.startswith("def ")][:1]
    if not header:
        return part.settings["solution_code"]
    index = lines.index(header[0])
    body = lines[index + 1 :]
    indent = " " * (len(body[0]) - len(body[0].lstrip())) if body else "    "
    return "\n".join(lines[: index + 1] + [f"{indent}# BEGIN SOLUTION", *body, f"{indent}# END SOLUTION"])


def _test_cell(question: Question, part: Part) -> str:
    name = f"test_{part.id.replace('-', '_')}"
    return (f"def {name}(env):\n"
            f"    from grader.integrations.otter_support import check_in_notebook\n"
            f"    check_in_notebook(env, {question.id!r}, {part.id!r})\n")


def master_notebook(bank: Bank, identity: str = "sid") -> dict:
    import nbformat

    v4 = nbformat.v4
    notebook = v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    files = [bank.path.name, *( [bank.solver_path.name] if bank.solver_path else []), SUPPORT_CONFIG, SECRET_FILE]
    config = "\n".join([
        "# ASSIGNMENT CONFIG",
        f"name: {assignment_name(bank)}",
        "export_cell: false",
        "check_all_cell: false",
        "generate: true",
        "autograder_files:",
        *[f"  - {name}" for name in files],
        "tests:",
        "  files: true",
        "  ok_format: false",
    ])
    cells = [v4.new_raw_cell(config),
             v4.new_markdown_cell(f"# {bank.title}: notebook\n\nFill in your student id, then implement each "
                                  "function. Your functions are tested on inputs drawn for you."),
             v4.new_code_cell("import numpy as np"),
             # A question block so otter strips the instructor's id from the student notebook.
             v4.new_raw_cell("# BEGIN QUESTION\nname: student-id\npoints: 0"),
             v4.new_markdown_cell("Your student id, exactly as on the roster (it selects your test inputs):"),
             v4.new_raw_cell("# BEGIN SOLUTION"),
             v4.new_code_cell('STUDENT_ID = "instructor"  # SOLUTION'),
             v4.new_raw_cell("# END SOLUTION"),
             v4.new_raw_cell("# END QUESTION")]
    for question in code_questions(bank):
        cells.append(v4.new_markdown_cell(f"## {question.title}\n\n{question.text}"))
        code_parts = [p for p in question.parts if p.type == "code"]
        for part in code_parts:
            points = question.part_points(part)
            cells += [
                v4.new_raw_cell(f"# BEGIN QUESTION\nname: {part.id}\npoints: {points:g}"),
                v4.new_markdown_cell(part.prompt or f"Implement `{part.settings['function']}`."),
                v4.new_raw_cell("# BEGIN SOLUTION"),
                v4.new_code_cell(_solution_cell(part)),
                v4.new_raw_cell("# END SOLUTION"),
                v4.new_raw_cell("# BEGIN TESTS"),
                v4.new_code_cell(_test_cell(question, part)),
                v4.new_raw_cell("# END TESTS"),
                v4.new_raw_cell("# END QUESTION"),
            ]
    notebook.cells = cells
    return notebook


def export_otter(bank: Bank, out_dir: str | Path, secret: str, identity: str = "sid") -> Path:
    """Write master.ipynb and the files its tests need into ``out_dir``."""
    import nbformat

    if not code_questions(bank):
        raise ValueError(f"bank '{bank.id}' has no code parts to export")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    master = out / "master.ipynb"
    write_atomic(master, nbformat.writes(master_notebook(bank, identity)))
    shutil.copyfile(bank.path, out / bank.path.name)
    if bank.solver_path:
        shutil.copyfile(bank.solver_path, out / bank.solver_path.name)
    write_atomic(out / SUPPORT_CONFIG, json.dumps({"bank": bank.path.name, "identity": identity}, indent=2) + "\n")
    write_atomic(out / SECRET_FILE, secret + "\n")
    return master


def run_otter_assign(master: Path) -> tuple[Path, Path]:
    """Run the real ``otter assign`` on the master notebook; return (student notebook, autograder zip)."""
    import subprocess
    import sys

    dist = master.parent / "dist"
    run = subprocess.run([sys.executable, "-m", "otter", "assign", master.name, "dist"], cwd=master.parent,
                         capture_output=True, text=True, timeout=600)
    zips = sorted((dist / "autograder").glob("*.zip"))
    if run.returncode != 0 or not zips:
        raise RuntimeError(f"otter assign failed: {(run.stdout + run.stderr).strip()[-800:]}")
    return dist / "student" / master.name, zips[-1]
