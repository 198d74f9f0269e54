"""Per-student variant seeds and the deterministic draws made from them.

The seed is ``HMAC-SHA256(course secret, "bank|question|student")``.
Draws come from SHA-256 in counter mode, keyed by a label (the parameter
name and the attempt number), so a parameter's value depends only on the
secret, bank, question, student, its own name and the attempt: never on
the order of questions or parameters, nor on Python's ``random`` or
numpy's generators, whose streams are not promised to stay the same
across versions.
"""

from __future__ import annotations

import hashlib
import hmac
import struct

_U64 = 1 << 64
_FOUR_WORDS = struct.Struct(">4Q")  # a SHA-256 block as four big-endian 64-bit words


def variant_seed(secret: str, bank_id: str, question_id: str, student_id: str, round_: int = 0) -> bytes:
    # round_ > 0 is a fresh variant in the browser (new_variant_after); round 0 keeps every existing seed.
    message = f"{bank_id}|{question_id}|{student_id}{f'|round{round_}' if round_ else ''}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


class Draws:
    """Uniform integers from one seed; each label is its own independent stream."""

    def __init__(self, seed: bytes) -> None:
        self.seed = seed

    def below(self, n: int, label: str) -> int:
        """A uniform integer in [0, n), by rejection so there is no modulo bias.

        The label's stream is SHA-256(seed, 0, label, 0, 8-byte big-endian counter) for counter 0, 1, ...,
        each block read as four big-endian 64-bit words; the first word below the largest multiple of n
        gives the draw (tests/golden/variants.json pins what it draws)."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = _U64 - (_U64 % n)
        prefix = self.seed + b"\x00" + label.encode() + b"\x00"
        counter = 0
        while True:
            for word in _FOUR_WORDS.unpack(hashlib.sha256(prefix + counter.to_bytes(8, "big")).digest()):
                if word < limit:
                    return word % n
            counter += 1

    def many_below(self, n: int, count: int, label: str) -> list[int]:
        return [self.below(n, f"{label}#{index}") for index in range(count)]

    def permutation(self, count: int, label: str) -> list[int]:
        """A uniformly random order of range(count) (Fisher-Yates)."""
        order = list(range(count))
        for index in range(count - 1, 0, -1):
            swap = self.below(index + 1, f"{label}#{index}")
            order[index], order[swap] = order[swap], order[index]
        return order
