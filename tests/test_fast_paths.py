"""The fast paths (issue 12) change nothing a student or instructor sees.

Every output of a whole class (feedback in Markdown and HTML, results.json, gradebook, summary,
histogram) is compared byte for byte between the fast paths and the old paths, for the sample class
and for a generated class that answers in many spellings: right, each declared mistake, transposed,
negated, reshaped, MATLAB style, padded, signed, malformed. Then the pieces one by one: matrix text
read on the fast path against the bracket scanner and the parser (generated text), the cache of
resolved variants against fresh resolution, and that the cache is never stale after an edit.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.bank.model import load_bank
from grader.bank.variant import make_variant
from grader.check.registry import REGISTRY, answers_file_parts
from grader.check.types.expression import _AnswerPrinter
from grader.core import speed
from grader.core.errors import FormatError
from grader.course.roster import read_roster
from grader.jobs.grade_class import grade_class

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "questions" / "cnn.yaml"
SECRET = "fast-path-test-secret"


def _outputs(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name != "run.json"}


def _grade(bank, roster: Path, submissions: Path, out: Path, fast: bool) -> dict[str, bytes]:
    with speed.fast_paths(fast):
        grade_class(bank, SECRET, read_roster(roster), [submissions], out, jobs=0)
    return _outputs(out)


def _assert_same(slow: dict[str, bytes], fast: dict[str, bytes]) -> None:
    assert sorted(slow) == sorted(fast)
    different = [name for name in slow if slow[name] != fast[name]]
    assert not different, f"{len(different)} files differ, first {different[0]}"


# ----- a class that answers in many spellings --------------------------------------------------------
def _spellings(kind: str, spec: dict, rng: random.Random) -> list[str]:
    checker = REGISTRY.get(kind)
    answer = spec.get("answer")
    right = checker.format(answer, spec) if answer is not None else ""
    wrong = [checker.format(m["answer"], spec) for m in spec.get("mistakes", [])]
    texts = [right, *wrong, "", "((", right + ")"]
    if kind == "matrix":
        rows = answer.tolist()
        printer = _AnswerPrinter()

        def matlab(matrix_rows: list[list], sep: str = " ") -> str:
            return "[" + "; ".join(sep.join(printer.doprint(c) for c in row) for row in matrix_rows) + "]"

        transposed = [list(column) for column in zip(*rows)]
        texts += [checker.format(answer.T, spec), checker.format(-answer, spec), matlab(rows), matlab(rows, ",  "),
                  matlab(transposed), "[" + right + "]", right.replace(", ", ","), right.replace("[", "[ "),
                  matlab(rows[:-1] or rows), matlab([row[:-1] or row for row in rows]), "[[1, 2], [3]]",
                  right.replace("0", "+0", 1), right.replace("0", "007", 1), right.replace("1", "x", 1),
                  right.replace("1", "1.5", 1), right.replace("]", "];", 1), "[k1 -k2; k3 k4]",
                  matlab([[c + 1 if i == 0 else c for i, c in enumerate(row)] for row in rows])]
    elif kind == "expression":
        texts += [f"2*({right})", f"-({right})", f"{right} + 1", f"{right} - 1", "H K", "h-k+1"]
    elif kind in ("integer", "number"):
        texts += [right + ".0", f"{right} weights", "1e999999", "-" + right]
    elif kind in ("choice", "checkbox"):
        texts += ["A", "B", "C, A", "Z"]
    return [rng.choice(texts) for _ in range(2)]


def _make_class(bank, folder: Path, students: int) -> Path:
    submissions = folder / "submissions"
    submissions.mkdir(parents=True)
    rng = random.Random(12)
    ids = [f"f{index:03d}" for index in range(students)]
    (folder / "roster.csv").write_text("Name,SID\n" + "".join(f"Student {i},{i}\n" for i in ids))
    for student in ids:
        answers: dict[str, dict[str, str]] = {}
        for question in bank.questions:
            parts = answers_file_parts(question)
            if not parts:
                continue
            variant = make_variant(bank, question, SECRET, student)
            answers[question.id] = {}
            for part in parts:
                spec = variant.parts[part.id]
                answers[question.id][part.id] = ("Pooling adds no weights." if part.type == "free" else
                                                 rng.choice(_spellings(part.type, spec, rng)))
        suffix = ".json" if rng.random() < 0.3 else ".yaml"
        text = json.dumps(answers, indent=1, ensure_ascii=False) if suffix == ".json" else "\n".join(
            f"{q}:\n" + "".join(f"  {p}: {json.dumps(v, ensure_ascii=False)}\n" for p, v in parts.items())
            for q, parts in answers.items())
        (submissions / f"{student}{suffix}").write_text(text, encoding="utf-8")
    return submissions


def test_the_sample_class_is_graded_byte_for_byte_the_same(tmp_path: Path) -> None:
    bank = load_bank(BANK)
    roster, submissions = ROOT / "submissions" / "roster.csv", ROOT / "submissions"
    slow = _grade(bank, roster, submissions, tmp_path / "slow", fast=False)
    fast = _grade(bank, roster, submissions, tmp_path / "fast", fast=True)
    assert any(name.startswith("feedback/") for name in slow) and "gradebook.csv" in slow
    _assert_same(slow, fast)


def test_a_generated_class_in_many_spellings_is_graded_byte_for_byte_the_same(tmp_path: Path) -> None:
    bank = load_bank(BANK)
    submissions = _make_class(bank, tmp_path / "class", 40)
    roster = tmp_path / "class" / "roster.csv"
    slow = _grade(load_bank(BANK), roster, submissions, tmp_path / "slow", fast=False)
    cold = _grade(bank, roster, submissions, tmp_path / "cold", fast=True)
    warm = _grade(bank, roster, submissions, tmp_path / "warm", fast=True)  # every cache already filled
    _assert_same(slow, cold)
    _assert_same(slow, warm)
    # the class really exercised the comparisons: several verdicts and matrix diagnoses appear, by name
    records = [json.loads(v) for k, v in slow.items() if k.startswith("records/")]
    notes = {part["result"]["note"] for record in records for part in record["parts"]}
    verdicts = {part["result"]["verdict"] for record in records for part in record["parts"]}
    assert {"transposed", "wrong-shape", "sign", "invalid"} <= notes, sorted(notes)
    assert {"correct", "incorrect", "partial", "invalid"} <= verdicts, sorted(verdicts)


# ----- matrices: the tidy fast path against the scanner and the parser ------------------------------
MATRIX_SPEC = {"type": "matrix", "variables": ["k1", "k2", "x"], "mistakes": []}
_cell = st.one_of(st.integers(-10**6, 10**6).map(str), st.sampled_from(["k1", "k2", "x", "y", "pi", "e", "007", "+3",
                                                                        "-0", "1.5", "2x", "k1k2", "sin", "9" * 301]))
_matrices = st.lists(st.lists(_cell, min_size=1, max_size=4), min_size=1, max_size=4)


def _spell(rows: list[list[str]], style: int, space: str) -> str:
    if style == 0:
        return "[" + f",{space}".join("[" + f",{space}".join(row) + "]" for row in rows) + "]"
    if style == 1:
        return "[" + f";{space}".join(" ".join(row) for row in rows) + "]"
    return space + "[" + f"{space};".join(f"{space} ".join(row) for row in rows) + f"]{space}"


def _read(text: str, fast: bool):
    with speed.fast_paths(fast):
        try:
            return REGISTRY.get("matrix").parse(text, MATRIX_SPEC)
        except FormatError as error:
            return ("error", error.message, error.offset, error.hint)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_matrices, st.integers(0, 2), st.sampled_from(["", " ", "  ", "\t"]))
def test_tidy_matrix_text_reads_exactly_as_the_full_path(rows: list[list[str]], style: int, space: str) -> None:
    text = _spell(rows, style, space)
    slow, fast = _read(text, False), _read(text, True)
    assert slow == fast
    if isinstance(slow, sympy.MatrixBase):
        assert type(slow) is type(fast) and slow._rep == fast._rep
        checker = REGISTRY.get("matrix")
        with speed.fast_paths(True):
            shown_fast = checker.format(fast, MATRIX_SPEC)
        with speed.fast_paths(False):
            assert checker.format(slow, MATRIX_SPEC) == shown_fast


@pytest.mark.parametrize("text", ["[[1, 2], [3, 4]]", "[1 2; 3 4]", " [ [1,2] , [3,4] ] ", "[k1 0; 0 k2]",
                                  "[[-5, +6]]", "[[007]]"])
def test_tidy_spellings_take_the_fast_path(text: str) -> None:
    from grader.check.matrix_text import plain_cells

    assert plain_cells(text) is not None


@pytest.mark.parametrize("text", ["[[1, 2], [3]]", "1 2; 3 4", "[1 - 2]", "[[1.5]]", "[[1,2],]", "[[\"1\"]]",
                                  "[[1, 2]]\n", "[[2x]]", "[[" + "9" * 301 + "]]"])
def test_other_spellings_take_the_full_path(text: str) -> None:
    from grader.check.matrix_text import plain_cells

    assert plain_cells(text) is None


# ----- resolved variants: cached against fresh ------------------------------------------------------
def _same(a, b) -> bool:
    """Equal, and of the same types all the way down (numpy arrays by value and dtype)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b)
    if callable(a):  # a code case's layer: a closure the solver makes afresh every time
        return a.__qualname__ == b.__qualname__
    return bool(a == b)


