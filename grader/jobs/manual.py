"""Hand grading: a grading sheet of every pending part, and merging the filled sheet back.

``grader manual`` writes one row per (student, hand-graded part) not yet
scored: the student's answer, the part's points, a ``score`` and ``comment``
column, and one column per rubric item (``question/part #n: text``), in
which the grader writes the points given for that item. ``grader merge``
(or ``grader grade --manual``) reads it back: the score is the ``score``
cell, or else the sum of the row's rubric cells. Every problem is reported
with its CSV row, all at once, and nothing is merged until the sheet is
clean. Scores go into ``hand-scores.json``; feedback, results.json,
gradebook and summary are rewritten through the same staged swap as a run.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from grader.bank.model import Bank
from grader.check.registry import REGISTRY
from grader.core.errors import GraderError, Location
from grader.core.files import write_atomic
from grader.core.safe_text import spreadsheet_cell
from grader.course.roster import Student, students_from_json
from grader.grading.grade import SubmissionResult
from grader.grading.hand_scores import (
    HAND_SCORES,
    HandScore,
    apply_hand_scores,
    hand_scores_json,
    part_key,
    read_hand_scores,
)
from grader.grading.records import from_record, read_records
from grader.jobs import staging

FIXED_COLUMNS = ["student", "name", "question", "part", "points", "answer", "score", "comment"]
SHEET_ANSWER_CELL = 32_000  # a spreadsheet cell holds 32,767 characters; a record keeps 20,000 and a note
RUBRIC_HEADER = re.compile(r"^(?P<question>[^/\s]+)/(?P<part>[^\s#]+) #(?P<number>\d+)")
HEADER_TEXT = 60


class SheetError(GraderError):
    """A grading sheet with problems; the message lists every one with its row."""


@dataclass
class MergeReport:
    merged: int
    students: list[str]
    notices: list[str]


def hand_graded_parts(bank: Bank) -> list[tuple[str, str, list[str]]]:
    """(question, part, rubric items) for every part a person grades."""
    return [(question.id, part.id, [str(item) for item in part.settings.get("rubric") or []])
            for question in bank.questions for part in question.parts
            if part.type in REGISTRY.checkers and REGISTRY.get(part.type).in_answers_file
            and not REGISTRY.get(part.type).needs_answer]


def rubric_header(question: str, part: str, number: int, text: str) -> str:
    short = " ".join(text.split())
    return f"{question}/{part} #{number}: {short[:HEADER_TEXT]}"


def _roster(out_dir: Path) -> list[Student]:
    path = out_dir / "roster.json"
    if not path.exists():
        raise GraderError("this folder has no roster.json; grade the class into it first", Location(str(out_dir)))
    return students_from_json(path.read_text(encoding="utf-8"))


def _current_results(out_dir: Path) -> dict[str, SubmissionResult]:
    records = read_records(out_dir)
    if not records:
        raise GraderError("this folder holds no graded records; run grader grade into it first",
                          Location(str(out_dir)))
    hand = read_hand_scores(out_dir)
    results = {}
    for student_id, record in records.items():
        result = from_record(record)
        if result.status == "graded":
            apply_hand_scores(result, hand.get(student_id, {}))
        results[student_id] = result
    return results


def grading_sheet(bank: Bank, out_dir: Path) -> tuple[str, int]:
    """The sheet as CSV text, and how many rows it has."""
    out_dir = Path(out_dir)
    names = {s.id: s.name for s in _roster(out_dir)}
    parts = hand_graded_parts(bank)
    rubric_columns = [rubric_header(q, p, n, text) for q, p, items in parts for n, text in enumerate(items, 1)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIXED_COLUMNS + rubric_columns)
    rows = 0
    wanted = {(q, p) for q, p, _ in parts}
    for student_id, result in sorted(_current_results(out_dir).items()):
        if result.status != "graded":
            continue
        for part in result.parts:
            if (part.question, part.part) in wanted and part.result.verdict == "pending":
                writer.writerow([student_id, names.get(student_id, ""), part.question, part.part,
                                 f"{part.max_points:g}", _answer_cell(part.raw), "", ""] + [""] * len(rubric_columns))
                rows += 1
    return buffer.getvalue(), rows


def _answer_cell(raw: str | None) -> str:
    """The whole answer for the grader to read, shown by a spreadsheet as text (``=SUM(...)`` is no formula)."""
    return spreadsheet_cell((raw or "").strip(), SHEET_ANSWER_CELL)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def read_sheet(bank: Bank, results: dict[str, SubmissionResult], sheet: Path) -> dict[str, dict[str, HandScore]]:
    """Scores by student and part; raises SheetError listing every problem with its row."""
    try:
        text = Path(sheet).read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise SheetError(f"cannot read the grading sheet: {error.strerror}", Location(str(sheet))) from error
    except UnicodeDecodeError as error:
        raise SheetError("the grading sheet is not UTF-8 text; save it as CSV (UTF-8)", Location(str(sheet))) from error
    reader = csv.DictReader(io.StringIO(text))
    headers = [h for h in (reader.fieldnames or []) if h is not None]
    problems: list[str] = []
    missing = [c for c in ("student", "question", "part") if c not in headers]
    if missing:
        raise SheetError(f"row 1: the sheet needs the column(s) {', '.join(missing)}", Location(str(sheet), 1))
    rubrics = {(q, p): items for q, p, items in hand_graded_parts(bank)}
    item_columns: dict[str, tuple[str, str, int]] = {}
    for header in headers:
        if header in FIXED_COLUMNS:
            continue
        match = RUBRIC_HEADER.match(header)
        if not match:
            problems.append(f"row 1: unknown column '{header}'")
            continue
        key = (match["question"], match["part"])
        number = int(match["number"])
        if key not in rubrics:
            problems.append(f"row 1: column '{header}' names question '{key[0]}' part '{key[1]}', "
                            "which is not graded by hand")
        elif not 1 <= number <= len(rubrics[key]):
            problems.append(f"row 1: unknown rubric item #{number} in '{header}' (question '{key[0]}' part "
                            f"'{key[1]}' has {len(rubrics[key])})")
        else:
            item_columns[header] = (key[0], key[1], number)
    scores: dict[str, dict[str, HandScore]] = {}
    for row_number, row in enumerate(reader, start=2):
        student, question, part = ((row.get(c) or "").strip() for c in ("student", "question", "part"))
        where = f"row {row_number}"
        if not student and not question:
            continue
        result = results.get(student)
        if result is None:
            problems.append(f"{where}: unknown student '{student}' (not graded in this folder)")
            continue
        if (question, part) not in rubrics:
            problems.append(f"{where}: question '{question}' part '{part}' is not a part graded by hand")
            continue
        graded = next((p for p in result.parts if p.question == question and p.part == part), None)
        if result.status != "graded" or graded is None:
            problems.append(f"{where}: student '{student}' has no graded submission to score")
            continue
        items: dict[str, float] = {}
        for header, (item_question, item_part, number) in item_columns.items():
            cell = (row.get(header) or "").strip()
            if not cell:
                continue
            if (item_question, item_part) != (question, part):
                problems.append(f"{where}: rubric item '{item_question}/{item_part} #{number}' is not an item of "
                                f"question '{question}' part '{part}'")
                continue
            value = _number(cell)
            if value is None or value < 0:
                problems.append(f"{where}: rubric item #{number} '{cell}' must be a number of points >= 0")
                continue
            items[str(number)] = value
        score_cell = (row.get("score") or "").strip()
        if not score_cell and not items:
            continue  # not graded yet: stays pending
        score = _number(score_cell) if score_cell else sum(items.values())
        if score is None or score < 0:
            problems.append(f"{where}: score '{score_cell}' must be a number of points >= 0")
            continue
        if score > graded.max_points + 1e-9:
            problems.append(f"{where}: score {score:g} is above the part's points ({graded.max_points:g}) for "
                            f"question '{question}' part '{part}'")
            continue
        if items and sum(items.values()) > graded.max_points + 1e-9:
            problems.append(f"{where}: the rubric items add up to {sum(items.values()):g}, above the part's points "
                            f"({graded.max_points:g}) for question '{question}' part '{part}'")
            continue
        key = part_key(question, part)
        if key in scores.get(student, {}):
            problems.append(f"{where}: student '{student}' question '{question}' part '{part}' is scored twice")
            continue
        scores.setdefault(student, {})[key] = HandScore(round(score, 6), (row.get("comment") or "").strip(), items,
                                                        (graded.raw or "").strip())
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise SheetError(f"{count} in the grading sheet; nothing was merged:\n  " + "\n  ".join(problems),
                         Location(str(sheet)))
    return scores


def merge_sheet(bank: Bank, out_dir: Path, sheet: Path) -> MergeReport:
    """Merge a filled grading sheet into a graded folder (staged and swapped like a grading run)."""
    from grader.jobs.class_outputs import write_class_outputs
    from grader.jobs.grade_class import write_student_outputs

    out_dir = Path(out_dir)
    students = _roster(out_dir)
    new_scores = read_sheet(bank, {sid: from_record(r) for sid, r in read_records(out_dir).items()}, sheet)
    stage = staging.begin(out_dir)
    try:
        hand = read_hand_scores(stage.path)
        for student_id, parts in new_scores.items():
            hand.setdefault(student_id, {}).update(parts)
        write_atomic(stage.path / HAND_SCORES, hand_scores_json(hand))
        outside = {sid: from_record(r) for sid, r in stage.previous.items() if sid not in {s.id for s in students}}
        results = stage.finish(bank, students, {}, write_student_outputs, keep=outside)
        stage.kept = []  # a merge keeps everyone by design; that is not news
        write_class_outputs(bank, students, results, stage.path)
        stage.commit()
    except BaseException:
        stage.abort()
        raise
    merged = sum(len(parts) for parts in new_scores.values())
    return MergeReport(merged, sorted(new_scores), stage.notices())
