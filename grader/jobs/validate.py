"""``grader validate``: run every question's own tests, then sweep many seeds.

Like STACK's question tests: fixed parameters with the answers the author
expects are checked through ``check_part`` exactly as a student's answer
would be. Printed answers from a source sheet that disagree with the solver
are reported; they pass only when the question records a ``correction``.
The sweep then draws many variants and checks that each renders, that each
reference checks as correct against itself, and that every declared
mistake is recognised with its own note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grader.bank.model import Bank, Question
from grader.bank.variant import Variant, fixed_variant, make_variant
from grader.check.limits import check_part  # every check under the part's time limit
from grader.check.registry import REGISTRY
from grader.core.deadline import SOLVER_TIME_LIMIT, CallTimeout, time_limit
from grader.core.errors import BankError, Location
from grader.grading.submission import answer_to_text
from grader.jobs.distinguish import PartTally, report_lines, tally_variant

DEFAULT_SEEDS = 200
#: notes that name no cause, only a relation: what feedback says when too many mistakes explain an answer
UNNAMED_NOTES = {"incorrect", "off-by-one", "off-by-two", "power-of-ten", "factor-100", "sign", "close",
                 "matrix-entries", "partial-entries", "not-equivalent", "wrong-shape"}
VALIDATE_SECRET = "grader-validate"


@dataclass(frozen=True)
class Finding:
    level: str  # "error" or "note"
    location: Location
    message: str


@dataclass
class QuestionReport:
    question: str
    tests_run: int = 0
    seeds_run: int = 0
    distinct_variants: int = 0
    findings: list[Finding] = field(default_factory=list)
    equal_to_answer: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)  # (part, note) -> seeds
    _keys: set[str] = field(default_factory=set, repr=False)

    def add(self, level: str, location: Location, message: str, key: str = "") -> None:
        """Record a finding once: the same problem on many seeds is one finding."""
        key = key or message
        if key not in self._keys:
            self._keys.add(key)
            self.findings.append(Finding(level, location, message))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]


def answer_text(value: Any) -> str:
    """A test's expected answer (YAML value) as the text a student would type: read like an answers file."""
    return answer_to_text(value) or ""


def validate_bank(bank: Bank, seeds: int = DEFAULT_SEEDS, progress: Callable[[str], None] | None = None,
                  solver_time_limit: float = SOLVER_TIME_LIMIT) -> list[QuestionReport]:
    reports = []
    for question in bank.questions:
        reports.append(validate_question(bank, question, seeds, solver_time_limit))
        if progress:
            progress(question.id)
    return reports


def validate_question(bank: Bank, question: Question, seeds: int,
                      solver_time_limit: float = SOLVER_TIME_LIMIT) -> QuestionReport:
    report = QuestionReport(question.id)
    for test in question.tests:
        report.tests_run += 1
        try:
            with time_limit(solver_time_limit):
                variant = fixed_variant(bank, question, test.params)
        except BankError as error:
            report.findings.append(Finding("error", error.location, error.message))
            continue
        except (CallTimeout, ValueError) as error:
            report.findings.append(Finding("error", test.location, f"this test's variant failed: {error}"))
            continue
        for part_id, expected in test.answers.items():
            result = check_part(variant.parts[part_id], answer_text(expected))
            if result.verdict != "correct":
                report.findings.append(Finding(
                    "error", test.location.with_context(question.id, part_id),
                    f"test answer {answer_text(expected)!r} is {result.verdict}, but the solver gives "
                    f"{variant.reference_text(part_id)!r}: {result.feedback}"))
        for part_id, printed in test.printed.items():
            result = check_part(variant.parts[part_id], answer_text(printed))
            if result.verdict == "correct":
                continue
            message = (f"printed answer {answer_text(printed)!r} disagrees with the solver's "
                       f"{variant.reference_text(part_id)!r} ({test.note})")
            if question.correction:
                report.findings.append(Finding("note", test.location.with_context(question.id, part_id),
                                               message + f"; recorded correction: {question.correction}"))
            else:
                report.findings.append(Finding("error", test.location.with_context(question.id, part_id),
                                               message + "; fix the solver or record a correction"))
    seen = set()
    tallies = {part.id: PartTally() for part in question.parts}
    for index in range(seeds):
        student = f"validate-{index}"
        try:
            with time_limit(solver_time_limit):  # solvers and solution code are instructor code that may loop
                variant = make_variant(bank, question, VALIDATE_SECRET, student)
                _check_variant(variant, report)
            for part in question.parts:  # what feedback can tell apart on this variant
                tally_variant(tallies[part.id], part, variant.parts[part.id])
        except BankError as error:
            report.findings.append(Finding("error", error.location.with_context(question.id), error.message))
            break
        except CallTimeout as error:
            report.findings.append(Finding("error", question.location.with_context(question.id),
                                           f"checking the variant for {student} {error}"))
            break
        except Exception as error:  # a template failed to render on this variant
            report.findings.append(Finding("error", question.location.with_context(question.id),
                                           f"seed for {student} failed: {type(error).__name__}: {error}"))
            break
        options = [[o["text"] for o in spec.get("options", [])] for spec in variant.parts.values()]
        seen.add(repr((sorted(variant.params.items()), options)))
        report.seeds_run += 1
    report.distinct_variants = len(seen)
    for part in question.parts:
        if tallies[part.id].variants:
            line, errors = report_lines(f"{question.id}.{part.id}", tallies[part.id])
            report.add("note", part.location, line, key=f"tell-apart:{part.id}")
            for error in errors:
                report.add("error", part.location, error)
    for (part_id, note), count in report.equal_to_answer.items():
        if report.seeds_run and count == report.seeds_run:  # on some seeds it is natural; on all it is a bug
            report.add("error", question.part(part_id).location,
                       f"mistake '{note}' gives the right answer on every variant checked ({count}), so it is "
                       "dropped and its feedback never shows; fix the mistake's answer")
    return report


