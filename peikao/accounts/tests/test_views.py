"""The account pages, under the URLs they had in core: list, create, deactivate."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peikao.core.models import User

pytestmark = pytest.mark.django_db


def test_the_account_pages_keep_their_urls():
    assert reverse("accounts:user_list") == "/accounts/"
    assert reverse("accounts:user_create") == "/accounts/new/"
    assert reverse("accounts:user_deactivate", args=[7]) == "/accounts/7/deactivate/"


def test_an_organisation_admin_lists_and_creates_accounts_of_its_organisation(client, world):
    client.force_login(world.users["ti_admin"])
    page = client.get("/accounts/").content.decode()
    assert "ti-clerk" in page and world.orgs["ti_a"].name in page and "ent-admin" not in page
    response = client.post(
        "/accounts/new/",
        {"username": "ti-new", "full_name": "新人", "role": "org_clerk", "password": "a-long-password"},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert User.objects.get(username="ti-new").organization == world.orgs["ti_a"]


def test_a_regulator_creates_a_member_account_by_organisation_code(client, world):
    client.force_login(world.users["province_admin"])
    data = {"username": "ent-new", "full_name": "企业", "role": "org_admin", "password": "a-long-password"}
    refused = client.post("/accounts/new/", {**data, "organization": world.orgs["ti_c"].org_code})  # 江西
    assert refused.status_code == 200 and not User.objects.filter(username="ent-new").exists()
    client.post("/accounts/new/", {**data, "organization": world.orgs["ent_b"].org_code})
    assert User.objects.get(username="ent-new").organization == world.orgs["ent_b"]


def test_deactivating_an_account_of_ones_organisation(client, world):
    client.force_login(world.users["ti_admin"])
    clerk = world.users["ti_clerk"]
    response = client.post(f"/accounts/{clerk.pk}/deactivate/")
    assert response.status_code == 302 and not User.objects.get(pk=clerk.pk).is_active
    assert client.post(f"/accounts/{world.users['ent_admin'].pk}/deactivate/").status_code == 404