def assert_cached_variants_equal_fresh_ones(bank, students: int, secret: str = SECRET) -> None:
    """Every part's spec from the cache (shared by the variants that agree on its parameters) is the one
    resolved for the student alone."""
    for index in range(students):
        student = f"v{index}"
        for question in bank.questions:
            with speed.fast_paths(False):
                fresh = make_variant(bank, question, secret, student)
            with speed.fast_paths(True):
                cached = [make_variant(bank, question, secret, student) for _ in range(2)]
            for variant in cached:
                assert variant.values == fresh.values
                assert variant.parts.keys() == fresh.parts.keys()
                for part_id, spec in fresh.parts.items():
                    assert _same(variant.parts[part_id], spec), (question.id, part_id, student)


def test_cached_variants_equal_fresh_ones_for_every_part() -> None:
    assert_cached_variants_equal_fresh_ones(load_bank(BANK), 60)


def test_a_caller_changing_its_spec_does_not_change_the_next_students() -> None:
    bank = load_bank(BANK)
    question = bank.by_id["fc-weights"]
    first = make_variant(bank, question, SECRET, "same")
    first.parts["a"]["mistakes"].clear()
    first.parts["a"]["answer"] = sympy.Integer(-1)
    again = make_variant(bank, question, SECRET, "same")
    assert again.parts["a"]["answer"] != -1 and again.parts["a"]["mistakes"]


