"""Regenerate tests/golden/variants.json: pinned variants of the bundled CNN bank.

    python tests/make_golden.py

The file pins, for several students and questions, each variant's seed,
parameters, every part's reference text, the option order of choice parts and
the rendered question text, all under the demo secret of questions/course.yaml.
tests/test_variants.py compares today's variants with it field by field.

Only regenerate after a change that is *meant* to alter every student's
variant (and tell the instructors: it changes problem sets already handed out).
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "questions" / "cnn.yaml"
GOLDEN = Path(__file__).resolve().parent / "golden" / "variants.json"
STUDENTS = ["s001", "s002", "s003", "s004"]
QUESTIONS = ["cnn-advantages", "conv-output-size", "stacked-3x3", "conv-as-matrix", "conv1d-toeplitz",
             "output-vs-kernel"]


def jsonable(value: Any) -> Any:
    """Parameter values as JSON; a Decimal keeps its exact digits as a tagged string."""
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return value


def demo_secret() -> str:
    from grader.course.config import load_config

    secret = load_config(BANK.parent / "course.yaml").secret
    if not secret:
        raise SystemExit("questions/course.yaml has no demo secret")
    return secret


def entry(bank, secret: str, student: str, question_id: str) -> dict[str, Any]:
    """Everything pinned about one student's variant of one question."""
    from grader.bank.variant import make_variant

    question = bank.by_id[question_id]
    variant = make_variant(bank, question, secret, student)
    return {
        "student": student,
        "question": question_id,
        "seed": variant.seed_hex,
        "params": jsonable(variant.params),
        "references": {part.id: variant.reference_text(part.id) for part in question.parts},
        "options": {part.id: [option["text"] for option in variant.parts[part.id]["options"]]
                    for part in question.parts if "options" in variant.parts[part.id]},
        "text": variant.render_text(),
    }


def build() -> dict[str, Any]:
    from grader.bank.model import load_bank

    bank = load_bank(BANK)
    secret = demo_secret()
    return {
        "about": "Pinned variants of questions/cnn.yaml under the demo secret; regenerate with "
                 "`python tests/make_golden.py` only for an intended change.",
        "bank": "questions/cnn.yaml",
        "secret": "the demo secret of questions/course.yaml",
        "variants": [entry(bank, secret, student, question) for student in STUDENTS for question in QUESTIONS],
    }


def main() -> int:
    data = build()
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(data['variants'])} variants to {GOLDEN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
