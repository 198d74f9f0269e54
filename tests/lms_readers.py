"""Test helpers: read an exported quiz back and score a response the way the LMS would.

Written from the format rules in docs/exports.md, independently of grader/export/, so that a
round trip (grader's reference answer -> the exported rule -> full marks) tests the export.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from lxml import etree

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"


def local(element: etree._Element) -> str:
    return etree.QName(element).localname


# ---------------------------------------------------------------- Canvas (QTI 1.2)

@dataclass
class QtiItem:
    element: etree._Element
    question_type: str
    points: float
    text: str
    section_title: str

    def labels(self) -> dict[str, str]:
        """response_label ident -> its text (HTML of the option)."""
        return {label.get("ident"): "".join(label.itertext()).strip() for label in self.element.iter(f"{QTI}response_label")}


def read_canvas(path: Path) -> tuple[etree._Element, etree._Element, dict[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = etree.fromstring(files["imsmanifest.xml"])
    resource = manifest.find(f"{CP}resources/{CP}resource[@type='imsqti_xmlv1p2']")
    assessment = etree.fromstring(files[resource.find(f"{CP}file").get("href")])
    return manifest, assessment, files


def canvas_items(assessment: etree._Element) -> list[QtiItem]:
    items = []
    for item in assessment.iter(f"{QTI}item"):
        fields = {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry")
                  for f in item.iter(f"{QTI}qtimetadatafield")}
        text = item.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").text or ""
        items.append(QtiItem(item, fields["question_type"], float(fields["points_possible"]), text,
                             item.getparent().get("title")))
    return items


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _holds(condition: etree._Element, responses: dict[str, object], item: QtiItem) -> bool:
    tag = local(condition)
    if tag == "conditionvar" and item.question_type == "short_answer_question":
        return any(_holds(child, responses, item) for child in condition)  # Canvas: any listed answer
    if tag in ("conditionvar", "and"):
        return all(_holds(child, responses, item) for child in condition)
    if tag == "or":
        return any(_holds(child, responses, item) for child in condition)
    if tag == "not":
        return not _holds(condition[0], responses, item)
    if tag == "other":
        return False  # essay: nothing scores automatically
    response = responses.get(condition.get("respident"))
    expected = (condition.text or "").strip()
    if tag == "varequal":
        if isinstance(response, (set, frozenset)):
            return expected in response
        if item.question_type == "numerical_question":
            given = _number(response)
            return given is not None and given == _number(expected)
        if item.question_type == "fill_in_multiple_blanks_question":  # the answer is a label id: compare its text
            expected = item.labels()[expected]
        return isinstance(response, str) and response.strip().casefold() == expected.casefold()
    given = _number(response) if isinstance(response, str) else None
    if given is None:
        return False
    bound = float(expected)
    return {"vargte": given >= bound, "varlte": given <= bound, "vargt": given > bound, "varlt": given < bound}[tag]


def canvas_score(item: QtiItem, responses: dict[str, object]) -> float:
    """Percent of the item's points, following resprocessing: Set ends (continue=No), Add accumulates."""
    score = 0.0
    for condition in item.element.iter(f"{QTI}respcondition"):
        if not _holds(condition.find(f"{QTI}conditionvar"), responses, item):
            continue
        for setvar in condition.findall(f"{QTI}setvar"):
            value = float(setvar.text)
            score = value if setvar.get("action") == "Set" else score + value
        setvar = condition.find(f"{QTI}setvar")
        if condition.get("continue") == "No" and setvar is not None and setvar.get("action") == "Set":
            break
    return score


# ---------------------------------------------------------------- Moodle XML

@dataclass
class Subquestion:
    """One Cloze blank: kind, weight, and answers as (fraction, text, tolerance)."""

    kind: str
    weight: int
    answers: list[tuple[float, str, float | None]] = field(default_factory=list)


CLOZE = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^\\}])*)\}")


def _unescape(text: str) -> str:
    """Moodle decodes HTML entities, then only '\\}' and '\\#'."""
    import html

    return html.unescape(text).replace("\\}", "}").replace("\\#", "#")


