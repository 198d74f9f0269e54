"""Pools: "pick k of these n questions" per student, and the one function that says who got what.

A bank may group questions into pools::

    pools:
      - {id: conv-sizes, pick: 2, from: [conv-output-size, same-padding, stacked-3x3]}

Each student gets ``pick`` of the pool's questions. The choice is keyed by
``HMAC-SHA256(secret, "bank|pool:<id>|student")`` and each member is ranked
by its own id under that key, so it depends on the pool's members, never on
the order of questions in the bank: editing, adding or moving any question
outside the pool leaves every student's choice unchanged. Questions in no
pool are given to everybody.

``assigned_questions`` is what generate, grade, the autograder, the exports
and the statistics all call; nothing else decides who was given what.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader.core.errors import BankError, Location

if TYPE_CHECKING:  # the bank model imports this module, so only for type hints
    from grader.bank.model import Bank, Question

POOL_KEYS = {"id", "pick", "from"}


@dataclass(frozen=True)
class Pool:
    id: str
    pick: int
    members: tuple[str, ...]  # question ids, in the bank's order
    location: Location


def read_pools(raw: Any, question_ids: list[str], where: Callable[[tuple[Any, ...]], Location]) -> tuple[Pool, ...]:
    """Check the bank's ``pools:`` list; ``where`` maps a path in the YAML to a file:line."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise BankError("pools must be a list of {pick: k, from: [question ids]}", where(("pools",)))
    pools: list[Pool] = []
    pooled: dict[str, str] = {}
    for index, entry in enumerate(raw):
        at = ("pools", index)
        if not isinstance(entry, dict):
            raise BankError("a pool must be a mapping with pick: and from:", where(at))
        unknown = sorted(set(map(str, entry)) - POOL_KEYS)
        if unknown:
            raise BankError(f"unknown key '{unknown[0]}' in a pool", where(at + (unknown[0],)),
                            "allowed: " + ", ".join(sorted(POOL_KEYS)))
        members = entry.get("from")
        if not isinstance(members, list) or len(members) < 2:
            raise BankError("a pool needs from: a list of at least two question ids", where(at))
        members = [str(m) for m in members]
        for member in members:
            if member not in question_ids:
                raise BankError(f"pool names unknown question '{member}'", where(at + ("from",)),
                                "use the question's id:, as written under questions")
            if member in pooled:
                raise BankError(f"question '{member}' is in two pools ({pooled[member]} and this one)",
                                where(at + ("from",)))
        if len(set(members)) != len(members):
            raise BankError("a pool lists a question twice", where(at + ("from",)))
        pick = entry.get("pick")
        if not isinstance(pick, int) or isinstance(pick, bool) or not 1 <= pick <= len(members):
            raise BankError(f"pick must be a whole number from 1 to {len(members)} (the pool's size)",
                            where(at + ("pick",)))
        # Default id: the sorted member ids, so it does not change when pools are reordered.
        pool_id = str(entry.get("id") or "+".join(sorted(members)))
        if any(p.id == pool_id for p in pools):
            raise BankError(f"duplicate pool id '{pool_id}'", where(at + ("id",)))
        for member in members:
            pooled[member] = pool_id
        ordered = tuple(q for q in question_ids if q in members)
        pools.append(Pool(pool_id, pick, ordered, where(at)))
    return tuple(pools)


def pool_choice(secret: str, bank_id: str, pool: Pool, student_id: str) -> frozenset[str]:
    """The ``pool.pick`` member ids this student gets: the members ranked lowest under the student's key."""
    key = hmac.new(secret.encode(), f"{bank_id}|pool:{pool.id}|{student_id}".encode(), hashlib.sha256).digest()
    ranked = sorted(pool.members, key=lambda member: hmac.new(key, member.encode(), hashlib.sha256).digest())
    return frozenset(ranked[: pool.pick])


def assigned_question_ids(bank: Bank, secret: str, student_id: str) -> set[str]:
    pools = getattr(bank, "pools", ())
    pooled = {member for pool in pools for member in pool.members}
    given = {question.id for question in bank.questions if question.id not in pooled}
    for pool in pools:
        given |= pool_choice(secret, bank.id, pool, student_id)
    return given


def assigned_questions(bank: Bank, secret: str, student_id: str) -> list[Question]:
    """The questions this student was given, in the bank's order."""
    return assignment(bank, secret, student_id)[0]


def not_assigned(bank: Bank, secret: str, student_id: str) -> list[str]:
    """Ids of the questions this student was never given (empty for a bank without pools)."""
    return assignment(bank, secret, student_id)[1]


def assignment(bank: Bank, secret: str, student_id: str) -> tuple[list[Question], list[str]]:
    """(the questions this student was given, the ids of those they were not): both from one draw."""
    if not getattr(bank, "pools", ()):
        return list(bank.questions), []
    given = assigned_question_ids(bank, secret, student_id)
    return ([question for question in bank.questions if question.id in given],
            [question.id for question in bank.questions if question.id not in given])


def pool_of(bank: Bank, question_id: str) -> Pool | None:
    return next((pool for pool in getattr(bank, "pools", ()) if question_id in pool.members), None)
