"""The question bank: reading a YAML bank into a checked, typed model.

Every problem is reported as a ``BankError`` with ``file:line:col`` and
the question and part it concerns. See docs/bank-format.md for the format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import jinja2
import sympy

from grader.bank.fingerprint import fingerprint_files
from grader.bank.homework import BANK_HOMEWORK_KEYS, QUESTION_HOMEWORK_KEYS, HomeworkPolicy, read_policy
from grader.bank.params import ParamSpec, derived_order, parse_param
from grader.bank.pools import Pool, read_pools
from grader.bank.solve import SolveError, compile_answer, load_solver_module
from grader.bank.templates import line_of_name, undeclared_names
from grader.check.limits import time_limit_problem
from grader.check.parse import parse_expression
from grader.check.registry import REGISTRY
from grader.core.deadline import SOLVER_TIME_LIMIT, CallTimeout, time_limit
from grader.core.errors import BankError, BankErrors, FormatError, Location
from grader.core.yamlload import Document, YamlError, load_file

BANK_KEYS = {"id", "title", "points", "solvers", "show_answers", "practice", "questions", "description",
             "decimal_comma", "pools", "time_limit", "visibility"} | BANK_HOMEWORK_KEYS
QUESTION_KEYS = {"id", "title", "points", "source", "params", "where", "text", "parts", "solution", "tests",
                 "topic", "correction", "lms"} | QUESTION_HOMEWORK_KEYS
PART_KEYS = {"id", "type", "prompt", "answer", "weight", "mistakes", "show_answer", "derived_feedback", "lms",
             "time_limit", "visibility"}
# When Gradescope shows a result to the student (its results.json "visibility" values).
VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
TEST_KEYS = {"params", "answers", "printed", "note"}
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
TEMPLATE_GLOBALS = {"range", "loop", "true", "false", "none", "dict", "lipsum", "cycler", "joiner", "namespace"}


@dataclass(frozen=True)
class Mistake:
    answer: Any
    feedback: str
    note: str


@dataclass(frozen=True)
class Part:
    id: str
    type: str
    prompt: str
    weight: float
    answer: Any
    mistakes: tuple[Mistake, ...]
    settings: dict[str, Any]
    show_answer: bool | None
    location: Location
    lms: bool = True  # False: left out of the Canvas and Moodle exports
    visibility: str | None = None  # Gradescope visibility of this part's result; None: the bank's


@dataclass(frozen=True)
class QuestionTest:
    params: dict[str, Any]
    answers: dict[str, Any]
    printed: dict[str, Any]
    note: str
    location: Location


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    points: float
    source: str
    params: dict[str, ParamSpec]
    constraints: list[tuple[str, sympy.Basic]]
    text: str
    solution: str
    parts: tuple[Part, ...]
    tests: tuple[QuestionTest, ...]
    correction: str
    location: Location
    lms: bool = True
    homework: HomeworkPolicy = HomeworkPolicy()  # attempts and timing in the browser (grader.bank.homework)
    # template name ("text", "solution", "part 'a' prompt") -> (file line of its value, YAML block style)
    template_starts: dict[str, tuple[int | None, str | None]] = field(default_factory=dict)

    def part(self, part_id: str) -> Part:
        return next(part for part in self.parts if part.id == part_id)

    def part_points(self, part: Part) -> float:
        return self.points * part.weight / sum(p.weight for p in self.parts)


@dataclass
class Bank:
    id: str
    title: str
    path: Path
    questions: list[Question]
    solvers: ModuleType | None = None
    show_answers: bool = False
    practice: bool = False
    solver_path: Path | None = None
    decimal_comma: bool = False  # read "1,5" as 1.5 in every number part
    pools: tuple[Pool, ...] = ()
    by_id: dict[str, Question] = field(default_factory=dict)
    time_limit: float | None = None  # seconds per part's check, for parts that set none
    visibility: str = "visible"  # Gradescope visibility of the results (per part: Part.visibility)
    homework: HomeworkPolicy = HomeworkPolicy()
    fingerprint: str = ""  # of the files as they were read (grader.bank.fingerprint), set by load_bank

    def __post_init__(self) -> None:
        self.by_id = {question.id: question for question in self.questions}

    @property
    def total_points(self) -> float:
        return sum(question.points for question in self.questions)


def load_bank(path: str | Path) -> Bank:
    """Read and check a bank; raise BankError naming file:line:col, question and part."""
    path = Path(path)
    try:
        document = load_file(str(path))
    except YamlError as error:
        raise BankError(error.message, Location(str(path), error.line, error.column)) from error
    except OSError as error:
        raise BankError(f"cannot read the bank: {error.strerror}", Location(str(path))) from error
    bank = _Reader(document, path).bank()
    # now, not when an output is written: a file edited during a run or a server's term must not be
    # recorded as the bank that graded it
    bank.fingerprint = fingerprint_files(bank.path, bank.solver_path)
    return bank


class _Reader:
    def __init__(self, document: Document, path: Path) -> None:
        self.doc = document
        self.path = path

    def fail(self, message: str, where: tuple[Any, ...], question: str | None = None, part: str | None = None,
             hint: str = "", line_offset: int = 0, needle: str = "") -> BankError:
        location = self.doc.where(where).with_context(question, part)
        if line_offset and location.line is not None:
            line = self.doc.line_in_value(where, line_offset, needle) or location.line
            location = Location(location.file, line, None, question, part)
        return BankError(message, location, hint)

    def keys(self, mapping: Any, allowed: set[str], where: tuple[Any, ...], what: str, question: str | None = None,
             part: str | None = None) -> dict[str, Any]:
        if not isinstance(mapping, dict):
            raise self.fail(f"{what} must be a mapping", where, question, part)
        unknown = sorted(set(map(str, mapping)) - allowed)
        if unknown:
            raise self.fail(f"unknown key '{unknown[0]}' in {what}", where + (unknown[0],), question, part,
                            hint="allowed: " + ", ".join(sorted(allowed)))
        return mapping

    def bank(self) -> Bank:
        data = self.keys(self.doc.data, BANK_KEYS, (), "the bank")
        for key in ("id", "title", "questions"):
            if key not in data:
                raise self.fail(f"the bank needs '{key}'", ())
        bank_id = self.identifier(data["id"], ("id",), "bank id")
        solver_path = self.path.with_name(data.get("solvers") or f"{self.path.stem}_solvers.py")
        solvers = None
        if solver_path.exists():
            try:
                with time_limit(SOLVER_TIME_LIMIT):  # a module that loops at import must not hang every command
                    solvers = load_solver_module(solver_path)
            except (Exception, CallTimeout) as error:  # instructor code failed to import: say where
                raise self.fail(f"solver module {solver_path.name} failed to import: {error}", ("solvers",)) from error
        elif data.get("solvers"):
            raise self.fail(f"solver module {solver_path.name} not found beside the bank", ("solvers",))
        questions_raw = data["questions"]
        if not isinstance(questions_raw, list) or not questions_raw:
            raise self.fail("questions must be a non-empty list", ("questions",))
        default_points = data.get("points", 1)
        self.homework = read_policy(data, lambda message, key: self.fail(message, (key,)))
        questions, seen, problems = [], set(), []
        for index, raw in enumerate(questions_raw):
            try:  # every question is read, so one run reports the first problem of each
                question = self.question(raw, ("questions", index), default_points, solvers)
                if question.id in seen:
                    raise self.fail(f"duplicate question id '{question.id}'", ("questions", index, "id"),
                                    question.id)
            except BankError as error:
                problems.append(error)
                continue
            seen.add(question.id)
            questions.append(question)
        if problems:
            raise problems[0] if len(problems) == 1 else BankErrors(problems)
        pools = read_pools(data.get("pools"), [q.id for q in questions], self.doc.where)
        return Bank(bank_id, str(data["title"]), self.path, questions, solvers,
                    bool(data.get("show_answers", False)), bool(data.get("practice", False)),
                    solver_path if solvers else None, bool(data.get("decimal_comma", False)), pools,
                    time_limit=self.time_limit(data, ("time_limit",)),
                    visibility=self.visibility(data, ()) or "visible", homework=self.homework)

    def time_limit(self, raw: dict[str, Any], where: tuple[Any, ...], question: str | None = None,
                   part: str | None = None) -> float | None:
        if "time_limit" not in raw:
            return None
        problem = time_limit_problem(raw["time_limit"])
        if problem:
            raise self.fail(problem, where, question, part)
        return float(raw["time_limit"])

    def visibility(self, raw: dict, at: tuple[Any, ...], qid: str | None = None, part: str | None = None) -> str | None:
        if "visibility" not in raw:
            return None
        value = str(raw["visibility"])
        if value not in VISIBILITIES:
            raise self.fail(f"visibility must be one of {', '.join(VISIBILITIES)}", at + ("visibility",), qid, part)
        return value

    def identifier(self, value: Any, where: tuple[Any, ...], what: str, question: str | None = None) -> str:
        text = str(value)
        if not ID_PATTERN.match(text):
            raise self.fail(f"{what} '{text}' must be letters, digits, '-', '_' or '.'", where, question)
        return text

    def question(self, raw: Any, at: tuple[Any, ...], default_points: Any, solvers: ModuleType | None) -> Question:
        raw = self.keys(raw, QUESTION_KEYS, at, "a question")
        if "id" not in raw:
            raise self.fail("a question needs an id", at)
        qid = self.identifier(raw["id"], at + ("id",), "question id")
        for key in ("title", "text", "parts"):
            if key not in raw:
                raise self.fail(f"question needs '{key}'", at, qid)
        params_raw = raw.get("params") or {}
        if not isinstance(params_raw, dict):
            raise self.fail("params must be a mapping of name: spec", at + ("params",), qid)
        names = [str(name) for name in params_raw]
        params: dict[str, ParamSpec] = {}
        for name in names:
            if not re.match(r"[A-Za-z][A-Za-z0-9_]*$", name):
                raise self.fail(f"parameter name '{name}' must be a letter then letters/digits", at + ("params", name), qid)
            try:
                params[name] = parse_param(name, params_raw[name], names, self.doc.where(at + ("params", name)))
            except BankError as error:
                raise BankError(error.message, error.location.with_context(qid), error.hint) from error
        try:
            derived_order(params)
        except ValueError as error:  # a cycle: say so now, for every command, not on the first draw
            raise self.fail(str(error), at + ("params",), qid) from error
        constraints = []
        for index, rule in enumerate(raw.get("where") or []):
            try:
                constraints.append((str(rule), parse_expression(str(rule), variables=names, trusted=True)))
            except FormatError as error:
                raise self.fail(f"constraint '{rule}': {error.message}", at + ("where", index), qid) from error
        text = self.template(raw["text"], at + ("text",), qid, set(names))
        parts_raw = raw["parts"]
        if not isinstance(parts_raw, list) or not parts_raw:
            raise self.fail("parts must be a non-empty list", at + ("parts",), qid)
        parts = tuple(self.part(p, at + ("parts", i), qid, names, solvers) for i, p in enumerate(parts_raw))
        ids = [part.id for part in parts]
        if len(set(ids)) != len(ids):
            raise self.fail("part ids must be unique within a question", at + ("parts",), qid)
        solution = self.template(raw.get("solution") or "", at + ("solution",), qid, set(names) | {"answer", "latex"})
        tests = tuple(self.test(t, at + ("tests", i), qid, params, ids) for i, t in enumerate(raw.get("tests") or []))
        points = raw.get("points", default_points)
        if not isinstance(points, (int, float)) or isinstance(points, bool) or points < 0:
            raise self.fail("points must be a number >= 0", at + ("points",), qid)
        homework = read_policy(raw, lambda message, key: self.fail(message, at + (key,), qid), self.homework,
                               QUESTION_HOMEWORK_KEYS)
        starts = {"text": self.template_start(at + ("text",)), "solution": self.template_start(at + ("solution",)),
                  **{f"part '{p.id}' prompt": self.template_start(at + ("parts", i, "prompt"))
                     for i, p in enumerate(parts)}}
        return Question(qid, str(raw["title"]), float(points), str(raw.get("source") or ""), params, constraints,
                        text, solution, parts, tests, str(raw.get("correction") or ""), self.doc.where(at),
                        raw.get("lms", True) is not False, homework, template_starts=starts)

    def template_start(self, where: tuple[Any, ...]) -> tuple[int | None, str | None]:
        """Where a template's text starts in the file, so a render error can name the file line."""
        return self.doc.positions.get(where, (None, None))[0], self.doc.block_scalars.get(where)

    def template(self, source: Any, at: tuple[Any, ...], qid: str, names: set[str], part: str | None = None) -> str:
        if not isinstance(source, str):
            raise self.fail("expected text", at, qid, part)
        try:
            used = undeclared_names(source)
        except jinja2.TemplateSyntaxError as error:
            raise self.fail(f"template error: {error.message}", at, qid, part, line_offset=error.lineno) from error
        missing = sorted(used - names - TEMPLATE_GLOBALS)
        if missing:
            name = missing[0]
            raise self.fail(f"parameter '{name}' is used in the text but not defined under params", at, qid, part,
                            hint="define it under params or fix the spelling",
                            line_offset=line_of_name(source, name), needle=name)
        return source

    def part(self, raw: Any, at: tuple[Any, ...], qid: str, names: list[str], solvers: ModuleType | None) -> Part:
        if not isinstance(raw, dict):
            raise self.fail("a part must be a mapping", at, qid)
        part_id = self.identifier(raw.get("id", ""), at + ("id",), "part id", qid)
        kind = raw.get("type")

        if kind not in REGISTRY.checkers:
            raise self.fail(f"unknown answer type '{kind}'", at + ("type",), qid, part_id,
                            hint="known types: " + ", ".join(sorted(REGISTRY.checkers)))
        checker = REGISTRY.get(kind)
        self.keys(raw, PART_KEYS | set(checker.settings), at, f"a {kind} part", qid, part_id)
        settings = {key: raw[key] for key in checker.settings if key in raw}
        if "derived_feedback" in raw:  # an author's own sentence for a derived mistake, by its note
            named = raw["derived_feedback"]
            if not isinstance(named, dict) or not all(isinstance(v, str) for v in named.values()):
                raise self.fail("derived_feedback must map derived notes to sentences", at + ("derived_feedback",),
                                qid, part_id)
            settings["derived_feedback"] = {str(k).removeprefix("derived:"): v for k, v in named.items()}
        if "time_limit" in raw:
            settings["time_limit"] = self.time_limit(raw, at + ("time_limit",), qid, part_id)
        for problem in checker.validate(settings):
            raise self.fail(problem, at, qid, part_id)
        variables = list(settings.get("variables") or []) + checker.answer_names(settings)
        clash = sorted(set(variables) & set(names))
        if clash:
            raise self.fail(f"'{clash[0]}' is both a parameter and an answer variable", at + ("variables",), qid, part_id)
        if kind == "code":
            settings["cases"] = [
                [self.compiled(arg, at + ("cases", i, j), qid, part_id, names, solvers) for j, arg in enumerate(case)]
                for i, case in enumerate(settings["cases"])
            ]
            reference = settings.get("reference") or settings["function"]
            if solvers is None or not callable(getattr(solvers, reference, None)):
                raise self.fail(f"reference solver '{reference}' not found in the bank's solver module", at, qid,
                                part_id, hint=_did_you_mean(reference, solvers))
        answer = None
        if "answer" in raw:
            answer = self.compiled(raw["answer"], at + ("answer",), qid, part_id, names + variables, solvers,
                                   tuple(settings.get("unknown_functions") or ()))
        elif checker.needs_answer and kind not in ("choice", "checkbox", "text"):
            raise self.fail("this part needs an answer:", at, qid, part_id)
        mistakes = []
        for index, mistake in enumerate(raw.get("mistakes") or []):
            where = at + ("mistakes", index)
            self.keys(mistake, {"answer", "feedback", "note"}, where, "a mistake", qid, part_id)
            if not {"answer", "feedback", "note"} <= set(mistake):
                raise self.fail("a mistake needs answer, feedback and note", where, qid, part_id)
            compiled = self.compiled(mistake["answer"], where + ("answer",), qid, part_id, names + variables, solvers,
                                     tuple(settings.get("unknown_functions") or ()))
            mistakes.append(Mistake(compiled, str(mistake["feedback"]), str(mistake["note"])))
        prompt = self.template(raw.get("prompt") or "", at + ("prompt",), qid, set(names), part_id)
        weight = raw.get("weight", 1)
        if not isinstance(weight, (int, float)) or weight <= 0:
            raise self.fail("weight must be a number > 0", at + ("weight",), qid, part_id)
        show = raw.get("show_answer")
        return Part(part_id, kind, prompt, float(weight), answer, tuple(mistakes), settings,
                    None if show is None else bool(show), self.doc.where(at).with_context(qid, part_id),
                    raw.get("lms", True) is not False, self.visibility(raw, at, qid, part_id))

    def compiled(self, answer: Any, at: tuple[Any, ...], qid: str, part_id: str, names: list[str],
                 solvers: ModuleType | None, unknown_functions: tuple[str, ...] = ()) -> Any:
        try:
            compiled = compile_answer(answer, names, unknown_functions)
        except SolveError as error:
            raise self.fail(str(error), at, qid, part_id) from error
        if isinstance(compiled, dict) and "solver" in compiled:
            if solvers is None or not callable(getattr(solvers, compiled["solver"], None)):
                raise self.fail(f"solver function '{compiled['solver']}' not found in the bank's solver module",
                                at, qid, part_id, hint=_did_you_mean(compiled["solver"], solvers))
        return compiled

    def test(self, raw: Any, at: tuple[Any, ...], qid: str, params: dict[str, ParamSpec],
             part_ids: list[str]) -> QuestionTest:
        raw = self.keys(raw, TEST_KEYS, at, "a question test", qid)
        given = raw.get("params") or {}
        drawn = {name for name, spec in params.items() if spec.is_drawn}
        unknown = sorted(set(given) - set(params))
        if unknown:
            raise self.fail(f"test sets unknown parameter '{unknown[0]}'", at + ("params",), qid)
        missing = sorted(drawn - set(given))
        if missing:
            raise self.fail(f"test must set parameter '{missing[0]}'", at + ("params",), qid)
        for key in ("answers", "printed"):
            extra = sorted(set(raw.get(key) or {}) - set(part_ids))
            if extra:
                raise self.fail(f"test {key} name unknown part '{extra[0]}'", at + (key,), qid)
        if raw.get("printed") and not raw.get("note"):
            raise self.fail("a test with printed answers needs a note naming the printed source", at, qid)
        return QuestionTest(dict(given), dict(raw.get("answers") or {}), dict(raw.get("printed") or {}),
                            str(raw.get("note") or ""), self.doc.where(at).with_context(qid))


def _did_you_mean(name: str, solvers: ModuleType | None) -> str:
    """A hint naming the closest function in the solver module, if one is close."""
    import difflib
    import inspect

    if solvers is None:
        return "the bank has no solver module beside it"
    functions = [n for n, f in vars(solvers).items() if inspect.isfunction(f) and not n.startswith("_")]
    close = difflib.get_close_matches(name, functions, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return "functions in the module: " + (", ".join(sorted(functions)[:12]) or "none")
