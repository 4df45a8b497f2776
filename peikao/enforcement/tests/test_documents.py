"""The enforcement documents: the shipped .docx templates, as built and as rendered (no database)."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from peikao.enforcement.documents import PENALTY_DECISION, RECTIFICATION_ORDER, TEMPLATE_DIR, build_templates, render
from peikao.lib.chinese_numerals import yuan_in_words
from peikao.lib.docx_templates import MissingPlaceholderError

REQUIREMENTS = (
    "1. 立即停止在二号仓库违规存放危险化学品，按类别分区分库储存；\n"
    "2. 对全体从业人员开展安全生产教育和培训，如实记录培训情况；\n"
    "3. 整改完成后书面报告本机关，申请复查。"
)
FINDINGS = [
    ["1", "二号仓库内混存氧化剂与易燃液体，未分区分库储存。", "《危险化学品安全管理条例》第二十六条"],
    ["2", "未如实记录安全生产教育和培训情况。", "《中华人民共和国安全生产法》第二十八条第四款"],
    ["3", "特种作业人员叉车司机王某未持证上岗。", "《中华人民共和国安全生产法》第三十条第一款"],
]
RECTIFICATION = {
    "authority": "福州市应急管理局",
    "doc_no": "榕应急责改〔2026〕12号",
    "subject_name": "福州闽江精细化工有限公司",
    "subject_address": "福建省福州市马尾区快安大道108号",
    "inspected_on": "2026年3月5日",
    "inspectors": "林晓东（执法证号35010020230017）、陈雅琴（执法证号35010020230042）",
    "legal_basis": "《中华人民共和国安全生产法》第六十五条第一款第三项",
    "due_on": "2026年3月20日",
    "requirements": REQUIREMENTS,
    "decided_on": "2026年3月5日",
    "unused": "extra keys are fine",
}
FACTS = (
    "2026年3月5日，本机关执法人员在你单位检查时发现：\n"
    "一、二号仓库内混存氧化剂与易燃液体；\n"
    "二、特种作业人员未持证上岗。"
)
PENALTY = {
    "authority": "福州市应急管理局",
    "doc_no": "榕应急罚〔2026〕8号",
    "subject_name": "福州闽江精细化工有限公司",
    "subject_code": "91350105MA2XYZ123K",
    "subject_address": "福建省福州市马尾区快安大道108号",
    "legal_representative": "郑国华",
    "facts": FACTS,
    "evidence": "现场检查记录、询问笔录、现场照片",
    "legal_basis": "《中华人民共和国安全生产法》第九十七条第七项",
    "measure": "罚款人民币叁万元整",
    "fine_yuan": "30000",
    "fine_upper": yuan_in_words(30000),
    "fine_range": "0–100,000元",
    "payment": "请持本决定书到福州市各国有商业银行网点缴纳，或通过福建省非税收入缴款平台电子缴款。",
    "decided_on": "2026年4月2日",
}


def paragraph_texts(document: docx.document.Document) -> list[str]:
    """Text of every paragraph of the body, its tables, and the headers and footers, in order."""
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(p.text for p in cell.paragraphs)
    for section in document.sections:
        for part in (section.header, section.footer):
            if not part.is_linked_to_previous:
                texts.extend(p.text for p in part.paragraphs)
    return texts


def xml_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist() if name.startswith("word/")}


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


# --- The shipped templates ------------------------------------------------------------------------------------


def test_build_templates_writes_two_reproducible_files(tmp_path):
    paths = build_templates(tmp_path)
    assert [p.name for p in paths] == [RECTIFICATION_ORDER, PENALTY_DECISION]
    first = [p.read_bytes() for p in paths]
    assert first == [p.read_bytes() for p in build_templates(tmp_path)]


@pytest.mark.parametrize("name", [RECTIFICATION_ORDER, PENALTY_DECISION])
def test_shipped_templates_are_up_to_date(tmp_path, name):
    """The committed templates read as build_templates() makes them (rebuild them after changing it)."""
    shipped = TEMPLATE_DIR / name
    assert shipped.exists()
    (fresh,) = [p for p in build_templates(tmp_path) if p.name == name]
    assert paragraph_texts(docx.Document(str(shipped))) == paragraph_texts(docx.Document(str(fresh)))


def test_templates_are_a4_government_style():
    for name, title in ((RECTIFICATION_ORDER, "责令限期整改指令书"), (PENALTY_DECISION, "行政处罚决定书")):
        document = docx.Document(str(TEMPLATE_DIR / name))
        section = document.sections[0]
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        paragraphs = document.paragraphs
        heading = next(p for p in paragraphs if p.text == title)
        assert heading.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert heading.runs[0].bold
        assert heading.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
        body = next(p for p in paragraphs if p.text.startswith("如不服本"))
        assert body.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
        assert "60日内" in body.text and "行政复议" in body.text
        assert "6个月内" in body.text and "行政诉讼" in body.text
        by_text = {p.text: p for p in paragraphs}
        assert by_text["{{doc_no}}"].alignment == WD_ALIGN_PARAGRAPH.RIGHT
        for text in ("（印章）", "{{decided_on}}"):
            assert by_text[text].alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert paragraphs[-1].text == "{{decided_on}}"


# --- Rendering the templates ------------------------------------------------------------------------------------


def test_render_rectification_order():
    data = render(TEMPLATE_DIR / RECTIFICATION_ORDER, RECTIFICATION, tables={"findings": FINDINGS})
    for name, xml in xml_parts(data).items():
        assert "{{" not in xml and "}}" not in xml, name

    document = open_docx(data)
    texts = paragraph_texts(document)
    joined = "\n".join(texts)
    for key, value in RECTIFICATION.items():
        if key != "unused":
            assert value in joined, key
    assert REQUIREMENTS in texts  # one paragraph, with line breaks
    assert "被检查单位：福州闽江精细化工有限公司" in texts
    assert "被检查单位负责人（签收）：　　　　　年　月　日" in texts
    assert "（印章）" in texts
    assert (
        "依据《中华人民共和国安全生产法》第六十五条第一款第三项的规定，现责令你单位于2026年3月20日前整改完毕" in joined
    )

    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [["序号", "问题", "依据"], *FINDINGS]
    # The finding rows keep the marker row's formatting.
    run = table.rows[2].cells[1].paragraphs[0].runs[0]
    assert run.font.size.pt == 12
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    assert table.rows[2].cells[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER

    footer = document.sections[0].footer.paragraphs[0].text
    assert footer.startswith("榕应急责改〔2026〕12号")


def test_render_multi_line_value_as_line_breaks():
    data = render(TEMPLATE_DIR / RECTIFICATION_ORDER, RECTIFICATION, tables={"findings": FINDINGS})
    document = open_docx(data)
    (paragraph,) = [p for p in document.paragraphs if p.text == REQUIREMENTS]
    assert len(paragraph._p.findall(".//" + qn("w:br"))) == 2
    assert "\n" not in "".join(t.text for t in paragraph._p.iter(qn("w:t")))


def test_render_penalty_decision():
    data = render(TEMPLATE_DIR / PENALTY_DECISION, PENALTY)
    for name, xml in xml_parts(data).items():
        assert "{{" not in xml, name
    texts = paragraph_texts(open_docx(data))
    joined = "\n".join(texts)
    for key, value in PENALTY.items():
        assert value in joined, key
    assert FACTS in texts
    assert "罚款金额：人民币叁万元整（小写：30000元）。" in texts
    assert "法定罚款幅度：0–100,000元。" in texts  # the single lawful range the fine was set in
    assert "以上事实有现场检查记录、询问笔录、现场照片等证据为证。" in texts
    assert any("60日内" in text and "6个月内" in text and "本决定不停止执行" in text for text in texts)


def test_render_finds_bundled_templates_by_name():
    by_path = render(TEMPLATE_DIR / PENALTY_DECISION, PENALTY)
    for name in ("penalty_decision", "penalty_decision.docx", str(TEMPLATE_DIR / PENALTY_DECISION)):
        assert paragraph_texts(open_docx(render(name, PENALTY))) == paragraph_texts(open_docx(by_path))


def test_missing_context_raises_key_error_naming_every_missing_placeholder():
    context = {k: v for k, v in PENALTY.items() if k not in ("subject_name", "fine_upper")}
    with pytest.raises(KeyError) as raised:
        render(TEMPLATE_DIR / PENALTY_DECISION, context)
    assert "subject_name" in str(raised.value)
    assert "fine_upper" in str(raised.value)
    assert isinstance(raised.value, MissingPlaceholderError)
    assert raised.value.names == ["fine_upper", "subject_name"]


def test_missing_table_raises_key_error():
    with pytest.raises(KeyError, match="table:findings"):
        render(TEMPLATE_DIR / RECTIFICATION_ORDER, RECTIFICATION)
    with pytest.raises(KeyError, match="table:findings"):
        render(TEMPLATE_DIR / RECTIFICATION_ORDER, RECTIFICATION, tables={"other": []})


def test_table_item_with_wrong_number_of_cells_is_refused():
    with pytest.raises(ValueError, match="findings"):
        render(TEMPLATE_DIR / RECTIFICATION_ORDER, RECTIFICATION, tables={"findings": [["1", "只有两列"]]})


def test_empty_table_keeps_only_the_header():
    data = render(TEMPLATE_DIR / RECTIFICATION_ORDER, RECTIFICATION, tables={"findings": []})
    (table,) = open_docx(data).tables
    assert [[c.text for c in row.cells] for row in table.rows] == [["序号", "问题", "依据"]]


def test_values_are_inserted_literally():
    context = {**PENALTY, "facts": "账册上写着{{subject_name}}与 <b>&amp; 字样", "evidence": None}
    texts = paragraph_texts(open_docx(render(TEMPLATE_DIR / PENALTY_DECISION, context)))
    assert "账册上写着{{subject_name}}与 <b>&amp; 字样" in texts
    assert "以上事实有等证据为证。" in texts
