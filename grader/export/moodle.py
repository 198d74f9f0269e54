"""``grader export moodle``: Moodle XML, one category per question holding its variants.

Add a "random question from category" slot per category (for a pool, k slots
from the pool's category with its subcategories). A single-part question is
a native numerical, multichoice, shortanswer or essay question; a matrix or
a question of several parts is one Cloze question (``{1:NUMERICAL:=2.5:0.1}``).
Math is left as ``\\( \\)`` for Moodle's MathJax filter. The rules followed are
in docs/exports.md.
"""

from __future__ import annotations

import hashlib
import html
import math
from fractions import Fraction
from pathlib import Path

from lxml import etree

from grader.bank.model import Bank
from grader.bank.pools import pool_of
from grader.bank.variant import Variant
from grader.core.files import write_atomic
from grader.export import mapping as kinds
from grader.export.layout import ExportedQuestion, export_questions
from grader.export.mapping import ENTRY_NUMBER, PartPlan, decimal_text, matrix_entries, numeric_range
from grader.export.mathhtml import inline_html, to_html
from grader.export.report import ExportReport

# Moodle's Cloze parser ends an answer at '~', '#' or '}' unless '\\' or '&' precedes it, then decodes HTML
# entities and only '\\}' and '\\#'. So these three are written as entities, which survive every version.
CLOZE_ENTITIES = {"}": "&#125;", "#": "&#35;", "~": "&#126;"}
CLOZE_KINDS = {kinds.NUMERICAL, kinds.CHOICE, kinds.CHECKBOX, kinds.SHORT, kinds.BLANKS}


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _html(parent: etree._Element, tag: str, html_text: str, **attributes: str) -> etree._Element:
    element = _sub(parent, tag, format="html", **attributes)
    _sub(element, "text").text = etree.CDATA(html_text) if html_text else ""
    return element


def fraction_text(value: Fraction | float) -> str:
    """Moodle's grade fractions in percent, to 5 decimals as its own list writes them (33.33333)."""
    text = f"{float(value):.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def cloze_escape(text: str) -> str:
    return "".join(CLOZE_ENTITIES.get(ch, ch) for ch in text)


def category_path(bank: Bank, question_id: str) -> str:
    def name(text: str) -> str:
        return text.replace("/", "//")  # Moodle's escape for a slash inside one category name
    pool = pool_of(bank, question_id)
    middle = f"/{name('pool ' + pool.id)}" if pool else ""
    return f"$course$/top/{name(bank.title)}{middle}/{name(question_id)}"


def _header(root: etree._Element, kind: str, name: str, text_html: str, feedback_html: str, points: float | None,
            idnumber: str) -> etree._Element:
    question = _sub(root, "question", type=kind)
    _sub(_sub(question, "name"), "text", name)
    _html(question, "questiontext", text_html)
    _html(question, "generalfeedback", feedback_html)
    if points is not None:
        _sub(question, "defaultgrade", f"{points:g}")
    _sub(question, "penalty", "0")
    _sub(question, "hidden", "0")
    _sub(question, "idnumber", idnumber)
    return question


def _answer(question: etree._Element, fraction: str, text: str, feedback: str = "", html_text: bool = False,
            tolerance: str | None = None) -> None:
    answer = _sub(question, "answer", fraction=fraction, format="html" if html_text else "moodle_auto_format")
    _sub(answer, "text").text = etree.CDATA(text) if html_text else text
    _html(answer, "feedback", feedback)
    if tolerance is not None:
        _sub(answer, "tolerance", tolerance)


def _options_sorted(spec: dict) -> list[dict]:
    return sorted(spec["options"], key=lambda option: option.get("number", 0))


def _checkbox_fractions(options: list[dict]) -> list[Fraction]:
    right = sum(bool(o.get("correct")) for o in options)
    return [Fraction(100, right) if o.get("correct") else -Fraction(100, right) for o in options]


