"""Printable e-certificates (reportlab): A4 and card size (ISO/IEC 7810 ID-1), in Chinese, with the fields
of the national query and the signed QR code.

The CJK font is embedded (as a subset of the glyphs used), so the PDF prints the same in every viewer and on a
machine without Chinese fonts: the font shipped with the project (fonts/PeikaoCJK-Regular.ttf, Apache-2.0, see
fonts/README.md), or a fuller TrueType font an operator lists first in ``PEIKAO["PDF_FONTS"]``. A viewer-side
(CID, not embedded) font is never used.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from peikao.certificates import publishing, rules, signing
from peikao.certificates.choices import CertificateType
from peikao.certificates.models import Certificate
from peikao.certificates.verification import issuing_authority

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "PeikaoCJK-Regular.ttf"
CARD = (85.6 * mm, 54 * mm)
FORMATS = {"a4": A4, "card": CARD}
INK = HexColor("#1f2a44")
ACCENT = HexColor("#9b1c1c")
MUTED = HexColor("#5b6475")

TITLES = {
    CertificateType.SPECIAL_OPERATION: "中华人民共和国特种作业操作证",
    CertificateType.COMPETENCY: "安全生产知识和管理能力考核合格证",
}


@lru_cache(maxsize=1)
def font_name() -> str:
    """The registered name of the embedded CJK font: the first of ``PEIKAO["PDF_FONTS"]`` that loads, else ours."""
    for candidate in [*settings.PEIKAO.get("PDF_FONTS", []), FONT_FILE]:
        path = Path(candidate)
        if not path.is_file():
            continue
        try:
            pdfmetrics.registerFont(TTFont("PeikaoCJK", str(path), subfontIndex=0))
        except TTFError:
            continue
        return "PeikaoCJK"
    raise ImproperlyConfigured(f"no CJK TrueType font for certificate PDFs: {FONT_FILE} is missing")


def canvas_maker(*args, **kwargs) -> Canvas:
    """A reportlab canvas that starts in the embedded CJK font, not in reportlab's default Helvetica (a font the
    PDF would list without embedding it): for ``SimpleDocTemplate.build(..., canvasmaker=canvas_maker)``."""
    kwargs["initialFontName"] = kwargs.get("initialFontName") or font_name()  # platypus passes None
    return Canvas(*args, **kwargs)


@dataclass(frozen=True)
class Field:
    label: str
    value: str


def certificate_fields(certificate: Certificate) -> list[Field]:
    """The national query's result fields (姓名, 性别, 证号, 作业类别, 操作项目, dates, 签发机关)."""
    person = certificate.person
    special = certificate.cert_type == CertificateType.SPECIAL_OPERATION
    review = "—"
    if certificate.next_review_due:
        review = certificate.next_review_due.isoformat()
        if not rules.review_held(certificate.next_review_due):
            review += "（依第19号令不再复审，期满换证）"
    fields = [
        Field("姓名", person.name),
        Field("性别", person.get_sex_display()),
        Field("证号", certificate.cert_no),
        Field("作业类别" if special else "行业", certificate.category_label or "—"),
        Field("操作项目" if special else "人员类别", certificate.subject_label or "—"),
        Field("初领日期", certificate.first_issued_on.isoformat()),
        Field("有效期", f"{certificate.valid_from.isoformat()} 至 {certificate.valid_until.isoformat()}"),
    ]
    if special:
        fields.append(Field("应复审日期", review))
        fields.append(
            Field("实际复审日期", certificate.last_reviewed_on.isoformat() if certificate.last_reviewed_on else "—")
        )
    fields.append(Field("签发机关", issuing_authority(certificate.issuer_region)))
    return fields


def _qr_image(url: str) -> ImageReader:
    return ImageReader(io.BytesIO(signing.qr_png(url, box_size=10)))


def _draw_a4(canvas: Canvas, certificate: Certificate, url: str, font: str) -> None:
    width, height = A4
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(2.2)
    canvas.rect(14 * mm, 14 * mm, width - 28 * mm, height - 28 * mm)
    canvas.setLineWidth(0.6)
    canvas.rect(17 * mm, 17 * mm, width - 34 * mm, height - 34 * mm)
    canvas.setFillColor(ACCENT)
    canvas.setFont(font, 22)
    canvas.drawCentredString(width / 2, height - 42 * mm, TITLES[certificate.cert_type])
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 10)
    canvas.drawCentredString(
        width / 2, height - 50 * mm, "电子证照 · 与纸质证书具有同等效力（持证人可通过扫描二维码核验）"
    )
    y = height - 72 * mm
    for item in certificate_fields(certificate):
        canvas.setFillColor(MUTED)
        canvas.setFont(font, 11)
        canvas.drawRightString(62 * mm, y, item.label)
        canvas.setFillColor(INK)
        canvas.setFont(font, 13)
        canvas.drawString(68 * mm, y, item.value)
        y -= 11 * mm
    size = 62 * mm
    canvas.drawImage(_qr_image(url), (width - size) / 2, 40 * mm, size, size)
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 9)
    canvas.drawCentredString(width / 2, 35 * mm, "扫描二维码核验：签名可离线验证，吊销与暂扣以发布的状态列表为准")
    canvas.drawCentredString(width / 2, 30 * mm, f"{settings.PUBLIC_BASE_URL}/verify/")


def _draw_card(canvas: Canvas, certificate: Certificate, url: str, font: str) -> None:
    width, height = CARD
    canvas.setFillColor(HexColor("#fbf7ee"))
    canvas.rect(0, 0, width, height, stroke=0, fill=1)
    canvas.setFillColor(ACCENT)
    canvas.rect(0, height - 9 * mm, width, 9 * mm, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(font, 9.5)
    canvas.drawCentredString(width / 2, height - 6 * mm, TITLES[certificate.cert_type])
    qr = 30 * mm
    canvas.drawImage(_qr_image(url), width - qr - 2 * mm, 4 * mm, qr, qr)
    y = height - 14 * mm
    canvas.setFillColor(black)
    wanted = {"姓名", "性别", "证号", "操作项目", "人员类别", "有效期", "应复审日期", "签发机关"}
    for item in certificate_fields(certificate):
        if item.label not in wanted:
            continue
        value = item.value.split("（")[0]
        canvas.setFillColor(MUTED)
        canvas.setFont(font, 5.2)
        canvas.drawString(3 * mm, y, item.label)
        canvas.setFillColor(INK)
        canvas.setFont(font, 6 if len(value) < 24 else 5)
        canvas.drawString(15 * mm, y, value)
        y -= 4.6 * mm


def render(certificate: Certificate, *, size: str = "a4") -> bytes:
    """One certificate as a PDF (``size`` "a4" or "card")."""
    if size not in FORMATS:
        raise ValueError("size is a4 or card")
    font = font_name()
    url = publishing.url_for(certificate)
    buffer = io.BytesIO()
    canvas = canvas_maker(buffer, pagesize=FORMATS[size], pageCompression=1)
    canvas.setTitle(f"{TITLES[certificate.cert_type]} {certificate.cert_no}")
    canvas.setAuthor("培考 Peikao")
    canvas.setSubject(certificate.subject_label)
    (_draw_a4 if size == "a4" else _draw_card)(canvas, certificate, url, font)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def file_name(certificate: Certificate, size: str = "a4") -> str:
    item = certificate.operation_item.code if certificate.operation_item_id else ""
    suffix = f"_{item}" if item else ""
    return f"{certificate.cert_no}{suffix}{'' if size == 'a4' else '_card'}.pdf"
