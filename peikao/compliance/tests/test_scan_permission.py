"""An analyst reads: a compliance scan (a write) is refused in the service, the API (403) and the page."""

from __future__ import annotations

import pytest

from peikao.compliance import services
from peikao.compliance.models import ComplianceScan
from peikao.core.errors import PermissionDenied
from peikao.core.models import Region
from peikao.core.services import api_token_create

pytestmark = pytest.mark.django_db


def test_an_analyst_may_not_scan(world):
    with pytest.raises(PermissionDenied) as raised:
        services.scan(actor=world.users["province_analyst"], region=Region.objects.get(code="350000"))
    assert raised.value.code == "permission_denied"
    assert not ComplianceScan.objects.exists()


def test_the_scan_api_answers_403_to_an_analyst_and_201_to_an_inspector(client, world):
    _token, analyst = api_token_create(user=world.users["province_analyst"], name="t")
    response = client.post(
        "/api/compliance/scans", {"region_code": "350000"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {analyst}",
    )  # fmt: skip
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert response.json()["message_zh"] and response.json()["message_en"]
    assert not ComplianceScan.objects.exists()
    _token, inspector = api_token_create(user=world.users["county_inspector"], name="t")
    response = client.post(
        "/api/compliance/scans", {"region_code": "350102"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {inspector}",
    )  # fmt: skip
    assert response.status_code == 201


def test_the_page_offers_no_scan_to_an_analyst_and_refuses_one_posted(client, world):
    client.force_login(world.users["province_analyst"])
    page = client.get("/compliance/")
    assert page.status_code == 200 and 'id="scan-button"' not in page.content.decode()
    response = client.post("/compliance/scan/", {"region": "350000"})
    assert response.status_code == 403
    assert not ComplianceScan.objects.exists()
    client.force_login(world.users["province_admin"])
    assert 'id="scan-button"' in client.get("/compliance/").content.decode()
