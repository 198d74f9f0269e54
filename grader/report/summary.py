"""Class statistics: score distribution with a histogram, and per-question analysis.

Per question: the share of students with full credit, the mean score, the
most common wrong answers and the most common mistake notes (STACK-style
answer notes), which tell the instructor what to re-teach.
"""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

from grader.bank.model import Bank
from grader.check.registry import answers_file_parts, auto_graded
from grader.grading.grade import SubmissionResult, parts_by_part
from grader.report.plots import HISTOGRAM

TOP = 3


def class_summary(bank: Bank, results: dict[str, SubmissionResult],
                  roster_ids: set[str] | None = None) -> dict[str, Any]:
    """Class statistics over the roster's students (files from anyone else are left out of them)."""
    from grader.report.item_analysis import item_analysis

    outside = 0
    if roster_ids is not None:
        outside = sum(1 for sid in results if sid not in roster_ids)
        results = {sid: r for sid, r in results.items() if sid in roster_ids}
    graded = [r for r in results.values() if r.status == "graded"]
    scores = [r.points for r in graded]
    auto_max = round(sum(q.part_points(p) for q in bank.questions for p in answers_file_parts(q)
                         if auto_graded(p.type)), 6)
    if bank.pools and graded:  # with pools each student has their own maximum; show the largest
        auto_max = max(round(r.max_points - sum(p.max_points for p in r.pending), 6) for r in graded)
    by_part = parts_by_part(graded)
    summary: dict[str, Any] = {
        "students": len(results),
        "graded": len(graded),
        "not_graded": {status: sum(1 for r in results.values() if r.status == status)
                       for status in ("missing", "unreadable", "error")},
        "max_score": auto_max,
        "mean": round(statistics.fmean(scores), 3) if scores else None,
        "median": round(statistics.median(scores), 3) if scores else None,
        "stdev": round(statistics.pstdev(scores), 3) if scores else None,
        "scores": sorted(scores),
        "not_on_roster": outside,
        "questions": [],
        "items": item_analysis(bank, graded, by_part),
    }
    for question in bank.questions:
        entry: dict[str, Any] = {"id": question.id, "title": question.title, "parts": [],
                                 "not_assigned": sum(question.id in r.not_assigned for r in results.values())}
        for part in answers_file_parts(question):
            everyone = [p for _, p in by_part.get((question.id, part.id), [])]
            # Parts graded by hand count once scored; until then they are pending, not "0% correct".
            outcomes = [p for p in everyone if p.result.verdict != "pending"]
            wrong = [p for p in outcomes if p.result.verdict in ("incorrect", "partial", "invalid")]
            entry["parts"].append({
                "part": part.id,
                "type": part.type,
                "answered": sum(1 for p in everyone if (p.raw or "").strip()),
                "pending": len(everyone) - len(outcomes),
                "percent_correct": round(100 * sum(p.result.verdict == "correct" for p in outcomes) / len(outcomes), 1)
                if outcomes else None,
                "mean_score": round(statistics.fmean(p.result.score for p in outcomes), 3) if outcomes else None,
                # Letters are shuffled per student, so choice parts are compared by note (option number).
                "common_wrong_answers": [] if part.type in ("choice", "checkbox")
                else _top(p.result.answer for p in wrong if p.result.answer),
                # a pair of named mistakes ("a | b") counts for each of them
                "common_notes": _top(note for p in wrong for note in p.result.note.split(" | ")),
            })
        summary["questions"].append(entry)
    return summary


def _top(values) -> list[list[Any]]:
    counts = Counter(values)
    return [[value, count] for value, count in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:TOP]]


def summary_markdown(bank: Bank, summary: dict[str, Any], math: bool = False) -> str:
    """The class summary; with ``math`` (for summary.html) wrong formula answers are written as math."""
    lines = [f"# Summary: {bank.title}", "",
             f"{summary['graded']} of {summary['students']} students graded "
             f"(missing {summary['not_graded']['missing']}, unreadable {summary['not_graded']['unreadable']}, "
             f"errors {summary['not_graded']['error']}).", ""]
    if summary["mean"] is not None:
        lines += [f"Mean {summary['mean']:g}, median {summary['median']:g}, standard deviation "
                  f"{summary['stdev']:g}, out of {summary['max_score']:g} auto-graded points.", "",
                  f"![Score distribution]({HISTOGRAM})", ""]
    # Raw wrong answers differ from variant to variant, so they are shown grouped by note (below), not pooled.
    lines += ["| question | part | type | % correct | mean score | pending | common notes |",
              "|---|---|---|---|---|---|---|"]
    for question in summary["questions"]:
        for part in question["parts"]:
            notes = "; ".join(f"{note} ×{n}" for note, n in part["common_notes"]) or "-"
            percent = "-" if part["percent_correct"] is None else f"{part['percent_correct']:g}"
            mean = "-" if part["mean_score"] is None else f"{part['mean_score']:g}"
            pending = part.get("pending") or "-"
            lines.append(f"| {question['id']} | {part['part']} | {part['type']} | {percent} | {mean} | {pending} | "
                         f"{notes} |")
    unassigned = [f"`{q['id']}` not assigned to {q['not_assigned']}" for q in summary["questions"] if q["not_assigned"]]
    if unassigned:
        lines += ["", "Pools: " + "; ".join(unassigned) + " (left out of that question's statistics, never counted "
                  "as missing)."]
    from grader.report.item_analysis_view import item_analysis_markdown

    lines += ["", *item_analysis_markdown(summary.get("items") or [], math)]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("`", "'")[:60]
