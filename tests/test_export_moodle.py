"""``grader export moodle``: Moodle XML that follows the rules in docs/exports.md and scores like grader.

The XML is read back with tests/lms_readers.py (Moodle's numerical, multichoice, shortanswer and
Cloze rules, written from the format documentation) and every variant's reference answer must score
100% while each declared mistake must not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from grader.bank.model import load_bank
from grader.check.answer import check_answer
from grader.check.registry import REGISTRY
from grader.cli import main
from grader.export.mathhtml import inline_html
from grader.export.variants import lms_variants
from tests.lms_readers import (
    allowed_fraction,
    choice_fraction,
    cloze_score,
    moodle_answers,
    moodle_categories,
    numerical_fraction,
    parse_cloze,
    shortanswer_fraction,
)

ROOT = Path(__file__).resolve().parent.parent
BANKS = {"cnn": ROOT / "questions" / "cnn.yaml", "physics": ROOT / "tests" / "fixtures" / "lms" / "physics.yaml"}
SECRET = "test-secret-for-lms-exports"
COUNT = 5
MOODLE_NUMBER = re.compile(r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)")  # Moodle's NUMBER_REGEX
TYPES = {"category", "numerical", "multichoice", "shortanswer", "essay", "cloze"}

pytestmark = pytest.mark.export


@pytest.fixture(scope="module", params=sorted(BANKS))
def exported(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("moodle") / "quiz.xml"
    run = CliRunner().invoke(main, ["export", "moodle", str(BANKS[request.param]), "--variants", str(COUNT),
                                    "--out", str(out), "--secret", SECRET])
    assert run.exit_code == 0, run.output
    return load_bank(BANKS[request.param]), etree.parse(str(out)).getroot(), out


def test_every_question_follows_the_moodle_xml_rules(exported) -> None:
    _, root, _ = exported
    assert root.tag == "quiz"
    for question in root.findall("question"):
        kind = question.get("type")
        assert kind in TYPES
        if kind == "category":
            assert question.findtext("category/text").startswith("$course$/top/")
            continue
        assert question.findtext("name/text").strip()
        assert question.find("questiontext").get("format") == "html"
        text = question.findtext("questiontext/text")
        assert text.strip() and "$" not in text.replace("$course$", "")
        if kind == "numerical":
            assert question.findall("answer") and all(a.find("tolerance") is not None for a in question.findall("answer"))
        if kind == "multichoice":
            fractions = [float(a.get("fraction")) for a in question.findall("answer")]
            assert all(allowed_fraction(a.get("fraction")) for a in question.findall("answer"))
            if question.findtext("single") == "true":
                assert sorted(fractions)[-1] == 100 and fractions.count(100) == 1 and min(fractions) == 0
            else:
                assert abs(sum(f for f in fractions if f > 0) - 100) < 0.01
        if kind == "shortanswer":
            assert question.findtext("usecase") in ("0", "1") and question.findall("answer")
        if kind == "essay":
            assert question.findtext("responseformat") == "editor"
        if kind == "cloze":
            blanks = parse_cloze(text)
            for blank in (b for b in blanks if b.kind == "NUMERICAL"):
                assert all(MOODLE_NUMBER.fullmatch(value) for _, value, _ in blank.answers), blank
            # Moodle finds subquestions by the {weight:TYPE: opening (LaTeX braces are left alone): each must close
            assert blanks and len(re.findall(r"\{\d*:[A-Z_]+:", text)) == len(blanks)
            for blank in blanks:
                assert blank.weight >= 1 and any(fraction == 100 for fraction, _, _ in blank.answers) or \
                    abs(sum(f for f, _, _ in blank.answers if f > 0) - 100) < 0.01


def test_one_category_per_question_holding_its_distinct_variants(exported) -> None:
    bank, root, _ = exported
    categories = moodle_categories(root)
    for question in bank.questions:
        path = next((p for p in categories if p.endswith("/" + question.id)), None)
        exportable = question.lms and any(p.lms and p.type != "code" for p in question.parts)
        assert (path is not None) == exportable, question.id
        if path:
            expected = len(lms_variants(bank, question, SECRET, COUNT).variants)
            texts = [q.findtext("questiontext/text") for q in categories[path]]
            assert len(texts) == expected and len(set(texts)) == expected


def _variants_by_name(bank, root):
    categories = moodle_categories(root)
    for question in bank.questions:
        path = next((p for p in categories if p.endswith("/" + question.id)), None)
        if path is None:
            continue
        by_name = {q.findtext("name/text"): q for q in categories[path]}
        for index, variant in enumerate(lms_variants(bank, question, SECRET, COUNT).variants, start=1):
            yield by_name.pop(f"{question.title} #{index}"), question, variant
        assert not by_name


def _typed(spec, value) -> str:
    return REGISTRY.get(spec["type"]).format(value, spec).rstrip("%")


def _responses(parts, variant, wrong: dict | None = None):
    """What a student types into each Cloze blank, in order: the reference, or a mistake for one part."""
    responses = []
    for part in parts:
        spec = variant.parts[part.id]
        value = (wrong or {}).get(part.id, spec.get("answer"))
        if part.type in ("integer", "number"):
            responses.append(_typed(spec, value))
        elif part.type == "matrix":
            responses.extend(str(cell) for cell in value)  # row by row
        elif part.type in ("choice", "checkbox"):
            options = sorted(spec["options"], key=lambda o: o["number"])
            responses.append({inline_html(o["text"], "moodle") for o in options if o.get("correct")})
        else:
            responses.append(spec["answer"][0])
    return responses


def test_round_trip_references_score_full_marks_and_mistakes_do_not(exported) -> None:
    bank, root, _ = exported
    checked = 0
    for element, question, variant in _variants_by_name(bank, root):
        kind = element.get("type")
        parts = [p for p in question.parts if p.lms and p.type not in ("code",)]
        if kind == "cloze":
            kept = [p for p in parts if p.type not in ("free", "expression")]
            blanks = parse_cloze(element.findtext("questiontext/text"))
            assert cloze_score(blanks, _responses(kept, variant)) == pytest.approx(100)
            for part in kept:
                for mistake in variant.parts[part.id]["mistakes"]:
                    if getattr(mistake["answer"], "shape", None) not in (None, variant.parts[part.id]["answer"].shape
                                                                         if part.type == "matrix" else None):
                        continue
                    wrong = _responses(kept, variant, {part.id: mistake["answer"]})
                    assert cloze_score(blanks, wrong) < 100, (question.id, part.id, mistake["note"])
        else:
            part = parts[0]
            spec = variant.parts[part.id]
            answers = moodle_answers(element)
            if kind == "numerical":
                reference = _typed(spec, spec["answer"])
                assert numerical_fraction(answers, reference) == 100
                assert check_answer(spec, reference + ("%" if spec.get("percent") else "")).score == 1.0
                for mistake in spec["mistakes"]:
                    assert numerical_fraction(answers, _typed(spec, mistake["answer"])) < 100
            elif kind == "multichoice":
                options = sorted(spec["options"], key=lambda o: o["number"])
                right = {inline_html(o["text"], "moodle") for o in options if o.get("correct")}
                assert choice_fraction(answers, right) == pytest.approx(100)
                for option in options:
                    if not option.get("correct"):
                        text = inline_html(option["text"], "moodle")
                        single = element.findtext("single") == "true"
                        assert choice_fraction(answers, {text} if single else right | {text}) < 100
            elif kind == "shortanswer":
                assert all(shortanswer_fraction(answers, s.upper()) == 100 for s in spec["answer"])
                assert shortanswer_fraction(answers, "no such thing") == 0
            else:
                assert kind == "essay" and not answers
        checked += 1
    assert checked > 15


def test_math_is_left_for_mathjax_and_pools_get_their_own_category(tmp_path) -> None:
    out = tmp_path / "p.xml"
    run = CliRunner().invoke(main, ["export", "moodle", str(BANKS["physics"]), "--variants", "3", "--out", str(out),
                                    "--secret", SECRET])
    assert run.exit_code == 0, run.output
    root = etree.parse(str(out)).getroot()
    categories = moodle_categories(root)
    assert {p.rsplit("/", 1)[-1] for p in categories if "/pool speeds/" in p} == {"avg-speed", "distance", "travel-time"}
    assert "Kinematics // units quiz" in next(iter(categories))  # a '/' in a category name is doubled
    avg = categories[next(p for p in categories if p.endswith("/avg-speed"))][0]
    assert "\\(v = \\frac{d}{t}\\)" in avg.findtext("questiontext/text")
    report = (tmp_path / "p.report.md").read_text()
    assert "add 2 random questions from category 'pool speeds'" in report
    assert "not kept: a Cloze question cannot hold an essay" not in report or "| derivative |" in report
