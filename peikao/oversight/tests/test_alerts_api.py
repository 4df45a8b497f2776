"""The alert queue's API: list with filters (scoped), detail with evidence and history, each step of the review
(event row, change log), refusals as 4xx with the reason in Chinese and English, never a 500; documented."""

from __future__ import annotations

import pytest

from peikao.core.choices import Role
from peikao.core.models import ChangeLog, Region
from peikao.core.services import api_token_create
from peikao.enforcement.models import Finding
from peikao.oversight.choices import AlertState
from peikao.oversight.models import AlertEvent
from peikao.oversight.tests.alerts import make_alert
from peikao.registry.choices import OrganizationKind
from peikao.testing.factories import OrganizationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, world):
    gulou = OrganizationFactory(kind=OrganizationKind.TRAINING_INSTITUTION, region=Region.objects.get(code="350102"))
    person = PersonFactory(name="郑十")
    alert = make_alert(gulou, person=person)
    other = make_alert(world.orgs["ti_b"], code="TRN-CLONED-CHECKINS")  # 台江: the county's neighbour
    second = UserFactory(username="gl-inspector-2", role=Role.INSPECTOR, region=Region.objects.get(code="350102"))
    tokens = {}

    def call(method: str, url: str, persona: str = "county_inspector", body: dict | None = None):
        if persona not in tokens:
            tokens[persona] = api_token_create(user=world.users[persona], name="api")[1]
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[persona]}"}
        if method == "get":
            return client.get(url, **headers)
        return client.post(url, body or {}, content_type="application/json", **headers)

    return {"call": call, "alert": alert, "other": other, "person": person, "second": second, "world": world}


def _reason(response, status: int) -> dict:
    assert response.status_code == status, response.content[:800]
    body = response.json()
    assert body["message_zh"] and body["message_en"], body
    return body


def test_the_list_is_scoped_and_filtered(api):
    call, alert, other = api["call"], api["alert"], api["other"]
    own = api["world"].own["county_inspector"]["alert"]
    ids = {row["id"] for row in call("get", "/api/alerts").json()["items"]}
    assert ids == {alert.pk, own.pk}
    ids = {row["id"] for row in call("get", "/api/alerts", "city_inspector").json()["items"]}
    assert {alert.pk, other.pk, own.pk} <= ids
    rows = call("get", "/api/alerts?detector=TRN-PERSON-TWO-PLACES").json()["items"]
    assert [row["id"] for row in rows] == [alert.pk]
    row = rows[0]
    assert row["person"] == f"郑十（{api['person'].masked_id_number}）"
    assert api["person"].id_number not in str(rows)
    assert (row["severity"], row["state"], row["detector_name"]) == ("high", "new", alert.detector.name)
    assert call("get", "/api/alerts?state=confirmed").json()["items"] == []
    assert call("get", "/api/alerts?region=350103", "city_inspector").json()["count"] >= 1
    assert {r["id"] for r in call("get", "/api/alerts?region=350103", "city_inspector").json()["items"]} == {
        other.pk,
        api["world"].own["city_inspector"]["alert"].pk,
    }
    # Bad filters: 422 with the reason.
    for query in ("state=lost", "severity=x", "period_from=2026-02-31", "region=35", "sort=name", "limit=0"):
        _reason(call("get", f"/api/alerts?{query}"), 422)


@pytest.mark.parametrize("persona", ["ti_admin", "ent_admin", "candidate"])
def test_organisations_and_candidates_see_no_alert(api, persona):
    assert api["call"]("get", "/api/alerts", persona).json()["items"] == []
    _reason(api["call"]("get", f"/api/alerts/{api['alert'].pk}", persona), 404)
    _reason(api["call"]("post", f"/api/alerts/{api['alert'].pk}/review", persona), 404)


def test_the_detail_carries_evidence_and_history(api):
    call, alert = api["call"], api["alert"]
    body = call("get", f"/api/alerts/{alert.pk}").json()
    assert body["evidence"]["pairs"][0]["lesson_a"] == "L-A-1"
    assert body["events"] == []
    _reason(call("get", f"/api/alerts/{api['other'].pk}"), 404)  # another county's
    _reason(call("get", "/api/alerts/999999999"), 404)


