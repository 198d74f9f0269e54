"""Why a part's score moved, as the regrade report says it (jobs/regrade.compare), one reason at a time."""

from __future__ import annotations

import pytest

from grader.check.base import CheckResult
from grader.grading.grade import PartResult, SubmissionResult
from grader.jobs.regrade import PreviousOutput, compare, report_csv


def _part(points: float, raw: str = "72", reference: str = "72", note: str = "correct") -> PartResult:
    verdict = "correct" if points == 1 else "incorrect"
    return PartResult("q", "a", "number", 1.0, points, CheckResult(verdict, points, "", note, raw), raw, reference)


def _record(part: PartResult, settings: dict) -> dict:
    return {"question": "q", "part": "a", "max_points": part.max_points, "points": part.points, "raw": part.raw,
            "reference": part.reference, "settings": settings,
            "result": {"verdict": part.result.verdict, "score": part.result.score, "feedback": "",
                       "note": part.result.note, "answer": part.result.answer}}


@pytest.mark.parametrize("old, new, old_settings, new_settings, old_version, reason", [
    (_part(0, "72.1"), _part(1, "72.1"), {"rtol": 0.001}, {"rtol": 0.01}, "1", "changed rtol: 0.001 → 0.01"),
    (_part(0, "6", "3"), _part(1, "6", "6"), {}, {}, "1", "new reference: 3 → 6"),
    (_part(0, "71"), _part(1, "72"), {}, {}, "1", "a different answer was graded"),
    (_part(0, "72%"), _part(1, "72%"), {}, {}, "1", "the check now reads this answer differently (a new accepted form)"),
    (_part(0, "72%"), _part(1, "72%"), {}, {}, "0.9",
     "the check now reads this answer differently (a new accepted form, grader 0.9 → 1)"),
])
def test_each_reason(old, new, old_settings, new_settings, old_version, reason):
    previous = PreviousOutput({"s1": SubmissionResult("s1", "graded", [old])},
                              {("s1", "q", "a"): _record(old, old_settings)}, {"s1": old_version})
    changes = compare(previous, {"s1": SubmissionResult("s1", "graded", [new])}, lambda q, p: new_settings, "1")
    assert len(changes) == 1 and changes[0].parts[0].reasons == [reason]
    assert (changes[0].old_score, changes[0].new_score) == (0, 1)
    assert report_csv(changes, []).splitlines()[1].endswith(reason if "," not in reason else f'"{reason}"')


def test_unchanged_scores_are_not_reported():
    part = _part(1)
    previous = PreviousOutput({"s1": SubmissionResult("s1", "graded", [part])}, {("s1", "q", "a"): _record(part, {})},
                              {"s1": "1"})
    assert compare(previous, {"s1": SubmissionResult("s1", "graded", [_part(1)])}, lambda q, p: {}, "1") == []
