"""One student's variant of one question: parameters drawn, references solved.

``make_variant`` is a pure function of (bank, question, secret, student).
The resolved part specs it returns are exactly what ``check_answer``
takes, so generation, grading, validation and the otter tests all share it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sympy

from grader.bank.mistake_sources import formula_of, inexact_mistake, solver_variants
from grader.bank.model import Bank, Part, Question
from grader.bank.params import ParamValues, draw_values, fixed_values
from grader.bank.resolved_cache import cached_spec
from grader.bank.solve import evaluate_answer, python_value
from grader.bank.templates import TemplateRenderError, render
from grader.check.registry import REGISTRY
from grader.core.deadline import CallTimeout
from grader.core.errors import BankError, Location
from grader.core.variant_seed import Draws, variant_seed


@dataclass(frozen=True)
class Variant:
    question: Question
    student: str
    seed_hex: str
    values: ParamValues
    parts: dict[str, dict[str, Any]]  # part id -> resolved spec for check_answer

    @property
    def params(self) -> dict[str, Any]:
        return self.values.display

    def reference_text(self, part_id: str) -> str:
        spec = self.parts[part_id]
        return REGISTRY.get(spec["type"]).format(spec.get("answer"), spec) if spec.get("answer") is not None else ""

    def render_text(self) -> str:
        return self._render("text", self.question.text, self.params)

    def render_prompt(self, part: Part) -> str:
        return self._render(f"part '{part.id}' prompt", part.prompt, self.params) if part.prompt else ""

    def render_solution(self) -> str:
        if not self.question.solution:
            return ""
        answers = {part_id: self.reference_text(part_id) for part_id in self.parts}
        latex = {part_id: reference_latex(spec) for part_id, spec in self.parts.items()}
        return self._render("solution", self.question.solution, {**self.params, "answer": answers, "latex": latex})

    def _render(self, which: str, source: str, context: dict[str, Any]) -> str:
        """Render one template; a failure names the template, its line and the parameters."""
        try:
            return render(source, context)
        except TemplateRenderError as error:
            line = f" line {error.line}" if error.line else ""
            shown = ", ".join(f"{k}={v}" for k, v in self.params.items())
            where = self.question.location
            start, style = self.question.template_starts.get(which, (None, None))
            if start is not None and error.line:  # "|" text starts on the line after the key; plain text on it
                file_line = start + error.line if style == "|" else start if style == ">" else start + error.line - 1
                where = Location(where.file, file_line)
            raise BankError(f"the {which} template failed at its{line} for {shown or 'these parameters'}: "
                            f"{error.message}", where.with_context(self.question.id)) from error


def reference_latex(spec: dict[str, Any]) -> str:
    """The reference as LaTeX, for worked solutions."""
    answer = spec.get("answer")
    if answer is None:
        return ""
    if isinstance(answer, sympy.Basic):
        return sympy.latex(answer)
    text = REGISTRY.get(spec["type"]).format(answer, spec)
    return text.replace("%", r"\%") if spec["type"] in ("integer", "number") else r"\text{" + text + "}"


def make_variant(bank: Bank, question: Question, secret: str, student: str, round_: int = 0, *,
                 only: Collection[str] | None = None, read_only: bool = False) -> Variant:
    """One student's variant; ``only`` names the parts to resolve (grading needs no notebook parts);
    ``round_`` > 0 is a fresh variant in the browser after ``new_variant_after`` attempts. ``read_only``:
    the caller never changes the specs, so remembered ones are handed over as they are, not copied."""
    seed = variant_seed(secret, bank.id, question.id, student, round_)
    draws = Draws(seed)
    try:
        values, _ = draw_values(question.params, question.constraints, draws)
    except ValueError as error:
        raise BankError(str(error), question.location) from error
    return resolve(bank, question, values, draws, student, seed.hex(), only, read_only)


def fixed_variant(bank: Bank, question: Question, given: dict[str, Any]) -> Variant:
    """The variant a question test describes: fixed parameters, options unshuffled."""
    values = fixed_values(question.params, given)
    return resolve(bank, question, values, None, "<test>", "")


def resolve(bank: Bank, question: Question, values: ParamValues, draws: Draws | None, student: str,
            seed_hex: str, only: Collection[str] | None = None, read_only: bool = False) -> Variant:
    parts = {}
    for part in question.parts:
        if only is not None and part.id not in only:
            continue
        try:
            if draws is None:
                parts[part.id] = resolve_part(bank, part, values, None)
            else:  # the same values (and option order, the student's own) resolve to the same spec: once per process
                order = option_order(part, draws)
                parts[part.id] = cached_spec(bank, question.id, part, values,
                                             lambda part=part, order=order: resolve_part(bank, part, values, None, order),
                                             option_numbers(part, order), read_only)
        except BankError:
            raise
        except CallTimeout as error:  # a solver that loops: name the part, the seed and the params
            shown = ", ".join(f"{k}={v}" for k, v in values.display.items())
            raise BankError(f"reference answer for seed {seed_hex[:12] or 'test'} with {shown} {error}",
                            part.location) from error
        except TemplateRenderError as error:  # option text or mistake feedback: not the reference's fault
            shown = ", ".join(f"{k}={v}" for k, v in values.display.items())
            line = f" line {error.line}" if error.line else ""
            raise BankError(f"an option or mistake feedback template failed at its{line} for {shown}: "
                            f"{error.message}", part.location) from error
        except Exception as error:  # a solver (instructor code) raised: name question, seed and params
            shown = ", ".join(f"{k}={v}" for k, v in values.display.items())
            raise BankError(
                f"reference answer failed for seed {seed_hex[:12] or 'test'} with {shown}: "
                f"{type(error).__name__}: {error}",
                part.location,
            ) from error
    return Variant(question, student, seed_hex, values, parts)


def option_order(part: Part, draws: Draws | None) -> list[int] | None:
    """The order a student sees a choice part's options in (indices into the bank's list); None: as written."""
    options = part.settings.get("options")
    if not options or draws is None or not part.settings.get("shuffle", True):
        return None
    return draws.permutation(len(options), f"shuffle:{part.id}")


def option_numbers(part: Part, order: list[int] | None) -> tuple[int, ...] | None:
    """The bank's numbers of the options in that order (as ``spec["options"]`` has them); None without options."""
    options = part.settings.get("options")
    if not options:
        return None
    return tuple(index + 1 for index in order) if order is not None else tuple(range(1, len(options) + 1))