def test_an_edited_bank_never_gets_a_stale_variant(tmp_path: Path) -> None:
    shutil.copy(BANK, tmp_path / "cnn.yaml")
    shutil.copy(BANK.with_name("cnn_solvers.py"), tmp_path / "cnn_solvers.py")
    text = (tmp_path / "cnn.yaml").read_text()
    bank = load_bank(tmp_path / "cnn.yaml")
    before = make_variant(bank, bank.by_id["linear-weights"], SECRET, "s1").parts["a"]["answer"]
    start = text.index("id: linear-weights")
    at = text.index("answer: n*n\n", start)
    (tmp_path / "cnn.yaml").write_text(text[:at] + "answer: n*n + 1\n" + text[at + len("answer: n*n\n"):])
    edited = load_bank(tmp_path / "cnn.yaml")
    after = make_variant(edited, edited.by_id["linear-weights"], SECRET, "s1").parts["a"]["answer"]
    assert after == before + 1
    # a part replaced in place on the same bank object is resolved again, not served from the cache
    question = bank.by_id["linear-weights"]
    replaced = edited.by_id["linear-weights"]
    bank.questions[bank.questions.index(question)] = replaced
    assert make_variant(bank, replaced, SECRET, "s1").parts["a"]["answer"] == before + 1


# ----- the smaller pieces ----------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab {}%#-\n\r\t✔x")), max_size=30))
def test_plain_text_renders_to_itself_exactly_as_jinja_would(text: str) -> None:
    from grader.bank.templates import TemplateRenderError, compile_template, render

    try:
        expected = compile_template(text).render()
    except Exception as error:  # not a valid template: the fast path must not swallow that
        # render() names a template's failure as a TemplateRenderError (issue 11), raised from jinja's own error
        expected = ("raised", TemplateRenderError, type(error))
    with speed.fast_paths(True):
        try:
            fast = render(text, {})
        except Exception as error:
            fast = ("raised", type(error), type(error.__cause__))
    assert fast == expected


