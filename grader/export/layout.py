"""Which LMS questions a bank becomes: groups of variants, per question or per pool.

Both exports share this: a question becomes one group of N variants ("pick
1"); a question whose several parts cannot be one LMS question becomes one
group per part (Canvas) or one Cloze question (Moodle, in moodle.py). A
pool becomes one group that picks k.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.bank.model import Bank, Question
from grader.bank.pools import pool_of
from grader.export.mapping import SKIPPED, PartPlan, plan_part
from grader.export.report import QuestionReport
from grader.export.variants import VariantSet, lms_variants


@dataclass
class ExportedQuestion:
    question: Question
    variants: VariantSet
    plans: list[PartPlan]
    report: QuestionReport

    @property
    def exported(self) -> list[PartPlan]:
        return [plan for plan in self.plans if plan.kind != SKIPPED]


@dataclass
class Group:
    """One LMS question group: its items are drawn from these questions' variants; the LMS picks ``pick``."""

    id: str
    title: str
    pick: int
    members: list[ExportedQuestion] = field(default_factory=list)


def export_questions(bank: Bank, secret: str, count: int, target: str) -> list[ExportedQuestion]:
    exported = []
    for question in bank.questions:
        if not question.lms:
            report = QuestionReport(question.id, question.title, 0, count, [], ["lms: false: not exported"])
            exported.append(ExportedQuestion(question, VariantSet(question, [], count), [], report))
            continue
        variants = lms_variants(bank, question, secret, count)
        plans = [plan_part(part, variants.variants, target) for part in question.parts]
        report = QuestionReport(question.id, question.title, len(variants.variants), count, plans)
        if not any(plan.kind != SKIPPED for plan in plans):
            report.notes.append("no part can be exported: the question is left out")
        exported.append(ExportedQuestion(question, variants, plans, report))
    return exported


def groups(bank: Bank, exported: list[ExportedQuestion]) -> list[Group]:
    """Groups in bank order: one per question, one per pool (placed at its first member)."""
    result: list[Group] = []
    placed: dict[str, Group] = {}
    for item in exported:
        if not item.exported:
            continue
        pool = pool_of(bank, item.question.id)
        if pool is None:
            result.append(Group(item.question.id, item.question.title, 1, [item]))
            continue
        if pool.id not in placed:
            placed[pool.id] = Group(f"pool-{pool.id}", f"Pool {pool.id} (pick {pool.pick})", pool.pick)
            result.append(placed[pool.id])
        placed[pool.id].members.append(item)
        item.report.notes.append(f"in pool {pool.id}: one group picks {pool.pick} of its questions' variants "
                                 "(the LMS may pick two variants of one question)")
    return result
