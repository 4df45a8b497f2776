"""The notice of a generated national campaign comes out with exactly the seed's figures (应急厅函〔2023〕85号) and in
its number style; a province's notice is its row of the national one; the command writes each format."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from peikao.core.models import Region
from peikao.reports.documents.content import figures_sentence
from peikao.reports.selectors import Period, notice_figures
from peikao.testing.campaign import PERIOD, SEED, build_campaign

SEED_SENTENCE = (
    "执法检查培训机构4171家，发现问题1.1万项，淘汰清退315家、停业整顿299家、责令整改2445家；"
    "检查考试机构2213家，发现问题5748项，取消考试点212家、停考整顿153家、责令整改997家；"
    "抽查企业28.1万家，发现问题12万项，行政处罚6.1万家、罚款27877万元。"
)
KEYS = {
    "region",
    "period",
    "training_institutions",
    "exam_bodies",
    "enterprises",
    "cases_publicized",
    "remote_patrols",
    "practices",
    "by_subregion",
}


def _integers(figures: dict) -> bool:
    return all(
        isinstance(v, int) and not isinstance(v, bool)
        for key, value in figures.items()
        if key not in {"region", "period", "by_subregion"}
        for v in (value.values() if isinstance(value, dict) else [value])
    )


@pytest.mark.django_db
def test_the_national_campaign_notice_has_the_seed_figures_in_every_format(tmp_path):
    build_campaign()
    start, end = (day.isoformat() for day in PERIOD)
    out = tmp_path / "notice.json"

    call_command("notice", "--from", start, "--to", end, "--format", "json", "--out", str(out))
    data = json.loads(out.read_text())

    assert set(data) == KEYS
    assert {key: data[key] for key in SEED.notice_json()} == SEED.notice_json()
    assert data["region"] == {"code": "000000", "name": "全国"}
    assert data["period"] == {"from": "2023-01-01", "to": "2023-12-31"}
    assert figures_sentence(data) == SEED_SENTENCE
    assert _integers(data) and all(_integers(row) for row in data["by_subregion"])
    assert len(data["by_subregion"]) == 31  # every province
    for group, names in SEED.notice_json().items():  # the provinces add up to the nation
        if isinstance(names, dict):
            for name, value in names.items():
                assert sum(row[group][name] for row in data["by_subregion"]) == pytest.approx(value, abs=15)
        else:
            assert sum(row[group] for row in data["by_subregion"]) == names

    # A province's notice is its own records: the row of the nation's notice, with its cities below it.
    fujian = notice_figures(user=None, region=Region.objects.get(code="350000"), period=Period(*PERIOD))
    row = next(r for r in data["by_subregion"] if r["region"]["code"] == "350000")
    assert {k: fujian[k] for k in SEED.notice_json()} == {k: row[k] for k in SEED.notice_json()}
    assert {r["region"]["code"][:2] for r in fujian["by_subregion"]} == {"35"}

    # Word: the sentence, the tables, the red header line.
    docx_file = tmp_path / "notice.docx"
    call_command(
        "notice", "--from", start, "--to", end, "--format", "docx", "--out", str(docx_file),
        "--doc-no", "应急厅函〔2023〕85号", "--date", "2023-12-31",
    )  # fmt: skip
    with zipfile.ZipFile(docx_file) as archive:
        xml = archive.read("word/document.xml").decode()
    text = "".join(part.split(">", 1)[-1] for part in xml.split("<w:t")[1:]).replace("</w:t>", "")
    assert SEED_SENTENCE in text
    assert "应急厅函〔2023〕85号" in text and "应急管理部关于安全培训考试专项整治工作情况的通报" in text
    assert 'w:color="E60012"' in xml  # the red separating line
    assert xml.count("<w:tbl>") == 3

    # Excel: the figures as numbers.
    xlsx_file = tmp_path / "notice.xlsx"
    call_command("notice", "--from", start, "--to", end, "--format", "xlsx", "--out", str(xlsx_file))
    book = load_workbook(io.BytesIO(xlsx_file.read_bytes()))
    values = list(book["汇总"].iter_rows(values_only=True))
    assert ("企业", "罚款（元）", 278_770_000, "27877万元") in values
    assert ("培训机构", "发现问题（项）", 11_000, "1.1万") in values
    totals = list(book["表3"].iter_rows(values_only=True))[-1]
    assert totals[:5] == ("合计", 281_000, 120_000, 61_000, 27_877)
