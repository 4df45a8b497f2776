"""Word (.docx) enforcement documents rendered from templates with ``{{placeholder}}`` fields.

The module takes plain data and knows nothing about the database or Django:

- :func:`render` fills a template .docx with values and returns the finished document as bytes;
- :func:`build_templates` (re)creates the two shipped templates (责令限期整改指令书 and 行政处罚决定书)
  in :data:`TEMPLATE_DIR`;
- :func:`yuan_in_words` writes an amount of money in Chinese capital numerals (人民币叁万元整).

Template syntax
---------------
``{{name}}`` (an ASCII identifier) anywhere in a paragraph of the body, a table cell, a header or a footer is
replaced by ``context[name]``. Word often splits such a field over several runs (spell checking, editing
history); the runs are merged so the value takes the formatting of the run where the placeholder starts.
Newlines in a value become line breaks within the paragraph, tabs become tab characters.

A table row whose first cell contains ``{{table:NAME}}`` is a marker row: it is replaced by one row per item
of ``tables[NAME]`` (a list of cell texts, one per cell of the marker row), each a copy of the marker row with
the formatting of each cell's first run. Rows above it (a header) and below it are left as they are.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.parts.hdrftr import FooterPart, HeaderPart
from docx.shared import Length, Mm, Pt
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

__all__ = [
    "PENALTY_DECISION",
    "RECTIFICATION_ORDER",
    "TEMPLATE_DIR",
    "MissingPlaceholderError",
    "build_templates",
    "render",
    "yuan_in_words",
]

TEMPLATE_DIR = Path(__file__).resolve().parent / "docx"
RECTIFICATION_ORDER = "rectification_order.docx"
PENALTY_DECISION = "penalty_decision.docx"

PLACEHOLDER_RE = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")
TABLE_MARKER_RE = re.compile(r"\{\{table:([A-Za-z_][A-Za-z0-9_]*)\}\}")

# Characters that XML 1.0 cannot hold at all (lxml refuses them): dropped from values.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_W_P = qn("w:p")
_W_R = qn("w:r")
_W_T = qn("w:t")
_W_TR = qn("w:tr")
_W_TC = qn("w:tc")
_W_TBL = qn("w:tbl")
_W_RPR = qn("w:rPr")
_W_PPR = qn("w:pPr")
_W_TCPR = qn("w:tcPr")
_W_BR = qn("w:br")
_W_CR = qn("w:cr")
_W_TAB = qn("w:tab")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Run children that stand for a character of text other than w:t: they break a placeholder.
_RUN_CHARACTERS = {
    _W_TAB: "\t",
    _W_BR: "\n",
    _W_CR: "\n",
    qn("w:noBreakHyphen"): "-",
    qn("w:softHyphen"): "",
    qn("w:sym"): "\ufffc",
    qn("w:drawing"): "\ufffc",
    qn("w:pict"): "\ufffc",
    qn("w:object"): "\ufffc",
}


class MissingPlaceholderError(KeyError):
    """The template has placeholders (or table markers) for which no value was given.

    ``names`` lists them, sorted; table markers are named ``table:NAME``.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.names = sorted(set(names))
        super().__init__(f"no value for placeholder(s): {', '.join(self.names)}")

    def __str__(self) -> str:
        return str(self.args[0])


# --------------------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------------------


