"""The devices page speaks Chinese only: what a device's supplier needs (the address, the header, the batch
number) is shown as code, never as English prose."""

from __future__ import annotations

import re

import pytest

from peikao.training import services

pytestmark = pytest.mark.django_db


def _words_outside_code(html: str) -> list[str]:
    main = html.split('<main class="container">', 1)[1].split("</main>", 1)[0]
    text = re.sub(r"<code[^>]*>.*?</code>", " ", main, flags=re.S)
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.findall(r"[A-Za-z][A-Za-z_]+", text)


def test_the_devices_page_has_no_english_and_shows_the_interface_as_code(client, school):
    services.device_register(actor=school["admin"], organization=school["institution"], device_code="FACE-01",
                             kind="face", name="一楼人脸识别终端")  # fmt: skip
    client.force_login(school["admin"])
    html = client.get("/training/devices/").content.decode()
    assert _words_outside_code(html) == []
    api = html.split('id="device-api"', 1)[1].split("</dl>", 1)[0]
    for code in ("<code>POST /api/attendance/batches</code>", "<code>batch_id</code>", "<code>/api/docs</code>"):
        assert code in api
    assert "<code>Authorization: Bearer &lt;设备密钥&gt;</code>" in api
    assert "一楼人脸识别终端" in html and "<code>FACE-01</code>" in html
