"""The notice page and its downloads: regulators only, scoped to their jurisdiction, Chinese file names; the
command's usage and refusals."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from peikao.enforcement.models import Decision, Finding, Inspection

PERIOD = {"date_from": "2025-01-01", "date_to": "2025-12-31"}


@pytest.fixture
def records(world):
    """An institution in 鼓楼 inspected in 2025 with two problems and closed; an enterprise in 厦门 fined."""
    ti = Inspection.objects.create(
        code="R-1", organization=world.orgs["ti_a"], region_id="350102", kind="routine",
        inspected_on=dt.date(2025, 4, 1), status="completed",
    )  # fmt: skip
    for n in range(2):
        Finding.objects.create(code=f"R-F{n}", inspection=ti, description="问题")
    Decision.objects.create(code="R-D1", inspection=ti, measure="close", decided_on=dt.date(2025, 4, 2))
    ent = Inspection.objects.create(
        code="R-2", organization=world.orgs["ent_b"], region_id="350203", kind="routine",
        inspected_on=dt.date(2025, 5, 1), status="completed",
    )  # fmt: skip
    Decision.objects.create(
        code="R-D2", inspection=ent, measure="fine", fine_yuan=125_000, decided_on=dt.date(2025, 5, 2)
    )
    return world


def login(client, world, persona):
    client.force_login(world.users[persona])


def test_a_city_inspector_previews_the_notice_of_its_city(client, records):
    login(client, records, "city_inspector")

    response = client.get(reverse("reports:notice"), {"region": "350100", **PERIOD})

    assert response.status_code == 200
    page = response.content.decode()
    assert "执法检查培训机构1家，发现问题2项，淘汰清退1家" in page
    assert "抽查企业0家" in page  # 厦门's enterprise is not in 福州
    assert "福州市应急管理局关于安全培训考试专项整治工作情况的通报" in page
    assert "鼓楼区" in page  # the table per county
    assert "下辖地区中作出淘汰退出决定的 1 个，实行分级分类监管的 0 个，推行自律承诺制的 0 个" in page


def test_a_county_cannot_ask_for_its_city_or_province(client, records):
    login(client, records, "county_inspector")

    for code in ("350100", "350000", "360102"):
        response = client.get(reverse("reports:notice"), {"region": code, **PERIOD})
        assert response.status_code == 200
        assert "notice-preview" not in response.content.decode()  # the form refuses the region
        download = client.get(reverse("reports:notice_json"), {"region": code, **PERIOD})
        assert download.status_code == 400
        assert download["Content-Type"] == "text/plain; charset=utf-8"  # the reason is Chinese
        assert "选择一个有效的选项" in download.content.decode()
    own = client.get(reverse("reports:notice"), {"region": "350102", **PERIOD})
    assert "执法检查培训机构1家" in own.content.decode()


def test_the_page_is_not_there_for_organisations_and_candidates(client, records):
    for persona in ("ti_admin", "ent_admin", "candidate"):
        login(client, records, persona)
        assert client.get(reverse("reports:notice")).status_code == 404
        assert client.get(reverse("reports:notice_docx"), PERIOD).status_code == 404


def test_a_reversed_period_is_a_reason_not_an_error(client, records):
    login(client, records, "province_admin")

    response = client.get(
        reverse("reports:notice_json"),
        {"region": "350000", "date_from": "2025-12-31", "date_to": "2025-01-01"},
    )

    assert response.status_code == 400
    assert "结束" in response.content.decode() or "ends before" in response.content.decode()


@pytest.mark.parametrize("fmt", ["json", "docx", "pdf", "xlsx"])
def test_each_format_downloads_with_its_chinese_file_name(client, records, fmt):
    login(client, records, "province_admin")

    response = client.get(reverse(f"reports:notice_{fmt}"), {"region": "350000", **PERIOD})

    assert response.status_code == 200
    name = f"安全培训考试专项整治情况通报-福建省-2025-01-01至2025-12-31.{fmt}"
    header = response["Content-Disposition"]
    assert f"filename*=UTF-8''{quote(name, safe='')}" in header
    assert f'filename="notice-350000-2025-01-01-2025-12-31.{fmt}"' in header
    body = response.content
    if fmt == "json":
        data = json.loads(body)
        assert data["training_institutions"]["closed"] == 1
        assert data["enterprises"]["fines_yuan"] == 125_000
        assert [row["region"]["code"] for row in data["by_subregion"]] == ["350100", "350200"]
    elif fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            assert "福建省应急管理厅文件" in archive.read("word/document.xml").decode()
    elif fmt == "pdf":
        assert body.startswith(b"%PDF")
        assert b"/FontFile2" in body  # the CJK font is embedded (TrueType subset)
    else:
        summary = list(load_workbook(io.BytesIO(body))["汇总"].iter_rows(values_only=True))
        assert ("培训机构", "淘汰清退（家）", 1, "1") in summary
        assert ("工作举措", "作出淘汰退出决定的下级地区（个）", 1, "1") in summary  # 福州
        assert ("工作举措", "实行分级分类监管的下级地区（个）", 0, "0") in summary


def test_the_command_refuses_bad_input_with_a_reason(tmp_path, records, capsys):
    out = tmp_path / "n.json"
    with pytest.raises(SystemExit) as exit_:
        call_command("notice", "--from", "2025-13-01", "--to", "2025-12-31", "--format", "json", "--out", str(out))
    assert exit_.value.code == 2
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "notice", "--from", "2025-01-01", "--to", "2025-12-31", "--region", "350000",
            "--user", "gl-inspector", "--format", "json", "--out", str(out),
        )  # fmt: skip
    assert exit_.value.code == 1
    assert "管辖" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        call_command("notice", "--from", "2025-01-01", "--to", "2025-12-31", "--region", "999999", "--format",
                     "json", "--out", str(out))  # fmt: skip
    assert exit_.value.code == 1
    assert not out.exists()

    call_command(
        "notice", "--from", "2025-01-01", "--to", "2025-12-31", "--user", "gl-inspector", "--format", "json",
        "--out", str(out),
    )  # fmt: skip
    assert json.loads(out.read_text())["region"] == {"code": "350102", "name": "福建省福州市鼓楼区"}


def test_regulators_find_the_notice_in_their_menu(client, records):
    login(client, records, "county_inspector")
    assert reverse("reports:notice") in client.get(reverse("web:home")).content.decode()
    login(client, records, "ti_admin")
    assert reverse("reports:notice") not in client.get(reverse("web:home")).content.decode()


def test_a_download_without_a_query_is_the_users_region_this_year(client, records):
    login(client, records, "county_inspector")

    data = json.loads(client.get(reverse("reports:notice_json")).content)

    assert data["region"]["code"] == "350102"
    assert data["period"]["to"] == timezone.localdate().isoformat()
    assert data["period"]["from"] == timezone.localdate().replace(month=1, day=1).isoformat()


def test_the_word_tables_name_the_cities_without_the_province_and_keep_each_row_on_one_page(client, records):
    from docx import Document
    from docx.oxml.ns import qn

    login(client, records, "province_admin")
    body = client.get(reverse("reports:notice_docx"), {"region": "350000", **PERIOD}).content

    tables = Document(io.BytesIO(body)).tables
    assert len(tables) == 3
    for table in tables:
        assert [row.cells[0].text for row in table.rows[1:]] == ["福州市", "厦门市", "合计"]
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)  # no row split by a page
    assert tables[0].rows[1].cells[4].text == "0" and tables[0].rows[1].cells[3].text == "1"  # 福州 closed one


def test_the_word_notice_opens_in_libreoffice_laid_out_as_an_official_notice(client, records, tmp_path):
    """The DOCX as LibreOffice lays it out (converted to PDF): the red mark and rule on the first page, the title,
    the addressees, the tables and the issuing authority, on A4."""
    import subprocess

    from PIL import Image

    from peikao.testing.pdf import require_tools

    require_tools(("soffice", "pdftotext", "pdftoppm"))
    login(client, records, "province_admin")
    (tmp_path / "notice.docx").write_bytes(
        client.get(reverse("reports:notice_docx"), {"region": "350000", **PERIOD}).content
    )
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "notice.docx")],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    pdf = tmp_path / "notice.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for expected in (
        "福建省应急管理厅文件",
        "关于安全培训考试专项整治",
        "各设区市应急管理局：",
        "表1",
        "福州市",
        "合计",
    ):
        assert expected in flat, expected
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf), str(tmp_path / "p1")],
        check=True,
    )
    page = Image.open(tmp_path / "p1.png").convert("RGB")
    assert abs(page.width / page.height - 210 / 297) < 0.01  # A4 portrait
    top = page.crop((0, 0, page.width, page.height // 3))
    red = sum(1 for r, g, b in top.getdata() if r > 180 and g < 80 and b < 80)
    assert red > 200  # the red mark and the red rule under the document number
