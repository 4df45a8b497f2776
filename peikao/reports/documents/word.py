"""The notice in Word, laid out as GB/T 9704-2012 lays out an official document: A4, the issuing authority's
mark in red 小标宋 centred, the document number above a red separating line, the title in 二号 小标宋, the
addressees flush left, the body in 仿宋 三号 indented two characters (22 lines a page), headings in 黑体, the
tables, the issuing authority and the date right-aligned, page numbers in the footer. Built with
``peikao.lib.docx_templates`` as the enforcement documents are; the same notice gives the same bytes."""

from __future__ import annotations

import dataclasses
import datetime as dt

from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from peikao.lib import docx_templates
from peikao.lib.docx_templates import RunStyle
from peikao.reports.documents.content import NoticeContent, Table

LATIN = "Times New Roman"
BODY = RunStyle(latin=LATIN, east_asia="仿宋_GB2312", size=16)  # 仿宋 三号
HEADING = RunStyle(latin=LATIN, east_asia="黑体", size=16)
TITLE = RunStyle(latin=LATIN, east_asia="方正小标宋简体", size=22)  # 二号
MARK = RunStyle(latin=LATIN, east_asia="方正小标宋简体", size=36)
TABLE = RunStyle(latin=LATIN, east_asia="仿宋_GB2312", size=9)  # 小五: eight columns on a 156 mm line
CAPTION = RunStyle(latin=LATIN, east_asia="黑体", size=12)
RED = RGBColor(0xE6, 0x00, 0x12)
LINE = Pt(28)
INDENT = Pt(BODY.size * 2)
TEXT_WIDTH = Mm(156)


def notice_docx(content: NoticeContent) -> bytes:
    document = _new_document(content)
    _header(document, content)
    _title(document, content)
    _paragraph(document, content.addressees, indent=False)
    for n, text in enumerate(content.paragraphs):
        if n in content.headings:
            _paragraph(document, text, style=HEADING)
        else:
            _paragraph(document, text)
    for table in content.tables:
        _table(document, table)
    _signature(document, content)
    return docx_templates.to_bytes(document)


def _new_document(content: NoticeContent) -> DocxDocument:
    created = dt.datetime.combine(content.issued_on, dt.time())
    document = docx_templates.blank_document(title=content.title, subject="通报", created=created)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    docx_templates.set_default_fonts(document, latin=BODY.latin, east_asia=BODY.east_asia)
    normal = document.styles["Normal"]
    normal.font.name = BODY.latin
    normal.font.size = Pt(BODY.size)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY.east_asia)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = LINE
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    _footer(document)
    return document


def _red_rule(paragraph) -> None:
    """The red separating line under the document number (版头中的分隔线): a bottom border of the paragraph."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _header(document: DocxDocument, content: NoticeContent) -> None:
    mark = docx_templates.add_paragraph(document, "", MARK)
    run = MARK.apply(mark.add_run(f"{content.authority}文件"))
    run.font.color.rgb = RED
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    mark.paragraph_format.line_spacing = Pt(60)
    mark.paragraph_format.space_before = LINE
    mark.paragraph_format.space_after = LINE
    number = docx_templates.add_paragraph(document, content.doc_no, BODY)
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.paragraph_format.space_after = Pt(4)
    _red_rule(number)
    docx_templates.add_paragraph(document, "", BODY)


def _title(document: DocxDocument, content: NoticeContent) -> None:
    title = docx_templates.add_paragraph(document, content.title, TITLE)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = LINE
    title.paragraph_format.keep_with_next = True


def _paragraph(document: DocxDocument, text: str, *, indent: bool = True, style: RunStyle = BODY) -> None:
    paragraph = docx_templates.add_paragraph(document, text, style)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        paragraph.paragraph_format.first_line_indent = INDENT
    if style is HEADING:
        paragraph.paragraph_format.keep_with_next = True


def _table(document: DocxDocument, table: Table) -> None:
    caption = docx_templates.add_paragraph(document, table.caption, CAPTION)
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_before = Pt(12)
    caption.paragraph_format.keep_with_next = True
    columns = len(table.headings)
    first = Mm(30)
    other = int((TEXT_WIDTH - first) / (columns - 1))
    widths = [first] + [other] * (columns - 1)
    grid = document.add_table(rows=1 + len(table.rows), cols=columns)
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    docx_templates.repeat_as_header(grid.rows[0])
    cell_format = {"line_spacing": Pt(14), "space": Pt(2)}
    bold = dataclasses.replace(TABLE, bold=True)
    for cell, width, text in zip(grid.rows[0].cells, widths, table.headings, strict=True):
        docx_templates.fill_cell(cell, text, bold, width=width, align=WD_ALIGN_PARAGRAPH.CENTER, **cell_format)
    for row, values in zip(grid.rows[1:], table.rows, strict=True):
        docx_templates.keep_row_whole(row)
        for n, (cell, width, text) in enumerate(zip(row.cells, widths, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if n == 0 else WD_ALIGN_PARAGRAPH.RIGHT
            docx_templates.fill_cell(cell, text, TABLE, width=width, align=align, **cell_format)


def _signature(document: DocxDocument, content: NoticeContent) -> None:
    docx_templates.add_paragraph(document, "", BODY)
    docx_templates.add_paragraph(document, "", BODY)
    for text in (content.authority, content.issued_text):
        paragraph = docx_templates.add_paragraph(document, text, BODY)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(BODY.size * 4)
        paragraph.paragraph_format.keep_with_next = text == content.authority


def _footer(document: DocxDocument) -> None:
    """— N — centred (GB/T 9704: 页码 in 4号 半角宋体 with a dash on each side)."""
    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style = RunStyle(latin=LATIN, east_asia="宋体", size=14)
    style.apply(paragraph.add_run("— "))
    docx_templates.add_field(paragraph, "PAGE", style)
    style.apply(paragraph.add_run(" —"))
