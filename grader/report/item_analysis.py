"""Item analysis: how each question part worked, from the class's results (classical test theory).

Per part:

* **difficulty**: the mean score as a fraction of the part's points (1.0: everyone got it);
* **discrimination**: the point-biserial correlation of the part's score with the rest of the test
  (the total without this part, so a part is not correlated with itself), and the upper-lower index:
  the mean part score of the top 27% of students by total minus that of the bottom 27%;
* **flags**: negative discrimination (strong students do worse: often a wrong key), too easy, too hard;
* **options** (choice, checkbox): how often each option was chosen, numbered as in the bank, so
  shuffled letters are counted as the same option across variants (distractor analysis);
* **notes**: the most common mistakes by note across all variants, with the wrong answers grouped
  under each note instead of pooled raw values (which differ from variant to variant).

Parts graded by hand are ``pending`` until scored. Only roster students count.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from grader.bank.model import Bank
from grader.check.registry import answers_file_parts
from grader.grading.grade import PartResult, SubmissionResult, parts_by_part

UPPER_LOWER_SHARE = 0.27
TOO_EASY = 0.90
TOO_HARD = 0.20
MIN_STUDENTS = 3  # fewer than this: no correlation is reported
TOP_NOTES = 5
TOP_ANSWERS_PER_NOTE = 3
WRONG = ("incorrect", "partial", "invalid")


def _fraction(part: PartResult) -> float:
    return part.points / part.max_points if part.max_points else 0.0


def point_biserial(item: np.ndarray, rest: np.ndarray) -> float | None:
    """Pearson correlation of the item scores with the rest-of-test scores (None when either is constant)."""
    if len(item) < MIN_STUDENTS or np.ptp(item) == 0 or np.ptp(rest) == 0:
        return None
    return float(np.corrcoef(item, rest)[0, 1])


def upper_lower(item: np.ndarray, total: np.ndarray) -> float | None:
    """Mean item score of the top 27% by total minus the bottom 27% (ties broken by order, stably)."""
    if len(item) < MIN_STUDENTS:
        return None
    group = max(1, int(round(UPPER_LOWER_SHARE * len(item))))
    order = np.argsort(total, kind="stable")
    return float(item[order[-group:]].mean() - item[order[:group]].mean())


def flags(difficulty: float | None, discrimination: float | None) -> list[str]:
    found = []
    if discrimination is not None and discrimination < 0:
        found.append("negative-discrimination")
    if difficulty is not None and difficulty >= TOO_EASY:
        found.append("too-easy")
    if difficulty is not None and difficulty <= TOO_HARD:
        found.append("too-hard")
    return found


def _option_counts(bank_part: Any, outcomes: list[PartResult]) -> list[dict[str, Any]]:
    options = bank_part.settings.get("options") or []
    chosen = Counter(number for p in outcomes for number in p.chosen_options)
    total = len(outcomes)
    return [{"number": number, "text": str(option.get("text", "")), "correct": bool(option.get("correct")),
             "chosen": chosen.get(number, 0),
             "share": round(chosen.get(number, 0) / total, 3) if total else None}
            for number, option in enumerate(options, start=1)]


def _notes(outcomes: list[PartResult]) -> list[dict[str, Any]]:
    """Mistake notes across variants, each with the wrong answers (as understood) that carried it."""
    wrong = [p for p in outcomes if p.result.verdict in WRONG]
    by_note: dict[str, Counter] = {}
    for part in wrong:
        by_note.setdefault(part.result.note, Counter())[part.result.answer or ""] += 1
    ranked = sorted(by_note.items(), key=lambda item: (-sum(item[1].values()), item[0]))[:TOP_NOTES]
    return [{"note": note, "count": sum(answers.values()),
             "answers": [[answer, count] for answer, count in
                         sorted(answers.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ANSWERS_PER_NOTE]]}
            for note, answers in ranked]


def option_panels(bank: Bank) -> tuple[tuple[str, tuple[bool, ...]], ...]:
    """The option bars' panels as ``grader.report.plots.option_panels`` finds them in the item analysis, from
    the bank alone: every choice or checkbox part with options gets an entry with its options."""
    return tuple((f"{question.id} ({part.id})", tuple(bool(o.get("correct")) for o in part.settings["options"]))
                 for question in bank.questions for part in answers_file_parts(question)
                 if part.type in ("choice", "checkbox") and part.settings.get("options"))


def item_analysis(bank: Bank, graded: list[SubmissionResult],
                  by_part: dict[tuple[str, str], list[tuple[str, PartResult]]] | None = None) -> list[dict[str, Any]]:
    """One entry per question part, over the graded roster students (see the module docstring);
    ``by_part``: ``parts_by_part(graded)``, when the caller has it already."""
    totals = {r.student_id: sum(p.points for p in r.parts if p.result.verdict != "pending") for r in graded}
    by_part = parts_by_part(graded) if by_part is None else by_part
    items = []
    for question in bank.questions:
        for bank_part in answers_file_parts(question):
            outcomes = by_part.get((question.id, bank_part.id), [])
            scored = [(sid, p) for sid, p in outcomes if p.result.verdict != "pending"]
            entry: dict[str, Any] = {"question": question.id, "part": bank_part.id, "type": bank_part.type,
                                     "students": len(outcomes), "scored": len(scored),
                                     "pending": len(outcomes) - len(scored)}
            if not scored:
                entry.update(status="pending", difficulty=None, point_biserial=None, upper_lower=None, flags=[])
            else:
                item = np.array([_fraction(p) for _, p in scored])
                total = np.array([totals[sid] for sid, _ in scored])
                rest = total - np.array([p.points for _, p in scored])
                difficulty = float(item.mean())
                discrimination = point_biserial(item, rest)
                entry.update(status="scored" if len(scored) == len(outcomes) else "partly-scored",
                             difficulty=round(difficulty, 3),
                             point_biserial=None if discrimination is None else round(discrimination, 3),
                             upper_lower=None if (ul := upper_lower(item, total)) is None else round(ul, 3),
                             flags=flags(difficulty, discrimination))
            if bank_part.type in ("choice", "checkbox"):
                entry["options"] = _option_counts(bank_part, [p for _, p in scored])
            entry["notes"] = _notes([p for _, p in scored])
            items.append(entry)
    return items
