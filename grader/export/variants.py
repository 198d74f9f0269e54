"""N distinct variants of a question for an LMS pool, drawn with the course secret.

The variants are those of pseudo-students ``lms-export#1``, ``#2``, ...: the
same keyed draws as a real student's, so they are reproducible from the
secret and never depend on other questions. Two variants with the same
parameters are the same question to a student, so only distinct ones are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.bank.model import Bank, Question
from grader.bank.variant import Variant, make_variant

PSEUDO_STUDENT = "lms-export#{index}"
TRIES_PER_VARIANT = 10


@dataclass(frozen=True)
class VariantSet:
    question: Question
    variants: list[Variant]
    requested: int

    @property
    def short(self) -> bool:
        """Fewer distinct variants exist than were asked for."""
        return len(self.variants) < self.requested


def variant_key(variant: Variant) -> str:
    return repr(sorted((name, repr(value)) for name, value in variant.params.items()))


def lms_variants(bank: Bank, question: Question, secret: str, count: int) -> VariantSet:
    """Up to ``count`` variants with distinct parameters (a question without parameters has one)."""
    variants: list[Variant] = []
    seen: set[str] = set()
    for index in range(1, max(count * TRIES_PER_VARIANT, 50) + 1):
        variant = make_variant(bank, question, secret, PSEUDO_STUDENT.format(index=index))
        key = variant_key(variant)
        if key in seen:
            continue
        seen.add(key)
        variants.append(variant)
        if len(variants) == count or not any(spec.is_drawn for spec in question.params.values()):
            break
    return VariantSet(question, variants, count)
