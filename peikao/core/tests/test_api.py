"""The REST API: token authentication, the OpenAPI document, 4xx JSON errors, imports and exports."""

from __future__ import annotations

import io
import json
import random

import pytest

from peikao.core import synthetic
from peikao.core.models import ApiToken, IdNumberView
from peikao.core.services import api_token_create, api_token_revoke
from peikao.testing.http import read_download

pytestmark = pytest.mark.django_db


def auth(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def admin_token(world):
    _token, raw = api_token_create(user=world.users["province_admin"], name="test")
    return raw


def test_openapi_document_lists_the_routes(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/organizations" in paths and "/api/imports/{kind}" in paths


def test_a_token_authenticates_and_only_its_hash_is_stored(client, world, admin_token):
    response = client.get("/api/me", **auth(admin_token))
    assert response.status_code == 200 and response.json()["username"] == "fj-admin"
    stored = ApiToken.objects.get()
    assert admin_token not in (stored.key_hash, stored.prefix) and stored.prefix == admin_token[:10]


def test_revoked_or_wrong_tokens_get_401_json(client, world, admin_token):
    api_token_revoke(token=ApiToken.objects.get())
    for header in (auth(admin_token), auth("pk_wrong"), {}):
        response = client.get("/api/organizations", **header)
        assert response.status_code == 401
        body = response.json()
        assert body["code"] == "unauthenticated" and body["message_zh"] and body["message_en"]


def test_lists_are_scoped_and_paginated(client, world, admin_token):
    response = client.get("/api/organizations?limit=2", **auth(admin_token))
    body = response.json()
    assert body["count"] == 8  # everything in 福建 (35), nothing in 江西 (36)
    assert len(body["items"]) == 2


def test_persons_come_masked_and_the_full_number_is_a_logged_call(client, world, admin_token):
    person = world.persons["p_a"]
    listed = client.get("/api/persons", **auth(admin_token)).json()["items"]
    assert all("*" in item["id_number_masked"] for item in listed)
    assert person.id_number not in json.dumps(listed)
    full = client.post(f"/api/persons/{person.pk}/id-number", **auth(admin_token))
    assert full.json() == {"id_number": person.id_number}
    assert IdNumberView.objects.get().purpose == "api:person_id_number"


def test_bad_input_is_a_4xx_with_a_code_never_a_500(client, world, admin_token):
    cases = [
        ("post", "/api/persons", {"id_number": "123", "name": "x"}, 422),
        ("post", "/api/persons", {"name": "x"}, 422),
        ("post", "/api/organizations/NOPE/status", {"status": "closed", "reason": "x"}, 404),
        ("post", f"/api/organizations/{world.orgs['ent_b'].org_code}/status", {"status": "frozen", "reason": "x"}, 422),
        ("post", f"/api/organizations/{world.orgs['ent_b'].org_code}/status", {"status": "active", "reason": "x"}, 409),
        ("patch", f"/api/organizations/{world.orgs['ent_b'].org_code}", {"operation_items": ["99.9"]}, 400),
        ("get", "/api/persons/not-a-number", None, 422),
        ("get", "/api/exports/nonsense", None, 404),
    ]
    for method, url, payload, status in cases:
        kwargs = {"data": json.dumps(payload), "content_type": "application/json"} if payload is not None else {}
        response = getattr(client, method)(url, **kwargs, **auth(admin_token))
        assert response.status_code == status, (url, response.content)
        body = response.json()
        assert body["code"] and body["message"] == body["message_zh"] and body["message_en"], body


def test_an_api_error_speaks_the_request_language_and_carries_both(client, world, admin_token):
    org_code = world.orgs["ent_b"].org_code
    url = f"/api/organizations/{org_code}/status"
    payload = {"data": json.dumps({"status": "active", "reason": "x"}), "content_type": "application/json"}
    chinese = client.post(url, **payload, **auth(admin_token)).json()
    english = client.post(url, **payload, **auth(admin_token), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").json()
    assert chinese["code"] == english["code"] and chinese["message_zh"] != chinese["message_en"]
    assert chinese["message"] == chinese["message_zh"] and " / " not in chinese["message"]
    assert english["message"] == english["message_en"] == chinese["message_en"]
    assert english["message_zh"] == chinese["message_zh"]
    invalid = client.post(
        "/api/persons",
        data=json.dumps({"id_number": "123", "name": "x"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **auth(admin_token),
    ).json()
    assert invalid["message"] == invalid["message_en"] and invalid["message_zh"] != invalid["message_en"]
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in detail["message"]) for detail in invalid["errors"])


def test_an_invalid_id_number_says_why_in_both_languages(client, world, admin_token):
    response = client.post(
        "/api/persons",
        data=json.dumps({"id_number": "11010519491231002Y", "name": "x"}),
        content_type="application/json",
        **auth(admin_token),
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "身份证号" in text and "ID number" in text, "UTF-8 JSON with both languages"


def test_import_endpoint_returns_the_report_and_writes_nothing_when_rejected(client, world, admin_token):
    rng = random.Random(5)
    good = synthetic.uscc(rng, "350102")
    content = (
        "org_code,kind,name,uscc,region_code,industry\n"
        f"{good},enterprise,好公司,{good},350102,general\n"
        "BAD,enterprise,坏公司,BAD,350102,general\n"
    ).encode()
    upload = io.BytesIO(content)
    upload.name = "orgs.csv"
    response = client.post("/api/imports/organizations", {"file": upload}, **auth(admin_token))
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "rejected" and body["summary"].endswith("rejected 1")
    assert {error["row"] for error in body["errors"]} == {3}
    from peikao.registry.models import Organization

    assert not Organization.objects.filter(org_code=good).exists()
    upload = io.BytesIO(content.splitlines(keepends=True)[0] + content.splitlines(keepends=True)[1])
    upload.name = "orgs.csv"
    response = client.post("/api/imports/organizations", {"file": upload}, **auth(admin_token))
    assert response.status_code == 200 and response.json()["imported"] == 1
    run = client.get(f"/api/imports/runs/{response.json()['id']}", **auth(admin_token)).json()
    assert run["status"] == "imported"


def test_an_analyst_may_not_import(client, world):
    _token, raw = api_token_create(user=world.users["province_analyst"], name="t")
    upload = io.BytesIO(b"org_code,kind,name,region_code\n")
    upload.name = "x.csv"
    response = client.post("/api/imports/organizations", {"file": upload}, **auth(raw))
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_export_of_persons_needs_the_right_to_see_id_numbers(client, world):
    _token, analyst = api_token_create(user=world.users["province_analyst"], name="t")
    assert client.get("/api/exports/persons", **auth(analyst)).status_code == 403
    _token, inspector = api_token_create(user=world.users["county_inspector"], name="t")
    response = client.get("/api/exports/persons?format=csv", **auth(inspector))
    assert response.status_code == 200
    text = read_download(response).decode("utf-8-sig")
    assert world.persons["p_a"].id_number in text and world.persons["p_b"].id_number not in text
    assert IdNumberView.objects.filter(purpose="export:persons").count() == 2  # p_a and p_t