def render(
    template: str | Path,
    context: Mapping[str, str],
    tables: Mapping[str, list[list[str]]] | None = None,
) -> bytes:
    """Fill ``template`` with ``context`` (and ``tables``) and return the resulting .docx as bytes.

    ``template`` is a path to a .docx file; a bare file name that does not exist as given (``"penalty_decision"``
    or ``"penalty_decision.docx"``) is looked up in :data:`TEMPLATE_DIR`.

    Every ``{{name}}`` in the body, tables, headers and footers needs a value in ``context`` (extra keys are
    ignored); ``None`` renders as an empty string and other non-string values through ``str()``. Every
    ``{{table:NAME}}`` marker row needs ``tables[NAME]``. If any is missing, :class:`MissingPlaceholderError`
    (a :class:`KeyError`) names all of them and nothing is rendered. Values are inserted literally: braces in
    a value are not placeholders. A table item with a different number of cells than its marker row raises
    :class:`ValueError`.
    """
    document = docx.Document(str(_resolve_template(template)))
    tables = tables or {}
    roots = _story_roots(document)

    markers = [(row, name) for root in roots for row, name in _marker_rows(root)]
    marker_rows = {row for row, _ in markers}
    paragraphs = [
        p for root in roots for p in root.iter(_W_P) if not any(tr in marker_rows for tr in p.iterancestors(_W_TR))
    ]

    found: set[str] = set()
    for p in paragraphs:
        found.update(PLACEHOLDER_RE.findall(_paragraph_text(p)))
    missing = {name for name in found if name not in context}
    missing.update(f"table:{name}" for _, name in markers if name not in tables)
    if missing:
        raise MissingPlaceholderError(missing)
    for row, name in markers:
        width = len(row.findall(_W_TC))
        for index, item in enumerate(tables[name]):
            if len(item) != width:
                raise ValueError(f"table {name!r}, item {index}: {len(item)} cells, the marker row has {width}")

    values = {name: _clean(context[name]) for name in found}
    for p in paragraphs:
        _replace_in_paragraph(p, values)
    for row, name in markers:
        _expand_marker_row(row, tables[name])

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _resolve_template(template: str | Path) -> Path:
    path = Path(template)
    if path.exists() or len(path.parts) != 1:
        return path
    bundled = TEMPLATE_DIR / (path.name if path.suffix else f"{path.name}.docx")
    return bundled if bundled.exists() else path


def _story_roots(document: DocxDocument) -> list[etree._Element]:
    """The XML roots of the main document and of every header and footer part (each part once)."""
    roots = [document.element.body]
    for part in document.part.package.iter_parts():
        if isinstance(part, HeaderPart | FooterPart):
            roots.append(part.element)
    return roots


def _clean(value: object) -> str:
    text = "" if value is None else str(value)
    return _XML_INVALID_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _own_runs(p: etree._Element) -> Iterator[etree._Element]:
    """The runs of paragraph ``p`` in order (also inside hyperlinks, fields, content controls, insertions), but
    not those of paragraphs nested in it (text boxes)."""
    for r in p.iter(_W_R):
        if next(r.iterancestors(_W_P), None) is p:
            yield r


def _segments(p: etree._Element) -> list[tuple[etree._Element | None, str]]:
    """The paragraph's text as (w:t element or None, text) pieces, in order; None stands for a tab, break or
    other non-text content, which no placeholder can span."""
    pieces: list[tuple[etree._Element | None, str]] = []
    for r in _own_runs(p):
        for child in r:
            if child.tag == _W_T:
                pieces.append((child, child.text or ""))
            elif child.tag in _RUN_CHARACTERS:
                pieces.append((None, _RUN_CHARACTERS[child.tag]))
    return pieces


def _paragraph_text(p: etree._Element) -> str:
    return "".join(text for _, text in _segments(p))


def _replace_in_paragraph(p: etree._Element, values: Mapping[str, str]) -> None:
    segments = _segments(p)
    text = "".join(piece for _, piece in segments)
    matches = list(PLACEHOLDER_RE.finditer(text))
    if not matches:
        return
    # Where each segment starts in the paragraph's text.
    starts = []
    position = 0
    for _, piece in segments:
        starts.append(position)
        position += len(piece)

    def locate(offset: int) -> int:
        """Index of the segment holding the character at ``offset``."""
        return max(i for i, start in enumerate(starts) if start <= offset and segments[i][1])

    touched: list[etree._Element] = []
    emptied: list[etree._Element] = []
    # Last match first: replacing it does not move the text of the earlier ones.
    for match in reversed(matches):
        first = locate(match.start())
        last = locate(match.end() - 1)
        t_first = segments[first][0]
        t_last = segments[last][0]
        assert t_first is not None and t_last is not None  # a placeholder is made of w:t text only
        value = values[match.group(1)]
        head = t_first.text[: match.start() - starts[first]]
        tail = t_last.text[match.end() - starts[last] :]
        if first == last:
            _set_t(t_first, head + value + tail)
        else:
            _set_t(t_first, head + value)
            for i in range(first + 1, last):
                t_middle = segments[i][0]
                if t_middle is not None:
                    _set_t(t_middle, "")
                    emptied.append(t_middle)
            _set_t(t_last, tail)
            emptied.append(t_last)
        touched.append(t_first)

    for t in emptied:
        if not t.text:
            _remove_empty_run(t)
    for t in touched:
        _expand_breaks(t)


