"""The regrade report: after a key fix or a bank edit, whose score moved, by how much, and why.

It compares the previous output's records (with their hand scores) with this
run's results, part by part. A part's change is explained by what differs
between the two records: the student's answer, the reference, the part's
settings (a tolerance, a form rule, options), its points; when none of those
differ the check itself reads the answer differently now (a new accepted form,
or a new grader version). This is what an instructor sends after a key fix.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from grader.bank.templates import points as pts
from grader.course.roster import Student
from grader.grading.grade import HAND_GRADED, PartResult, SubmissionResult
from grader.grading.hand_scores import apply_hand_scores, read_hand_scores, same_answer
from grader.grading.records import from_record, read_records

REPORT_CSV = "regrade-report.csv"
REPORT_MD = "regrade-report.md"
EPSILON = 1e-9


@dataclass
class PartChange:
    question: str
    part: str
    old_points: float | None
    new_points: float | None
    old_verdict: str
    new_verdict: str
    reasons: list[str]


@dataclass
class StudentChange:
    student_id: str
    old_score: float
    new_score: float
    parts: list[PartChange] = field(default_factory=list)


@dataclass
class PreviousOutput:
    """What an earlier run held: each student's result (hand scores applied) and each part's record."""

    results: dict[str, SubmissionResult]
    parts: dict[tuple[str, str, str], dict]  # (student, question, part) -> the part's record
    grader_versions: dict[str, str]


def read_previous(out_dir: Path) -> PreviousOutput:
    records = read_records(Path(out_dir))
    hand = read_hand_scores(Path(out_dir))
    results, parts, versions = {}, {}, {}
    for student_id, record in records.items():
        result = from_record(record)
        if result.status == "graded":
            apply_hand_scores(result, hand.get(student_id, {}))
        results[student_id] = result
        versions[student_id] = record.get("grader_version", "")
        for part in record["parts"]:
            parts[(student_id, part["question"], part["part"])] = part
    return PreviousOutput(results, parts, versions)


def _settings_changes(old: dict, new: dict) -> list[str]:
    changes = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            if key == "options":
                changes.append("changed options")
            else:
                changes.append(f"changed {key}: {old.get(key, '(none)')} → {new.get(key, '(none)')}")
    return changes


def _reasons(old_record: dict | None, new: PartResult, new_settings: dict, old_version: str,
             new_version: str, hand: bool) -> list[str]:
    if old_record is None:
        return ["a new part"]
    reasons = []
    if not same_answer(old_record.get("raw"), new.raw):
        reasons.append("a different answer was graded")
    if old_record.get("reference", "") != new.reference:
        reasons.append(f"new reference: {old_record.get('reference') or '(none)'} → {new.reference or '(none)'}")
    reasons += _settings_changes(old_record.get("settings") or {}, new_settings)
    if abs(float(old_record["max_points"]) - new.max_points) > EPSILON:
        reasons.append(f"points changed: {pts(float(old_record['max_points']))} → {pts(new.max_points)}")
    if hand:
        reasons.append("scored by hand")
    if not reasons:
        reasons.append("the check now reads this answer differently (a new accepted form"
                       + (f", grader {old_version} → {new_version})" if old_version != new_version else ")"))
    return reasons


def compare(previous: PreviousOutput, results: dict[str, SubmissionResult], settings_of,
            new_version: str) -> list[StudentChange]:
    """Every student whose score changed. ``settings_of(question, part)`` gives the part's settings now."""
    changes = []
    for student_id, new in sorted(results.items()):
        old = previous.results.get(student_id)
        old_score = old.points if old else 0.0
        if abs(old_score - new.points) <= EPSILON:
            continue
        change = StudentChange(student_id, old_score, new.points)
        old_parts = {(p.question, p.part): p for p in (old.parts if old else [])}
        for part in new.parts:
            before = old_parts.get((part.question, part.part))
            if before is not None and abs(before.points - part.points) <= EPSILON:
                continue
            record = previous.parts.get((student_id, part.question, part.part))
            change.parts.append(PartChange(part.question, part.part, before.points if before else None, part.points,
                                           before.result.verdict if before else "", part.result.verdict,
                                           _reasons(record, part, settings_of(part.question, part.part),
                                                    previous.grader_versions.get(student_id, ""), new_version,
                                                    HAND_GRADED in (part.result.note,
                                                                    before.result.note if before else ""))))
        for key, before in old_parts.items():
            if not any((p.question, p.part) == key for p in new.parts):
                change.parts.append(PartChange(key[0], key[1], before.points, None, before.result.verdict, "",
                                               ["the part was removed from the bank"]))
        if old is None:
            change.parts.insert(0, PartChange("", "", None, None, "", new.status, ["not graded before"]))
        changes.append(change)
    return changes


def report_csv(changes: list[StudentChange], students: list[Student]) -> str:
    names = {s.id: s.name for s in students}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "name", "old_score", "new_score", "change", "question", "part", "old_points",
                     "new_points", "old_verdict", "new_verdict", "why"])
    for change in changes:
        for part in change.parts or [PartChange("", "", None, None, "", "", [])]:
            writer.writerow([change.student_id, names.get(change.student_id, ""), pts(change.old_score),
                             pts(change.new_score), f"{change.new_score - change.old_score:+g}", part.question,
                             part.part, "" if part.old_points is None else pts(part.old_points),
                             "" if part.new_points is None else pts(part.new_points), part.old_verdict,
                             part.new_verdict, "; ".join(part.reasons)])
    return buffer.getvalue()


def report_markdown(changes: list[StudentChange], title: str) -> str:
    lines = [f"# Regrade report: {title}", ""]
    if not changes:
        return "\n".join(lines + ["No student's score changed.", ""])
    lines.append(f"{len(changes)} student(s) have a new score.")
    for change in changes:
        lines += ["", f"## {change.student_id}: {pts(change.old_score)} → {pts(change.new_score)} "
                      f"({change.new_score - change.old_score:+g})", ""]
        for part in change.parts:
            label = f"{part.question} ({part.part})" if part.question else "submission"
            old = "-" if part.old_points is None else pts(part.old_points)
            new = "-" if part.new_points is None else pts(part.new_points)
            lines.append(f"- {label}: {old} → {new}: {'; '.join(part.reasons)}")
    return "\n".join(lines) + "\n"
