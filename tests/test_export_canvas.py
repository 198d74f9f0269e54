"""``grader export canvas``: the QTI 1.2 package follows the rules in docs/exports.md and scores like grader.

The round trip reads the zip back with tests/lms_readers.py (written from the format rules, not from
grader/export/) and scores each variant's reference answer and each declared mistake under the exported
rule, then checks that grader's own checker agrees.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from grader.bank.model import load_bank
from grader.check.answer import check_answer
from grader.check.registry import REGISTRY
from grader.cli import main
from grader.export.variants import lms_variants
from tests.lms_readers import QTI, canvas_items, canvas_score, read_canvas

ROOT = Path(__file__).resolve().parent.parent
BANKS = {"cnn": ROOT / "questions" / "cnn.yaml", "physics": ROOT / "tests" / "fixtures" / "lms" / "physics.yaml"}
SECRET = "test-secret-for-lms-exports"
COUNT = 6
QUESTION_TYPES = {"numerical_question", "multiple_choice_question", "multiple_answers_question",
                  "short_answer_question", "essay_question", "fill_in_multiple_blanks_question"}

pytestmark = pytest.mark.export


@pytest.fixture(scope="module", params=sorted(BANKS))
def exported(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("canvas") / "quiz.zip"
    run = CliRunner().invoke(main, ["export", "canvas", str(BANKS[request.param]), "--variants", str(COUNT),
                                    "--out", str(out), "--secret", SECRET])
    assert run.exit_code == 0, run.output
    return load_bank(BANKS[request.param]), out, run.output


def test_the_package_has_a_manifest_whose_resources_are_in_the_zip(exported) -> None:
    _, out, _ = exported
    manifest, assessment, files = read_canvas(out)
    assert etree_name(manifest) == "manifest" and manifest.get("identifier")
    assert manifest.findtext("{*}metadata/{*}schema") == "IMS Content"
    resources = {r.get("identifier"): r for r in manifest.iter("{*}resource")}
    quiz = [r for r in resources.values() if r.get("type") == "imsqti_xmlv1p2"]
    assert len(quiz) == 1
    for resource in resources.values():
        for file in resource.iter("{*}file"):
            assert file.get("href") in files, file.get("href")
    for dependency in quiz[0].iter("{*}dependency"):
        assert dependency.get("identifierref") in resources
    assert etree_name(assessment) == "questestinterop" and assessment.tag.startswith(QTI)


def etree_name(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def test_every_group_picks_from_its_variants_and_every_item_is_well_formed(exported) -> None:
    bank, out, _ = exported
    _, assessment, _ = read_canvas(out)
    top = assessment.find(f"{QTI}assessment")
    assert top.get("ident") and top.get("title") == bank.title
    idents = [item.get("ident") for item in assessment.iter(f"{QTI}item")]
    assert len(idents) == len(set(idents))
    for section in top.find(f"{QTI}section").findall(f"{QTI}section"):
        pick = int(section.findtext(f"{QTI}selection_ordering/{QTI}selection/{QTI}selection_number"))
        items = section.findall(f"{QTI}item")
        assert 1 <= pick <= len(items), section.get("title")
        assert float(section.findtext(f".//{QTI}points_per_item")) > 0
    for item in canvas_items(assessment):
        assert item.question_type in QUESTION_TYPES
        assert item.points > 0
        element = item.element
        assert element.find(f"{QTI}resprocessing/{QTI}outcomes/{QTI}decvar").get("varname") == "SCORE"
        responses = {r.get("ident") for r in element.iter(f"{QTI}response_lid", f"{QTI}response_str")}
        for test in element.iter(f"{QTI}varequal", f"{QTI}vargte", f"{QTI}varlte"):
            assert test.get("respident") in responses
        feedback = {f.get("ident") for f in element.iter(f"{QTI}itemfeedback")}
        for shown in element.iter(f"{QTI}displayfeedback"):
            assert shown.get("linkrefid") in feedback
        if item.question_type == "fill_in_multiple_blanks_question":
            blanks = set(re.findall(r"\[([A-Za-z0-9_]+)\]", item.text))
            assert {f"response_{b}" for b in blanks} == responses and blanks


def test_math_is_canvas_equation_images_never_raw_dollars(exported) -> None:
    _, out, _ = exported
    _, assessment, _ = read_canvas(out)
    for mattext in assessment.iter(f"{QTI}mattext"):
        assert "$" not in (mattext.text or "")
        for source, content in re.findall(r'src="/equation_images/([^"]+)"[^>]*data-equation-content="([^"]*)"',
                                          mattext.text or ""):
            import html

            assert unquote(unquote(source)) == html.unescape(content)


def _items_by_title(bank, assessment):
    """Every item, matched to (question, part, variant) by the title the export gives it."""
    items = {item.element.get("title"): item for item in canvas_items(assessment)}
    matched = []
    for question in bank.questions:
        variants = lms_variants(bank, question, SECRET, COUNT).variants
        parts = [p for p in question.parts if p.lms and p.type != "code"] if question.lms else []
        for part in parts:
            title = question.title if len(parts) == 1 else f"{question.title} ({part.id})"
            for index, variant in enumerate(variants, start=1):
                matched.append((items.pop(f"{title} #{index}"), question, part, variant))
    assert not items, f"items the bank does not explain: {sorted(items)[:3]}"
    return matched


def _typed(spec, value) -> str:
    return REGISTRY.get(spec["type"]).format(value, spec).rstrip("%")


def test_round_trip_references_score_full_marks_and_mistakes_do_not(exported) -> None:
    bank, out, _ = exported
    _, assessment, _ = read_canvas(out)
    checked = 0
    for item, question, part, variant in _items_by_title(bank, assessment):
        spec = variant.parts[part.id]
        kind = item.question_type
        if kind == "numerical_question":
            reference = _typed(spec, spec["answer"])
            assert canvas_score(item, {"response1": reference}) == 100, (question.id, reference)
            assert check_answer(spec, reference + ("%" if spec.get("percent") else "")).score == 1.0
            for mistake in spec["mistakes"]:
                wrong = _typed(spec, mistake["answer"])
                assert canvas_score(item, {"response1": wrong}) < 100, (question.id, mistake["note"])
                assert check_answer(spec, wrong + ("%" if spec.get("percent") else "")).score < 1.0
        elif kind in ("multiple_choice_question", "multiple_answers_question"):
            labels = list(item.labels())
            options = sorted(spec["options"], key=lambda o: o["number"])
            assert len(labels) == len(options)
            right = {label for label, option in zip(labels, options) if option.get("correct")}
            assert canvas_score(item, {"response1": right}) == 100
            if len(right) > 1:
                assert canvas_score(item, {"response1": set(list(right)[1:])}) < 100
            for label, option in zip(labels, options):
                if not option.get("correct"):
                    assert canvas_score(item, {"response1": {label}}) < 100
                    if kind == "multiple_answers_question":
                        assert canvas_score(item, {"response1": right | {label}}) < 100
        elif kind == "short_answer_question":
            for synonym in spec["answer"]:
                assert canvas_score(item, {"response1": synonym.upper()}) == 100
            assert canvas_score(item, {"response1": "certainly not this"}) == 0
        elif kind == "fill_in_multiple_blanks_question":
            def blanks(matrix):
                return {f"response_r{r + 1}c{c + 1}": str(matrix[r, c]) for r in range(matrix.rows)
                        for c in range(matrix.cols)}
            assert canvas_score(item, blanks(spec["answer"])) >= 99
            for mistake in spec["mistakes"]:
                if mistake["answer"].shape == spec["answer"].shape:
                    assert canvas_score(item, blanks(mistake["answer"])) < 99, (question.id, mistake["note"])
        else:
            assert kind == "essay_question" and canvas_score(item, {"response1": "anything"}) == 0
        checked += 1
    assert checked > 20


def test_a_tolerance_canvas_cannot_keep_is_reported_and_still_holds_the_reference(tmp_path) -> None:
    out = tmp_path / "physics.zip"
    run = CliRunner().invoke(main, ["export", "canvas", str(BANKS["physics"]), "--variants", "12", "--out", str(out),
                                    "--secret", SECRET])
    assert run.exit_code == 0, run.output
    report = (tmp_path / "physics.report.md").read_text()
    row = next(line for line in report.splitlines() if line.startswith("| avg-speed |") and "| a |" in line)
    assert "4 decimals" in row
    for line in ("| derivative |", "| paper-only |"):
        assert line in report
    assert "lms: false" in report and "essay" in report


def test_fewer_distinct_variants_than_asked_are_said(tmp_path) -> None:
    run = CliRunner().invoke(main, ["export", "canvas", str(BANKS["physics"]), "--variants", "40", "--out",
                                    str(tmp_path / "q.zip"), "--secret", SECRET])
    assert run.exit_code == 0
    # rotation has k in 2..5: four distinct matrices at most
    assert "rotation has only 4 distinct variant(s) of 40 asked" in run.output
    _, assessment, _ = read_canvas(tmp_path / "q.zip")
    texts = [item.text for item in canvas_items(assessment) if item.section_title == "A rotation matrix"]
    assert len(texts) == 4 and len(set(texts)) == 4


def test_pools_are_one_group_that_picks_k_and_opted_out_parts_are_absent(tmp_path) -> None:
    out = tmp_path / "q.zip"
    assert CliRunner().invoke(main, ["export", "canvas", str(BANKS["physics"]), "--variants", "3", "--out", str(out),
                                     "--secret", SECRET]).exit_code == 0
    _, assessment, _ = read_canvas(out)
    sections = {s.get("title"): s for s in assessment.iter(f"{QTI}section")}
    pool = sections["Pool speeds (pick 2)"]
    assert pool.findtext(f".//{QTI}selection_number") == "2"
    assert len(pool.findall(f"{QTI}item")) == 9  # three questions, three variants each
    titles = " ".join(title for title in sections if title)
    assert "On paper only" not in titles and "A derivative (c)" not in titles


def test_the_same_bank_and_secret_give_the_same_package_byte_for_byte(tmp_path) -> None:
    for name in ("a.zip", "b.zip"):
        assert CliRunner().invoke(main, ["export", "canvas", str(BANKS["physics"]), "--variants", "3", "--out",
                                         str(tmp_path / name), "--secret", SECRET]).exit_code == 0
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
