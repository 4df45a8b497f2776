"""The export kind ``alerts``: the rows the exporter sees, the columns of docs/exchange.md, empty where they do not
apply, the ID number in full only for who may see it (and then in the ID-view log)."""

from __future__ import annotations

import csv
import io

import pytest

from peikao.core.choices import Role
from peikao.core.models import IdNumberView, Region
from peikao.core.privacy import mask_id_number
from peikao.core.services import api_token_create
from peikao.oversight.tests.alerts import make_alert
from peikao.registry.choices import OrganizationKind
from peikao.testing.factories import OrganizationFactory, PersonFactory, UserFactory
from peikao.testing.http import read_download

pytestmark = pytest.mark.django_db

COLUMNS = [
    "fingerprint", "detector", "org_code", "id_number", "period_from", "period_to", "severity", "state",
    "violation_code", "explanation",
]  # fmt: skip


def _export(client, user, query: str = "") -> list[dict]:
    _token, raw = api_token_create(user=user, name="export")
    response = client.get(f"/api/exports/alerts?format=csv{query}", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200, response.content[:500]
    text = read_download(response).decode("utf-8-sig")
    assert text.splitlines()[0].split(",") == COLUMNS
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def alerts(world):
    gulou = OrganizationFactory(kind=OrganizationKind.EXAM_POINT, region=Region.objects.get(code="350102"))
    person = PersonFactory(name="吴九")
    return {
        "person": person,
        "with_person": make_alert(gulou, code="EXM-TOO-FAST", person=person),
        "without": make_alert(gulou, code="EXM-PASS-RATE-OUTLIER", violation_code=""),
        "siming": make_alert(world.orgs["ent_b"], code="EXM-TOO-FAST", person=person),
    }


def test_an_inspector_exports_the_alerts_of_his_county_with_full_numbers_logged(client, world, alerts):
    user = world.users["county_inspector"]
    rows = {row["fingerprint"]: row for row in _export(client, user)}
    assert alerts["siming"].fingerprint not in rows  # another city
    assert world.own["county_inspector"]["alert"].fingerprint in rows
    row = rows[alerts["with_person"].fingerprint]
    assert row["id_number"] == alerts["person"].id_number
    assert (row["detector"], row["severity"], row["state"]) == ("EXM-TOO-FAST", "high", "new")
    assert (row["period_from"], row["period_to"]) == ("2026-09-15", "2026-09-15")
    assert row["violation_code"] == alerts["with_person"].violation_code and row["explanation"]
    empty = rows[alerts["without"].fingerprint]
    assert empty["id_number"] == "" and empty["violation_code"] == ""
    assert IdNumberView.objects.filter(user=user, person_id=alerts["person"].pk, purpose="export:alerts").count() == 1


def test_an_analyst_gets_masked_numbers_and_nothing_is_logged(client, world, alerts):
    user = world.users["province_analyst"]
    rows = {row["fingerprint"]: row for row in _export(client, user)}
    assert {alerts["with_person"].fingerprint, alerts["siming"].fingerprint} <= set(rows)
    assert rows[alerts["siming"].fingerprint]["id_number"] == mask_id_number(alerts["person"].id_number)
    assert alerts["person"].id_number not in str(rows)
    assert not IdNumberView.objects.filter(user=user).exists()


def test_the_export_narrows_to_a_region(client, world, alerts):
    rows = _export(client, world.users["province_admin"], "&region=350203")
    assert {row["fingerprint"] for row in rows} == {alerts["siming"].fingerprint}


@pytest.mark.parametrize("persona", ["ti_admin", "ent_admin", "candidate"])
def test_organisations_and_candidates_export_no_alert(client, world, alerts, persona):
    user = world.users[persona]
    _token, raw = api_token_create(user=user, name="export")
    response = client.get("/api/exports/alerts?format=csv", HTTP_AUTHORIZATION=f"Bearer {raw}")
    if response.status_code == 200:
        text = read_download(response).decode("utf-8-sig")
        assert len(text.strip().splitlines()) == 1  # the header only
    else:
        assert response.status_code == 403 and response.json()["message_zh"]


def test_an_account_without_the_export_right_is_refused_with_the_reason(client, world, alerts):
    user = UserFactory(username="no-export", role=Role.ORG_CLERK, organization=world.orgs["ti_a"])
    _token, raw = api_token_create(user=user, name="export")
    response = client.get("/api/exports/alerts?format=csv", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    assert response.json()["message_en"]
