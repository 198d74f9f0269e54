"""A graded submission as JSON (``records/<id>.json``), so later runs can keep, compare and hand-grade it.

The record is the auto-grading result as it was computed, with the bank's
fingerprint and each part's reference and settings at that time. Hand scores
are kept apart (``hand-scores.json``) and laid over the record when reports
are written, so regrading never silently drops a grader's work.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from grader.bank.fingerprint import grader_version
from grader.bank.model import Bank
from grader.check.base import CheckResult
from grader.core import jsontext, speed
from grader.core.files import safe_name
from grader.grading.grade import PartResult, SubmissionResult

RECORDS = "records"
RECORD_VERSION = 1
_RESULT_FIELDS = tuple(field.name for field in fields(CheckResult))


def part_settings(bank: Bank, question_id: str, part_id: str) -> dict[str, Any]:
    """The part's checking settings as written in the bank (tolerances, forms, rubric...), JSON-safe."""
    question = bank.by_id.get(question_id)
    if question is None:
        return {}
    part = next((p for p in question.parts if p.id == part_id), None)
    if part is None:
        return {}
    return json.loads(json.dumps({k: v for k, v in part.settings.items() if k != "cases"}, default=str))


def _all_settings(bank: Bank) -> dict[tuple[str, str], dict[str, Any]]:
    """Every part's settings, computed once per bank (a class has hundreds of records, one bank)."""
    cached = getattr(bank, "_record_settings", None)
    if cached is None:
        # never changed once made, so their JSON text is made once for the class
        cached = {(q.id, p.id): jsontext.constant(part_settings(bank, q.id, p.id)) for q in bank.questions
                  for p in q.parts}
        bank._record_settings = cached
    return cached


def to_record(bank: Bank, result: SubmissionResult, on_roster: bool = True, *,
              remembered: bool = False) -> dict[str, Any]:
    """The record as JSON-ready data; with ``remembered``, each part is a ``jsontext.Remembered`` (for
    ``jsontext.dumps`` only): a part result shared by students is encoded once."""
    settings = _all_settings(bank)

    def entry(p: PartResult) -> Any:
        part_settings = settings.get((p.question, p.part), _NO_SETTINGS)
        if remembered:
            return jsontext.Remembered((p, part_settings), lambda: _part_record(p, part_settings))
        return _part_record(p, part_settings)

    return {
        "on_roster": on_roster,  # a file from someone not on the roster is kept until --fresh
        "record_version": RECORD_VERSION,
        "student_id": result.student_id,
        "status": result.status,
        "message": result.message,
        "source": result.source,
        "warnings": list(result.warnings),
        "bank_id": bank.id,
        "bank_fingerprint": result.bank_fingerprint,
        "grader_version": result.grader_version or grader_version(),
        "not_assigned": list(result.not_assigned),  # a pool's other questions: the kept row still says so
        "parts": [entry(p) for p in result.parts],
    }


_NO_SETTINGS: dict[str, Any] = jsontext.constant({})  # never changed


def _part_record(p: PartResult, settings: dict[str, Any]) -> dict[str, Any]:
    return {"question": p.question, "part": p.part, "type": p.type, "max_points": p.max_points, "points": p.points,
            "raw": p.raw, "reference": p.reference, "chosen_options": list(p.chosen_options),
            "result": {name: getattr(p.result, name) for name in _RESULT_FIELDS}, "settings": settings}


def from_record(record: dict[str, Any]) -> SubmissionResult:
    parts = [PartResult(p["question"], p["part"], p["type"], float(p["max_points"]), float(p["points"]),
                        CheckResult(**p["result"]), p.get("raw"), p.get("reference", ""),
                        tuple(p.get("chosen_options") or ())) for p in record["parts"]]
    # by keyword: SubmissionResult gains fields (pools' not_assigned, the feedback's student name)
    return SubmissionResult(record["student_id"], record["status"], parts, warnings=list(record.get("warnings") or []),
                            message=record.get("message", ""), source=record.get("source", ""),
                            not_assigned=list(record.get("not_assigned") or []),
                            bank_fingerprint=record.get("bank_fingerprint", ""),
                            grader_version=record.get("grader_version", ""))


def record_path(out_dir: Path, student_id: str) -> Path:
    return out_dir / RECORDS / f"{safe_name(student_id)}.json"


def record_json(bank: Bank, result: SubmissionResult, on_roster: bool = True) -> str:
    return jsontext.dumps(to_record(bank, result, on_roster, remembered=speed.FAST), indent=1, ensure_ascii=False,
                          sort_keys=True) + "\n"


def read_records(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Every record in an output folder, by student id (unreadable ones are skipped: they are rewritten)."""
    found: dict[str, dict[str, Any]] = {}
    folder = Path(out_dir) / RECORDS
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            found[record["student_id"]] = record
        except (OSError, ValueError, KeyError):
            continue
    return found
