"""The notice (通报) as PDF embeds every font it uses, as the certificates do, and its Chinese renders where no
system font exists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peikao.reports.tests.test_notice_page import PERIOD, records  # noqa: F401
from peikao.testing.pdf import assert_fonts_embedded, changed_pixels, no_fonts_environment, page_image, require_tools

pytestmark = pytest.mark.django_db


def test_the_notice_pdf_embeds_its_fonts_and_renders_without_system_fonts(client, records, tmp_path):  # noqa: F811
    require_tools()
    client.force_login(records.users["province_admin"])
    response = client.get(reverse("reports:notice_pdf"), {"region": "350000", **PERIOD})
    assert response.status_code == 200
    text = assert_fonts_embedded(response.content, tmp_path)  # reportlab's Helvetica is not even listed
    assert "福建省应急管理厅文件" in text and "通报" in text
    environment = no_fonts_environment(tmp_path)
    page = page_image(response.content, tmp_path, "page", environment)
    blank = page.point(lambda value: 255)
    assert changed_pixels(page, blank) > 3000, "the first page shows no text"
