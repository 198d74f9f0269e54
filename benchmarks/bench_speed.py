"""The fast paths (issue 12) against the old paths, in one process and one run.

Run:  python benchmarks/bench_speed.py [--students 300] [--groups 3]

For the seed bank (questions/cnn.yaml) it simulates students the way bench_grade.py does (about 60%
right, 25% a declared mistake, 10% malformed, 5% blank), then measures, for each group of new
students, the old path and then the fast path (``grader.core.speed``):

1. variants: ``make_variant`` for every auto-graded question of a student;
2. checking with the variants given: every answer through ``check_answer``; also the numeric matrix
   parts alone and the expression parts alone;

and prints any verdict, score, note or feedback that differs between the paths (there must be none).
Rates are per core: answers per CPU second of this process (wall time is printed too; on a shared
machine it mostly measures the neighbours). Each group is new students and starts with every cache
empty, as a new process would, so a group of 300 is a conservative stand-in for a class of 1,000.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_grade  # noqa: E402  (the class simulator: same mix as the end-to-end benchmark)

from grader.bank.model import load_bank  # noqa: E402
from grader.bank.variant import make_variant  # noqa: E402
from grader.check import worker  # noqa: E402
from grader.check.answer import check_answer  # noqa: E402
from grader.check.registry import REGISTRY, answers_file_parts  # noqa: E402
from grader.core import speed  # noqa: E402

TARGETS = {"mixed seed bank": 20_000, "numeric matrices": 5_000, "expressions": 2_000}  # answers/s per core
SECRET = bench_grade.SECRET


def _answers(bank, student: str, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(question, part, type, raw) for one simulated student, as bench_grade writes them."""
    rows = []
    kinds, weights = [k for k, _ in bench_grade.MIX], [w for _, w in bench_grade.MIX]
    for question in bank.questions:
        parts = answers_file_parts(question)
        if not parts:
            continue
        variant = make_variant(bank, question, SECRET, student)
        for part in parts:
            if part.type == "free":
                rows.append((question.id, part.id, part.type, bench_grade.FREE_TEXT))
                continue
            spec, checker = variant.parts[part.id], REGISTRY.get(part.type)
            right = checker.format(spec["answer"], spec)
            kind = rng.choices(kinds, weights)[0]
            raw = {"right": right, "mistake": bench_grade._wrong(checker, spec, part.type, rng),
                   "malformed": bench_grade._malformed(right, part.type, rng), "blank": ""}[kind]
            rows.append((question.id, part.id, part.type, raw))
    return rows


def _variants(bank, students: list[str]) -> dict[tuple[str, str], dict]:
    specs = {}
    for student in students:
        for question in bank.questions:
            parts = answers_file_parts(question)
            if parts:
                variant = make_variant(bank, question, SECRET, student, only={p.id for p in parts})
                for part_id, spec in variant.parts.items():
                    specs[(student, question.id, part_id)] = spec
    return specs


def _timed(function: Callable[[], object]) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _numeric_matrix(spec: dict) -> bool:
    return spec["type"] == "matrix" and all(cell.is_number for cell in spec["answer"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300, help="students per group (default 300)")
    parser.add_argument("--groups", type=int, default=3, help="groups of new students (default 3)")
    args = parser.parse_args(argv)

    bank = load_bank(bench_grade.BANK_PATH)
    rng = random.Random(12)
    rates: dict[str, dict[str, list[float]]] = {}
    variant_ms: dict[str, list[float]] = {"old": [], "fast": []}
    differences: list[str] = []
    answers_checked = 0
    for group in range(args.groups):
        students = [f"g{group}-{index:05d}" for index in range(args.students)]
        with speed.fast_paths(True):
            answers = {s: _answers(bank, s, rng) for s in students}
        speed_cleared()
        verdicts: dict[str, list] = {}
        for path in ("old", "fast"):
            with speed.fast_paths(path == "fast"):
                _, cpu, specs = _timed(lambda students=students: _variants(bank, students))
                variant_ms[path].append(1000 * cpu / len(students))
                subsets = {
                    "mixed seed bank": [(specs[(s, q, p)], raw) for s in students for q, p, _, raw in answers[s]],
                }
                subsets["numeric matrices"] = [(spec, raw) for spec, raw in subsets["mixed seed bank"]
                                               if _numeric_matrix(spec)]
                subsets["expressions"] = [(spec, raw) for spec, raw in subsets["mixed seed bank"]
                                          if spec["type"] == "expression"]
                for name, pairs in subsets.items():
                    wall, cpu, results = _timed(lambda pairs=pairs: [check_answer(spec, raw) for spec, raw in pairs])
                    rates.setdefault(name, {}).setdefault(path, []).append(len(pairs) / cpu)
                    rates[name].setdefault(path + " wall", []).append(len(pairs) / wall)
                    if name == "mixed seed bank":
                        verdicts[path] = results
                        answers_checked += len(pairs) if path == "fast" else 0
        pairs = subsets["mixed seed bank"]
        for (spec, raw), old, new in zip(pairs, verdicts["old"], verdicts["fast"]):
            if old != new:
                differences.append(f"{spec['id']} {raw!r}: old {old} / fast {new}")

    print(f"seed bank {bench_grade.BANK_PATH.name}: {args.groups} groups x {args.students} new students, "
          f"{answers_checked:,} answers on each path; medians over the groups\n")
    rows = [("measure", "old path", "fast path", "speed-up", "target", "met")]
    old_ms, fast_ms = statistics.median(variant_ms["old"]), statistics.median(variant_ms["fast"])
    rows.append(("variants: ms CPU per student (all auto-graded questions)", f"{old_ms:.2f}", f"{fast_ms:.2f}",
                 f"{old_ms / fast_ms:.1f}x", "-", "-"))
    met_all = True
    for name, by_path in rates.items():
        old, fast = statistics.median(by_path["old"]), statistics.median(by_path["fast"])
        wall_old, wall_fast = statistics.median(by_path["old wall"]), statistics.median(by_path["fast wall"])
        met = fast >= TARGETS[name]
        met_all &= met
        rows.append((f"checking, {name}: answers/s per core (wall)", f"{old:,.0f} ({wall_old:,.0f})",
                     f"{fast:,.0f} ({wall_fast:,.0f})", f"{fast / old:.1f}x", f">= {TARGETS[name]:,}",
                     "yes" if met else "NO"))
    same = not differences
    rows.append(("verdicts, scores, notes and feedback identical", "-", str(same), "-", "True", "yes" if same else "NO"))
    print(bench_grade._table(rows))
    for line in differences[:20]:
        print("  DIFFERENT:", line)
    print(f"\nall targets met: {'yes' if met_all and same else 'NO'}")
    worker.shutdown()
    return 0 if same else 1


def speed_cleared() -> None:
    """Forget what the fast paths remembered, so each group starts as a new process would."""
    from grader.bank import resolved_cache
    from grader.check import evaluate, expression_fast, matrix_fast
    from grader.check.misconceptions import formulas

    for module in (resolved_cache, matrix_fast, expression_fast, evaluate, formulas):
        module.clear()


if __name__ == "__main__":
    raise SystemExit(main())
