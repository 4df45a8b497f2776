"""The notice as PDF (reportlab), from the same content as the Word document and in its layout: red mark of the
issuing authority, document number over a red line, title, addressees, body, tables, authority and date. The CJK
font is the certificates' (``peikao.certificates.pdf.font_name``): a TrueType font embedded as a subset, so the
file shows the same on a machine without Chinese fonts."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from peikao.certificates.pdf import canvas_maker, font_name
from peikao.reports.documents.content import NoticeContent, Table

RED = colors.HexColor("#E60012")
TEXT_WIDTH = 156 * mm


def _styles(font: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=font, fontSize=16, leading=28, alignment=TA_JUSTIFY, wordWrap="CJK")
    styles = {
        "mark": ParagraphStyle("mark", fontName=font, fontSize=34, leading=50, alignment=TA_CENTER, textColor=RED),
        "number": ParagraphStyle("number", parent=body, alignment=TA_CENTER),
        "title": ParagraphStyle("title", fontName=font, fontSize=22, leading=34, alignment=TA_CENTER, wordWrap="CJK"),
        "flush": body,
        "body": ParagraphStyle("indented", parent=body, firstLineIndent=32),
        "heading": ParagraphStyle("heading", parent=body, firstLineIndent=32),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT, rightIndent=64),
        "caption": ParagraphStyle("caption", fontName=font, fontSize=12, leading=20, alignment=TA_CENTER),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, wordWrap="CJK"),
        "cell_head": ParagraphStyle(
            "cell_head", fontName=font, fontSize=8, leading=10, alignment=TA_CENTER, wordWrap="CJK"
        ),
        "number_cell": ParagraphStyle("number_cell", fontName=font, fontSize=8, leading=10, alignment=TA_RIGHT),
    }
    for style in styles.values():
        style.bulletFontName = font  # reportlab's default, Helvetica, would be listed in the PDF without being embedded
    return styles


def _table(table: Table, styles: dict[str, ParagraphStyle]) -> list:
    columns = len(table.headings)
    first = 30 * mm
    widths = [first] + [(TEXT_WIDTH - first) / (columns - 1)] * (columns - 1)
    data = [[Paragraph(escape(text), styles["cell_head"]) for text in table.headings]]
    for row in table.rows:
        data.append(
            [Paragraph(escape(row[0]), styles["cell"])] + [Paragraph(v, styles["number_cell"]) for v in row[1:]]
        )
    grid = PdfTable(data, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [
        Spacer(1, 6 * mm),
        KeepTogether([Paragraph(escape(table.caption), styles["caption"]), Spacer(1, 2 * mm)]),
        grid,
    ]


def notice_pdf(content: NoticeContent) -> bytes:
    styles = _styles(font_name())
    out = io.BytesIO()
    page_font = font_name()

    def page_number(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(page_font, 14)
        canvas.drawCentredString(A4[0] / 2, 20 * mm, f"— {doc.page} —")
        canvas.restoreState()

    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        topMargin=37 * mm,
        bottomMargin=35 * mm,
        title=content.title,
        author=content.authority,
        subject="通报",
        invariant=True,  # no creation time or random id: the same notice gives the same bytes
    )
    story: list = [
        Paragraph(escape(f"{content.authority}文件"), styles["mark"]),
        Spacer(1, 8 * mm),
        Paragraph(escape(content.doc_no), styles["number"]),
        HRFlowable(width="100%", thickness=1.5, color=RED, spaceBefore=2 * mm, spaceAfter=10 * mm),
        Paragraph(escape(content.title), styles["title"]),
        Spacer(1, 8 * mm),
        Paragraph(escape(content.addressees), styles["flush"]),
    ]
    for n, text in enumerate(content.paragraphs):
        story.append(Paragraph(escape(text), styles["heading" if n in content.headings else "body"]))
    for table in content.tables:
        story.extend(_table(table, styles))
    story += [
        Spacer(1, 20 * mm),
        KeepTogether(
            [Paragraph(escape(content.authority), styles["right"]), Paragraph(content.issued_text, styles["right"])]
        ),
    ]
    document.build(story, onFirstPage=page_number, onLaterPages=page_number, canvasmaker=canvas_maker)
    return out.getvalue()