@pytest.mark.parametrize("value", [[[1, 2], [3, 4]], [[0, 0], [0, 0]], [[-3, 10**40]], [[1.5, 2]], [[1, 2], [3]],
                                   [[True, 2]], [[]], [], [[1, 2], 3]])
def test_matrix_parameters_get_the_same_exact_value_on_both_paths(value) -> None:
    from grader.bank.params import exact_value

    def build(fast: bool):
        with speed.fast_paths(fast):
            try:
                return exact_value(value)
            except Exception as error:
                return ("raised", type(error))

    slow, fast = build(False), build(True)
    assert type(slow) is type(fast) and slow == fast
    if isinstance(slow, sympy.MatrixBase):
        assert slow._rep == fast._rep and slow.tolist() == fast.tolist()
        if fast.shape[0] and fast.shape[1]:  # a parameter's matrix is the caller's own, mutable as sympy.Matrix's
            fast[0, 0] = 99
            assert slow[0, 0] != 99 and exact_value(value)[0, 0] != 99


@pytest.mark.parametrize("value", [[[1, 2], [3, 4]], [[0, 0], [0, 0]], [[-3, 10**40]], [[1.5, 2]], [[1, 2], [3]],
                                   [1, 2, 3], np.array([[1, 0], [0, 1]]), [[sympy.Symbol("k1"), 0]], [[True, 2]]])
def test_matrix_references_are_built_the_same_on_both_paths(value) -> None:
    checker = REGISTRY.get("matrix")

    def build(fast: bool):
        with speed.fast_paths(fast):
            try:
                return checker.reference(value, {"type": "matrix"})
            except Exception as error:
                return ("raised", type(error))

    slow, fast = build(False), build(True)
    assert slow == fast
    if isinstance(slow, sympy.MatrixBase):
        assert type(slow) is type(fast) and slow._rep == fast._rep and slow.args == fast.args


def test_batches_of_students_give_the_same_class_even_when_a_worker_dies(tmp_path: Path, monkeypatch) -> None:
    """Students go to the pool in batches; a batch whose worker dies is graded again one by one."""
    import os

    from grader.jobs import grade_class as pipeline

    real_grade_file = pipeline.grade_file

    def dies_on_s003(bank, secret, student_id, path):
        if student_id == "s003":
            os._exit(3)  # the worker process is gone, and with it the rest of its batch
        return real_grade_file(bank, secret, student_id, path)

    monkeypatch.setattr(pipeline, "grade_file", dies_on_s003)  # inherited by the forked workers
    bank = load_bank(BANK)
    items = [(f"s00{n}", ROOT / "submissions" / f"s00{n}.yaml") for n in range(1, 8)]
    outputs = {}
    for fast in (False, True):
        with speed.fast_paths(fast):
            results = pipeline.grade_all(bank, SECRET, items, tmp_path / str(fast), jobs=1)
        assert list(results) == [sid for sid, _ in items]
        assert results["s003"].status == "error" and "Internal grading error" in results["s003"].message
        assert all(results[sid].status != "error" for sid, _ in items if sid != "s003")
        outputs[fast] = _outputs(tmp_path / str(fast))
    _assert_same(outputs[False], outputs[True])


