"""Item analysis figures, checked against the textbook formulas computed here in plain Python."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from grader.bank.model import load_bank
from grader.bank.variant import make_variant
from grader.grading.grade import grade_submission
from grader.grading.submission import Submission
from grader.report.item_analysis import flags, item_analysis, point_biserial, upper_lower
from grader.report.summary import class_summary

TINY = Path(__file__).parent / "fixtures" / "banks" / "tiny.yaml"
SECRET = "item-analysis"


def test_point_biserial_is_the_pearson_correlation_with_the_rest():
    import numpy as np

    item = [1, 0, 1, 1, 0, 0, 1]
    rest = [9, 3, 7, 8, 4, 6, 5]
    assert point_biserial(np.array(item, float), np.array(rest, float)) == pytest.approx(
        statistics.correlation(item, rest))
    assert point_biserial(np.array([1, 1, 1.0]), np.array([1, 2, 3.0])) is None  # constant: undefined


def test_upper_lower_uses_the_top_and_bottom_27_percent():
    import numpy as np

    item = [1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0]
    total = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    group = round(0.27 * len(item))  # 3 students each
    top = sorted(range(len(item)), key=lambda i: total[i])[-group:]
    bottom = sorted(range(len(item)), key=lambda i: total[i])[:group]
    expected = sum(item[i] for i in top) / group - sum(item[i] for i in bottom) / group
    assert upper_lower(np.array(item, float), np.array(total, float)) == pytest.approx(expected)


@pytest.mark.parametrize("difficulty, discrimination, expected", [
    (0.5, 0.3, []), (0.95, 0.1, ["too-easy"]), (0.1, 0.2, ["too-hard"]),
    (0.5, -0.2, ["negative-discrimination"]), (None, None, []),
])
def test_flags(difficulty, discrimination, expected):
    assert flags(difficulty, discrimination) == expected


def _class(bank, plan: dict[str, tuple[str, str]]) -> dict:
    """Grade each student's (width answer kind, choice option number) on their own variant."""
    results = {}
    for student, (width, option) in plan.items():
        width_variant = make_variant(bank, bank.by_id["output-width"], SECRET, student)
        i, f = width_variant.params["I"], width_variant.params["F"]
        answer = {"right": i - f + 1, "plus-one": i - f, "other": 7}[width]
        choice = make_variant(bank, bank.by_id["pooling"], SECRET, student).parts["a"]["options"]
        letter = "AB"[[o["number"] for o in choice].index(option)]  # the letter this student saw
        submission = Submission(student, f"{student}.yaml", {"output-width": {"a": str(answer)},
                                                             "pooling": {"a": letter}})
        results[student] = grade_submission(bank, SECRET, submission)
    return results


def test_options_are_counted_as_in_the_bank_across_shuffles_and_mistakes_by_note():
    bank = load_bank(TINY)
    plan = {f"s{n}": (kind, option) for n, (kind, option) in enumerate(
        [("right", 1), ("right", 1), ("plus-one", 2), ("plus-one", 1), ("other", 2), ("right", 1)])}
    results = _class(bank, plan)
    results["visitor"] = _class(bank, {"visitor": ("other", 2)})["visitor"]
    summary = class_summary(bank, results, set(plan))
    assert summary["students"] == len(plan) and summary["not_on_roster"] == 1
    items = {(i["question"], i["part"]): i for i in summary["items"]}
    choice = items[("pooling", "a")]
    assert [(o["number"], o["chosen"], o["correct"]) for o in choice["options"]] == [(1, 4, True), (2, 2, False)]
    width = items[("output-width", "a")]
    assert width["difficulty"] == pytest.approx(3 / 6)
    notes = {n["note"]: n for n in width["notes"]}
    assert notes["missing-plus-one"]["count"] == 2 and len(notes) == 2
    assert sum(count for _, count in notes["missing-plus-one"]["answers"]) == 2
    scores = [[p.points for p in results[s].parts] for s in plan]
    width_scores = [row[0] / 2 for row in scores]  # 2 points per question in tiny.yaml
    rest = [row[1] for row in scores]
    assert width["point_biserial"] == pytest.approx(statistics.correlation(width_scores, rest), abs=1e-3)
    assert items == {(i["question"], i["part"]): i for i in item_analysis(bank, [results[s] for s in plan])}


def test_the_histogram_counts_students_in_whole_numbers(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    from grader.report.plots import histogram_png

    kept = []
    close = plt.close
    monkeypatch.setattr(plt, "close", lambda figure=None: kept.append(figure))
    png = histogram_png({"scores": [1.5, 2.0, 2.5, 7.0], "max_score": 10})
    assert png[:4] == b"\x89PNG"
    ticks = kept[0].axes[0].get_yticks()
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks
    close(kept[0])
