"""``check_parts``: one submission's symbolic parts in one round trip, each still under its own limit.

The batch must give, part for part, what ``check_part`` gives one at a time: a part that runs out is
``timeout`` and only that part; the parts after it are checked in a fresh child; a child that dies
under a part is replaced and the part tried once more; a second death is that part's loss alone.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from grader.bank.model import load_bank
from grader.bank.variant import make_variant
from grader.check.base import Checker
from grader.check.limits import WORKER, check_part, check_parts
from grader.check.registry import REGISTRY
from grader.core import speed

SECRET = "check-parts-secret"
BANK = """\
id: parts
title: Parts
questions:
  - id: q
    title: Three parts
    text: Factor, count, square.
    parts:
      - id: slow
        type: expression
        variables: [x]
        answer: x^999 + x^500 + 1
        form: factored
        time_limit: 0.5
      - id: count
        type: integer
        answer: 7
      - id: square
        type: expression
        variables: [x]
        answer: x^2 + 1
"""


class _Dying(Checker):
    """Kills its own process while checking, as often as the file says (the out-of-memory killer would)."""

    name = "test-dying"
    bounded = False
    needs_answer = False

    def parse(self, raw: str, spec):
        counter = Path(spec["counter"])
        left = int(counter.read_text())
        if left > 0:
            counter.write_text(str(left - 1))
            os.kill(os.getpid(), signal.SIGKILL)
        return raw

    def score(self, value, reference, spec):
        return 0.0, "survived", "checked after all"


@pytest.fixture(scope="module")
def specs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bank")
    (folder / "parts.yaml").write_text(BANK, encoding="utf-8")
    bank = load_bank(folder / "parts.yaml")
    return make_variant(bank, bank.questions[0], SECRET, "s1").parts


def _verdicts(results) -> list[tuple[str, str]]:
    return [(r.verdict, r.note) for r in results]


def test_a_part_that_runs_out_costs_only_itself_and_the_rest_match_one_by_one(specs) -> None:
    items = [(specs["square"], "1 + x*x"), (specs["slow"], "x^999 + x^500 + 1"), (specs["count"], "7"),
             (specs["square"], "x^3 - 7"), (specs["slow"], "x + 1"), (specs["square"], ""), (specs["square"], "x^2+1")]
    WORKER.stop()
    started = WORKER.started
    batched = check_parts(items)
    assert _verdicts(batched) == [("correct", "correct"), ("invalid", "timeout"), ("correct", "correct"),
                                  ("incorrect", "not-equivalent"), ("incorrect", "not-equivalent"),
                                  ("incorrect", "blank"), ("correct", "correct")]
    assert WORKER.started - started == 2  # one child for the first parts, a fresh one after the timeout
    one_by_one = [check_part(spec, raw) for spec, raw in items]
    assert [r for i, r in enumerate(batched) if i != 1] == [r for i, r in enumerate(one_by_one) if i != 1]


def test_the_old_path_sends_each_part_alone_and_agrees(specs) -> None:
    items = [(specs["square"], "x^2 + 1"), (specs["count"], "8"), (specs["square"], "x^3")]
    with speed.fast_paths(False):
        old = check_parts(items)
    assert old == check_parts(items)
    assert _verdicts(old) == [("correct", "correct"), ("incorrect", "derived:add:+1"), ("incorrect", "not-equivalent")]


@pytest.mark.parametrize("kills, expected", [(1, ("pending", "survived")), (2, ("invalid", "timeout"))])
def test_a_child_killed_under_a_part_is_replaced_once_and_the_other_parts_are_checked(
        specs, tmp_path: Path, kills: int, expected: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    # a forked child knows the test's checker type (with other tests' threads about, a forkserver would not)
    monkeypatch.setattr(WORKER, "_context", lambda: multiprocessing.get_context("fork"))
    REGISTRY.register(_Dying())
    try:
        counter = tmp_path / "kills.txt"
        counter.write_text(str(kills))
        dying = {"id": "d", "type": "test-dying", "counter": str(counter), "time_limit": 30}
        WORKER.stop()  # the next child is forked from this process, which now knows the dying type
        results = check_parts([(specs["square"], "x^2 + 1"), (dying, "anything"), (specs["square"], "x^2 + 1")])
    finally:
        REGISTRY.checkers.pop("test-dying", None)
        WORKER.stop()
    assert _verdicts(results) == [("correct", "correct"), expected, ("correct", "correct")]
    assert counter.read_text() == "0"


def test_a_bug_in_one_check_is_returned_for_that_part_only(specs) -> None:
    broken = {**specs["square"], "answer": None}  # the checker cannot compare with nothing
    results = check_parts([(specs["count"], "7"), (broken, "x"), (specs["square"], "x^2 + 1")])
    assert results[0].verdict == "correct" and results[2].verdict == "correct"
    assert isinstance(results[1], Exception)


def test_a_bug_reads_the_same_whether_the_part_ran_in_the_child_or_in_a_class_worker(specs) -> None:
    """The error becomes the note internal-error:<type>: it must not depend on where the part was checked."""
    import signal

    from grader.check import alarm

    broken = {**specs["square"], "answer": None}
    via_child = check_parts([(broken, "x")])[0]
    previous = signal.getsignal(signal.SIGALRM)
    alarm.enable()
    try:
        here = check_parts([(broken, "x")])[0]
    finally:
        alarm.disable()
        signal.signal(signal.SIGALRM, previous)
    assert type(here) is type(via_child) and str(here) == str(via_child)