def test_review_dismiss_reopen_through_the_api(api):
    call, alert = api["call"], api["alert"]
    body = call("post", f"/api/alerts/{alert.pk}/review", body={"note": "先看看"}).json()
    assert body["state"] == "reviewing" and body["events"][0]["reason"] == "先看看"
    _reason(call("post", f"/api/alerts/{alert.pk}/review"), 409)  # already under review
    # Dismiss without a reason: 422 naming the field; "other" without words: 400; nothing written.
    body = _reason(call("post", f"/api/alerts/{alert.pk}/dismiss", body={}), 422)
    assert any("reason" in error["location"] for error in body["errors"])
    _reason(call("post", f"/api/alerts/{alert.pk}/dismiss", body={"reason": "other"}), 400)
    _reason(call("post", f"/api/alerts/{alert.pk}/dismiss", body={"reason": "whatever"}), 422)
    alert.refresh_from_db()
    assert alert.state == AlertState.REVIEWING
    body = call("post", f"/api/alerts/{alert.pk}/dismiss", body={"reason": "explained", "note": "有请假条"}).json()
    assert (body["state"], body["dismiss_reason"]) == ("dismissed", "explained")
    _reason(call("post", f"/api/alerts/{alert.pk}/reopen", body={"note": ""}), 400)
    body = call("post", f"/api/alerts/{alert.pk}/reopen", body={"note": "请假条是伪造的"}).json()
    assert body["state"] == "reviewing"
    assert [e["new_status"] for e in body["events"]] == ["reviewing", "dismissed", "reviewing"]
    assert AlertEvent.objects.filter(alert=alert).count() == 3
    assert ChangeLog.objects.filter(content_type__model="alert", object_id=str(alert.pk)).count() >= 3


def test_confirm_through_the_api(api):
    call, alert, second = api["call"], api["alert"], api["second"]
    county = api["world"].users["county_inspector"]
    # Inspectors unknown or too few: 4xx with the reason, nothing written.
    _reason(call("post", f"/api/alerts/{alert.pk}/confirm", body={"inspectors": ["nobody", county.username]}), 422)
    _reason(call("post", f"/api/alerts/{alert.pk}/confirm", body={"inspectors": [county.username]}), 400)
    _reason(call("post", f"/api/alerts/{alert.pk}/confirm", body={"inspection_code": "INSP-B"}), 422)  # not its
    alert.refresh_from_db()
    assert alert.state == AlertState.NEW and not Finding.objects.filter(person=api["person"]).exists()
    body = call(
        "post",
        f"/api/alerts/{alert.pk}/confirm",
        body={"inspectors": [county.username, second.username], "inspected_on": "2026-10-20", "note": "核实"},
    ).json()
    assert body["state"] == "confirmed" and body["inspection_code"] and body["finding_code"]
    finding = Finding.objects.get(code=body["finding_code"])
    assert finding.person == api["person"] and alert.explanation in finding.description
    assert [e["new_status"] for e in body["events"]] == ["reviewing", "confirmed"]
    _reason(call("post", f"/api/alerts/{alert.pk}/dismiss", body={"reason": "duplicate"}), 409)  # final


def test_an_analyst_may_read_but_not_review(api):
    call, alert = api["call"], api["alert"]
    assert call("get", f"/api/alerts/{alert.pk}", "province_analyst").status_code == 200
    _reason(call("post", f"/api/alerts/{alert.pk}/review", "province_analyst"), 403)
    alert.refresh_from_db()
    assert alert.state == AlertState.NEW


def test_the_operations_are_documented_with_the_error_body(api):
    schema = api["call"]("get", "/api/openapi.json").json()
    paths = {path: ops for path, ops in schema["paths"].items() if path.startswith("/api/alerts")}
    assert set(paths) >= {
        "/api/alerts",
        "/api/alerts/{alert_id}",
        "/api/alerts/{alert_id}/review",
        "/api/alerts/{alert_id}/dismiss",
        "/api/alerts/{alert_id}/reopen",
        "/api/alerts/{alert_id}/confirm",
        "/api/alerts/{alert_id}/force",
    }
    for ops in paths.values():
        for operation in ops.values():
            assert operation["summary"]
            for status in ("400", "403", "404", "409", "422"):
                assert "ErrorOut" in str(operation["responses"].get(status) or operation["responses"].get(int(status)))
