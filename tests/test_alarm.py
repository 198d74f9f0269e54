"""``grader.check.alarm``: a check run in a killable worker under an interval timer.

It must stop a check that runs over its limit even when the check swallows exceptions, leave a
check that finishes alone, and never let a late alarm escape once the check is over.
"""

from __future__ import annotations

import signal
import time

import pytest

from grader.check import alarm, worker


@pytest.fixture
def enabled():
    previous = signal.getsignal(signal.SIGALRM)
    alarm.enable()
    yield
    alarm.disable()
    signal.signal(signal.SIGALRM, previous)


def _busy(seconds: float) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "done"


def _stubborn() -> None:
    """Swallows every Exception, as sympy or a careless checker might; only BaseException gets through."""
    while True:
        try:
            _busy(10)
        except Exception:  # noqa: BLE001
            continue


def test_a_check_in_time_gives_its_value(enabled) -> None:
    assert alarm.run(lambda: _busy(0.01), 2.0) == ("ok", "done")


def test_a_check_that_runs_over_is_stopped_at_its_limit(enabled) -> None:
    started = time.monotonic()
    assert alarm.run(lambda: _busy(30), 0.2) == ("timeout", None)
    assert time.monotonic() - started < 5


def test_a_check_that_swallows_exceptions_is_stopped_all_the_same(enabled) -> None:
    started = time.monotonic()
    assert alarm.run(_stubborn, 0.2) == ("timeout", None)
    assert time.monotonic() - started < 5


def test_sympys_evaluation_is_on_again_after_a_timeout_that_cut_its_restore(enabled) -> None:
    import mpmath
    import sympy
    from sympy.core.parameters import global_parameters

    def cut_short():  # as if the repeating alarm landed inside ``with sympy.evaluate(False)``'s finally
        global_parameters.evaluate = False
        mpmath.mp.prec = 300  # or inside one of evalf's workprec blocks
        _busy(30)

    assert alarm.run(cut_short, 0.2) == ("timeout", None)
    assert global_parameters.evaluate is True and mpmath.mp.prec == 53
    assert sympy.Integer(2) + sympy.Integer(3) == 5 and (sympy.Integer(2) + sympy.Integer(3)).is_Integer


def test_errors_and_memory_are_reported_not_raised(enabled) -> None:
    status, error = alarm.run(lambda: 1 / 0, 1.0)
    assert status == "error" and isinstance(error, ZeroDivisionError)

    def hungry():
        raise MemoryError

    assert alarm.run(hungry, 1.0) == ("memory", None)


def test_no_alarm_is_left_running_and_a_stray_one_is_harmless(enabled) -> None:
    assert alarm.run(lambda: "quick", 0.05) == ("ok", "quick")
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    signal.raise_signal(signal.SIGALRM)  # a late alarm after the check: nothing happens
    assert _busy(0.01) == "done"


def test_only_an_enabled_main_thread_checks_here() -> None:
    import threading

    alarm.disable()
    assert not alarm.enabled()
    alarm.enable()
    try:
        assert alarm.enabled()
        seen = []
        thread = threading.Thread(target=lambda: seen.append(alarm.enabled()))
        thread.start()
        thread.join()
        assert seen == [False]  # signals reach only the main thread: other threads use the child
    finally:
        alarm.disable()


def test_the_address_space_cap_leaves_room_above_what_is_mapped_now() -> None:
    """In a child of its own (the cap cannot be raised again): 1.5 GB above now, not 1.5 GB in all."""
    import multiprocessing
    import resource

    def child(queue):
        before = worker.mapped_bytes()
        alarm.enable(memory_headroom=256 * 1024 * 1024)
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        try:
            bytearray(512 * 1024 * 1024)  # more than the headroom: refused
            refused = False
        except MemoryError:
            refused = True
        small = len(bytearray(16 * 1024 * 1024))  # well within it: fine
        alarm.disable()
        queue.put((before, soft, refused, small))

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=child, args=(queue,))
    process.start()
    before, soft, refused, small = queue.get(timeout=60)
    process.join(timeout=60)
    assert before + 256 * 1024 * 1024 <= soft <= before + 300 * 1024 * 1024
    assert refused and small == 16 * 1024 * 1024
