"""Downloads of enforcement carry their Chinese file names (RFC 6266 ``filename*``) with an ASCII fallback."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from peikao.enforcement import services
from peikao.enforcement.tests.test_enforcement import TODAY, finding, site, started  # noqa: F401
from peikao.testing.http import file_names, read_download

pytestmark = pytest.mark.django_db


def test_a_decision_document_downloads_under_its_chinese_name(site, client):  # noqa: F811
    inspection = started(site)
    order = services.decision_issue(
        actor=site["a"], inspection=inspection, findings=[finding(site, inspection)], measure="rectify_order",
        decided_on=TODAY, due_on=TODAY + dt.timedelta(days=15),
    )  # fmt: skip
    client.force_login(site["a"])
    response = client.get(f"/enforcement/decisions/{order.code}/document.docx")
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.startswith("attachment;") and "filename*=UTF-8''" in header
    assert header.isascii()  # a header is ASCII: the Chinese travels percent-encoded, not as =?utf-8?…?=
    browser_name, plain_name = file_names(header)
    assert browser_name == f"{order.code}-责令限期整改指令书.docx"
    assert plain_name == f"{order.code}.docx"  # the ASCII fallback keeps the decision's code and the type
    assert "责令限期整改指令书" in "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)


def test_evidence_opens_inline_under_the_name_it_was_uploaded_with(site, client):  # noqa: F811
    inspection = started(site)
    evidence = services.evidence_add(
        actor=site["a"],
        inspection=inspection,
        upload=SimpleUploadedFile("签到表 第1页.jpg", b"\xff\xd8\xff", "image/jpeg"),
    )
    client.force_login(site["a"])
    response = client.get(f"/enforcement/inspections/{inspection.code}/evidence/{evidence.sha256}/")
    assert response.status_code == 200 and read_download(response) == b"\xff\xd8\xff"
    header = response["Content-Disposition"]
    assert header.startswith("inline;") and header.isascii()
    assert file_names(header) == ("签到表 第1页.jpg", "1.jpg")
