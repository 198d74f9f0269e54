"""Class statistics: score distribution with a histogram, and per-question analysis.

Per question: the share of students with full credit, the mean score, the
most common wrong answers and the most common mistake notes (STACK-style
answer notes), which tell the instructor what to re-teach.
"""

from __future__ import annotations

import io
import statistics
from collections import Counter
from typing import Any

from grader.bank.model import Bank
from grader.check.registry import answers_file_parts, auto_graded
from grader.grading.grade import SubmissionResult

TOP = 3


def class_summary(bank: Bank, results: dict[str, SubmissionResult]) -> dict[str, Any]:
    graded = [r for r in results.values() if r.status == "graded"]
    scores = [r.points for r in graded]
    auto_max = round(sum(q.part_points(p) for q in bank.questions for p in answers_file_parts(q)
                         if auto_graded(p.type)), 6)
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
        "questions": [],
    }
    for question in bank.questions:
        entry: dict[str, Any] = {"id": question.id, "title": question.title, "parts": []}
        for part in answers_file_parts(question):
            outcomes = [p for r in graded for p in r.parts if p.question == question.id and p.part == part.id]
            wrong = [p for p in outcomes if p.result.verdict in ("incorrect", "partial", "invalid")]
            entry["parts"].append({
                "part": part.id,
                "type": part.type,
                "answered": sum(1 for p in outcomes if (p.raw or "").strip()),
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


def summary_markdown(bank: Bank, summary: dict[str, Any]) -> str:
    lines = [f"# Summary: {bank.title}", "",
             f"{summary['graded']} of {summary['students']} students graded "
             f"(missing {summary['not_graded']['missing']}, unreadable {summary['not_graded']['unreadable']}, "
             f"errors {summary['not_graded']['error']}).", ""]
    if summary["mean"] is not None:
        lines += [f"Mean {summary['mean']:g}, median {summary['median']:g}, standard deviation "
                  f"{summary['stdev']:g}, out of {summary['max_score']:g} auto-graded points.", "",
                  "![Score distribution](histogram.png)", ""]
    lines += ["| question | part | type | % correct | mean score | common wrong answers | common notes |",
              "|---|---|---|---|---|---|---|"]
    for question in summary["questions"]:
        for part in question["parts"]:
            wrong = "; ".join(f"`{_cell(a)}` ×{n}" for a, n in part["common_wrong_answers"]) or "-"
            notes = "; ".join(f"{note} ×{n}" for note, n in part["common_notes"]) or "-"
            percent = "-" if part["percent_correct"] is None else f"{part['percent_correct']:g}"
            mean = "-" if part["mean_score"] is None else f"{part['mean_score']:g}"
            lines.append(f"| {question['id']} | {part['part']} | {part['type']} | {percent} | {mean} | {wrong} | {notes} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("`", "'")[:60]


def histogram_png(summary: dict[str, Any]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 3.2), dpi=100)
    scores = summary["scores"]
    bins = min(20, max(5, len(set(scores)))) if scores else 5
    axes.hist(scores, bins=bins, range=(0, summary["max_score"] or 1), color="#3b6ea8", edgecolor="white")
    axes.set_xlabel("score (auto-graded points)")
    axes.set_ylabel("students")
    axes.set_title("Score distribution")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()
