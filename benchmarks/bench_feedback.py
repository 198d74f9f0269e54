"""How often feedback names the mistake: planted student mistakes on the CNN bank, many variants each.

Run:  python benchmarks/bench_feedback.py [--variants 50]

Every row of ``benchmarks/planted_mistakes.py`` (real mistakes on the seed sheets, written from the
material) is answered on each variant where it differs from the right answer. Each answer is classified:

* named: the feedback's note is the planted mistake (alone, or as one of a named pair);
* misleading: the note names a different mistake (a wrong cause);
* not named: a generic relation ("off by +1") or just "not correct";
* false positive: a wrong answer got credit, or a right answer got a mistake note.

The baseline is the same run with the misconception engine switched off (declared mistakes and the
checkers' own relations only). Targets: named >= 90%, misleading 0, false positives 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import sympy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from planted_mistakes import GENERIC_NOTES, PLANTED, answer_text  # noqa: E402

from grader import check_answer, load_bank, make_variant  # noqa: E402
from grader.check import answer as answer_module  # noqa: E402
from grader.check.registry import REGISTRY  # noqa: E402

TARGET_NAMED = 0.90
SECRET = "bench-feedback"


def coincides(spec: dict[str, Any], value: Any) -> bool:
    """The planted answer is the right one on this variant (then it is not a mistake here)."""
    reference = spec["answer"]
    if spec["type"] == "text" or isinstance(value, str) and spec["type"] == "expression":
        return False
    if isinstance(reference, sympy.MatrixBase):
        if isinstance(value, list):
            given = [[str(cell) for cell in row] for row in value]
        else:
            given = [[str(cell) for cell in row] for row in np.asarray(value).tolist()]
        expected = [[str(cell) for cell in row] for row in reference.tolist()]
        return given == expected
    number = float(str(value).rstrip("%")) if isinstance(value, str) else float(Fraction(value))
    expected = float(Fraction(reference)) if not isinstance(reference, float) else reference
    tolerance = float(spec.get("rtol", 0)) * abs(expected) if spec["type"] == "number" else 0.0
    return abs(number - expected) <= tolerance


def expected_feedback(spec: dict[str, Any], note: str) -> str | None:
    for mistake in [*spec["mistakes"], *spec.get("inexact_mistakes", ())]:
        if mistake["note"] == note:
            return mistake["feedback"]
    return None


def classify(note: str, expected: str, verdict: str, message: str = "", expected_message: str | None = None) -> str:
    notes = note.split(" | ")
    if verdict == "correct":
        return "false positive"
    if expected in notes:
        return "named" if len(notes) == 1 else "named with an alternative"
    also = message.partition("(Rounded, this also gives your answer: ")[2]
    if expected_message and expected_message in also:
        return "named with an alternative"  # an exact explanation, with this (rounded) one beside it
    if note in GENERIC_NOTES or note.startswith(("factor-", "chose-")) and expected != note:
        return "not named"
    return "misleading"


def run(bank, variants: int) -> tuple[Counter, dict, Counter, list[str]]:
    totals: Counter = Counter()
    per_row: dict = defaultdict(Counter)
    correct_answers: Counter = Counter()
    misleading: list[str] = []
    for index in range(variants):
        student = f"planted-{index}"
        made = {q.id: make_variant(bank, q, SECRET, student) for q in bank.questions}
        for variant in made.values():  # a right answer never gets a mistake note
            for spec in variant.parts.values():
                checker = REGISTRY.get(spec["type"])
                if not (checker.needs_answer and checker.in_answers_file) or spec.get("answer") is None:
                    continue
                result = check_answer(spec, checker.format(spec["answer"], spec))
                correct_answers["right answers"] += 1
                if result.note != "correct":
                    correct_answers["right answer with a mistake note"] += 1
        for row in PLANTED:
            variant = made[row.question]
            spec = variant.parts[row.part]
            value = row.answer(variant.params)
            if coincides(spec, value):
                per_row[row]["coincides"] += 1
                continue
            result = check_answer(spec, answer_text(value))
            outcome = classify(result.note, row.note, result.verdict, result.feedback,
                               expected_feedback(spec, row.note))
            totals[outcome] += 1
            per_row[row][outcome] += 1
            if outcome == "not named" and len(misleading) < 40:
                misleading.append(f"(not named) {row.question}.{row.part} {row.name!r} on {variant.params}: "
                                  f"{result.note!r}")
            if outcome == "misleading" and len(misleading) < 12:
                misleading.append(f"{row.question}.{row.part} {row.name!r} on {variant.params}: got {result.note!r}")
    return totals, per_row, correct_answers, misleading


def rate(totals: Counter) -> float:
    answered = sum(totals.values())
    return (totals["named"] + totals["named with an alternative"]) / answered if answered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=50)
    parser.add_argument("--before", type=Path, help="also measure this (older) bank with the engine off, e.g. the "
                        "bank before its mistakes were extended: git show HEAD:questions/cnn.yaml > /tmp/cnn.yaml")
    args = parser.parse_args()
    bank = load_bank(ROOT / "questions" / "cnn.yaml")
    declared_only = mock.patch.object(answer_module, "explain", lambda checker, value, spec, declared=None: declared)

    rows = []
    if args.before:
        started = time.perf_counter()
        with declared_only:
            before_totals, _, before_correct, _ = run(load_bank(args.before), args.variants)
        rows.append((f"baseline: {args.before.name}, engine off", before_totals, before_correct,
                     time.perf_counter() - started))
        started = time.perf_counter()
        engine_totals, _, engine_correct, _ = run(load_bank(args.before), args.variants)
        rows.append((f"engine on {args.before.name} (its own declared mistakes only)", engine_totals, engine_correct,
                     time.perf_counter() - started))
    started = time.perf_counter()
    with declared_only:
        base_totals, _, base_correct, _ = run(bank, args.variants)
    base_seconds = time.perf_counter() - started
    started = time.perf_counter()
    totals, per_row, correct, misleading = run(bank, args.variants)
    seconds = time.perf_counter() - started

    print(f"{len(PLANTED)} planted mistakes x {args.variants} variants "
          f"({sum(totals.values())} wrong answers checked; rows equal to the answer on a variant are skipped)\n")
    print("| run | named | named with an alternative | not named | misleading | false positives | "
          "right answers with a mistake note | rate named | seconds |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows += [("baseline: this bank, engine off", base_totals, base_correct, base_seconds),
             ("misconception engine", totals, correct, seconds)]
    for label, t, c, s in rows:
        print(f"| {label} | {t['named']} | {t['named with an alternative']} | {t['not named']} | {t['misleading']} | "
              f"{t['false positive']} | {c['right answer with a mistake note']}/{c['right answers']} | "
              f"{rate(t):.1%} | {s:.1f} |")
    print("\nrows named on fewer than 90% of their variants:")
    for row, counts in per_row.items():
        answered = sum(v for k, v in counts.items() if k != "coincides")
        named = counts["named"] + counts["named with an alternative"]
        if answered and named / answered < 0.9:
            print(f"  {row.question}.{row.part} {row.name!r} -> {row.note}: named {named}/{answered}, "
                  f"{dict(counts)}")
    for line in misleading:
        print("  misleading:", line)
    ok = (rate(totals) >= TARGET_NAMED and totals["misleading"] == 0 and totals["false positive"] == 0
          and correct["right answer with a mistake note"] == 0)
    print(f"\ntarget: named >= {TARGET_NAMED:.0%}, misleading 0, false positives 0: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
