"""The enforcement documents in Word (.docx): 责令限期整改指令书 (an order to rectify) and 行政处罚决定书 (any other
decision), filled from ``{{placeholder}}`` templates (``peikao.lib.docx_templates``).

- :func:`decision_docx` fills the template of a decision with what the records say, and names the file;
- :func:`render` fills one of the shipped templates (by path, or by name from :data:`TEMPLATE_DIR`);
- :func:`build_templates` (re)creates the two shipped templates in :data:`TEMPLATE_DIR`, in the layout of
  official documents (GB/T 9704: A4, 仿宋 三号 body text, 22 lines a page):
  ``python -m peikao.enforcement.documents``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt

from peikao.certificates.verification import issuing_authority
from peikao.core.privacy import mask_id_number
from peikao.enforcement.choices import Measure
from peikao.enforcement.models import Decision
from peikao.lib import docx_templates
from peikao.lib.chinese_numerals import yuan_in_words
from peikao.lib.docx_templates import RunStyle

__all__ = [
    "PENALTY_DECISION",
    "RECTIFICATION_ORDER",
    "TEMPLATE_DIR",
    "build_templates",
    "decision_docx",
    "render",
]

TEMPLATE_DIR = Path(__file__).resolve().parent / "docx"
RECTIFICATION_ORDER = "rectification_order.docx"
PENALTY_DECISION = "penalty_decision.docx"


# --------------------------------------------------------------------------------------------------------------
# Documents of decisions
# --------------------------------------------------------------------------------------------------------------


def decision_docx(decision: Decision) -> tuple[bytes, str]:
    """The decision as a Word document, and its file name: an order to rectify on 责令限期整改指令书 with the
    findings in a table, any other measure on 行政处罚决定书 (a fine written out in capital numerals)."""
    inspection = decision.inspection
    organization = inspection.organization
    findings = list(decision.findings.select_related("violation__instrument"))
    authority = issuing_authority(inspection.region)
    names = "、".join(inspector.name for inspector in inspection.inspectors.all())
    facts = [_fact(f) for f in findings]
    rows = [
        [str(n), fact, f.violation.basis_title if f.violation_id else ""]
        for n, (f, fact) in enumerate(zip(findings, facts, strict=True), start=1)
    ]
    if decision.measure == Measure.RECTIFY_ORDER:
        context = {
            "authority": authority,
            "doc_no": decision.code,
            "subject_name": organization.name,
            "subject_address": organization.address or "—",
            "inspected_on": inspection.inspected_on.isoformat(),
            "inspectors": names,
            "legal_basis": decision.basis_cited or "《中华人民共和国安全生产法》",
            "due_on": decision.due_on.isoformat(),
            "requirements": decision.note or "对上述问题逐项整改，并于整改期限内将整改情况书面报告本机关。",
            "decided_on": decision.decided_on.isoformat(),
        }
        body = render(TEMPLATE_DIR / RECTIFICATION_ORDER, context, tables={"findings": rows})
        return body, f"{decision.code}-责令限期整改指令书.docx"
    fine = int(decision.fine_yuan or 0)
    measure_text = decision.get_measure_display()
    if decision.measure == Measure.FINE:
        measure_text = f"罚款{yuan_in_words(fine)}"
    person = decision.responsible_person
    if person is not None:  # 直接负责的主管人员 of a violation not corrected in time, named as everywhere (masked)
        measure_text += (
            f"\n对直接负责的主管人员和其他直接责任人员{person.name}（身份证号码：{mask_id_number(person.id_number)}）"
            f"处罚款{yuan_in_words(int(decision.responsible_fine_yuan or 0))}"
            f"（法定罚款幅度：{decision.responsible_fine_range_text}元）"
        )
    context = {
        "authority": authority,
        "doc_no": decision.code,
        "subject_name": organization.name,
        "subject_code": organization.uscc or mask_id_number(organization.org_code),
        "subject_address": organization.address or "—",
        "legal_representative": "—",
        "facts": "\n".join(f"{n}. {fact}" for n, fact in enumerate(facts, start=1)),
        "evidence": f"现场检查记录（{inspection.code}）及证据材料 {inspection.evidence.count()} 份",
        "legal_basis": decision.basis_cited or "—",
        "measure": measure_text,
        "fine_yuan": f"{fine:,}" if fine else "—",
        "fine_upper": yuan_in_words(fine) if fine else "—",
        "fine_range": f"{decision.fine_range_text}元" if decision.fine_high is not None else "—",
        "payment": "请自收到本决定书之日起十五日内到指定银行缴纳罚款。",
        "decided_on": decision.decided_on.isoformat(),
    }
    body = render(TEMPLATE_DIR / PENALTY_DECISION, context)
    return body, f"{decision.code}-行政处罚决定书.docx"


def _fact(finding) -> str:
    """A finding as a document states it: the violation by its name, then what was found."""
    if not finding.violation_id:
        return finding.description
    return f"{finding.violation.label}：{finding.description}" if finding.description else finding.violation.label


def render(
    template: str | Path | IO[bytes],
    context: Mapping[str, object],
    tables: Mapping[str, list[list[str]]] | None = None,
) -> bytes:
    """:func:`peikao.lib.docx_templates.render`, where a bare file name that does not exist as given
    (``"penalty_decision"`` or ``"penalty_decision.docx"``) is one of the templates in :data:`TEMPLATE_DIR`."""
    if isinstance(template, str | Path):
        template = _resolve_template(template)
    return docx_templates.render(template, context, tables)


def _resolve_template(template: str | Path) -> Path:
    path = Path(template)
    if path.exists() or len(path.parts) != 1:
        return path
    bundled = TEMPLATE_DIR / (path.name if path.suffix else f"{path.name}.docx")
    return bundled if bundled.exists() else path


# --------------------------------------------------------------------------------------------------------------
# The templates
# --------------------------------------------------------------------------------------------------------------

_LATIN_FONT = "Times New Roman"
_BODY = RunStyle(latin=_LATIN_FONT, east_asia="仿宋", size=16)  # 仿宋 三号
_TITLE_FONT = "宋体"
_TABLE = RunStyle(latin=_LATIN_FONT, east_asia="仿宋", size=12)  # 小四
_LINE = Pt(28)  # fixed line pitch of the body text (22 lines a page)
_INDENT = Pt(_BODY.size * 2)  # two characters
_FIXED_TIME = dt.datetime(2026, 1, 1)  # creation time written into the templates

RECONSIDERATION = (
    "如不服本{noun}，可以依法在60日内申请行政复议，或者在6个月内依法向人民法院提起行政诉讼，"
    "但本{noun}不停止执行，法律另有规定的除外。"
)
RECEIPT_LINE = "被检查单位负责人（签收）：　　　　　年　月　日"
SEAL_LINE = "（印章）"


def build_templates(directory: Path = TEMPLATE_DIR) -> list[Path]:
    """(Re)create the rectification order and penalty decision templates in ``directory``; return their paths.

    The files are byte-for-byte reproducible with the same python-docx and lxml versions.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in ((RECTIFICATION_ORDER, _rectification_order), (PENALTY_DECISION, _penalty_decision)):
        path = directory / name
        path.write_bytes(docx_templates.to_bytes(build()))
        written.append(path)
    return written


