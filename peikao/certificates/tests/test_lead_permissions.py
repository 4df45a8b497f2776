"""Lead transitions check the permission before the state: a role that may not review leads is refused (403)
whatever the lead's status, never told the lead is past that step (409)."""

from __future__ import annotations

import pytest

from peikao.certificates import services
from peikao.certificates.models import Lead
from peikao.core.errors import PermissionDenied
from peikao.core.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_lead(world):
    lead = world.own["province_analyst"]["lead"]
    services.lead_close(actor=world.users["province_admin"], lead=lead, reason="查无此证")
    lead.refresh_from_db()
    return lead


@pytest.mark.parametrize("action", ["review", "hand_over", "close"])
def test_the_service_refuses_an_analyst_before_looking_at_the_status(world, closed_lead, action):
    with pytest.raises(PermissionDenied):
        services.leads_apply(
            actor=world.users["province_analyst"], leads=[closed_lead], action=action, case_reference="X1", note="n"
        )


def test_the_api_answers_403_not_409_to_an_analyst_acting_on_a_closed_lead(client, world, closed_lead):
    _token, raw = api_token_create(user=world.users["province_analyst"], name="t")
    response = client.post(
        f"/api/leads/{closed_lead.pk}/action", {"action": "close", "note": "again"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}",
    )  # fmt: skip
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    _token, raw = api_token_create(user=world.users["province_admin"], name="t")
    response = client.post(
        f"/api/leads/{closed_lead.pk}/action", {"action": "close", "note": "again"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}",
    )  # fmt: skip
    assert response.status_code == 409  # the reviewer is told the lead is past that step


def test_a_group_action_by_an_analyst_is_refused_on_the_page(client, world, closed_lead):
    """The group holds no open lead any more: the analyst is still refused, not told that nothing was left to do."""
    client.force_login(world.users["province_analyst"])
    response = client.post(
        "/certificates/leads/group/", {"group": "source", "value": closed_lead.source, "action": "close", "note": "n"}
    )
    assert response.status_code == 403
    assert Lead.objects.get(pk=closed_lead.pk).status == "closed"
