"""The printed certificate: its QR code read back by a real decoder (zbar) from the rendered PDF and verified
with an independent JWS implementation against the published JWKS; its Chinese text in a font the PDF embeds
(rendered by poppler where no system font exists); batch printing; verify_qr."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
from pathlib import Path

import jwt as pyjwt
import pytest
from django.core.management import CommandError, call_command

from peikao.certificates import pdf, publishing, services
from peikao.testing.certificates import legacy
from peikao.testing.factories import PersonFactory
from peikao.testing.pdf import assert_fonts_embedded, changed_pixels, no_fonts_environment, page_image, require_tools

pytestmark = pytest.mark.django_db

TOOLS = ("pdftoppm", "zbarimg")


def _require_tools():
    require_tools(TOOLS)


def _decode(pdf_bytes: bytes, tmp_path: Path, dpi: int = 200) -> str:
    source = tmp_path / "certificate.pdf"
    source.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(source), str(tmp_path / "page")], check=True)
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    return decoded.stdout.strip()


@pytest.fixture
def certificate(db):
    return legacy(PersonFactory(name="欧阳小明"), issued=dt.date(2023, 7, 1))


@pytest.mark.parametrize("size", ["a4", "card"])
def test_the_printed_qr_code_is_read_by_zbar_and_verifies_independently(client, certificate, tmp_path, size):
    _require_tools()
    body = pdf.render(certificate, size=size)
    assert body.startswith(b"%PDF")
    url = _decode(body, tmp_path, dpi=200 if size == "a4" else 400)
    assert url.startswith("http://127.0.0.1:8000/v/")
    token = url.rsplit("/v/", 1)[1]
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    kid = pyjwt.get_unverified_header(token)["kid"]
    claims = pyjwt.decode(token, pyjwt.PyJWK(next(k for k in keys if k["kid"] == kid)).key, algorithms=["EdDSA"])
    assert claims["no"] == f"T{certificate.person.masked_id_number}" and claims["name"] == "欧阳小明"
    assert certificate.person.id_number not in url + json.dumps(claims)  # not in full, not even inside the number
    assert claims["review_due"] == "2026-07-01"
    # The scanned URL is the public page, which says the certificate is valid.
    page = client.get(url.replace("http://127.0.0.1:8000", ""))
    assert 'data-outcome="valid"' in page.content.decode()


def test_the_pdf_has_the_fields_of_the_national_query(certificate):
    fields = {field.label: field.value for field in pdf.certificate_fields(certificate)}
    assert list(fields) == [
        "姓名",
        "性别",
        "证号",
        "作业类别",
        "操作项目",
        "初领日期",
        "有效期",
        "应复审日期",
        "实际复审日期",
        "签发机关",
    ]
    assert fields["证号"] == certificate.cert_no and fields["操作项目"] == "低压电工作业"
    assert fields["应复审日期"].startswith("2026-07-01") and "第19号令" in fields["应复审日期"]
    assert fields["有效期"] == "2023-07-01 至 2029-06-30"


@pytest.mark.parametrize("size", ["a4", "card"])
def test_every_font_of_the_pdf_is_embedded_and_its_text_is_chinese(certificate, tmp_path, size):
    require_tools()
    certificate.person.name = "欧阳堃喆"  # outside GB 2312: the shipped font holds all of GBK
    text = assert_fonts_embedded(pdf.render(certificate, size=size), tmp_path)
    assert "中华人民共和国特种作业操作证" in text and "欧阳堃喆" in text and "签发机关" in text


@pytest.mark.parametrize("size", ["a4", "card"])
def test_the_pdf_renders_its_chinese_text_on_a_machine_without_fonts(certificate, tmp_path, monkeypatch, size):
    """Rendered by poppler without any system font, the text is drawn (the page differs from the same page with
    no text) and drawn as glyphs, not as empty boxes (two names of the same length render differently: missing
    glyphs would all be the same box)."""
    require_tools()
    environment = no_fonts_environment(tmp_path)
    qr = pdf._qr_image(publishing.url_for(certificate))
    monkeypatch.setattr(pdf, "_qr_image", lambda url: qr)  # the same QR code on every page compared below
    certificate.person.name = "欧阳小明"
    first = page_image(pdf.render(certificate, size=size), tmp_path, "first", environment)
    certificate.person.name = "司马大伟"
    second = page_image(pdf.render(certificate, size=size), tmp_path, "second", environment)
    for method in ("drawString", "drawCentredString", "drawRightString"):
        monkeypatch.setattr(pdf.Canvas, method, lambda *args, **kwargs: None)
    blank = page_image(pdf.render(certificate, size=size), tmp_path, "blank", environment)
    text_pixels = changed_pixels(second, blank)
    name_pixels = changed_pixels(first, second)
    assert text_pixels > (2000 if size == "a4" else 300), "the text is not drawn"
    assert name_pixels > (80 if size == "a4" else 15), "different names render alike: the glyphs are boxes"
    assert name_pixels < text_pixels / 4, "only the name differs"


def test_print_certificates_writes_one_pdf_per_certificate_named_by_number(certificate, tmp_path):
    second_item = legacy(certificate.person, item="2.1", issued=dt.date(2024, 1, 5))
    other = legacy(PersonFactory(), issued=dt.date(2024, 1, 5))
    out = tmp_path / "out"
    stdout = io.StringIO()
    call_command("print_certificates", certificate.cert_no, other.cert_no, out=str(out), stdout=stdout)
    names = sorted(path.name for path in out.iterdir())
    assert names == sorted(
        [f"{certificate.cert_no}_1.2.pdf", f"{certificate.cert_no}_2.1.pdf", f"{other.cert_no}_1.2.pdf"]
    )
    assert "3 PDF files" in stdout.getvalue()
    assert second_item.cert_no == certificate.cert_no
    with pytest.raises(CommandError, match="unknown certificate numbers"):
        call_command("print_certificates", "T000000000000000000", out=str(out))


def test_verify_qr_reads_a_png_and_sees_a_revocation(certificate, tmp_path):
    _require_tools()
    from peikao.certificates.signing import qr_png

    image = tmp_path / "qr.png"
    image.write_bytes(qr_png(publishing.url_for(certificate)))
    stdout = io.StringIO()
    call_command("verify_qr", str(image), stdout=stdout)
    assert "outcome: valid" in stdout.getvalue() and f"T{certificate.person.masked_id_number}" in stdout.getvalue()
    from peikao.certificates.tests.test_public import _admin

    services.revoke(actor=_admin(), certificate=certificate, ground="no_longer_fit")
    with pytest.raises(CommandError, match="revoked"):
        call_command("verify_qr", str(image), stdout=io.StringIO())


def test_verify_qr_offline_with_downloaded_files(client, certificate, tmp_path):
    jwks_file, status_file = tmp_path / "jwks.json", tmp_path / "status.jwt"
    jwks_file.write_bytes(client.get("/.well-known/jwks.json").content)
    status_file.write_bytes(client.get("/status/certificates.jwt").content)
    token = publishing.token_for(certificate)
    stdout = io.StringIO()
    call_command("verify_qr", token, jwks=str(jwks_file), status=str(status_file), json=True, stdout=stdout)
    assert '"outcome": "valid"' in stdout.getvalue()
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(CommandError, match="signature invalid"):
        call_command("verify_qr", forged, jwks=str(jwks_file), stdout=io.StringIO())
