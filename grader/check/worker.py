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


def limit_memory(headroom: int = MEMORY_LIMIT_BYTES) -> None:
    """Cap this process's address space at what it maps now plus ``headroom`` bytes.

    Relative, not absolute: a process forked from a grader has numpy's thread buffers mapped already,
    and on a machine with many cores those alone can pass 1.5 GB before anything is checked. A check
    that would take more than the headroom fails with MemoryError instead of exhausting the machine.
    """
    try:
        limit = mapped_bytes() + headroom
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or limit < soft:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # some containers forbid lowering limits; the timeout still holds
        pass


def mapped_bytes() -> int:
    """This process's address-space size now (Linux: the first field of /proc/self/statm, in pages)."""
    import os

    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _get_pool():
    global _pool
    with _lock:
        if _pool is None:
            from pebble import ProcessPool

            _pool = ProcessPool(max_workers=1, initializer=limit_memory)
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