def _rectification_order() -> DocxDocument:
    document = _new_document("责令限期整改指令书")
    _heading(document, "责令限期整改指令书")
    _body(document, "被检查单位：{{subject_name}}", indent=False)
    _body(document, "地　　址：{{subject_address}}", indent=False)
    _body(document, "检查时间：{{inspected_on}}", indent=False)
    _body(document, "检查人员：{{inspectors}}", indent=False)
    _body(document, "{{inspected_on}}，本机关执法人员依法对你单位进行了安全生产监督检查，发现你单位存在下列问题：")
    _findings_table(document)
    _body(
        document,
        "依据{{legal_basis}}的规定，现责令你单位于{{due_on}}前整改完毕，"
        "达到有关法律、法规、规章和国家标准或者行业标准规定的要求。",
    )
    _body(document, "整改要求：")
    _body(document, "{{requirements}}", indent=False, left_indent=_INDENT)
    _body(
        document,
        "整改期间，你单位应当采取措施，确保安全生产。逾期未整改或者整改后仍不符合要求的，本机关将依法处理；"
        "对安全生产违法行为，将依法予以行政处罚。",
    )
    _body(document, RECONSIDERATION.format(noun="指令"))
    _body(document, "")
    _body(document, "执法人员（签名）：", indent=False)
    _body(document, RECEIPT_LINE, indent=False)
    _signature(document)
    return document