def test_the_plot_helper_draws_the_same_pngs_and_falls_back_when_it_is_gone() -> None:
    from grader.jobs.plot_helper import PlotHelper
    from grader.report.plots import ITEM_PLOT, OPTIONS_PLOT, histogram_png, item_plot_png, options_plot_png

    items = [{"question": "q1", "part": "a", "difficulty": 0.8, "point_biserial": 0.4, "flags": []},
             {"question": "q2", "part": "b", "difficulty": 0.1, "point_biserial": -0.2, "flags": ["negative"],
              "options": [{"number": 1, "chosen": 3, "correct": True}, {"number": 2, "chosen": 5, "correct": False}]}]
    summary = {"scores": [3.5, 12.0, 12.0, 20.25, 30.5, 0.0], "max_score": 30.5, "items": items}
    expected = {"histogram.png": histogram_png(summary), ITEM_PLOT: item_plot_png(items),
                OPTIONS_PLOT: options_plot_png(items)}
    assert all(png.startswith(b"\x89PNG") for png in expected.values())
    helper = PlotHelper()
    helper.start(summary)
    assert helper.plots() == expected
    gone = PlotHelper()
    gone._process.kill()
    gone._process.join()
    gone.start(summary)
    assert gone.plots() == expected



def test_option_bars_laid_out_from_the_bank_beforehand_are_the_same_png() -> None:
    from grader.grading.grade import grade_submission
    from grader.grading.submission import read_submission
    from grader.jobs.plot_helper import PlotHelper, class_plots
    from grader.report.item_analysis import option_panels as bank_panels
    from grader.report.plots import OPTIONS_PLOT, OptionsFigure, option_panels
    from grader.report.summary import class_summary

    bank = load_bank(BANK)
    results = {path.stem: grade_submission(bank, SECRET, read_submission(path, bank, path.stem))
               for path in sorted((ROOT / "submissions").glob("s00[1-4].yaml"))}
    summary = class_summary(bank, results)
    panels = bank_panels(bank)
    assert panels and panels == option_panels(summary["items"])  # else the layout made early is never used
    expected = class_plots(summary)
    helper = PlotHelper()
    helper.prepare(panels)
    helper.start(summary)
    assert helper.plots() == expected
    wrong = PlotHelper()  # laid out for other panels: drawn afresh, the same bytes
    wrong.prepare(panels[:1])
    wrong.start(summary)
    assert wrong.plots() == expected
    # the bars are the share of the students who chose each option, on one fixed scale
    figure = OptionsFigure(panels)
    figure.png(summary["items"])
    shown = [item for item in summary["items"] if item.get("options")]
    assert [[bar.get_height() for bar in bars] for bars in figure.bars] == \
        [[option["share"] or 0.0 for option in item["options"]] for item in shown]
    assert all(0.0 <= option["share"] <= 1.0 for item in shown for option in item["options"])
    assert expected[OPTIONS_PLOT].startswith(b"\x89PNG")


def _one_choice_summary() -> tuple[dict, list[dict]]:
    """A class summary with one choice part: what the option-bars plot draws."""
    items = [{"question": "q2", "part": "b", "difficulty": 0.1, "point_biserial": -0.2, "flags": [],
              "options": [{"number": 1, "chosen": 3, "correct": True}, {"number": 2, "chosen": 5, "correct": False}]}]
    return {"scores": [1.0, 2.0], "max_score": 2.0, "items": items}, items


def test_the_option_bars_are_drawn_by_a_fork_and_again_here_when_the_fork_dies(monkeypatch) -> None:
    import os

    import grader.jobs.plot_helper as plot_helper
    from grader.report.plots import OPTIONS_PLOT, options_plot_png

    summary, items = _one_choice_summary()
    assert plot_helper._plots_on_two_cores(summary) == plot_helper.class_plots(summary)
    no_options = {**summary, "items": [{**items[0], "options": []}]}
    assert plot_helper._plots_on_two_cores(no_options)[OPTIONS_PLOT] is None
    here = os.getpid()

    def dies_in_the_fork(drawn_items, prepared=None):
        if os.getpid() != here:
            os._exit(3)
        return options_plot_png(drawn_items, prepared)

    monkeypatch.setattr(plot_helper, "options_plot_png", dies_in_the_fork)
    assert plot_helper._plots_on_two_cores(summary)[OPTIONS_PLOT] == options_plot_png(items)


