"""A time limit on instructor code run in this process (solvers, solver imports, solution code).

Student text is checked in a killable child (``grader.check.limits``). Instructor code is trusted but
can still loop, at import or per call, and then ``grader validate`` would hang with no output. Python
code is interrupted by a timer signal, which is enough for a loop in a solver; the limit is a no-op
outside the main thread (a web server's handlers), where signals cannot be delivered.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SOLVER_TIME_LIMIT = 10.0  # seconds per variant (every solver call for it) and per solver import


class CallTimeout(BaseException):
    """Instructor code ran past its time limit.

    A BaseException, like KeyboardInterrupt: the handlers that keep one bad part or one bad submission
    from costing the others (``except Exception``) must not swallow it and carry on unbounded.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"did not finish within {seconds:g} s (does it loop?)")
        self.seconds = seconds


@contextmanager
def time_limit(seconds: float | None = SOLVER_TIME_LIMIT) -> Iterator[None]:
    """Raise CallTimeout inside the block once ``seconds`` have passed (main thread only)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    if signal.getitimer(signal.ITIMER_REAL)[0]:  # an outer limit is running: it stays in charge
        yield
        return

    def expire(signum, frame):  # noqa: ANN001 - the signal handler signature
        raise CallTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
