"""Word (.docx) documents from templates with ``{{placeholder}}`` fields, and the pieces to build such templates
with python-docx. Plain data in, bytes out: no Django, no database.

- :func:`render` fills a template .docx with values (and table rows) and returns the finished document as bytes;
- :class:`RunStyle`, :func:`blank_document`, :func:`set_default_fonts`, :func:`add_paragraph`, :func:`fill_cell`,
  :func:`repeat_as_header`, :func:`add_field` and :func:`to_bytes` build templates whose bytes do not change
  from one build to the next (fixed core properties and zip timestamps, no thumbnail).

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
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.parts.hdrftr import FooterPart, HeaderPart
from docx.shared import Length, Pt
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

__all__ = [
    "PLACEHOLDER_RE",
    "TABLE_MARKER_RE",
    "MissingPlaceholderError",
    "RunStyle",
    "add_field",
    "add_paragraph",
    "blank_document",
    "fill_cell",
    "render",
    "repeat_as_header",
    "set_default_fonts",
    "to_bytes",
]

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
    template: str | Path | IO[bytes],
    context: Mapping[str, object],
    tables: Mapping[str, list[list[str]]] | None = None,
) -> bytes:
    """Fill ``template`` (a path to a .docx file, or the file opened in binary mode) with ``context`` (and
    ``tables``) and return the resulting .docx as bytes.

    Every ``{{name}}`` in the body, tables, headers and footers needs a value in ``context`` (extra keys are
    ignored); ``None`` renders as an empty string and other non-string values through ``str()``. Every
    ``{{table:NAME}}`` marker row needs ``tables[NAME]``. If any is missing, :class:`MissingPlaceholderError`
    (a :class:`KeyError`) names all of them and nothing is rendered. Values are inserted literally: braces in
    a value are not placeholders. A table item with a different number of cells than its marker row raises
    :class:`ValueError`.
    """
    document = docx.Document(str(template) if isinstance(template, str | Path) else template)
    tables = tables or {}
    roots = _story_roots(document)

    markers = [(row, name) for root in roots for row, name in _marker_rows(root)]
    marker_rows = {row for row, _ in markers}
    paragraphs = [
        p for root in roots for p in root.iter(_W_P) if not any(tr in marker_rows for tr in p.iterancestors(_W_TR))
    ]

    found = {name for p in paragraphs for name in PLACEHOLDER_RE.findall(_paragraph_text(p))}
    missing = {name for name in found if name not in context} | {
        f"table:{name}" for _, name in markers if name not in tables
    }
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
# Building templates
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunStyle:
    """The font of a run: Latin and East-Asian typefaces (set explicitly, not from the theme), size, weight."""

    latin: str
    east_asia: str
    size: float  # points
    bold: bool = False

    def apply(self, run: Run) -> Run:
        run.font.name = self.latin
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), self.east_asia)
        run.font.size = Pt(self.size)
        run.font.bold = True if self.bold else None
        return run


def blank_document(*, title: str, subject: str = "", created: dt.datetime) -> DocxDocument:
    """An empty document of python-docx's default template, without its thumbnail, whose core properties name
    no author and carry ``created`` as creation and modification time: built twice, it is the same."""
    document = docx.Document()
    rels = document.part.package.rels
    for r_id, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # a preview picture of an empty page
            del rels[r_id]
    properties = document.core_properties
    properties.title = title
    properties.subject = subject
    properties.author = ""
    properties.comments = ""
    properties.last_modified_by = ""
    properties.created = created
    properties.modified = created
    properties.revision = 1
    return document


def set_default_fonts(
    document: DocxDocument, *, latin: str, east_asia: str, lang: str = "en-US", east_asia_lang: str = "zh-CN"
) -> None:
    """Explicit fonts instead of theme fonts, the languages of Latin and East-Asian text, and no space after
    paragraphs, as the defaults of the whole document."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(_W_RPR)
    fonts = rpr.find(qn("w:rFonts"))
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    language = rpr.find(qn("w:lang"))
    language.set(qn("w:val"), lang)
    language.set(qn("w:eastAsia"), east_asia_lang)
    spacing = defaults.find(qn("w:pPrDefault")).find(_W_PPR).find(qn("w:spacing"))
    if spacing is not None:
        spacing.set(qn("w:after"), "0")


def add_paragraph(container: DocxDocument | _Cell, text: str, style: RunStyle) -> Paragraph:
    """A new paragraph at the end of ``container``, with ``text`` (if any) in one run of ``style``."""
    paragraph = container.add_paragraph()
    if text:
        style.apply(paragraph.add_run(text))
    return paragraph


def fill_cell(
    cell: _Cell,
    text: str,
    style: RunStyle,
    *,
    width: Length,
    align: WD_ALIGN_PARAGRAPH,
    line_spacing: Length,
    space: Length,
) -> None:
    """Give a table cell its width, vertical centring, and ``text`` in one run of ``style`` in its first
    paragraph (exact line spacing, ``space`` above and below). The run is there even for an empty text: rows
    made from a marker row take the formatting of its cells' first runs."""
    cell.width = width
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing = line_spacing
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.space_before = fmt.space_after = space
    style.apply(paragraph.add_run(text))


def repeat_as_header(row: _Row) -> None:
    """Repeat the row at the top of each page the table runs over, and never split it across pages."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))
    tr_pr.append(OxmlElement("w:cantSplit"))


def keep_row_whole(row: _Row) -> None:
    """Never split the row across pages (a split leaves an empty sliver of it above the next page's rows)."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def add_field(paragraph: Paragraph, instruction: str, style: RunStyle, cached: str = "1") -> None:
    """Append a simple field (``PAGE``, ``NUMPAGES`` …) whose cached result, shown until Word updates it, is
    ``cached`` in ``style``."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = style.apply(paragraph.add_run(cached))
    paragraph._p.remove(run._element)
    field.append(run._element)
    paragraph._p.append(field)


def to_bytes(document: DocxDocument) -> bytes:
    """The document as .docx bytes, with a fixed timestamp on every member of the zip, so that building the
    same document again gives the same bytes (with the same python-docx and lxml versions)."""
    saved = io.BytesIO()
    document.save(saved)
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()
