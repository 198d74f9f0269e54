"""Gradescope's results.json: one view of a SubmissionResult.

Follows the autograder specification: top-level score, output and
visibility, and one test per question part with name, number, score,
max_score, status, output (Markdown) and visibility.
"""

from __future__ import annotations

from typing import Any

from grader.bank.fingerprint import bank_fingerprint, grader_version
from grader.bank.model import Bank
from grader.core import jsontext
from grader.grading.grade import SubmissionResult
from grader.report.feedback import part_feedback_html, summary_lines


def results_json(bank: Bank, result: SubmissionResult, *, remembered: bool = False) -> dict[str, Any]:
    """results.json as data; with ``remembered``, each test is a ``jsontext.Remembered`` (for ``jsontext.dumps``
    only): a part result shared by students is encoded once."""
    provenance = {"bank_fingerprint": result.bank_fingerprint or bank_fingerprint(bank),
                  "grader_version": result.grader_version or grader_version()}
    if result.status != "graded":
        return {**error_results(result.message or "The submission could not be graded."), "extra_data": provenance}
    tests: list[Any] = []
    score = 0  # as sum() starts: a result without tests scores 0, not 0.0
    by_question = result.parts_by_question()
    for index, question in enumerate(bank.questions, start=1):
        for part_result in by_question.get(question.id, ()):
            if part_result.result.verdict != "pending":
                score += part_result.points
            if remembered:
                tests.append(jsontext.Remembered((part_result, question, bank),
                                                 lambda p=part_result, q=question, i=index: _test(bank, q, i, p),
                                                 extra=index))
            else:
                tests.append(_test(bank, question, index, part_result))
    return {
        "score": round(score, 6),
        "output": "\n".join(summary_lines(result)),
        "output_format": "md",
        "visibility": bank.visibility,
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": provenance,
    }


def _test(bank: Bank, question, index: int, part_result) -> dict[str, Any]:
    """One part as a Gradescope test."""
    pending = part_result.result.verdict == "pending"
    test: dict[str, Any] = {
        "name": f"{question.title} ({part_result.part})" + (" [graded by hand]" if pending else ""),
        "number": f"{index}.{part_result.part}",
        "score": 0.0 if pending else part_result.points,
        "max_score": 0.0 if pending else part_result.max_points,
        # HTML, so declared feedback's math and the expected answer show as MathML on Gradescope
        "output": part_feedback_html(part_result),
        "output_format": "html",
        "visibility": _part_visibility(bank, question, part_result.part),
    }
    if not pending:
        test["status"] = "passed" if part_result.result.verdict == "correct" else "failed"
    return test


def _part_visibility(bank: Bank, question, part_id: str) -> str:
    part = next((p for p in question.parts if p.id == part_id), None)
    return (getattr(part, "visibility", None) if part is not None else None) or bank.visibility


def error_results(message: str) -> dict[str, Any]:
    """What a student sees when nothing could be graded: score 0 and the reason."""
    return {
        "score": 0.0,
        "output": message,
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }
