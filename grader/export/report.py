"""The export report: per question, how many variants, how each part was mapped, what was not kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.core.files import write_atomic
from grader.export.mapping import SKIPPED, PartPlan


@dataclass
class QuestionReport:
    question: str
    title: str
    variants: int
    requested: int
    plans: list[PartPlan]
    notes: list[str] = field(default_factory=list)  # question-level: pools, layout, skipped


@dataclass
class ExportReport:
    target: str
    bank: str
    out: str
    questions: list[QuestionReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    by_hand: list[str] = field(default_factory=list)  # what the instructor still does in the LMS

    def markdown(self) -> str:
        lines = [f"# {self.target} export of {self.bank}", "", f"Written to `{self.out}`.", ""]
        lines += [f"- {note}" for note in self.notes]
        lines += ["", "| question | variants | part | type | exported as | not kept / notes |", "|---|---|---|---|---|---|"]
        for entry in self.questions:
            count = f"{entry.variants}" + (f" of {entry.requested} asked (no more distinct ones)"
                                           if 0 < entry.variants < entry.requested else "")
            for plan in entry.plans:
                lines.append(f"| {entry.question} | {count} | {plan.part.id} | {plan.part.type} | {plan.kind} | "
                             f"{'; '.join(plan.notes)} |")
            for note in entry.notes:
                lines.append(f"| {entry.question} | {count} | - | - | - | {note} |")
        if self.by_hand:
            lines += ["", "## Still to do by hand in the LMS", ""] + [f"- {item}" for item in self.by_hand]
        return "\n".join(lines) + "\n"

    def write(self) -> Path:
        """The report beside the export: quiz.zip -> quiz.report.md."""
        return write_atomic(Path(self.out).with_suffix(".report.md"), self.markdown())

    def short_questions(self) -> list[QuestionReport]:
        return [q for q in self.exported_questions() if q.variants < q.requested]

    def exported_questions(self) -> list[QuestionReport]:
        """The questions that made it into the export (some part exported, not opted out)."""
        return [q for q in self.questions if q.variants and any(p.kind != SKIPPED for p in q.plans)]
