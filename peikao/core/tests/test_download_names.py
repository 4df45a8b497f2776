"""Every download names its file in Chinese (RFC 6266 ``filename*=UTF-8''…``) with an ASCII ``filename=`` fallback:
the helper, the import template, the import report, an export and the printed certificate."""

from __future__ import annotations

import io

import pytest
from django.http import HttpResponse
from django.utils import translation

from peikao.core.exchange.runner import export_response, run_import
from peikao.core.http import ascii_file_name, with_file_name
from peikao.enforcement.tests.test_download_names import file_names
from peikao.testing.http import read_download


@pytest.mark.parametrize(
    "name,plain",
    [
        ("JC-2026-0001-责令限期整改指令书.docx", "JC-2026-0001.docx"),
        ("证书.csv", "download.csv"),
        ('say "hi".pdf', "say-hi.pdf"),
        ("Évidence (1).JPG", "Evidence-1.JPG"),
        ("../../etc/passwd", "passwd"),
        ("C:\\照片\\签到表.jpg", "download.jpg"),
        ("T350102198507111960_1.2.pdf", "T350102198507111960_1.2.pdf"),
    ],
)
def test_a_file_name_has_an_ascii_stand_in(name, plain):
    assert ascii_file_name(name) == plain
    header = with_file_name(HttpResponse(), name)["Content-Disposition"]
    assert header.isascii() and header.startswith("attachment;")
    base = name.replace("\\", "/").rsplit("/", 1)[-1]  # a path's folders are never part of the name
    assert file_names(header) == (base, plain)
    assert ("filename*=" in header) == (base != plain)  # an ASCII name needs no second spelling


def test_inline_and_an_explicit_fallback():
    header = with_file_name(HttpResponse(), "证书.csv", attachment=False, fallback="certificates.csv")
    assert (
        header["Content-Disposition"]
        == "inline; filename=\"certificates.csv\"; filename*=UTF-8''%E8%AF%81%E4%B9%A6.csv"
    )


def test_the_import_template_and_report_download_under_chinese_names(client, world):
    client.force_login(world.users["province_admin"])
    with translation.override("zh-hans"):
        template = client.get("/imports/templates/persons.csv", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert template.status_code == 200
    assert file_names(template["Content-Disposition"]) == ("人员导入模板.csv", "persons.csv")
    run = run_import(
        kind_name="persons",
        source=io.BytesIO(b"\xef\xbb\xbfname\r\n"),
        filename="p.csv",
        user=world.users["province_admin"],
    ).run
    report = client.get(f"/imports/{run.pk}/report.csv", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert report.status_code == 200
    assert file_names(report["Content-Disposition"]) == (f"导入批次{run.pk}报告.csv", f"import-{run.pk}-report.csv")


def test_an_export_downloads_under_the_chinese_name_of_its_kind(world):
    with translation.override("zh-hans"):
        response = export_response(kind_name="organizations", fmt="csv", user=world.users["province_admin"])
    read_download(response)
    assert file_names(response["Content-Disposition"]) == ("机构.csv", "organizations.csv")
    with translation.override("en"):
        response = export_response(kind_name="organizations", fmt="xlsx", user=world.users["province_admin"])
    read_download(response)
    assert response["Content-Disposition"] == 'attachment; filename="Organisations.xlsx"'
