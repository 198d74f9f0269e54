"""Hand scores laid over auto-graded results: free-response parts scored from a grading sheet.

``hand-scores.json`` in a graded folder maps student -> "question/part" ->
{score, comment, items, answer}. A score applies only while the student's
answer is the one that was scored; if a regrade brings a different answer,
the part is pending again and reported, so a stale score is never shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.check.base import CheckResult
from grader.core.messages import feedback
from grader.core.safe_text import MAX_ANSWER_ECHO, cap_text
from grader.grading.grade import HAND_GRADED, SubmissionResult

HAND_SCORES = "hand-scores.json"


@dataclass(frozen=True)
class HandScore:
    score: float
    comment: str = ""
    items: dict[str, float] = field(default_factory=dict)  # rubric item number -> points given
    answer: str = ""  # the answer that was scored

    def as_json(self) -> dict[str, Any]:
        return {"score": self.score, "comment": self.comment, "items": self.items, "answer": self.answer}


HandScores = dict[str, dict[str, HandScore]]  # student -> "question/part" -> score


def part_key(question: str, part: str) -> str:
    return f"{question}/{part}"


def read_hand_scores(out_dir: Path) -> HandScores:
    path = Path(out_dir) / HAND_SCORES
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {student: {key: HandScore(float(v["score"]), v.get("comment", ""), dict(v.get("items") or {}),
                                     v.get("answer", ""))
                      for key, v in parts.items()}
            for student, parts in data.get("scores", {}).items()}


def hand_scores_json(scores: HandScores) -> str:
    data = {"version": 1, "scores": {student: {key: score.as_json() for key, score in sorted(parts.items())}
                                     for student, parts in sorted(scores.items()) if parts}}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def same_answer(a: str | None, b: str | None) -> bool:
    """Whether two records hold the same answer. One written before hand-graded answers were kept whole (cut
    to 1,000 characters with a note) is the same as the whole answer it was cut from."""
    a, b = a or "", b or ""
    if a.strip() == b.strip():
        return True
    return cap_text(a, MAX_ANSWER_ECHO).strip() == b.strip() or cap_text(b, MAX_ANSWER_ECHO).strip() == a.strip()


def apply_hand_scores(result: SubmissionResult, scores: dict[str, HandScore]) -> list[str]:
    """Replace pending parts that have a hand score; return the keys whose answer changed since scoring."""
    stale = []
    for index, part in enumerate(result.parts):
        score = scores.get(part_key(part.question, part.part))
        if score is None or part.result.verdict != "pending":
            continue
        if not same_answer(part.raw, score.answer):
            stale.append(part_key(part.question, part.part))
            continue
        fraction = 0.0 if part.max_points == 0 else min(1.0, score.score / part.max_points)
        verdict = "correct" if fraction >= 1.0 else "partial" if fraction > 0 else "incorrect"
        message = feedback("hand-graded", comment=score.comment.strip() or feedback("hand-graded-no-comment"))
        check = CheckResult(verdict, round(fraction, 6), message, HAND_GRADED, (part.raw or "").strip()[:200])
        result.parts[index] = replace(part, points=round(score.score, 6), result=check)
    return stale
