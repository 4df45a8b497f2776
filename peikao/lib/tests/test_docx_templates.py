"""Filling .docx templates and building them reproducibly (peikao.lib.docx_templates): documents are made here
with python-docx, rendered, and opened again to read what came out. No Django, no database."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from peikao.lib.docx_templates import (
    MissingPlaceholderError,
    RunStyle,
    add_field,
    add_paragraph,
    blank_document,
    fill_cell,
    render,
    repeat_as_header,
    set_default_fonts,
    to_bytes,
)

SONG = RunStyle(latin="Times New Roman", east_asia="仿宋", size=12)
CREATED = dt.datetime(2026, 1, 1)


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def xml_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist() if name.startswith("word/")}


def notice(tmp_path: Path) -> Path:
    """A small notice: placeholders in the body, a header, a footer, and a table with a header row, a marker
    row (bold first cell, italic second) and a total row below it."""
    document = docx.Document()
    document.add_paragraph("致：{{subject_name}}")
    document.add_paragraph("要求：{{requirements}}")
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).paragraphs[0].add_run("序号")
    table.cell(0, 1).paragraphs[0].add_run("问题")
    table.cell(1, 0).paragraphs[0].add_run("{{table:rows}}").bold = True
    table.cell(1, 1).paragraphs[0].add_run("").italic = True
    table.cell(2, 0).paragraphs[0].add_run("合计")
    table.cell(2, 1).paragraphs[0].add_run("{{total}}")
    document.sections[0].header.paragraphs[0].add_run("{{authority}}")
    document.sections[0].footer.paragraphs[0].add_run("{{doc_no}}")
    path = tmp_path / "notice.docx"
    document.save(str(path))
    return path


CONTEXT = {
    "subject_name": "福州闽江精细化工有限公司",
    "requirements": "第一行\n第二行\t附表",
    "total": 2,
    "authority": "福州市应急管理局",
    "doc_no": "榕应急责改〔2026〕12号",
}
ROWS = [["1", "二号仓库混存氧化剂与易燃液体"], ["2", "未如实记录安全生产教育和培训情况"]]


# --- Rendering ----------------------------------------------------------------------------------------------------


def test_render_fills_body_table_header_and_footer(tmp_path):
    data = render(notice(tmp_path), CONTEXT, tables={"rows": ROWS})
    for name, xml in xml_parts(data).items():
        assert "{{" not in xml and "}}" not in xml, name
    document = open_docx(data)
    assert [p.text for p in document.paragraphs] == ["致：福州闽江精细化工有限公司", "要求：第一行\n第二行\t附表"]
    (table,) = document.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [["序号", "问题"], *ROWS, ["合计", "2"]]
    assert document.sections[0].header.paragraphs[0].text == "福州市应急管理局"
    assert document.sections[0].footer.paragraphs[0].text == "榕应急责改〔2026〕12号"


def test_newlines_and_tabs_become_breaks_and_tab_characters(tmp_path):
    document = open_docx(render(notice(tmp_path), CONTEXT, tables={"rows": ROWS}))
    paragraph = document.paragraphs[1]._p
    assert len(paragraph.findall(".//" + qn("w:br"))) == 1
    assert len(paragraph.findall(".//" + qn("w:tab"))) == 1
    assert "\n" not in "".join(t.text for t in paragraph.iter(qn("w:t")))


def test_rows_from_a_marker_row_keep_its_formatting(tmp_path):
    (table,) = open_docx(render(notice(tmp_path), CONTEXT, tables={"rows": ROWS})).tables
    for row in table.rows[1:3]:
        first, second = (cell.paragraphs[0].runs[0] for cell in row.cells)
        assert first.bold and not first.italic
        assert second.italic and not second.bold


def test_an_empty_table_leaves_the_rows_around_the_marker(tmp_path):
    (table,) = open_docx(render(notice(tmp_path), CONTEXT, tables={"rows": []})).tables
    assert [[c.text for c in row.cells] for row in table.rows] == [["序号", "问题"], ["合计", "2"]]


def test_values_are_inserted_literally(tmp_path):
    context = {**CONTEXT, "subject_name": "写着{{doc_no}}与 <b>&amp; 字样\x01", "total": None}
    document = open_docx(render(notice(tmp_path), context, tables={"rows": [["{{total}}", "<w:t/>"]]}))
    assert document.paragraphs[0].text == "致：写着{{doc_no}}与 <b>&amp; 字样"  # XML-invalid characters dropped
    assert [c.text for c in document.tables[0].rows[1].cells] == ["{{total}}", "<w:t/>"]
    assert document.tables[0].rows[2].cells[1].text == ""  # None renders empty


def test_render_reads_a_template_from_an_open_file(tmp_path):
    with open(notice(tmp_path), "rb") as handle:
        data = render(handle, CONTEXT, tables={"rows": ROWS})
    assert open_docx(data).paragraphs[0].text == "致：福州闽江精细化工有限公司"


def test_every_missing_value_is_named_and_nothing_is_rendered(tmp_path):
    context = {k: v for k, v in CONTEXT.items() if k not in ("authority", "total")}
    with pytest.raises(KeyError) as raised:
        render(notice(tmp_path), context)
    assert isinstance(raised.value, MissingPlaceholderError)
    assert raised.value.names == ["authority", "table:rows", "total"]
    assert str(raised.value) == "no value for placeholder(s): authority, table:rows, total"


def test_a_table_item_of_the_wrong_width_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"table 'rows', item 1: 3 cells, the marker row has 2"):
        render(notice(tmp_path), CONTEXT, tables={"rows": [["1", "a"], ["2", "b", "c"]]})


# --- Placeholders split across runs ---------------------------------------------------------------------------


def split_template(tmp_path: Path) -> Path:
    """A tiny template whose placeholders Word-style span several runs, in the body, a table and a header."""
    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("被检查单位：")
    start = paragraph.add_run("{{sub")
    start.bold = True
    end = paragraph.add_run("ject_name}}")
    end.italic = True
    paragraph.add_run("，特此通知。")

    three = document.add_paragraph()
    for piece in ("整改要求：{", "{", "requi", "rements", "}", "}（", "{{due_", "on}}前）"):
        three.add_run(piece)

    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    cell.paragraphs[0].add_run("{{doc")
    cell.paragraphs[0].add_run("_no}}")

    header = document.sections[0].header.paragraphs[0]
    header.add_run("{{autho")
    header.add_run("rity}}")
    header.add_run("{{doc_no}}")

    path = tmp_path / "split.docx"
    document.save(str(path))
    return path


def test_placeholder_split_across_runs(tmp_path):
    context = {
        "subject_name": "福州闽江精细化工有限公司",
        "requirements": "第一行\n第二行",
        "due_on": "2026年3月20日",
        "doc_no": "榕应急责改〔2026〕12号",
        "authority": "福州市应急管理局",
    }
    document = open_docx(render(split_template(tmp_path), context))
    first, second = document.paragraphs
    assert first.text == "被检查单位：福州闽江精细化工有限公司，特此通知。"
    # The value takes the formatting of the run where the placeholder started; the emptied run is gone.
    assert [(run.text, run.bold, run.italic) for run in first.runs] == [
        ("被检查单位：", None, None),
        ("福州闽江精细化工有限公司", True, None),
        ("，特此通知。", None, None),
    ]
    assert second.text == "整改要求：第一行\n第二行（2026年3月20日前）"
    assert document.tables[0].cell(0, 0).text == "榕应急责改〔2026〕12号"
    assert document.sections[0].header.paragraphs[0].text == "福州市应急管理局榕应急责改〔2026〕12号"


def test_missing_split_placeholder_is_named(tmp_path):
    with pytest.raises(KeyError) as raised:
        render(split_template(tmp_path), {"subject_name": "某公司", "doc_no": "1"})
    assert raised.value.names == ["authority", "due_on", "requirements"]


# --- Building templates ---------------------------------------------------------------------------------------


def built() -> docx.document.Document:
    """A template built with every helper: defaults, a styled paragraph, a table with a repeated header row and a
    marker row, a footer with page fields."""
    document = blank_document(title="通知书", subject="测试", created=CREATED)
    set_default_fonts(document, latin="Times New Roman", east_asia="仿宋")
    add_paragraph(document, "{{subject_name}}", RunStyle(latin="Arial", east_asia="宋体", size=18, bold=True))
    add_paragraph(document, "", SONG)
    table = document.add_table(rows=2, cols=2)
    header, marker = table.rows
    repeat_as_header(header)
    for cell, text in zip(header.cells, ("序号", "问题"), strict=True):
        fill_cell(cell, text, SONG, width=Mm(40), align=WD_ALIGN_PARAGRAPH.CENTER, line_spacing=Pt(20), space=Pt(3))
    for cell, text in zip(marker.cells, ("{{table:rows}}", ""), strict=True):
        fill_cell(cell, text, SONG, width=Mm(40), align=WD_ALIGN_PARAGRAPH.LEFT, line_spacing=Pt(20), space=Pt(3))
    footer = document.sections[0].footer.paragraphs[0]
    SONG.apply(footer.add_run("第"))
    add_field(footer, "PAGE", SONG)
    SONG.apply(footer.add_run("页"))
    return document


def test_a_built_template_has_the_same_bytes_every_time():
    data = to_bytes(built())
    assert data == to_bytes(built())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert not any(name.startswith("docProps/thumbnail") for name in archive.namelist())
    properties = open_docx(data).core_properties
    assert (properties.title, properties.subject, properties.author) == ("通知书", "测试", "")
    assert properties.created == properties.modified == CREATED.replace(tzinfo=dt.UTC)
    assert properties.revision == 1


def test_run_styles_and_document_defaults_are_explicit_fonts():
    document = open_docx(to_bytes(built()))
    run = document.paragraphs[0].runs[0]
    assert (run.font.name, run.font.size.pt, run.font.bold) == ("Arial", 18, True)
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert document.paragraphs[1].runs == []  # an empty paragraph has no run
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    assert fonts.get(qn("w:ascii")) == "Times New Roman" and fonts.get(qn("w:eastAsia")) == "仿宋"
    assert fonts.get(qn("w:asciiTheme")) is None
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


def test_table_cells_header_rows_and_page_fields():
    document = open_docx(to_bytes(built()))
    (table,) = document.tables
    header, marker = table.rows
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert header._tr.trPr.find(qn("w:cantSplit")) is not None
    cell = header.cells[0]
    assert round(cell.width.mm) == 40
    paragraph = cell.paragraphs[0]
    assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert paragraph.paragraph_format.line_spacing.pt == 20 and paragraph.paragraph_format.space_before.pt == 3
    assert len(marker.cells[1].paragraphs[0].runs) == 1  # an empty cell keeps a run to copy its format from
    footer = document.sections[0].footer.paragraphs[0]
    (field,) = footer._p.findall(qn("w:fldSimple"))
    assert field.get(qn("w:instr")) == " PAGE "
    assert footer.text == "第页"  # python-docx reads only the runs outside the field
    assert "".join(t.text for t in field.iter(qn("w:t"))) == "1"


def test_a_built_template_renders():
    template = io.BytesIO(to_bytes(built()))
    data = render(template, {"subject_name": "某公司"}, tables={"rows": ROWS})
    document = open_docx(data)
    assert document.paragraphs[0].text == "某公司"
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [["序号", "问题"], *ROWS]
    run = document.tables[0].rows[1].cells[1].paragraphs[0].runs[0]
    assert run.font.size.pt == 12 and run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"


def test_the_library_imports_neither_django_nor_the_rest_of_peikao():
    code = (
        "import sys; import peikao.lib.docx_templates, peikao.lib.chinese_numerals; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'django' "
        "or (m.startswith('peikao.') and not m.startswith('peikao.lib'))); print(bad); sys.exit(bool(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[3])
    assert done.returncode == 0, done.stdout + done.stderr