def _native(root, exported: ExportedQuestion, plan: PartPlan, variant: Variant, index: int, body: str,
            solution: str, also: tuple[PartPlan, ...] = ()) -> None:
    """One native question; ``also`` are further written parts answered in the same essay."""
    question, part = exported.question, plan.part
    spec = variant.parts[part.id]
    points = question.points
    name = f"{question.title} #{index}"
    idnumber = "g" + hashlib.sha256(f"{question.id}|{variant.seed_hex}".encode()).hexdigest()[:20]
    if plan.kind == kinds.NUMERICAL:
        element = _header(root, "numerical", name, body, solution, points, idnumber)
        reference, low, high = numeric_range(spec)
        half = _half_width(reference, low, high)
        _answer(element, "100", decimal_text(reference), tolerance=decimal_text(half))
        for mistake in spec.get("mistakes", []):
            value = Fraction(mistake["answer"]) if not isinstance(mistake["answer"], float) else mistake["answer"]
            if abs(value - reference) > half:  # Moodle takes the first matching answer: a mistake never shadows it
                _answer(element, "0", decimal_text(value), inline_html(mistake["feedback"], "moodle"), tolerance="0")
        for tag, value in (("unitgradingtype", "0"), ("unitpenalty", "0.1000000"), ("showunits", "3"),
                           ("unitsleft", "0")):
            _sub(element, tag, value)
    elif plan.kind in (kinds.CHOICE, kinds.CHECKBOX):
        element = _header(root, "multichoice", name, body, solution, points, idnumber)
        single = plan.kind == kinds.CHOICE
        for tag, value in (("single", "true" if single else "false"), ("shuffleanswers", "true"),
                           ("answernumbering", "ABCD"), ("showstandardinstruction", "0")):
            _sub(element, tag, value)
        for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            _html(element, tag, "")
        options = _options_sorted(spec)
        fractions = ([Fraction(100) if o.get("correct") else Fraction(0) for o in options] if single
                     else _checkbox_fractions(options))
        for option, fraction in zip(options, fractions):
            _answer(element, fraction_text(fraction), inline_html(option["text"], "moodle"),
                    inline_html(str(option.get("feedback") or ""), "moodle"), html_text=True)
    elif plan.kind == kinds.SHORT:
        element = _header(root, "shortanswer", name, body, solution, points, idnumber)
        _sub(element, "usecase", "1" if spec.get("case_sensitive") else "0")
        for synonym in spec["answer"]:
            _answer(element, "100", str(synonym).replace("*", "\\*"))  # '*' is Moodle's wildcard
    else:
        element = _header(root, "essay", name, body, solution, points, idnumber)
        for tag, value in (("responseformat", "editor"), ("responserequired", "1"), ("responsefieldlines", "10"),
                           ("attachments", "0"), ("attachmentsrequired", "0")):
            _sub(element, tag, value)
        info = ""
        for written in (plan, *also):
            rubric = variant.parts[written.part.id].get("rubric") or []
            reference = variant.reference_text(written.part.id)
            items = "".join(f"<li>{inline_html(str(item), 'moodle')}</li>" for item in rubric)
            info += (f"<p>({written.part.id})</p>" if also else "") + (f"<ul>{items}</ul>" if items else "")
            info += f"<p>Reference: <code>{html.escape(reference)}</code></p>" if reference else ""
        _html(element, "graderinfo", info)
        _html(element, "responsetemplate", "")