def test_a_hanging_option_bars_fork_is_stopped_and_the_plot_drawn_here(monkeypatch) -> None:
    import os
    import time

    import grader.jobs.plot_helper as plot_helper
    from grader.report.plots import OPTIONS_PLOT, options_plot_png

    summary, items = _one_choice_summary()
    here = os.getpid()

    def hangs_in_the_fork(drawn_items, prepared=None):
        while os.getpid() != here:
            time.sleep(1)
        return options_plot_png(drawn_items, prepared)

    monkeypatch.setattr(plot_helper, "options_plot_png", hangs_in_the_fork)
    monkeypatch.setattr(plot_helper, "FORK_TIMEOUT", 1.0)
    assert plot_helper._plots_on_two_cores(summary)[OPTIONS_PLOT] == options_plot_png(items)


def test_remembered_derivations_give_the_same_draws_attempts_and_order() -> None:
    from grader.bank.params import Draws, draw_values
    from grader.core.variant_seed import variant_seed

    bank = load_bank(BANK)
    ruled = [q for q in bank.questions if q.constraints or any(not s.is_drawn for s in q.params.values())]
    assert any(q.constraints for q in ruled) and any(not s.is_drawn for q in ruled for s in q.params.values())
    retried = 0
    for question in ruled:
        for index in range(150):
            seed = variant_seed(SECRET, bank.id, question.id, f"d{index}")
            with speed.fast_paths(False):
                alone, attempt = draw_values(question.params, question.constraints, Draws(seed))
            for _ in range(2):  # the second time from what was remembered
                with speed.fast_paths(True):
                    again, again_attempt = draw_values(question.params, question.constraints, Draws(seed))
                assert again_attempt == attempt
                assert list(again.display.items()) == list(alone.display.items())  # the order too
                assert list(again.exact.items()) == list(alone.exact.items())
                assert [type(v) for v in again.display.values()] == [type(v) for v in alone.display.values()]
            retried += attempt > 0
    assert retried  # some draws broke a where: rule, and were drawn again the same way


def test_grading_never_changes_the_remembered_specs_it_reads() -> None:
    from grader.grading.grade import grade_submission
    from grader.grading.submission import read_submission

    bank = load_bank(BANK)
    paths = sorted((ROOT / "submissions").glob("s00*.yaml"))
    for _ in range(2):  # the second time every answer is remembered: the specs were read twice
        for path in paths:
            try:
                grade_submission(bank, SECRET, read_submission(path, bank, path.stem))
            except Exception:  # an unreadable file is the reader's business, not this test's
                continue
    for path in paths:
        for question in bank.questions:
            with speed.fast_paths(False):
                fresh = make_variant(bank, question, SECRET, path.stem)
            shared = make_variant(bank, question, SECRET, path.stem, read_only=True)
            for part_id, spec in fresh.parts.items():
                assert _same(shared.parts[part_id], spec), (path.stem, question.id, part_id)


def test_a_graded_result_without_tests_scores_0_as_before_on_both_paths() -> None:
    # sum() of no tests is the integer 0: results.json says "score": 0, not 0.0 (found in review)
    from grader.core import jsontext
    from grader.grading.grade import SubmissionResult
    from grader.report.gradescope import results_json

    bank = load_bank(BANK)
    texts = set()
    for fast in (False, True):
        with speed.fast_paths(fast):
            data = results_json(bank, SubmissionResult("s1", "graded"), remembered=fast)
            texts.add(jsontext.dumps(data, indent=2, ensure_ascii=False))
            assert data["score"] == 0 and type(data["score"]) is int
    assert len(texts) == 1 and '"score": 0,' in texts.pop()
