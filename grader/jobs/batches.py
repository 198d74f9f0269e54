"""Grading a class in the worker pool a few students per task.

The pool's own cost per task (a pipe round trip, a timer, a result) is about what grading one
student costs, so students go to the workers in batches. A batch has the time limit of one
submission; a batch that runs out of time or loses its worker is simply graded again one student per
task, each with its own limit, exactly as without batches, so no student's outcome depends on which
batch it was in. The results come back in roster order either way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

BATCH_SIZE = 8
_PART_TEXTS = ("question", "part", "type", "raw", "reference", "max_points", "points")
_CHECK_TEXTS = ("verdict", "note", "feedback", "answer", "score")
_CHECK_FIELDS = ("verdict", "score", "feedback", "note", "answer")
_PART_FIELDS = ("question", "part", "type", "max_points", "points", "result", "raw", "reference", "chosen_options")


def grade_batches(pool: Any, grade_batch: Callable[..., list], secret: str, items: list[tuple[str, Path | None]],
                  out_dir: Path, notes: dict[str, list[str]], timeout: float,
                  progress: Callable[[], None] | None = None, names: dict[str, str] | None = None,
                  on_roster: Callable[[str], bool | None] = lambda student_id: None) -> dict[str, Any]:
    """student id -> result for every student whose batch finished; None for those to grade one by one.

    ``on_roster(student id)``: True or False to have the worker write the student's record too, None not to.
    """
    names = names or {}
    batches = [items[start:start + BATCH_SIZE] for start in range(0, len(items), BATCH_SIZE)]
    futures = [pool.schedule(grade_batch, args=(secret, [(sid, str(path) if path else None, notes.get(sid, []),
                                                          names.get(sid, ""), on_roster(sid)) for sid, path in batch],
                                                str(out_dir)), timeout=timeout)
               for batch in batches]
    results: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for batch, future in zip(batches, futures):
        try:
            graded = future.result()
        except Exception:  # too slow or a crashed worker: each student of the batch is graded on their own
            graded = [None] * len(batch)
        seen: dict[int, Any] = {}  # a batch's students share part results (one object, pickled once)
        for (student_id, _), result in zip(batch, graded):
            results[student_id] = share_texts(result, texts, seen) if result is not None else None
            if progress and result is not None:
                progress()
    return results


def share_texts(result: Any, texts: dict[Any, Any], seen: dict[int, Any] | None = None) -> Any:
    """One copy of each repeated text (ids, verdicts, notes, feedback, answers) and number across the class.

    Every result arrives from a worker as its own copies; a class of 10,000 holds the same few
    thousand texts, and the same few points and scores, hundreds of thousands of times. The values
    are equal, only shared: a number is keyed by its exact bits, so -0.0 stays -0.0. ``seen``: the part
    results of this batch already shared, by identity (the objects must outlive it: the batch's results).
    """
    for index, part in enumerate(result.parts):
        if seen is not None and id(part) in seen:
            result.parts[index] = seen[id(part)][1]
            continue
        original = part
        check = part.result
        check_key = ("check", *(_key(getattr(check, name)) for name in _CHECK_FIELDS))
        shared_check = texts.get(check_key)
        if shared_check is None:  # a new result: its texts are shared one by one
            _share(check, _CHECK_TEXTS, texts)
            shared_check = texts[check_key] = check
        part_key = ("part", *(_key(getattr(part, name)) if name != "result" else _key(shared_check)
                              for name in _PART_FIELDS))
        shared_part = texts.get(part_key)
        if shared_part is None:
            object.__setattr__(part, "result", shared_check)
            _share(part, _PART_TEXTS, texts)
            shared_part = texts[part_key] = part
        result.parts[index] = shared_part
        if seen is not None:
            seen[id(original)] = (original, shared_part)  # held: its id stays its own
    return result


def _key(value: Any) -> Any:
    if type(value) is float:
        return ("float", value.hex())
    if isinstance(value, (str, int, tuple)) or value is None:
        return value
    return ("object", id(value))  # a shared CheckResult: the same object, the same key


def _share(item: Any, names: tuple[str, ...], texts: dict[Any, Any]) -> None:
    for name in names:
        value = getattr(item, name)
        if isinstance(value, str):
            object.__setattr__(item, name, texts.setdefault(value, value))  # frozen: same value, one copy
        elif type(value) is float:
            object.__setattr__(item, name, texts.setdefault(("float", value.hex()), value))
