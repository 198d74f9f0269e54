"""A killable worker process for symbolic work that might not finish.

``signal.alarm`` cannot interrupt every C call and a thread cannot be
killed, so exact sympy confirmation runs in a pebble process pool whose
tasks have a timeout and whose processes have an address-space limit. A
task that times out or runs out of memory kills its process; the caller
gets ``CheckTimeout`` and marks the answer invalid, never silently wrong.
"""

from __future__ import annotations

import atexit
import resource
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from grader.check.base import CheckTimeout

DEFAULT_TIMEOUT = 3.0
MEMORY_LIMIT_BYTES = 1536 * 1024 * 1024

_pool = None
_lock = threading.Lock()
run_inline = False  # set inside grader.check.limits' child, which is itself killable and limited


def _limit_memory() -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    except (ValueError, OSError):  # some containers forbid lowering limits; the timeout still holds
        pass


def _get_pool():
    global _pool
    with _lock:
        if _pool is None:
            from pebble import ProcessPool

            _pool = ProcessPool(max_workers=1, initializer=_limit_memory)
            atexit.register(shutdown)
        return _pool


def shutdown() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.stop()
            _pool.join(timeout=5)
            _pool = None


def run_limited(function: Callable[..., Any], *args: Any, timeout: float | None = None) -> Any:
    """Run ``function(*args)`` in the worker; raise CheckTimeout past ``timeout`` seconds."""
    if run_inline:
        return function(*args)
    future = _get_pool().schedule(function, args=args, timeout=timeout or DEFAULT_TIMEOUT)
    try:
        return future.result()
    except (FutureTimeout, MemoryError) as error:
        raise CheckTimeout(str(error)) from error
    except Exception as error:  # the worker died (e.g. killed by the memory limit)
        if type(error).__name__ in ("ProcessExpired", "BrokenProcessPool"):
            raise CheckTimeout(str(error)) from error
        raise
