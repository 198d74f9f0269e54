"""Write the sample class in submissions/ (run from the project root).

Each file is what one kind of student would hand in for their own variant
(demo secret): all correct, the common mistakes, format errors, blanks, a
malformed file, a hostile file, a JSON file, and one from off the roster.
Re-run after changing the bank: `python scripts/make_samples.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.bank.model import load_bank
from grader.bank.variant import make_variant
from grader.check.registry import REGISTRY
from grader.course.config import DEMO_SECRET

ROOT = Path(__file__).resolve().parent.parent
BANK = load_bank(ROOT / "questions" / "cnn.yaml")
OUT = ROOT / "submissions"
FREE_TEXT = "Pooling grows the receptive field with no parameters, while larger kernels cost many more weights."


def answers_for(student: str, style: str) -> dict:
    answers: dict = {}
    for question in BANK.questions:
        variant = make_variant(BANK, question, DEMO_SECRET, student)
        parts = {}
        for part in question.parts:
            spec = variant.parts[part.id]
            checker = REGISTRY.get(part.type)
            if part.type == "free":
                parts[part.id] = FREE_TEXT
                continue
            right = checker.format(spec["answer"], spec)
            if style == "mistakes" and spec["mistakes"]:
                parts[part.id] = checker.format(spec["mistakes"][0]["answer"], spec)
            elif style == "mistakes" and part.type == "matrix":
                parts[part.id] = checker.format(spec["answer"].T, spec)
            else:
                parts[part.id] = right
        answers[question.id] = parts
    return answers


def yaml_text(answers: dict, header: str) -> str:
    lines = [f"# {header}"]
    for question, parts in answers.items():
        lines.append(f"{question}:")
        for part, value in parts.items():
            lines.append(f"  {part}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def main() -> None:
    perfect = answers_for("s001", "right")
    (OUT / "s001.yaml").write_text(yaml_text(perfect, "Ada: every answer right."))
    (OUT / "s002.yaml").write_text(yaml_text(answers_for("s002", "mistakes"), "Alan: the common mistakes."))
    grace = answers_for("s003", "right")
    grace["fc-weights"]["a"] = "196,608,000"
    grace["conv-weights"]["a"] = "4 704 weights"
    grace["conv-output-size"]["a"] = "((32-3)/3"
    grace["output-vs-kernel"]["a"] = "H - K + 1)"
    grace["conv-as-matrix"]["b"] = "[[1, 2], [3]]"
    grace["stacked-3x3"]["b"] = "nan"
    (OUT / "s003.yaml").write_text(yaml_text(grace, "Grace: format errors on some answers; the rest are right."))
    claude = {k: v for k, v in answers_for("s004", "right").items() if k in ("fc-weights", "conv-weights", "pooling")}
    claude["pooling"]["b"] = ""
    (OUT / "s004.yaml").write_text(yaml_text(claude, "Claude: only three questions, one blank part."))
    (OUT / "s005.yaml").write_text("# Emmy: a malformed file (unclosed bracket).\nfc-weights:\n  a: [1, 2\nconv-weights: {a: 3\n")
    (OUT / "s006.yaml").write_text(
        "# John: a hostile file. None of this may run.\n"
        "fc-weights:\n  a: \"__import__('os').system('touch HACKED')\"\n"
        "conv-output-size:\n  a: \"().__class__.__bases__[0].__subclasses__()\"\n"
        "output-vs-kernel:\n  a: \"((H+1)^100)^100\"\n  b: \"10^10^10\"\n"
        "conv-as-matrix:\n  a: \"[[lambda: 1]]\"\n"
        "vanishing-gradient:\n  a: \"!!python/object/apply:os.system ['touch HACKED']\"\n"
        "score: 100\nseed: 0\nstudent: s001\n"
    )
    katherine = answers_for("s007", "right")
    katherine["stacked-3x3"]["b"] = str(float(katherine["stacked-3x3"]["b"].rstrip("%")) / 100)
    katherine["same-padding"]["a"] = "017"
    katherine["vanishing-gradient"]["a"] = "no"
    (OUT / "s007.yaml").write_text(yaml_text(katherine, "Katherine: mostly right; a fraction for a percent, YAML 1.1 look-alikes."))
    kurt = answers_for("s008", "right")
    kurt["conv1d-toeplitz"]["a"] = kurt["conv1d-toeplitz"]["a"].replace("k1", "kx", 1)
    (OUT / "s008.json").write_text(json.dumps(kurt, indent=2) + "\n")
    barbara = answers_for("s009", "mistakes")
    for question in ("cnn-advantages", "pooling", "fc-head", "conv-vs-xcorr"):
        barbara[question] = answers_for("s009", "right")[question]
    (OUT / "s009.yaml").write_text(yaml_text(barbara, "Barbara: conceptual answers right, computations with mistakes."))
    (OUT / "visitor.yaml").write_text(yaml_text(answers_for("visitor", "right"), "A file from someone not on the roster."))
    # s010 (Edsger) hands in nothing.


if __name__ == "__main__":
    main()
