"""Write the sample notebook submissions in submissions/notebooks/ from an otter student notebook.

Usage: python scripts/make_notebooks.py DIST_STUDENT_NOTEBOOK
(the notebook `otter assign` wrote under dist/student/ after `grader otter`).
correct.ipynb (s001) implements every function; incorrect.ipynb (s002) makes
the classic mistakes: the missing +1, the flipped kernel, forgetting the
input channels, and claiming every layer is shift-equivariant.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from grader.bank.model import load_bank

ROOT = Path(__file__).resolve().parent.parent
WRONG = {
    "conv_output_size": "def conv_output_size(I, F, P, S):\n    return (I - F + 2 * P) // S\n",
    "conv1d_same_numeric": (
        "def conv1d_same_numeric(k, n):\n    k = np.ravel(k)[::-1]\n    K = np.zeros((n, n))\n"
        "    for i in range(n):\n        for t in range(3):\n            if 0 <= i + t - 1 < n:\n"
        "                K[i, i + t - 1] = k[t]\n    return K\n"),
    "count_conv_params": "def count_conv_params(F, C, K):\n    return F * F * K\n",
    "translation_gap": "def translation_gap(layer, x, s):\n    return 0.0\n",
}


def fill(template: Path, student: str, solutions: dict[str, str]) -> nbformat.NotebookNode:
    notebook = nbformat.read(template, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if cell.source.startswith("STUDENT_ID"):
            cell.source = f'STUDENT_ID = "{student}"'
        for name, code in solutions.items():
            if cell.source.startswith(f"def {name}("):
                cell.source = code
    return notebook


def main(template: str) -> None:
    bank = load_bank(ROOT / "questions" / "cnn.yaml")
    right = {p.settings["function"]: p.settings["solution_code"] for q in bank.questions for p in q.parts
             if p.type == "code"}
    out = ROOT / "submissions" / "notebooks"
    out.mkdir(parents=True, exist_ok=True)
    nbformat.write(fill(Path(template), "s001", right), out / "correct.ipynb")
    nbformat.write(fill(Path(template), "s002", WRONG), out / "incorrect.ipynb")


if __name__ == "__main__":
    main(sys.argv[1])
