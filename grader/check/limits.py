"""Every part's whole check (parse included) under a time and memory limit: ``check_part``.

``check_answer`` is pure and unbounded. ``check_part`` is what grading, ``grader check``, the Gradescope
autograder and the web app call: parts whose answer type is bounded by its input caps (integer,
number, choice, checkbox, text, free) are checked right here, because a worker round trip would
cost more than the check; every other part (expression, matrix, and any type that does not say it
is bounded) is checked in a killable child process with a time limit and an address-space limit.
A part that runs out gets ``invalid`` / ``timeout`` ("could not be checked in time; try a simpler
form"), and only that part: the caller goes on with the next one in a fresh child.

The child is forked once and reused, so the cost per symbolic part is one pipe round trip;
``check_parts`` sends a whole submission's symbolic parts in one message, each reply still under its
own part's limit. If the child dies for a reason other than our timeout (kill -9, the out-of-memory
killer), the part is retried once in a fresh child before it is given up. A class worker, which
pebble kills when its batch overruns, checks symbolic parts in its own process first, under a timer
(``grader.check.alarm``).

The limit is the part's ``time_limit:`` setting, else the bank's ``time_limit:``, else 2 s.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.check import alarm
from grader.check.answer import check_answer
from grader.check.base import CheckResult
from grader.check.registry import REGISTRY
from grader.core import speed
from grader.core.errors import FormatError
from grader.core.messages import feedback
from grader.core.safe_text import cap_answer

DEFAULT_TIME_LIMIT = 2.0
MAX_TIME_LIMIT = 60.0
STARTUP_TIMEOUT = 60.0  # a cold child (forkserver imports sympy) may take seconds; that is not the part's time
TIME_LIMIT_KEY = "time_limit"


def time_limit_of(spec: Mapping[str, Any], override: float | None = None) -> float:
    """The limit for one part: the caller's override, else the part's (or bank's) setting, else 2 s."""
    if override is not None:
        return float(override)
    value = spec.get(TIME_LIMIT_KEY)
    return float(value) if value is not None else DEFAULT_TIME_LIMIT


def time_limit_problem(value: Any) -> str | None:
    """Why a ``time_limit:`` setting is unusable, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_TIME_LIMIT:
        return f"time_limit must be a number of seconds above 0 and at most {MAX_TIME_LIMIT:g}"
    return None


def needs_worker(spec: Mapping[str, Any]) -> bool:
    """Whether this part's check must run in the killable child (its type is not bounded by caps)."""
    return not REGISTRY.get(spec["type"]).bounded


def timeout_result(raw: Any) -> CheckResult:
    return CheckResult("invalid", 0.0, feedback("timeout"), "timeout", cap_answer("" if raw is None else str(raw)))


def check_part(spec: Mapping[str, Any], raw: Any, time_limit: float | None = None) -> CheckResult:
    """``check_answer(spec, raw)`` with the part's time and memory limit around all of it."""
    if not needs_worker(spec) or raw is None or not str(raw).strip():
        return check_answer(spec, raw)
    status, payload = WORKER.run("check", dict(spec), raw, time_limit_of(spec, time_limit))
    if status == "ok":
        return payload
    if status == "error":  # our bug inside the check: the caller reports it like any internal error
        raise RuntimeError(f"checking failed in the worker: {payload}")
    return timeout_result(raw)


def check_parts(items: list[tuple[Mapping[str, Any], Any]], time_limit: float | None = None
                ) -> list[CheckResult | Exception]:
    """``check_part`` for each (spec, raw) of one submission, in order; a check that failed is its exception.

    The parts that need the child go to it in one message and come back one reply each, every one
    under its own limit: a part that runs out is ``timeout`` and the parts after it go on in a fresh
    child, as if each had been sent alone. With the fast paths off, each part is one round trip.
    """
    results: list[CheckResult | Exception | None] = [None] * len(items)
    remote = []
    for index, (spec, raw) in enumerate(items):
        if speed.FAST and needs_worker(spec) and raw is not None and str(raw).strip():
            remote.append(index)
            continue
        try:
            results[index] = check_part(spec, raw, time_limit)
        except Exception as error:  # noqa: BLE001 - the caller reports it for this part only
            results[index] = error
    if remote and alarm.enabled():  # a killable class worker: try each here first (grader.check.alarm)
        remote = [index for index in remote if not _checked_here(items, index, time_limit, results)]
    if remote:
        replies = WORKER.run_many("check", [(dict(items[i][0]), items[i][1], time_limit_of(items[i][0], time_limit))
                                            for i in remote])
        for index, (status, payload) in zip(remote, replies):
            results[index] = _check_outcome(status, payload, items[index][1])
    return results


def _checked_here(items: list, index: int, time_limit: float | None, results: list) -> bool:
    from grader.check import worker

    spec, raw = items[index]
    # the alarm is this check's limit: no nested pool, whose process could outlive an interrupted wait
    inline, worker.run_inline = worker.run_inline, True
    try:
        status, payload = alarm.run(lambda: check_answer(spec, raw), time_limit_of(spec, time_limit))
    finally:
        worker.run_inline = inline
    if status == "memory":
        return False  # the child, with its own address-space limit, decides
    if status == "error":  # as the child reports it, so the note does not depend on where the part ran
        payload = f"{type(payload).__name__}: {payload}"
    results[index] = _check_outcome(status, payload, raw)
    return True


def _check_outcome(status: str, payload: Any, raw: Any) -> CheckResult | Exception:
    if status == "ok":
        return payload
    if status == "error":
        return RuntimeError(f"checking failed in the worker: {payload}")
    return timeout_result(raw)


def parse_part(spec: Mapping[str, Any], raw: str, time_limit: float | None = None) -> FormatError | None:
    """Read one answer (for ``grader check``) under the same limit: the FormatError, or None when it reads."""
    if not needs_worker(spec):
        try:
            REGISTRY.get(spec["type"]).parse(raw, spec)
        except FormatError as error:
            return error
        return None
    status, payload = WORKER.run("parse", dict(spec), raw, time_limit_of(spec, time_limit))
    if status == "ok":
        return payload
    if status == "error":
        raise RuntimeError(f"reading failed in the worker: {payload}")
    return FormatError(feedback("timeout-read"), text=str(raw), offset=None)


# --- the child process ------------------------------------------------------------------------------------

def _serve(connection: Any, parent_pid: int = 0, parent_end: Any = None) -> None:
    """The child's process: serve, then leave at once with os._exit.

    A forked child inherits its parent's signal handlers and exit hooks (a pebble worker's SIGTERM handler
    runs multiprocessing's exit function, with the parent's finalizers). None of them may run here: SIGTERM
    gets its default (die now), Ctrl-C is left to the parent, and the child never returns into them.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _serve_parts(connection, parent_pid, parent_end)
    finally:
        os._exit(0)


def _serve_parts(connection: Any, parent_pid: int, parent_end: Any) -> None:
    """The child's loop: one (mode, spec, raw) at a time, one reply each, until the pipe closes."""
    from grader.check import worker

    if parent_end is not None:  # forked: our copy of the parent's end would keep recv() from ever seeing EOF
        parent_end.close()

    worker.run_inline = True  # already isolated and limited here: no nested pool for exact confirmation
    worker.limit_memory()  # 1.5 GB above what the child maps when it starts
    connection.send(("ready", None))  # the part's clock starts only now
    while True:
        try:
            if not connection.poll(5.0):
                if parent_pid and os.getppid() != parent_pid:  # the parent was killed (kill -9): do not linger
                    return
                continue
            mode, spec, raw = connection.recv()
        except (EOFError, OSError):
            return
        if mode == "many":  # spec is a list of (mode, spec, raw): one reply each, in order
            for one_mode, one_spec, one_raw in spec:
                connection.send(_reply(one_mode, one_spec, one_raw))
            continue
        connection.send(_reply(mode, spec, raw))


def _reply(mode: str, spec: dict[str, Any], raw: Any) -> tuple[str, Any]:
    try:
        if mode == "check":
            return "ok", check_answer(spec, raw)
        try:
            REGISTRY.get(spec["type"]).parse(str(raw), spec)
            return "ok", None
        except FormatError as error:
            return "ok", error
    except MemoryError:
        return "memory", None
    except Exception as error:  # noqa: BLE001 - reported to the caller, who decides what the student sees
        return "error", f"{type(error).__name__}: {error}"


@dataclass
class _Child:
    process: Any
    connection: Any


class PartWorker:
    """One reusable child process for bounded checks; killed and replaced when a part runs out."""

    def __init__(self) -> None:
        self._child: _Child | None = None
        self._owner_pid = os.getpid()
        self._lock = threading.Lock()
        self.started = 0  # children started, for tests and the benchmark

    def _context(self) -> Any:
        # fork is cheap (sympy is already imported), but forking a threaded process is unsafe; a web
        # server or a pool parent has threads, and then forkserver pays one cold start instead.
        if threading.active_count() == 1:
            return multiprocessing.get_context("fork")
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["grader.check.limits"])  # later children start warm
        return context

    def _ensure(self) -> _Child:
        if self._child is not None and self._owner_pid != os.getpid():
            self._child = None  # we were forked: that child belongs to our parent
        if self._child is None or not self._child.process.is_alive():
            self._discard()
            context = self._context()
            parent_end, child_end = context.Pipe()
            # Only a forked child knows its parent's pid (a forkserver child's parent is the server, which
            # ends with us) and holds a copy of our end of the pipe.
            forked = context.get_start_method() == "fork"
            process = context.Process(target=_serve, args=(child_end, os.getpid() if forked else 0,
                                                           parent_end if forked else None),
                                      daemon=True, name="grader-check")
            process.start()
            child_end.close()
            self._child, self._owner_pid = _Child(process, parent_end), os.getpid()
            self.started += 1
            try:
                ready = parent_end.poll(STARTUP_TIMEOUT) and parent_end.recv()[0] == "ready"
            except (EOFError, OSError):
                ready = False
            if not ready:
                self._discard()
                # for the instructor's log: every symbolic part will be 'timeout' until a child starts
                print("grader: the checking process did not start", file=sys.stderr)
                raise OSError("the checking process did not start")
        return self._child

    def _discard(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        try:
            child.connection.close()
        except OSError:
            pass
        if child.process.is_alive():
            child.process.kill()
        child.process.join(timeout=5)

    def run(self, mode: str, spec: dict[str, Any], raw: Any, limit: float) -> tuple[str, Any]:
        """("ok", value) | ("timeout", None) | ("memory", None) | ("died", None) | ("error", text)."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    child = self._ensure()
                    child.connection.send((mode, spec, raw))
                    if not child.connection.poll(limit):
                        self._discard()  # kill it mid-check; the next part gets a fresh child
                        return "timeout", None
                    status, payload = child.connection.recv()
                except (EOFError, OSError):  # the child died under us (killed, out of memory)
                    self._discard()
                    if attempt == 1:
                        continue
                    return "died", None
                except BaseException:  # interrupted (Ctrl-C, an outer time limit): its reply must not go astray
                    self._discard()
                    raise
                if status == "memory":
                    self._discard()
                return status, payload
        return "died", None

    def run_many(self, mode: str, jobs: list[tuple[dict[str, Any], Any, float]]) -> list[tuple[str, Any]]:
        """``run`` for each (spec, raw, limit), sent in one message; each reply under its own limit.

        After a part that runs out (or runs out of memory, or whose child dies twice) the child is
        replaced and the parts after it are sent again, so each part's outcome is what ``run`` gives.
        """
        replies: list[tuple[str, Any]] = []
        died_at: set[int] = set()
        with self._lock:
            while len(replies) < len(jobs):
                start = len(replies)
                try:
                    child = self._ensure()
                    child.connection.send(("many", [(mode, spec, raw) for spec, raw, _ in jobs[start:]], None))
                    while len(replies) < len(jobs):
                        if not child.connection.poll(jobs[len(replies)][2]):
                            self._discard()  # kill it mid-check; the next parts get a fresh child
                            replies.append(("timeout", None))
                            break
                        status, payload = child.connection.recv()
                        replies.append((status, payload))
                        if status == "memory":
                            self._discard()
                            break
                except (EOFError, OSError):  # the child died under us: that part is retried once
                    self._discard()
                    if len(replies) in died_at:
                        replies.append(("died", None))
                    else:
                        died_at.add(len(replies))
                except BaseException:  # interrupted: no reply may go astray
                    self._discard()
                    raise
        return replies

    def pid(self) -> int | None:
        return self._child.process.pid if self._child is not None else None

    def stop(self) -> None:
        with self._lock:
            self._discard()


WORKER = PartWorker()
