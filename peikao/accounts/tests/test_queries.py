"""The link comes with the user: a request reads ``request.user.organization_id`` without a query of its own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peikao.core.models import User
from peikao.core.services import api_token_create

pytestmark = pytest.mark.django_db

LINK_TABLE = '"accounts_accountlink"'


def own_queries_of(table: str, queries) -> list[str]:
    """The queries that read ``table`` on its own (not joined to another)."""
    return [query["sql"] for query in queries if f"FROM {table}" in query["sql"]]


def test_a_members_page_loads_the_link_with_the_user(client, world):
    client.force_login(world.users["ti_admin"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200 and world.orgs["ti_a"].name in response.content.decode()
    user_loads = own_queries_of('"core_user"', queries)
    assert len(user_loads) == 1 and LINK_TABLE in user_loads[0]
    assert own_queries_of(LINK_TABLE, queries) == []


def test_a_member_token_loads_the_link_with_the_token(client, world):
    _token, raw = api_token_create(user=world.users["ti_admin"], name="t")
    for path in ("/api/me", "/api/organizations"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 200, path
        token_loads = own_queries_of('"core_apitoken"', queries)
        assert len(token_loads) == 1 and LINK_TABLE in token_loads[0]
        assert own_queries_of(LINK_TABLE, queries) == [] and own_queries_of('"core_user"', queries) == []


def test_a_candidates_home_page_shows_its_person_without_asking_for_the_link(client, world):
    client.force_login(world.users["candidate"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert f"/registry/persons/{world.persons['p_a'].pk}/" in response.content.decode()
    assert own_queries_of(LINK_TABLE, queries) == []


def test_a_regulator_without_a_link_asks_once(world, django_assert_num_queries):
    inspector = User.objects.get(username="gl-inspector")
    with django_assert_num_queries(1):
        assert inspector.organization_id is None
    with django_assert_num_queries(0):
        assert inspector.organization_id is None and inspector.person is None and inspector.organization is None
    loaded = User.objects.select_related("link").get(username="gl-inspector")
    with django_assert_num_queries(0):
        assert loaded.account_link is None and loaded.person_id is None


def test_a_new_regulator_account_is_offered_only_the_regions_of_its_creators_jurisdiction(world):
    from peikao.accounts.selectors import account_regions

    province = set(account_regions(user=world.users["province_admin"]).values_list("code", flat=True))
    assert {"350000", "350102", "350203"} <= province and not province & {"360102", "000000"}
    assert account_regions(user=world.users["ministry_admin"]).filter(code="360102").exists()  # sees everything
    assert not account_regions(user=world.users["ti_admin"]).exists()  # its accounts belong to its organisation