def resolve_part(bank: Bank, part: Part, values: ParamValues, draws: Draws | None,
                 order: list[int] | None = None) -> dict[str, Any]:
    """One part's spec for these values; a choice part's options in ``order``, or shuffled by ``draws``."""
    checker = REGISTRY.get(part.type)
    spec: dict[str, Any] = {"type": part.type, "id": part.id, **part.settings}
    spec["show_answer"] = bank.show_answers if part.show_answer is None else part.show_answer
    if bank.decimal_comma and "decimal_comma" in checker.settings:
        spec.setdefault("decimal_comma", True)
    if bank.time_limit is not None:
        spec.setdefault("time_limit", bank.time_limit)
    if "options" in spec:
        # Number the options as written in the bank, so statistics agree across shuffled variants.
        options = [{**option, "number": index} for index, option in enumerate(spec["options"], start=1)]
        if order is None:
            order = option_order(part, draws)
        if order is not None:
            options = [options[i] for i in order]
        spec["options"] = [{**o, "text": render(str(o["text"]), values.display),
                            **({"feedback": render(str(o["feedback"]), values.display)} if o.get("feedback") else {})}
                           for o in options]
    if spec.get("derived_feedback"):
        spec["derived_feedback"] = {note: render(text, values.display) for note, text in spec["derived_feedback"].items()}
    if part.type == "code":
        spec["resolved_cases"] = _code_cases(bank, part, spec, values)
    raw = evaluate_answer(part.answer, values, bank.solvers) if part.answer is not None else None
    spec["answer"] = checker.reference(raw, spec) if checker.needs_answer else None
    formula = formula_of(part.answer, values, part.mistakes)
    if formula:
        spec["formula"] = formula
    mistakes = []
    for mistake in part.mistakes + tuple(solver_variants(bank, part)):
        try:
            wrong = checker.reference(evaluate_answer(mistake.answer, values, bank.solvers), spec)
        except ValueError:
            # e.g. a fractional mistake for a whole-number part: no answer matches it, a rounded one may
            kept = inexact_mistake(mistake, values, bank)
            if kept:
                spec.setdefault("inexact_mistakes", []).append(kept)
            continue
        if _same(wrong, spec["answer"]):  # on this variant the "mistake" is the right answer; validate says so
            spec.setdefault("mistakes_equal_to_answer", []).append(mistake.note)
            continue
        earlier = next((m for m in mistakes if _same(wrong, m["answer"])), None)
        if earlier is not None:  # indistinguishable here: the first declared wins; validate reports it
            spec.setdefault("shadowed_mistakes", []).append((mistake.note, earlier["note"]))
            # both explain such an answer: feedback names both (never only one, which could be the wrong cause)
            earlier.setdefault("same_as", []).append({"note": mistake.note,
                                                      "feedback": render(mistake.feedback, values.display)})
            continue
        mistakes.append({"answer": wrong, "feedback": render(mistake.feedback, values.display), "note": mistake.note,
                         "formula": mistake.answer if isinstance(mistake.answer, sympy.Basic) else None})
    spec["mistakes"] = mistakes
    return spec


def _code_cases(bank: Bank, part: Part, spec: dict[str, Any], values) -> list[dict[str, Any]]:
    """Each case's arguments for this variant, and the reference solver's result."""
    reference = getattr(bank.solvers, part.settings.get("reference") or part.settings["function"])
    compare = REGISTRY.get(spec.get("compare", "number"))
    cases = []
    for compiled_args in part.settings["cases"]:
        args = [_argument(arg, values, bank) for arg in compiled_args]
        expected = compare.reference(reference(*args), {"type": spec.get("compare", "number")})
        cases.append({"args": args, "expected": expected,
                      "expected_text": compare.format(expected, {"type": spec.get("compare", "number")})})
    return cases


def _argument(compiled: Any, values, bank: Bank) -> Any:
    if isinstance(compiled, sympy.Symbol) and str(compiled) in values.display:
        return python_value(values.display[str(compiled)])
    return python_value(evaluate_answer(compiled, values, bank.solvers))


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False
