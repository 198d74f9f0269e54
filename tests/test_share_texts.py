"""The parent's copy of a class: results shared where they are equal, never where they only look equal.

``share_texts`` keeps one object for each repeated text, number, check result and part result across a
class (10,000 students hold the same few thousand of each). A shared result must write exactly what the
student's own copy writes, and values that compare equal in Python but print differently (0.0 and -0.0,
1 and 1.0) must stay apart.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from grader.bank.model import load_bank
from grader.check.base import CheckResult
from grader.grading.grade import PartResult, SubmissionResult
from grader.grading.records import record_json
from grader.jobs.batches import share_texts
from grader.jobs.grade_class import grade_file

ROOT = Path(__file__).resolve().parent.parent
SECRET = "share-texts-secret"


def _copy(result):
    return pickle.loads(pickle.dumps(result))  # as a result arrives from a worker: its own objects


def test_shared_results_write_what_the_students_own_copies_write() -> None:
    bank = load_bank(ROOT / "questions" / "cnn.yaml")
    graded = [grade_file(bank, SECRET, path.stem, path) for path in sorted((ROOT / "submissions").glob("s0*.yaml"))]
    expected = [record_json(bank, result) for result in graded]
    texts: dict = {}
    shared = [share_texts(_copy(result), texts) for result in graded]
    shared += [share_texts(_copy(result), texts) for result in graded]  # the same class again: all shared now
    assert [record_json(bank, result) for result in shared] == expected + expected
    first, again = shared[0], shared[len(graded)]
    assert all(a is b for a, b in zip(first.parts, again.parts))  # equal parts: one object


def _result(points, score) -> SubmissionResult:
    check = CheckResult("partial", score, "Half right.", "partial", "x")
    return SubmissionResult("s1", "graded", [PartResult("q", "a", "integer", 1.0, points, check, "x")])


def test_values_that_only_compare_equal_stay_apart() -> None:
    texts: dict = {}
    results = [share_texts(_result(points, score), texts) for points, score in
               [(0.0, 0.5), (-0.0, 0.5), (1, 0.5), (1.0, 0.5), (1.0, 1)]]
    points = [r.parts[0].points for r in results]
    assert [repr(p) for p in points] == ["0.0", "-0.0", "1", "1.0", "1.0"]
    assert repr(results[4].parts[0].result.score) == "1"
    assert results[3].parts[0] is not results[4].parts[0]  # the scores 0.5 and 1 differ


def test_results_travel_from_the_workers_whole_and_shared_once_per_batch() -> None:
    check = CheckResult("partial", 0.5, "Half.", "partial-entries", "[[1, 2]]")
    part = PartResult("q", "a", "matrix", 2.0, 1.0, check, "[[1,2]]", "[[1, 3]]", (2,))
    other = PartResult("q", "b", "integer", 1, -0.0, CheckResult("incorrect", 0.0, "No.", "wrong", "3"), None)
    batch = [SubmissionResult("s1", "graded", [part, other]), SubmissionResult("s2", "graded", [part])]
    arrived = pickle.loads(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
    assert arrived[0].parts == [part, other] and arrived[1].parts == [part]
    assert arrived[0].parts[0] is arrived[1].parts[0]  # one object for both students, as in the worker
    copy = arrived[0].parts[1]
    assert type(copy.max_points) is int and str(copy.points) == "-0.0" and copy.raw is None and copy.chosen_options == ()
    texts: dict = {}
    seen: dict = {}
    shared = [share_texts(result, texts, seen) for result in arrived]
    assert shared[0].parts[0] is shared[1].parts[0]
    assert [record_json(load_bank(ROOT / "questions" / "cnn.yaml"), r) for r in shared] == \
        [record_json(load_bank(ROOT / "questions" / "cnn.yaml"), r) for r in batch]