def _set_t(t: etree._Element, text: str) -> None:
    t.text = text
    t.set(_XML_SPACE, "preserve")


def _remove_empty_run(t: etree._Element) -> None:
    """Remove an emptied w:t, and its run too if nothing but properties is left in it."""
    r = t.getparent()
    if r is None:
        return
    r.remove(t)
    if all(child.tag == _W_RPR for child in r):
        parent = r.getparent()
        if parent is not None:
            parent.remove(r)


def _expand_breaks(t: etree._Element) -> None:
    """Turn newlines and tabs in the text of w:t into w:br and w:tab siblings within its run."""
    text = t.text or ""
    if "\n" not in text and "\t" not in text:
        return
    parts = re.split(r"([\n\t])", text)
    _set_t(t, parts[0])
    anchor = t
    for part in parts[1:]:
        if part in ("\n", "\t"):
            element = OxmlElement("w:br" if part == "\n" else "w:tab")
        elif part:
            element = OxmlElement("w:t")
            _set_t(element, part)
        else:
            continue
        anchor.addnext(element)
        anchor = element


def _append_text(r: etree._Element, text: str) -> None:
    """Append ``text`` to run ``r`` as w:t, w:br and w:tab elements."""
    t = OxmlElement("w:t")
    _set_t(t, text)
    r.append(t)
    _expand_breaks(t)


def _cell_text(tc: etree._Element) -> str:
    return "".join(_paragraph_text(p) for p in tc.iter(_W_P))


