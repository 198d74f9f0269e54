"""The killable worker pool that does every piece of work touching the bank or a student's text.

Drawing a variant runs instructor solvers and checking an answer parses
student text, so neither may run on the event loop: they run in pebble
processes that each hold the bank, with a time limit per task. A task that
overruns is killed with its process (pebble starts a fresh one), and the
student gets "could not be checked in time" instead of a hung server. The
workers keep only caches of pure functions; nothing another server process
needs lives here.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict
from functools import lru_cache
from typing import Any

from grader.bank.model import Bank, load_bank
from grader.bank.variant import Variant, make_variant
from grader.check.base import CheckResult
from grader.check.registry import answers_file_parts
from grader.check.types.choice import LABELS
from grader.core.messages import feedback
from grader.documents.pages import answer_hint
from grader.documents.render import markdown_to_html
from grader.web.grading import grade_answer, read_answer

TASK_TIME_LIMIT = 10.0  # seconds for one part (the check's own sympy confirmation has 3 s inside this)

_bank: Bank | None = None
_secret = ""


def _init(bank_path: str, secret: str) -> None:
    global _bank, _secret
    _bank, _secret = load_bank(bank_path), secret


def use_in_process(bank: Bank, secret: str) -> None:
    """Run tasks in this process (tests of the tasks themselves)."""
    global _bank, _secret
    _bank, _secret = bank, secret
    _variant.cache_clear()
    question_view.cache_clear()


@lru_cache(maxsize=8192)
def _variant(student: str, question_id: str, round_: int) -> Variant:
    assert _bank is not None, "the worker has no bank"
    return make_variant(_bank, _bank.by_id[question_id], _secret, student, round_=round_)


@lru_cache(maxsize=65536)
def _html(text: str) -> str:
    """The problem set's Markdown-and-MathML renderer, cached: prompts and options are often the same for
    every student, and the conversion is most of the cost of a page."""
    return markdown_to_html(text)


def _inline(text: str) -> str:
    """Markdown with math for one line (an option): the problem set's renderer, without the <p>."""
    rendered = _html(text).strip()
    return rendered[3:-4] if rendered.startswith("<p>") and rendered.endswith("</p>") else rendered


@lru_cache(maxsize=8192)
def question_view(student: str, question_id: str, round_: int) -> dict[str, Any]:
    """What the student sees of their variant: the text, prompts, hints and options. Never a reference."""
    variant = _variant(student, question_id, round_)
    question = variant.question
    parts = []
    for part in answers_file_parts(question):
        spec = variant.parts[part.id]
        prompt = variant.render_prompt(part).strip()
        options = [{"label": label, "html": _inline(str(option["text"]))}
                   for label, option in zip(LABELS, spec.get("options") or [])]
        parts.append({"id": part.id, "type": part.type, "points": question.part_points(part),
                      "prompt_html": _html(f"**({part.id})** {prompt}"),
                      "hint": answer_hint(spec), "options": options})
    notebook = [part.id for part in question.parts if part not in answers_file_parts(question)]
    return {"id": question.id, "title": question.title, "points": question.points,
            "text_html": _html(variant.render_text().strip()), "parts": parts,
            "notebook_parts": notebook}


def check_part(student: str, question_id: str, round_: int, part_id: str, raw: str) -> dict[str, Any]:
    readable, message = read_answer(_variant(student, question_id, round_).parts[part_id], raw)
    return {"readable": readable, "message": message}


def grade_part(student: str, question_id: str, round_: int, part_id: str, raw: str) -> dict[str, Any]:
    return asdict(grade_answer(_variant(student, question_id, round_).parts[part_id], raw))


def reveal_part(student: str, question_id: str, round_: int, part_id: str) -> str:
    return _variant(student, question_id, round_).reference_text(part_id)


def _warm() -> bool:
    return _bank is not None


class WorkerPool:
    """pebble processes holding the bank; ``await pool.run(task, *args)`` from the event loop.

    Pages are drawn in processes of their own, so answers that take their full time limit in the
    grading processes never hold up another student's page. A drawn page is a pure function of
    (student, question, round), so this process keeps the latest ones (a cache, not state: any other
    process computes the same page).
    """

    VIEW_CACHE = 20_000

    def __init__(self, bank_path: str, secret: str, jobs: int, time_limit: float = TASK_TIME_LIMIT) -> None:
        from pebble import ProcessPool

        self.time_limit = time_limit
        self.pool = ProcessPool(max_workers=jobs, initializer=_init, initargs=(bank_path, secret))
        self.views = ProcessPool(max_workers=jobs, initializer=_init, initargs=(bank_path, secret))
        self._view_cache: OrderedDict[tuple[str, str, int], dict[str, Any]] = OrderedDict()

    async def run(self, task, *args: Any, timeout: float | None = None, pool=None) -> Any:
        future = (pool or self.pool).schedule(task, args=args, timeout=timeout or self.time_limit)
        return await asyncio.wrap_future(future)

    async def view(self, student: str, question_id: str, round_: int) -> dict[str, Any]:
        key = (student, question_id, round_)
        if key in self._view_cache:
            self._view_cache.move_to_end(key)
            return self._view_cache[key]
        view = await self.run(question_view, *key, pool=self.views)
        self._view_cache[key] = view
        if len(self._view_cache) > self.VIEW_CACHE:
            self._view_cache.popitem(last=False)
        return view

    async def reveal(self, student: str, question_id: str, round_: int, part_id: str) -> str:
        return await self.run(reveal_part, student, question_id, round_, part_id, pool=self.views)

    async def grade(self, *args: Any) -> CheckResult:
        """A part's result, never a 500: a task that overran or crashed is an unreadable answer (no attempt
        used); a bug of ours in the check is stored as waiting for the instructor, like grader grade's
        internal errors, so the student's answer is kept and the other parts are graded."""
        try:
            return CheckResult(**await self.run(grade_part, *args))
        except Exception as error:
            if _overran(error):
                return CheckResult("invalid", 0.0, feedback("timeout"), "timeout", "")
            if not self.pool.active:  # the server is stopping: nothing was checked, nothing is stored
                raise
            _log_bug("grading", args, error)
            return CheckResult("pending", 0.0, feedback("internal"), f"internal-error:{type(error).__name__}", "")

    async def check(self, *args: Any) -> dict[str, Any]:
        try:
            return await self.run(check_part, *args)
        except Exception as error:
            if _overran(error):
                return {"readable": False, "message": feedback("timeout")}
            _log_bug("checking the format of", args, error)
            return {"readable": False, "message": feedback("internal")}

    def close(self) -> None:
        for pool in (self.pool, self.views):
            pool.stop()
            pool.join(timeout=5)


def _overran(error: BaseException) -> bool:
    """The task ran out of time or lost its process (a hostile answer), as opposed to a bug of ours."""
    return isinstance(error, (FutureTimeout, TimeoutError)) or type(error).__name__ in (
        "ProcessExpired", "BrokenProcessPool", "MemoryError")


def _log_bug(doing: str, args: tuple, error: BaseException) -> None:
    """For the server's log (the instructor's), never the page: who, which part, and the traceback."""
    import sys
    import traceback

    student, question, _, part, *_ = args
    print(f"internal error {doing} {student}'s answer to {question} part {part}: {type(error).__name__}: {error}",
          file=sys.stderr)
    traceback.print_exception(error, file=sys.stderr)