def _weights(plans: list[PartPlan], variant: Variant) -> dict[str, int]:
    """Integer Cloze weights per blank, proportional to the bank's part weights (a matrix's spread evenly)."""
    shares = {}
    for plan in plans:
        blanks = 1
        if plan.kind == kinds.BLANKS:
            rows, cols = variant.parts[plan.part.id]["answer"].shape
            blanks = rows * cols
        shares[plan.part.id] = Fraction(plan.part.weight).limit_denominator(1000) / blanks
    scale = math.lcm(*(share.denominator for share in shares.values()))
    weights = {key: int(share * scale) for key, share in shares.items()}
    divisor = math.gcd(*weights.values())
    return {key: value // divisor for key, value in weights.items()}


def _half_width(reference: Fraction, low: Fraction, high: Fraction) -> Fraction:
    """Moodle's tolerance is the same on both sides: the narrower one, so no value the grader refuses is taken
    (a range by figures is narrower below a power of ten: 9.995 to 10.05 for 10.0)."""
    return min(high - reference, reference - low)


def _cloze_blank(plan: PartPlan, spec: dict, weight: int) -> str:
    if plan.kind == kinds.NUMERICAL:
        reference, low, high = numeric_range(spec)
        half = _half_width(reference, low, high)
        answers = [f"={decimal_text(reference)}:{decimal_text(half)}"]
        for mistake in spec.get("mistakes", []):
            value = Fraction(mistake["answer"]) if not isinstance(mistake["answer"], float) else mistake["answer"]
            if abs(value - reference) > half:
                answers.append(f"%0%{decimal_text(value)}:0#{cloze_escape(inline_html(mistake['feedback'], 'moodle'))}")
        return f"{{{weight}:NUMERICAL:{'~'.join(answers)}}}"
    if plan.kind in (kinds.CHOICE, kinds.CHECKBOX):
        options = _options_sorted(spec)
        pieces = []
        fractions = (_checkbox_fractions(options) if plan.kind == kinds.CHECKBOX
                     else [Fraction(100) if o.get("correct") else Fraction(0) for o in options])
        for option, fraction in zip(options, fractions):
            mark = "=" if fraction == 100 else f"%{fraction_text(fraction)}%"
            text = cloze_escape(inline_html(option["text"], "moodle"))
            feedback = f"#{cloze_escape(inline_html(str(option['feedback']), 'moodle'))}" if option.get("feedback") else ""
            pieces.append(mark + text + feedback)
        kind = "MULTIRESPONSE_S" if plan.kind == kinds.CHECKBOX else "MULTICHOICE_VS"
        return f"{{{weight}:{kind}:{'~'.join(pieces)}}}"
    return f"{{{weight}:SHORTANSWER:{'~'.join('=' + cloze_escape(str(a)) for a in spec['answer'])}}}"


def _matrix_blanks(plan: PartPlan, spec: dict, weight: int) -> str:
    entries = matrix_entries(spec["answer"], spec, numbers_as_text=False)
    assert entries is not None
    rows = []
    for row in entries:
        cells = []
        for entry in row:
            if entry.kind == ENTRY_NUMBER:
                code = f"{{{weight}:NUMERICAL:={decimal_text(entry.value)}:{decimal_text(entry.tolerance)}}}"
            else:
                code = f"{{{weight}:SHORTANSWER:{'~'.join('=' + cloze_escape(t) for t in entry.texts)}}}"
            cells.append(f"<td>{code}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table class="matrix-blanks">' + "".join(rows) + "</table>"


def _cloze(root, exported: ExportedQuestion, plans: list[PartPlan], variant: Variant, index: int, intro: str,
           solution: str) -> None:
    question = exported.question
    weights = _weights(plans, variant)
    pieces = [intro]
    for plan in plans:
        spec = variant.parts[plan.part.id]
        prompt = variant.render_prompt(plan.part).strip()
        label = f"<strong>({plan.part.id})</strong> " if len(plans) > 1 else ""
        pieces.append(f"<p>{label}{inline_html(prompt, 'moodle')}</p>" if prompt or label else "")
        if plan.kind == kinds.BLANKS:
            pieces.append(_matrix_blanks(plan, spec, weights[plan.part.id]))
        else:
            pieces.append(f"<p>{_cloze_blank(plan, spec, weights[plan.part.id])}</p>")
    idnumber = "g" + hashlib.sha256(f"{question.id}|{variant.seed_hex}".encode()).hexdigest()[:20]
    _header(root, "cloze", f"{question.title} #{index}", "\n".join(p for p in pieces if p), solution, None, idnumber)


def moodle_xml(bank: Bank, exported: list[ExportedQuestion]) -> bytes:
    root = etree.Element("quiz")
    for item in exported:
        plans = item.exported
        if not plans:
            continue
        if len(plans) > 1 and all(p.kind == kinds.ESSAY for p in plans):
            item.report.notes.append("several written parts: one essay question answers them all")
        elif len(plans) > 1:
            dropped = [p for p in plans if p.kind not in CLOZE_KINDS]
            for plan in dropped:
                plan.notes.append("not kept: a Cloze question cannot hold an essay; add it by hand or grade it in "
                                  "grader")
            plans = [p for p in plans if p.kind in CLOZE_KINDS]
            if len(plans) > 1:
                item.report.notes.append(f"several parts: one Cloze question ({', '.join(p.part.id for p in plans)})")
        if not plans:
            continue
        category = _sub(root, "question", type="category")
        _sub(_sub(category, "category"), "text", category_path(bank, item.question.id))
        _html(category, "info", f"{len(item.variants.variants)} variants of {item.question.id}, exported by grader")
        for index, variant in enumerate(item.variants.variants, start=1):
            solution = to_html(variant.render_solution(), "moodle")
            text = variant.render_text().strip()
            if len(plans) > 1 and all(p.kind == kinds.ESSAY for p in plans):
                prompts = "\n\n".join(f"**({p.part.id})** {variant.render_prompt(p.part).strip()}" for p in plans)
                _native(root, item, plans[0], variant, index, to_html(text + "\n\n" + prompts, "moodle"), solution,
                        tuple(plans[1:]))
            elif len(plans) == 1 and plans[0].kind != kinds.BLANKS:
                plan = plans[0]
                prompt = variant.render_prompt(plan.part).strip()
                if plan.kind == kinds.NUMERICAL and variant.parts[plan.part.id].get("percent"):
                    prompt += "\n\n*Give the number of percent, without the % sign.*"
                _native(root, item, plan, variant, index, to_html(text + "\n\n" + prompt, "moodle"), solution)
            else:
                _cloze(root, item, plans, variant, index, to_html(text, "moodle"), solution)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_moodle(bank: Bank, secret: str, count: int, out: str | Path) -> ExportReport:
    """Write the Moodle XML to ``out`` and the report beside it (``.report.md``); return the report."""
    report = ExportReport("Moodle", bank.id, str(out))
    exported = export_questions(bank, secret, count, "moodle")
    write_atomic(Path(out), moodle_xml(bank, exported))
    report.questions = [q.report for q in exported]
    kept = report.exported_questions()
    report.notes += [f"{len(kept)} questions, {sum(q.variants for q in kept)} variants, "
                     f"one category per question under $course$/top/{bank.title}.",
                     "Math is left as \\( \\) for Moodle's MathJax filter (on by default)."]
    pools = list(bank.pools)
    report.by_hand = [
        "Import: Question bank > Import > Moodle XML format; keep 'Get category from file' on.",
        "In the quiz, add one 'random question' per category (Add > a random question, choose the category) and "
        "set each slot's maximum mark to the question's points (a Cloze question's default mark is the sum "
        "of its blank weights).",
        *[f"Pool {pool.id}: add {pool.pick} random questions from category 'pool {pool.id}' with 'include "
          "subcategories' on (Moodle may then give two variants of one question)." for pool in pools],
        "Grade the essay questions by hand (Quiz > Results > Manual grading).",
        "Moodle draws a variant per attempt at random: LMS variants are not the students' grader variants.",
    ]
    report.write()
    return report