def _marker_rows(root: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """(row, table name) for each table row whose first cell holds a ``{{table:NAME}}`` marker."""
    for tbl in root.iter(_W_TBL):
        for tr in tbl.findall(_W_TR):
            tc = tr.find(_W_TC)
            if tc is None:
                continue
            match = TABLE_MARKER_RE.search(_cell_text(tc))
            if match:
                yield tr, match.group(1)


def _expand_marker_row(tr: etree._Element, items: list[list[str]]) -> None:
    for item in items:
        row = copy.deepcopy(tr)
        for tc, value in zip(row.findall(_W_TC), item, strict=True):
            _fill_cell(tc, _clean(value))
        tr.addprevious(row)
    tr.getparent().remove(tr)


def _fill_cell(tc: etree._Element, value: str) -> None:
    """Make ``value`` the only text of cell ``tc``, in its first paragraph with the formatting of its first run
    (or of the paragraph mark if it has no run)."""
    p = tc.find(_W_P)
    if p is None:
        p = OxmlElement("w:p")
        tc.append(p)
    for child in list(tc):
        if child is not p and child.tag != _W_TCPR:
            tc.remove(child)
    first_run = next(_own_runs(p), None)
    if first_run is not None:
        rpr = first_run.find(_W_RPR)
    else:
        ppr = p.find(_W_PPR)
        rpr = ppr.find(_W_RPR) if ppr is not None else None
    rpr = copy.deepcopy(rpr) if rpr is not None else None
    if rpr is not None:
        # Revision marks of a paragraph mark mean nothing on a run.
        for tag in ("w:ins", "w:del", "w:moveFrom", "w:moveTo"):
            for element in rpr.findall(qn(tag)):
                rpr.remove(element)
    for child in list(p):
        if child.tag != _W_PPR:
            p.remove(child)
    r = OxmlElement("w:r")
    if rpr is not None:
        r.append(rpr)
    _append_text(r, value)
    p.append(r)


# --------------------------------------------------------------------------------------------------------------
# Amounts in words
# --------------------------------------------------------------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SECTION_UNITS = ("", "拾", "佰", "仟")


def yuan_in_words(amount: int | Decimal) -> str:
    """An amount of yuan in Chinese capital numerals, as written on invoices and penalty decisions.

    30000 → 人民币叁万元整, 10500 → 人民币壹万零伍佰元整, 1234567.89 → 人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分,
    200.5 → 人民币贰佰元伍角, 0 → 人民币零元整.

    The rules are those of the People's Bank of China for filling in payment documents: a zero (or a run of
    zeros) between digits is written as one 零; where the 万 or 元 digit is zero but the next digit down is
    not, the optional 零 is left out (壹拾万柒仟, 壹仟陆佰捌拾元叁角); 零 is written between 元 and 分 when 角
    is zero; 整 follows an amount in whole yuan only. Tens are written 壹拾. ``float`` and ``str`` amounts are
    accepted through :class:`~decimal.Decimal` of their string form. Negative amounts, amounts with fractions
    of a 分 and amounts of 亿亿 (10¹⁶) or more raise :class:`ValueError`.
    """
    if isinstance(amount, bool):
        raise TypeError("amount must be a number, not a bool")
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {amount!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    if value < 0:
        raise ValueError(f"negative amount: {amount!r}")
    fen_total = value * 100
    if fen_total != fen_total.to_integral_value():
        raise ValueError(f"amount has fractions of a fen: {amount!r}")
    yuan, fen_part = divmod(int(fen_total), 100)
    jiao, fen = divmod(fen_part, 10)
    if yuan >= 10**16:
        raise ValueError(f"amount too large: {amount!r}")

    words = "人民币"
    if yuan:
        words += _integer_in_words(yuan) + "元"
    elif not fen_part:
        return words + "零元整"
    if not fen_part:
        return words + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    if fen:
        if yuan and not jiao:
            words += "零"
        words += _DIGITS[fen] + "分"
    return words


def _integer_in_words(n: int) -> str:
    """A positive integer in capital numerals, without unit of money."""
    if n < 10**4:
        return _section_in_words(n)
    base, unit = (10**4, "万") if n < 10**8 else (10**8, "亿")
    high, low = divmod(n, base)
    words = _integer_in_words(high) + unit
    if low:
        if low < base // 10:  # the digit right below the unit is zero: 壹万零伍佰
            words += "零"
        words += _integer_in_words(low)
    return words


def _section_in_words(n: int) -> str:
    """0 < n < 10000 in capital numerals: 1010 → 壹仟零壹拾."""
    words = ""
    pending_zero = False
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit == 0:
            pending_zero = bool(words)
        else:
            if pending_zero:
                words += "零"
                pending_zero = False
            words += _DIGITS[digit] + _SECTION_UNITS[power]
    return words


# --------------------------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------------------------

_BODY_FONT = "仿宋"
_TITLE_FONT = "宋体"
_LATIN_FONT = "Times New Roman"
_BODY_SIZE = 16  # 三号
_TITLE_SIZE = 22  # 二号
_TABLE_SIZE = 12  # 小四
_LINE = Pt(28)  # fixed line pitch of the body text (22 lines a page)
_INDENT = Pt(_BODY_SIZE * 2)  # two characters
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
        path.write_bytes(_normalized_zip(_save(build())))
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
    document = docx.Document()
    _drop_thumbnail(document)
    properties = document.core_properties
    properties.title = title
    properties.subject = "安全生产行政执法文书"
    properties.author = ""
    properties.comments = ""
    properties.last_modified_by = ""
    properties.created = _FIXED_TIME
    properties.modified = _FIXED_TIME
    properties.revision = 1

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)

    _set_document_defaults(document)
    normal = document.styles["Normal"]
    normal.font.name = _LATIN_FONT
    normal.font.size = Pt(_BODY_SIZE)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), _BODY_FONT)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = _LINE
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.widow_control = True

    _footer(document)
    return document


def _set_document_defaults(document: DocxDocument) -> None:
    """Explicit fonts instead of theme fonts, and Chinese as the East-Asian language, for the whole document."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(_W_RPR)
    fonts = rpr.find(qn("w:rFonts"))
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), _LATIN_FONT)
    fonts.set(qn("w:eastAsia"), _BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(_W_PPR).find(qn("w:spacing"))
    if spacing is not None:
        spacing.set(qn("w:after"), "0")


def _drop_thumbnail(document: DocxDocument) -> None:
    """python-docx's default template carries a preview picture of an empty page: leave it out."""
    rels = document.part.package.rels
    for r_id, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del rels[r_id]


