"""Attempts and timing for homework in the browser: the bank's ``attempts``, ``penalty``, ``keep``,
``new_variant_after``, ``opens``, ``closes``, ``late_until`` and ``late_penalty`` keys.

The bank sets the defaults; a question may override the attempt keys. The
policy is data only: ``grader.web.scoring`` applies it to stored answers, so
the same rows always give the same score. Every value is checked here so a
typo is a ``BankError`` at ``file:line:col``, not a surprise on the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from grader.core.errors import BankError

ATTEMPT_KEYS = ("attempts", "penalty", "keep", "new_variant_after")
TIMING_KEYS = ("opens", "closes", "late_until", "late_penalty")
BANK_HOMEWORK_KEYS = set(ATTEMPT_KEYS) | set(TIMING_KEYS)
QUESTION_HOMEWORK_KEYS = set(ATTEMPT_KEYS)
KEEP_CHOICES = ("best", "last")


@dataclass(frozen=True)
class HomeworkPolicy:
    attempts: int | None = None  # tries per part; None means unlimited
    penalty: float = 0.0  # fraction of the part's points lost per extra attempt
    keep: str = "best"  # which attempt's score counts: the best or the last
    new_variant_after: int | None = None  # a fresh variant after this many submissions of the question
    opens: dt.datetime | None = None
    closes: dt.datetime | None = None
    late_until: dt.datetime | None = None  # submissions after closes and before this are late
    late_penalty: float = 0.0  # fraction of the points lost for a late answer


Fail = Callable[[str, str], BankError]  # (message, key) -> the error to raise, placed at that key


def read_policy(raw: Mapping[str, Any], fail: Fail, base: HomeworkPolicy | None = None,
                keys: set[str] = BANK_HOMEWORK_KEYS) -> HomeworkPolicy:
    """The policy from a bank's (or a question's) keys, on top of ``base``."""
    policy = base or HomeworkPolicy()
    changes: dict[str, Any] = {}
    for key in sorted(keys & set(raw)):
        value = raw[key]
        if key in ("attempts", "new_variant_after"):
            if value is None and key == "attempts":
                changes[key] = None
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise fail(f"{key} must be a whole number >= 1", key)
            changes[key] = value
        elif key in ("penalty", "late_penalty"):
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
                raise fail(f"{key} must be a fraction from 0 to 1, e.g. 0.1", key)
            changes[key] = float(value)
        elif key == "keep":
            if value not in KEEP_CHOICES:
                raise fail(f"keep must be one of {', '.join(KEEP_CHOICES)}", key)
            changes[key] = value
        else:
            changes[key] = _moment(value, key, fail)
    policy = replace(policy, **changes)
    if policy.opens and policy.closes and policy.closes <= policy.opens:
        raise fail("closes must be after opens", "closes")
    if policy.late_until and not policy.closes:
        raise fail("late_until needs closes", "late_until")
    if policy.late_until and policy.closes and policy.late_until <= policy.closes:
        raise fail("late_until must be after closes", "late_until")
    return policy


def _moment(value: Any, key: str, fail: Fail) -> dt.datetime:
    """An ISO 8601 time with a time zone (a bare time would mean different things on different servers)."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError as error:
            raise fail(f"{key} must be an ISO 8601 time such as 2026-03-01T23:59:00+01:00", key) from error
    if moment.tzinfo is None:
        raise fail(f"{key} needs a time zone, e.g. 2026-03-01T23:59:00Z or +01:00", key)
    return moment.astimezone(dt.UTC)