def parse_cloze(text: str) -> list[Subquestion]:
    blanks = []
    for weight, kind, body in CLOZE.findall(text):
        sub = Subquestion(kind, int(weight or 1))
        for piece in re.split(r"(?<![\\&])~", body):  # an answer ends at ~ or # unless \\ or & comes first
            piece = re.split(r"(?<![\\&])#", piece)[0]
            if piece.startswith("="):
                fraction, piece = 100.0, piece[1:]
            elif piece.startswith("%"):
                value, piece = piece[1:].split("%", 1)
                fraction = float(value)
            else:
                fraction = 0.0
            tolerance = None
            if kind == "NUMERICAL":
                value, _, tol = piece.partition(":")
                piece, tolerance = value, float(tol or 0)
            sub.answers.append((fraction, _unescape(piece), tolerance))
        blanks.append(sub)
    return blanks


def numerical_fraction(answers: list[tuple[float, str, float | None]], response: str) -> float:
    """Moodle's numerical rule: the first answer with |x - a| <= tolerance gives its fraction."""
    given = _number(response)
    if given is None:
        return 0.0
    for fraction, text, tolerance in answers:
        if text == "*" or abs(given - float(text)) <= (tolerance or 0) + 1e-12 * max(1.0, abs(float(text))):
            return fraction
    return 0.0


def shortanswer_fraction(answers: list[tuple[float, str, float | None]], response: str, case: bool = False) -> float:
    for fraction, text, _ in answers:
        pattern = "".join(".*" if ch == "*" else re.escape(ch) for ch in re.sub(r"\\\*", "\x00", text)).replace("\x00", r"\*")
        if re.fullmatch(pattern, response.strip(), 0 if case else re.IGNORECASE):
            return fraction
    return 0.0


def choice_fraction(answers: list[tuple[float, str, float | None]], chosen: set[str]) -> float:
    """Multichoice/multiresponse: the sum of the chosen options' fractions, between 0 and 100."""
    return max(0.0, min(100.0, sum(f for f, text, _ in answers if text in chosen)))


def sub_fraction(sub: Subquestion, response) -> float:
    if sub.kind == "NUMERICAL":
        return numerical_fraction(sub.answers, response)
    if sub.kind.startswith("SHORTANSWER"):
        return shortanswer_fraction(sub.answers, response)
    return choice_fraction(sub.answers, response)


def cloze_score(blanks: list[Subquestion], responses: list) -> float:
    total = sum(b.weight for b in blanks)
    return sum(b.weight * sub_fraction(b, r) for b, r in zip(blanks, responses)) / total


def moodle_answers(question: etree._Element) -> list[tuple[float, str, float | None]]:
    answers = []
    for answer in question.findall("answer"):
        tolerance = answer.findtext("tolerance")
        answers.append((float(answer.get("fraction")), (answer.findtext("text") or "").strip(),
                        float(tolerance) if tolerance is not None else None))
    return answers


def moodle_categories(root: etree._Element) -> dict[str, list[etree._Element]]:
    """Category path -> the questions under it (Moodle files a question under the last category seen)."""
    categories: dict[str, list[etree._Element]] = {}
    current = None
    for question in root.findall("question"):
        if question.get("type") == "category":
            current = question.findtext("category/text")
            categories.setdefault(current, [])
        else:
            assert current is not None, "a question before any category"
            categories[current].append(question)
    return categories


MOODLE_FRACTIONS = {Fraction(100, k) for k in range(1, 11)} | {Fraction(100, 20), Fraction(0)}


def allowed_fraction(text: str) -> bool:
    """Moodle's grade list (100, 90, 83.33333, ..., 5, 0 and their negatives), to 5 decimals."""
    value = abs(float(text))
    return any(abs(value - float(f)) < 1e-5 for f in MOODLE_FRACTIONS | {Fraction(90), Fraction(80), Fraction(75),
                                                                          Fraction(70), Fraction(60), Fraction(40),
                                                                          Fraction(30)})