def _style_run(run: Run, *, east_asia: str = _BODY_FONT, size: float = _BODY_SIZE, bold: bool = False) -> Run:
    """Set the run's Latin and East-Asian (rFonts eastAsia) fonts, size and weight explicitly."""
    run.font.name = _LATIN_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)
    run.font.size = Pt(size)
    run.font.bold = True if bold else None
    return run


def _paragraph(container: DocxDocument | _Cell, text: str = "", **run_style: object) -> Paragraph:
    paragraph = container.add_paragraph()
    if text:
        _style_run(paragraph.add_run(text), **run_style)
    return paragraph


def _heading(document: DocxDocument, title: str) -> None:
    """Issuing authority, document title and document number."""
    authority = _paragraph(document, "{{authority}}", east_asia=_TITLE_FONT, size=18, bold=True)
    authority.alignment = WD_ALIGN_PARAGRAPH.CENTER
    authority.paragraph_format.line_spacing = Pt(36)
    authority.paragraph_format.space_before = _LINE

    heading = _paragraph(document, title, east_asia=_TITLE_FONT, size=_TITLE_SIZE, bold=True)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.line_spacing = Pt(40)
    heading.paragraph_format.keep_with_next = True

    number = _paragraph(document, "{{doc_no}}")
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    number.paragraph_format.space_after = Pt(14)


def _body(document: DocxDocument, text: str, *, indent: bool = True, left_indent: Length | None = None) -> None:
    paragraph = _paragraph(document, text)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        paragraph.paragraph_format.first_line_indent = _INDENT
    if left_indent is not None:
        paragraph.paragraph_format.left_indent = left_indent


def _signature(document: DocxDocument) -> None:
    """Blank line, then issuing authority, seal and date, right-aligned four characters from the margin."""
    _body(document, "", indent=False)
    for text in ("{{authority}}", SEAL_LINE, "{{decided_on}}"):
        paragraph = _paragraph(document, text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(_BODY_SIZE * 4)
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
    _repeat_as_header(header)
    for cell, width, text in zip(header.cells, widths, ("序号", "问题", "依据"), strict=True):
        _table_cell(cell, width, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    aligns = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.LEFT)
    for cell, width, text, align in zip(marker.cells, widths, ("{{table:findings}}", "", ""), aligns, strict=True):
        _table_cell(cell, width, text, bold=False, align=align)
    # Space between the table and the text below it.
    _body(document, "", indent=False)


def _table_cell(cell: _Cell, width: Length, text: str, *, bold: bool, align: WD_ALIGN_PARAGRAPH) -> None:
    cell.width = width
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing = Pt(20)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.space_before = fmt.space_after = Pt(3)
    # Always a run, even an empty one: the rows made from a marker row take the formatting of its runs.
    _style_run(paragraph.add_run(text), size=_TABLE_SIZE, bold=bold)


def _repeat_as_header(row: _Row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))
    tr_pr.append(OxmlElement("w:cantSplit"))


def _footer(document: DocxDocument) -> None:
    """Document number and 第 N 页 共 M 页, centred, in 小四."""
    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(18)
    size = _TABLE_SIZE
    _style_run(paragraph.add_run("{{doc_no}}　第"), size=size)
    _field(paragraph, "PAGE", size)
    _style_run(paragraph.add_run("页　共"), size=size)
    _field(paragraph, "NUMPAGES", size)
    _style_run(paragraph.add_run("页"), size=size)


def _field(paragraph: Paragraph, instruction: str, size: float) -> None:
    """A simple field (PAGE, NUMPAGES) whose cached result is 1."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = paragraph.add_run("1")
    _style_run(run, size=size)
    paragraph._p.remove(run._element)
    field.append(run._element)
    paragraph._p.append(field)


def _save(document: DocxDocument) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _normalized_zip(data: bytes) -> bytes:
    """The same .docx with a fixed timestamp on every member, so rebuilding a template changes no byte."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


if __name__ == "__main__":  # python -m peikao.enforcement.documents: rebuild the shipped templates
    for written in build_templates():
        print(written)