def _penalty_decision() -> DocxDocument:
    document = _new_document("行政处罚决定书")
    _heading(document, "行政处罚决定书")
    _body(document, "被处罚单位：{{subject_name}}", indent=False)
    _body(document, "统一社会信用代码（身份证号码）：{{subject_code}}", indent=False)
    _body(document, "地　　址：{{subject_address}}", indent=False)
    _body(document, "法定代表人（负责人）：{{legal_representative}}", indent=False)
    _body(document, "违法事实：")
    _body(document, "{{facts}}", indent=False, left_indent=_INDENT)
    _body(document, "以上事实有{{evidence}}等证据为证。")
    _body(document, "依据{{legal_basis}}的规定，本机关决定给予你单位以下行政处罚：")
    _body(document, "{{measure}}", indent=False, left_indent=_INDENT)
    _body(document, "罚款金额：{{fine_upper}}（小写：{{fine_yuan}}元）。")
    _body(document, "法定罚款幅度：{{fine_range}}。")
    _body(document, "罚款自收到本决定书之日起十五日内缴纳。缴款方式：{{payment}}")
    _body(
        document,
        "到期不缴纳罚款的，本机关可以依据《中华人民共和国行政处罚法》第七十二条第一款第一项的规定，"
        "每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额。",
    )
    _body(document, RECONSIDERATION.format(noun="决定"))
    _signature(document)
    return document


def _new_document(title: str) -> DocxDocument:
    """An empty A4 document with the page layout of GB/T 9704 and 仿宋 三号 body text."""
    document = docx_templates.blank_document(title=title, subject="安全生产行政执法文书", created=_FIXED_TIME)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)

    docx_templates.set_default_fonts(document, latin=_BODY.latin, east_asia=_BODY.east_asia)
    normal = document.styles["Normal"]
    normal.font.name = _BODY.latin
    normal.font.size = Pt(_BODY.size)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), _BODY.east_asia)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = _LINE
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.widow_control = True

    _footer(document)
    return document


def _heading(document: DocxDocument, title: str) -> None:
    """Issuing authority, document title and document number."""
    authority = docx_templates.add_paragraph(
        document, "{{authority}}", RunStyle(latin=_LATIN_FONT, east_asia=_TITLE_FONT, size=18, bold=True)
    )
    authority.alignment = WD_ALIGN_PARAGRAPH.CENTER
    authority.paragraph_format.line_spacing = Pt(36)
    authority.paragraph_format.space_before = _LINE

    heading = docx_templates.add_paragraph(
        document,
        title,
        RunStyle(latin=_LATIN_FONT, east_asia=_TITLE_FONT, size=22, bold=True),  # 二号
    )
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.line_spacing = Pt(40)
    heading.paragraph_format.keep_with_next = True

    number = docx_templates.add_paragraph(document, "{{doc_no}}", _BODY)
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    number.paragraph_format.space_after = Pt(14)


def _body(document: DocxDocument, text: str, *, indent: bool = True, left_indent: Length | None = None) -> None:
    paragraph = docx_templates.add_paragraph(document, text, _BODY)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        paragraph.paragraph_format.first_line_indent = _INDENT
    if left_indent is not None:
        paragraph.paragraph_format.left_indent = left_indent


def _signature(document: DocxDocument) -> None:
    """Blank line, then issuing authority, seal and date, right-aligned four characters from the margin."""
    _body(document, "", indent=False)
    for text in ("{{authority}}", SEAL_LINE, "{{decided_on}}"):
        paragraph = docx_templates.add_paragraph(document, text, _BODY)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(_BODY.size * 4)
        paragraph.paragraph_format.keep_with_next = text != "{{decided_on}}"


def _findings_table(document: DocxDocument) -> None:
    """序号 / 问题 / 依据, with a marker row for the findings."""
    widths = (Mm(14), Mm(82), Mm(60))  # 156 mm: the text width
    table = document.add_table(rows=2, cols=3)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    header, marker = table.rows
    docx_templates.repeat_as_header(header)
    bold = dataclasses.replace(_TABLE, bold=True)
    cell_format = {"line_spacing": Pt(20), "space": Pt(3)}
    for cell, width, text in zip(header.cells, widths, ("序号", "问题", "依据"), strict=True):
        docx_templates.fill_cell(cell, text, bold, width=width, align=WD_ALIGN_PARAGRAPH.CENTER, **cell_format)
    aligns = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.LEFT)
    for cell, width, text, align in zip(marker.cells, widths, ("{{table:findings}}", "", ""), aligns, strict=True):
        docx_templates.fill_cell(cell, text, _TABLE, width=width, align=align, **cell_format)
    # Space between the table and the text below it.
    _body(document, "", indent=False)


def _footer(document: DocxDocument) -> None:
    """Document number and 第 N 页 共 M 页, centred, in 小四."""
    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(18)
    _TABLE.apply(paragraph.add_run("{{doc_no}}　第"))
    docx_templates.add_field(paragraph, "PAGE", _TABLE)
    _TABLE.apply(paragraph.add_run("页　共"))
    docx_templates.add_field(paragraph, "NUMPAGES", _TABLE)
    _TABLE.apply(paragraph.add_run("页"))


if __name__ == "__main__":  # python -m peikao.enforcement.documents: rebuild the shipped templates
    for written in build_templates():
        print(written)