def _check_variant(variant: Variant, report: QuestionReport) -> None:
    question = variant.question
    variant.render_text()
    variant.render_solution()
    for part in question.parts:
        variant.render_prompt(part)
        spec = variant.parts[part.id]
        checker = REGISTRY.get(spec["type"])
        if spec["type"] == "code":
            _check_code_solution(spec, part.settings["solution_code"], report, part.location)
            continue
        if not checker.needs_answer:
            continue
        where = part.location
        for note in spec.get("mistakes_equal_to_answer", ()):
            report.equal_to_answer[(part.id, note)] = report.equal_to_answer.get((part.id, note), 0) + 1
        for shadowed, winner in spec.get("shadowed_mistakes", ()):
            report.add("note", where, f"mistake '{shadowed}' gives the same answer as '{winner}' for params "
                       f"{variant.params}, so its feedback is never shown there; add a where: rule to keep "
                       "them apart", key=f"shadow:{part.id}:{shadowed}")
        for advice in checker.advice(spec):
            report.add("note", where, f"{advice} (params {variant.params})", key=f"advice:{part.id}:{advice[:40]}")
        result = check_part(spec, checker.format(spec["answer"], spec))
        if result.verdict != "correct":
            report.add("error", where, f"the reference does not check as correct against itself for params "
                       f"{variant.params}: {result.feedback}", key=f"self:{part.id}")
        for mistake in spec["mistakes"]:
            result = check_part(spec, checker.format(mistake["answer"], spec))
            # named alone, or together with what else gives the same answer on this variant
            notes = result.note.split(" | ")
            unnamed = result.note in UNNAMED_NOTES or result.note.startswith("factor-")
            if mistake["note"] not in notes and unnamed and result.verdict != "correct":
                report.add("note", where, f"mistake '{mistake['note']}' is not named for params {variant.params}: "
                           f"more than two mistakes give that answer there (said instead: '{result.note}')",
                           key=f"crowded:{part.id}:{mistake['note']}")
            elif mistake["note"] not in notes:
                report.add("error", where, f"mistake '{mistake['note']}' was not recognised for params "
                           f"{variant.params} (got note '{result.note}')", key=f"mistake:{part.id}:{mistake['note']}")


def _check_code_solution(spec: dict, solution_code: str, report: QuestionReport, where: Location) -> None:
    """The part's own solution_code must pass its tests on this variant (as otter assign checks)."""
    import numpy as np

    from grader.check.code_cases import check_function

    namespace: dict[str, Any] = {"np": np, "numpy": np}
    try:
        exec(compile(solution_code, "<solution_code>", "exec"), namespace)  # instructor code from the bank
    except Exception as error:
        report.add("error", where, f"solution_code does not run: {type(error).__name__}: {error}", key="code-run")
        return
    result = check_function(spec, namespace.get(spec["function"]))
    if result.verdict != "correct":
        report.add("error", where, f"solution_code fails its own tests: {result.feedback}", key="code-tests")
