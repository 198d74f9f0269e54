"""A part checked in this process under a SIGALRM time limit, for processes that are themselves killable.

A class is graded by worker processes that pebble kills when a batch of students runs over its
limit; that batch is then graded again one student at a time, each symbolic part in the killable
checking child (``grader.check.limits``). Inside such a worker the child's round trip (pickling the
part, a pipe both ways, caches that start cold in the child) costs more than most checks, so a
symbolic part is first checked right here with an interval timer armed at the part's limit:

- it finishes in time: that is the result (the same ``check_answer`` the child runs);
- it runs out: ``timeout``, exactly the result the child gives a part that runs out;
- it runs out of memory (the worker's address space is capped 1.5 GB above its start): the child decides;
- it hangs where a signal cannot reach (a long C call): pebble kills the worker and the batch is
  graded again through the child, so the hang costs that part alone, only later.

The timer keeps firing every 50 ms after the limit, and the exception derives from BaseException,
so an ``except Exception`` inside sympy or our own code cannot swallow it for good. The handler is
installed once and does nothing when no check is running, so a late signal is harmless. A repeat that
lands in a ``finally`` could leave sympy's evaluation switched off; after a timeout it is put back.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

from grader.check.worker import limit_memory

REPEAT = 0.05  # seconds between alarms once the limit is past
_MPMATH_PRECISION = 53  # mpmath's default, which nothing in grader changes

_state = {"enabled": False, "armed": False}


class OutOfTime(BaseException):
    """The part's time limit passed while it was being checked here."""


def _alarm(signum: int, frame: Any) -> None:
    if _state["armed"]:
        raise OutOfTime


def enable(memory_headroom: int | None = None) -> None:
    """Let this (killable) process check symbolic parts itself first.

    ``memory_headroom``: cap the address space this many bytes above what the process maps now
    (``grader.check.worker.limit_memory``), so a part that would take more fails with MemoryError.
    """
    signal.signal(signal.SIGALRM, _alarm)
    if memory_headroom:
        limit_memory(memory_headroom)
    _state["enabled"] = True


def disable() -> None:
    _state["enabled"] = False


def enabled() -> bool:
    return _state["enabled"] and threading.current_thread() is threading.main_thread()


def run(function: Callable[[], Any], limit: float) -> tuple[str, Any]:
    """("ok", value) | ("timeout", None) | ("memory", None) | ("error", exception)."""
    try:
        signal.setitimer(signal.ITIMER_REAL, limit, REPEAT)
        _state["armed"] = True
        try:
            return "ok", function()
        finally:
            _state["armed"] = False  # from here on an alarm is a no-op: it can no longer land in the handlers
    except OutOfTime:
        _settle_after_interrupt()
        return "timeout", None
    except MemoryError:
        return "memory", None
    except Exception as error:  # noqa: BLE001 - the caller reports it for this part only
        return "error", error
    finally:
        _state["armed"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)


def _settle_after_interrupt() -> None:
    """Put back the global switches a check may change for a while (``with sympy.evaluate(False)``,
    mpmath's working precision).

    The repeating alarm can land inside the ``finally`` that would have restored one, and this process
    goes on checking other students' parts: none of them may be built with sympy's evaluation off.
    """
    import mpmath
    from sympy.core.parameters import global_parameters

    global_parameters.evaluate = True
    global_parameters.distribute = True
    global_parameters.exp_is_pow = False
    mpmath.mp.prec = _MPMATH_PRECISION  # sympy's evalf works at other precisions inside workprec blocks
