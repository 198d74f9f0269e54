"""``grader export canvas``: a QTI 1.2 package for Canvas Classic Quizzes.

The zip holds ``imsmanifest.xml`` (IMS Content Packaging, one ``imsqti_xmlv1p2``
resource), the assessment (``<questestinterop>``) and Canvas's
``assessment_meta.xml``. Every question is a section with
``selection_ordering`` ("pick 1 of N", Canvas's question group) holding its
variants as items; a pool is one section that picks k. Item types use
Canvas's ``question_type`` metadata. The rules followed are in docs/exports.md.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from lxml import etree

from grader.bank.model import Bank
from grader.bank.templates import points as points_text
from grader.bank.variant import Variant
from grader.core.files import write_atomic
from grader.export import mapping as kinds
from grader.export.layout import ExportedQuestion, Group, export_questions, groups
from grader.export.mapping import PartPlan, decimal_text, matrix_entries, numeric_range, round_outward
from grader.export.mathhtml import inline_html, to_html
from grader.export.report import ExportReport

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI_XSD = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CANVAS_DECIMALS = 4  # Canvas stores numerical answers to 4 decimal places
QUESTION_TYPES = {kinds.NUMERICAL: "numerical_question", kinds.CHOICE: "multiple_choice_question",
                  kinds.CHECKBOX: "multiple_answers_question", kinds.SHORT: "short_answer_question",
                  kinds.ESSAY: "essay_question", kinds.BLANKS: "fill_in_multiple_blanks_question"}


def ident(*pieces: object) -> str:
    """A stable identifier: the same bank and secret give the same package."""
    return "g" + hashlib.sha256("|".join(map(str, pieces)).encode()).hexdigest()[:24]


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attributes.items()})
    if text is not None:
        element.text = text
    return element


def _metadata(item: etree._Element, fields: dict[str, str]) -> None:
    meta = _sub(_sub(item, "itemmetadata"), "qtimetadata")
    for label, entry in fields.items():
        field = _sub(meta, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)


def _mattext(parent: etree._Element, html_text: str) -> None:
    _sub(_sub(parent, "material"), "mattext", html_text, texttype="text/html")


def _score(condition: etree._Element, value: str, action: str = "Set") -> None:
    _sub(condition, "setvar", value, action=action, varname="SCORE")


def _resprocessing(item: etree._Element) -> etree._Element:
    processing = _sub(item, "resprocessing")
    _sub(_sub(processing, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    return processing


def _feedback(item: etree._Element, feedback_id: str, html_text: str) -> None:
    _mattext(_sub(_sub(item, "itemfeedback", ident=feedback_id), "flow_mat"), html_text)


class _ItemWriter:
    def __init__(self, report_notes: dict[tuple, list]) -> None:
        self.report_notes = report_notes  # part key -> notes found while writing (rounding)

    def item(self, section: etree._Element, exported: ExportedQuestion, plan: PartPlan, variant: Variant,
             index: int) -> None:
        question, part = exported.question, plan.part
        spec = variant.parts[part.id]
        item_id = ident(question.id, part.id, variant.seed_hex)
        title = question.title if len(exported.exported) == 1 else f"{question.title} ({part.id})"
        item = _sub(section, "item", ident=item_id, title=f"{title} #{index}")
        _metadata(item, {"question_type": QUESTION_TYPES[plan.kind],
                         "points_possible": points_text(question.part_points(part)),
                         "assessment_question_identifierref": ident("aq", item_id)})
        presentation = _sub(item, "presentation")
        text = variant.render_text().strip()
        prompt = variant.render_prompt(part).strip()
        if prompt:
            text += "\n\n" + (f"**({part.id})** " if len(exported.exported) > 1 else "") + prompt
        if plan.kind == kinds.NUMERICAL and spec.get("percent"):
            text += "\n\n*Give the number of percent, without the % sign.*"
        body = to_html(text, "canvas")
        getattr(self, "_" + plan.kind.replace(" ", "_"))(item, presentation, body, spec, plan)

    def _numerical(self, item, presentation, body, spec, plan) -> None:
        _mattext(presentation, body)
        response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
        _sub(_sub(response, "render_fib", fibtype="Decimal"), "response_label", ident="answer1")
        condition = _sub(_resprocessing(item), "respcondition", continue_="No")
        variable = _sub(condition, "conditionvar")
        reference, low, high = numeric_range(spec)
        if spec["type"] == "integer":
            either = _sub(variable, "or")
            _sub(either, "varequal", decimal_text(reference), respident="response1")
            both = _sub(either, "and")
        else:
            kept_low, kept_high = round_outward(low, high, CANVAS_DECIMALS)
            if (kept_low, kept_high) != (low, high):
                key = (plan.part.location.question, plan.part.id)
                if key not in self.report_notes:
                    self.report_notes[key] = [0, f"e.g. [{decimal_text(low)}, {decimal_text(high)}] became "
                                                 f"[{decimal_text(kept_low)}, {decimal_text(kept_high)}]"]
                self.report_notes[key][0] += 1
            low, high = kept_low, kept_high
            both = _sub(variable, "and")
        _sub(both, "vargte", decimal_text(low), respident="response1")
        _sub(both, "varlte", decimal_text(high), respident="response1")
        _score(condition, "100")

    def _options(self, item, presentation, body, spec, multiple: bool) -> None:
        _mattext(presentation, body)
        response = _sub(presentation, "response_lid", ident="response1", rcardinality="Multiple" if multiple else "Single")
        render = _sub(response, "render_choice")
        options = sorted(spec["options"], key=lambda option: option.get("number", 0))  # the LMS shuffles
        option_ids = [f"{item.get('ident')}_{option.get('number', i)}" for i, option in enumerate(options)]
        for option_id, option in zip(option_ids, options):
            _mattext(_sub(render, "response_label", ident=option_id), inline_html(option["text"], "canvas"))
        processing = _resprocessing(item)
        for option_id, option in zip(option_ids, options):
            if option.get("feedback"):
                condition = _sub(processing, "respcondition", continue_="Yes")
                _sub(_sub(condition, "conditionvar"), "varequal", option_id, respident="response1")
                _sub(condition, "displayfeedback", feedbacktype="Response", linkrefid=f"{option_id}_fb")
        condition = _sub(processing, "respcondition", continue_="No")
        variable = _sub(condition, "conditionvar")
        target = _sub(variable, "and") if multiple else variable
        for option_id, option in zip(option_ids, options):
            if option.get("correct"):
                _sub(target, "varequal", option_id, respident="response1")
            elif multiple:
                _sub(_sub(target, "not"), "varequal", option_id, respident="response1")
        _score(condition, "100")
        for option_id, option in zip(option_ids, options):
            if option.get("feedback"):
                _feedback(item, f"{option_id}_fb", inline_html(str(option["feedback"]), "canvas"))

    def _multiple_choice(self, item, presentation, body, spec, plan) -> None:
        self._options(item, presentation, body, spec, multiple=False)

    def _multiple_answers(self, item, presentation, body, spec, plan) -> None:
        self._options(item, presentation, body, spec, multiple=True)

    def _short_answer(self, item, presentation, body, spec, plan) -> None:
        _mattext(presentation, body)
        response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
        _sub(_sub(response, "render_fib"), "response_label", ident="answer1", rshuffle="No")
        condition = _sub(_resprocessing(item), "respcondition", continue_="No")
        variable = _sub(condition, "conditionvar")
        for answer in spec["answer"]:  # sibling varequal elements: Canvas accepts any of them
            _sub(variable, "varequal", str(answer), respident="response1")
        _score(condition, "100")

    def _essay(self, item, presentation, body, spec, plan) -> None:
        _mattext(presentation, body)
        response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
        _sub(_sub(response, "render_fib"), "response_label", ident="answer1", rshuffle="No")
        condition = _sub(_resprocessing(item), "respcondition", continue_="No")
        _sub(_sub(condition, "conditionvar"), "other")

    def _blanks(self, item, presentation, body, spec, plan) -> None:
        entries = matrix_entries(spec["answer"], spec, numbers_as_text=True)
        assert entries is not None  # plan_part checked every variant
        cells = "".join("<tr>" + "".join(f"<td>[r{r + 1}c{c + 1}]</td>" for c in range(len(row))) + "</tr>"
                        for r, row in enumerate(entries))
        _mattext(presentation, body + f'\n<table class="matrix-blanks">{cells}</table>')
        share = f"{100 / sum(len(row) for row in entries):.2f}"  # as Canvas's own export writes it
        processing = _resprocessing(item)
        for r, row in enumerate(entries):
            for c, entry in enumerate(row):
                blank = f"r{r + 1}c{c + 1}"
                response = _sub(presentation, "response_lid", ident=f"response_{blank}")
                _sub(_sub(response, "material"), "mattext", blank)
                render = _sub(response, "render_choice")
                answer_ids = []
                for k, text in enumerate(entry.texts):
                    answer_id = f"{item.get('ident')}_{blank}_{k}"
                    answer_ids.append(answer_id)
                    _sub(_sub(_sub(render, "response_label", ident=answer_id), "material"), "mattext", text,
                         texttype="text/plain")
                condition = _sub(processing, "respcondition")  # no continue: every blank adds its share
                variable = _sub(condition, "conditionvar")
                for answer_id in answer_ids:
                    _sub(variable, "varequal", answer_id, respident=f"response_{blank}")
                _score(condition, share, action="Add")


def _section(root: etree._Element, group: Group, writer: _ItemWriter, plan_filter: PartPlan | None = None) -> None:
    members = group.members
    part_label = f" ({plan_filter.part.id})" if plan_filter is not None else ""
    section = _sub(root, "section", ident=ident("section", group.id, part_label), title=group.title + part_label)
    selection = _sub(_sub(section, "selection_ordering"), "selection")
    _sub(selection, "selection_number", str(group.pick))
    plans = [plan_filter] if plan_filter is not None else [p for m in members for p in m.exported]
    per_item = {m.question.part_points(p.part) for m in members for p in m.exported if p in plans}
    _sub(_sub(selection, "selection_extension"), "points_per_item", points_text(max(per_item)))
    if len(per_item) > 1:  # a Canvas group gives every item the same points
        for member in members:
            member.report.notes.append(f"pool questions have different points; Canvas gives each "
                                       f"{points_text(max(per_item))} (the group's points per item)")
    for member in members:
        for plan in member.exported:
            if plan not in plans:
                continue
            for index, variant in enumerate(member.variants.variants, start=1):
                writer.item(section, member, plan, variant, index)


def assessment_xml(bank: Bank, exported: list[ExportedQuestion], report: ExportReport, quiz_id: str) -> bytes:
    root = etree.Element(f"{{{QTI_NS}}}questestinterop", nsmap={None: QTI_NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{QTI_NS} {QTI_XSD}")
    assessment = _sub(root, "assessment", ident=quiz_id, title=bank.title)
    meta = _sub(_sub(assessment, "qtimetadata"), "qtimetadatafield")
    _sub(meta, "fieldlabel", "cc_maxattempts")
    _sub(meta, "fieldentry", "1")
    top = _sub(assessment, "section", ident="root_section")
    notes: dict[tuple, list] = {}
    writer = _ItemWriter(notes)
    for group in groups(bank, exported):
        multi_part = len(group.members) == 1 and len(group.members[0].exported) > 1
        if multi_part:  # several parts: one group each, so every part keeps its own Canvas type and points
            for plan in group.members[0].exported:
                _section(top, group, writer, plan)
            group.members[0].report.notes.append(
                "several parts: one Canvas group per part; each part's variant is drawn on its own")
        elif group.pick > 1 and any(len(m.exported) > 1 for m in group.members):
            for member in group.members:  # Canvas picks whole items, so a multi-part member breaks the pool
                _section(top, Group(member.question.id, member.question.title, 1, [member]), writer)
                member.report.notes.append("pool not kept: a member has several parts; every member exported")
        else:
            _section(top, group, writer)
    for item in exported:
        for plan in item.plans:
            if (item.question.id, plan.part.id) in notes:
                widened, example = notes[(item.question.id, plan.part.id)]
                plan.notes.append(f"range widened to {CANVAS_DECIMALS} decimals (Canvas keeps no more) in {widened} "
                                  f"of {len(item.variants.variants)} variants, {example}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def manifest_xml(quiz_id: str) -> bytes:
    root = etree.Element(f"{{{CP_NS}}}manifest", nsmap={None: CP_NS, "xsi": XSI}, identifier=ident("manifest", quiz_id))
    root.set(f"{{{XSI}}}schemaLocation", f"{CP_NS} http://www.imsglobal.org/xsd/imscp_v1p1.xsd")
    metadata = _sub(root, "metadata")
    _sub(metadata, "schema", "IMS Content")
    _sub(metadata, "schemaversion", "1.1.3")
    _sub(root, "organizations")
    resources = _sub(root, "resources")
    resource = _sub(resources, "resource", identifier=quiz_id, type="imsqti_xmlv1p2")
    _sub(resource, "file", href=f"{quiz_id}/{quiz_id}.xml")
    _sub(resource, "dependency", identifierref=f"{quiz_id}_meta")
    meta = _sub(resources, "resource", identifier=f"{quiz_id}_meta",
                type="associatedcontent/imscc_xmlv1p1/learning-application-resource", href=f"{quiz_id}/assessment_meta.xml")
    _sub(meta, "file", href=f"{quiz_id}/assessment_meta.xml")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def assessment_meta_xml(bank: Bank, quiz_id: str, total_points: float) -> bytes:
    root = etree.Element(f"{{{CANVAS_NS}}}quiz", nsmap={None: CANVAS_NS, "xsi": XSI}, identifier=quiz_id)
    root.set(f"{{{XSI}}}schemaLocation", f"{CANVAS_NS} https://canvas.instructure.com/xsd/cccv1p0.xsd")
    for tag, value in (("title", bank.title), ("description", f"Exported by grader from bank {bank.id}."),
                       ("shuffle_answers", "true"), ("scoring_policy", "keep_highest"), ("quiz_type", "assignment"),
                       ("points_possible", points_text(total_points)), ("allowed_attempts", "1")):
        _sub(root, tag, value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_canvas(bank: Bank, secret: str, count: int, out: str | Path) -> ExportReport:
    """Write the QTI zip to ``out`` and the report beside it (``.report.md``); return the report."""
    out = Path(out)
    report = ExportReport("Canvas", bank.id, str(out))
    exported = export_questions(bank, secret, count, "canvas")
    quiz_id = ident("quiz", bank.id)
    assessment = assessment_xml(bank, exported, report, quiz_id)
    total = sum(q.question.part_points(p.part) for q in exported for p in q.exported)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("imsmanifest.xml", manifest_xml(quiz_id)), (f"{quiz_id}/{quiz_id}.xml", assessment),
                           (f"{quiz_id}/assessment_meta.xml", assessment_meta_xml(bank, quiz_id, total))):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)  # fixed time: same bytes
    write_atomic(out, buffer.getvalue())
    report.questions = [q.report for q in exported]
    kept = report.exported_questions()
    report.notes += [f"{len(kept)} questions, {sum(q.variants for q in kept)} variants; "
                     "each group is 'pick 1' of its variants (a pool's group picks k).",
                     "Math is Canvas equation images (/equation_images/...), rendered by your Canvas."]
    report.by_hand = [
        "Import: Course > Settings > Import Course Content > QTI .zip file; the quiz appears under Quizzes (Classic).",
        "Set availability dates, time limit and attempts in the quiz settings; publish the quiz.",
        "Grade the essay questions (free, expression and formula-matrix parts) in SpeedGrader.",
        "Canvas picks a variant per group at random, not by student id: the LMS variant is not the student's "
        "grader variant, so grade LMS answers in Canvas, not with grader grade.",
    ]
    report.write()
    return report

