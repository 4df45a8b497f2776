"""Bad input is a 4xx with its reason, never a 500 (issue 13, item 7): NUL characters anywhere a request could
carry them to the database (PostgreSQL refuses NUL in text), list bounds beyond a 64-bit integer, days no rule
judges, and error bodies that match the error schema the OpenAPI document declares. Runs on both databases."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import DataError, connection
from django.test import override_settings

from peikao.api import ErrorOut
from peikao.certificates.models import Lookup
from peikao.compliance.models import ComplianceScan
from peikao.core.paging import API_MAX_LIMIT, API_MAX_OFFSET
from peikao.core.services import api_token_create
from peikao.registry.models import Person
from peikao.training.models import TrainingClass

pytestmark = pytest.mark.django_db

BIGINT = 2**63


@pytest.fixture
def token(world):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.users['province_admin'], name='t')[1]}"}


@pytest.fixture
def ti_token(world):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.users['ti_admin'], name='t')[1]}"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    body = json.loads(response.content)
    ErrorOut.model_validate(body)  # the body is what the OpenAPI document declares
    assert body["code"] == code and body["message_zh"] and body["message_en"]
    assert body["message_zh"] != body["message_en"]  # Chinese and English, not the English twice
    return body


# -- NUL ------------------------------------------------------------------------------------------------------


def public_services():
    from peikao import settings_public

    yield "platform", override_settings()
    yield "public", override_settings(ROOT_URLCONF="peikao.public_urls", MIDDLEWARE=settings_public.MIDDLEWARE)


@pytest.mark.parametrize("service", ["platform", "public"])
def test_a_nul_in_the_anonymous_verify_api_is_a_400_with_the_reason(client, world, service):
    settings = dict(public_services())[service]
    certificate = world.own["province_admin"]["certificate"]
    with settings:
        for path, payload in (
            ("/api/public/verify", {"cert_no": certificate.cert_no + "\x00", "name": "李四"}),
            ("/api/public/verify", {"cert_no": certificate.cert_no, "name": "李\x00四"}),
            ("/api/public/verify/token", {"token": "abc\x00def"}),
        ):
            body = assert_error(client.post(path, payload, content_type="application/json"), 400, "nul_character")
            assert body["errors"] == [{"location": "body", "message": body["message"]}]
        # a backslash followed by "u0000" is text, not a NUL: looked up (and not found) as usual
        answer = client.post(
            "/api/public/verify", {"cert_no": "T\\u0000", "name": "李四"}, content_type="application/json"
        )
        assert answer.status_code == 200 and answer.json()["outcome"] == "not_found"
        # the pages: a scanned token and the lookup form
        page = client.get("/v/abc%00def")
        assert page.status_code == 400 and "NUL" in page.content.decode()
        form = urlencode({"cert_no": "T\x00", "name": "李四"})
        assert client.post("/verify/", form, content_type="application/x-www-form-urlencoded").status_code == 400
        # a multipart form is not read before its view: the form's fields refuse the NUL (Django's validator)
        refused = client.post("/verify/", {"cert_no": "T\x00", "name": "李四"})
        assert refused.status_code == 200 and 'data-outcome="' not in refused.content.decode()
    assert Lookup.objects.count() == 1  # only the lookup of the backslash; the refused ones reached nothing


@pytest.mark.parametrize(
    "payload", [{"cert_no": 5, "name": "李四"}, {"cert_no": "T1"}, {"cert_no": "T" * 5000, "name": ""}]
)
def test_the_public_verify_apis_422_is_the_declared_error_body(client, payload):
    body = assert_error(
        client.post("/api/public/verify", payload, content_type="application/json"), 422, "invalid_request"
    )
    assert body["errors"] and all(error["message"] for error in body["errors"])


def test_a_nul_in_a_path_parameter_a_query_or_a_json_string_is_a_400(client, world, token):
    assert_error(client.get("/api/regions/35%000000", **token), 400, "nul_character")
    assert_error(client.get("/api/organizations?q=a%00b", **token), 400, "nul_character")
    org = world.orgs["ent_b"].org_code
    assert_error(client.get(f"/api/organizations/{org}/compliance?as_of=2026-01-01%00", **token), 400, "nul_character")
    before = Person.objects.count()
    response = client.post(
        "/api/persons",
        {"id_number": "11010519491231002X", "name": "张\x00三"},
        content_type="application/json",
        **token,
    )
    body = assert_error(response, 400, "nul_character")
    assert body["errors"][0]["location"] == "body"
    assert Person.objects.count() == before


def test_a_nul_in_a_cookie_is_a_400_before_the_session_is_looked_up(client, world):
    client.cookies["sessionid"] = "\x00" + "a" * 31
    response = client.get("/login/")
    assert response.status_code == 400 and "NUL" in response.content.decode()


def test_a_value_the_database_refuses_is_a_400_not_a_500(client, world):
    """A multipart form is not scanned for NUL before its view; a view that reads a field itself hands the NUL to
    the database, which PostgreSQL refuses (a DataError): answered 400 with the reason, not a 500."""
    client.force_login(world.users["province_admin"])
    response = client.post("/compliance/scan/", {"region": "35\x000000"})  # multipart, read by the view
    assert response.status_code < 500
    if connection.vendor == "postgresql":
        assert response.status_code == 400 and "数据库" in response.content.decode()
    assert not ComplianceScan.objects.exists()


def test_the_refusal_of_the_database_is_the_declared_error_body_under_the_api(rf):
    from peikao.core.badinput import BadInputMiddleware

    response = BadInputMiddleware(lambda request: None).process_exception(rf.get("/api/persons"), DataError("x"))
    assert_error(response, 400, "invalid_data")
    page = BadInputMiddleware(lambda request: None).process_exception(rf.get("/registry/"), DataError("x"))
    assert page.status_code == 400 and page["Content-Type"].startswith("text/plain")


# -- limit and offset -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, location",
    [
        (f"limit={BIGINT}", "query.limit"),
        (f"offset={BIGINT}", "query.offset"),
        (f"offset={10**30}", "query.offset"),
        (f"limit={API_MAX_LIMIT + 1}", "query.limit"),
        (f"offset={API_MAX_OFFSET + 1}", "query.offset"),
        ("limit=0", "query.limit"),
        ("offset=-1", "query.offset"),
    ],
)
def test_limit_and_offset_beyond_their_bounds_are_a_422(client, world, token, query, location):
    for path in ("/api/regions", "/api/organizations", "/api/certificates"):
        body = assert_error(client.get(f"{path}?{query}", **token), 422, "invalid_request")
        assert [error["location"] for error in body["errors"]] == [location]


def test_the_largest_offset_and_limit_answer_an_empty_page(client, world, token):
    response = client.get(f"/api/regions?limit={API_MAX_LIMIT}&offset={API_MAX_OFFSET}", **token)
    assert response.status_code == 200 and response.json()["items"] == []


def test_the_openapi_document_declares_the_bounds(client):
    parameters = client.get("/api/openapi.json").json()["paths"]["/api/regions"]["get"]["parameters"]
    schema = {parameter["name"]: parameter["schema"] for parameter in parameters}
    assert schema["limit"]["maximum"] == API_MAX_LIMIT and schema["offset"]["maximum"] == API_MAX_OFFSET


# -- days no rule judges --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of, code",
    [
        ("0001-01-01", "date_out_of_range"),
        ("1000-06-15", "no_rule_in_force"),
        ("1900-01-01", "no_rule_in_force"),
        ("9999-12-31", "date_out_of_range"),
    ],
)
def test_compliance_on_a_day_no_rule_judges_is_a_400_with_the_reason(client, world, token, as_of, code):
    org = world.orgs["ent_b"].org_code
    body = assert_error(client.get(f"/api/organizations/{org}/compliance?as_of={as_of}", **token), 400, code)
    assert as_of in body["message_zh"] and as_of in body["message_en"]
    scan = client.post(
        "/api/compliance/scans", {"region_code": "350000", "as_of": as_of}, content_type="application/json", **token
    )
    assert_error(scan, 400, code)
    assert not ComplianceScan.objects.exists()
    assert_error(client.get(f"/api/exports/compliance_gaps?as_of={as_of}", **token), 400, code)


@pytest.mark.parametrize("as_of", ["2020-01-01", "2099-12-31", "9999-12-30"])
def test_compliance_on_any_day_a_rule_is_in_force_is_judged(client, world, token, as_of):
    org = world.orgs["ent_b"].org_code
    response = client.get(f"/api/organizations/{org}/compliance?as_of={as_of}", **token)
    assert response.status_code == 200 and isinstance(response.json(), list)


def test_the_compliance_page_on_year_one_is_a_400_page_with_the_reason(client, world):
    client.force_login(world.users["province_admin"])
    response = client.get(f"/compliance/enterprises/{world.orgs['ent_b'].org_code}/?as_of=0001-01-01")
    assert response.status_code == 400 and "0001-01-01" in response.content.decode()


def test_the_compliance_page_on_a_day_that_does_not_exist_shows_today(client, world):
    client.force_login(world.users["province_admin"])
    response = client.get(f"/compliance/enterprises/{world.orgs['ent_b'].org_code}/?as_of=2026-02-30")
    assert response.status_code == 200


def class_payload(org_code: str, **changes) -> dict:
    payload = {
        "class_code": "CLS-OLD",
        "org_code": org_code,
        "trainee_category": "employee",
        "training_type": "initial",
        "start_date": "1900-03-01",
        "end_date": "1900-03-10",
    }
    return {**payload, **changes}


def test_a_class_dated_before_any_hour_rule_needs_its_syllabus_hours(client, world, ti_token):
    org = world.orgs["ti_a"].org_code
    response = client.post("/api/classes", class_payload(org), content_type="application/json", **ti_token)
    body = assert_error(response, 400, "requirement_unknown")
    assert "1900-03-01" in body["message_zh"]
    response = client.post(
        "/api/classes", class_payload(org, syllabus_hours="24"), content_type="application/json", **ti_token
    )
    assert response.status_code == 201 and response.json()["required_hours"] == "24.0"


@pytest.mark.parametrize("hours", ["-8", "0", "1000", "1e30"])
def test_syllabus_hours_out_of_bounds_are_a_422_not_a_crash(client, world, ti_token, hours):
    org = world.orgs["ti_a"].org_code
    payload = class_payload(org, syllabus_hours=hours, start_date="2026-03-01", end_date="2026-03-10")
    response = client.post("/api/classes", payload, content_type="application/json", **ti_token)
    assert [error["location"] for error in assert_error(response, 422, "invalid_request")["errors"]] == [
        "body.payload.syllabus_hours"
    ]
    assert not TrainingClass.objects.filter(class_code="CLS-OLD").exists()


@pytest.mark.parametrize("hours", [Decimal(-8), Decimal(0), Decimal(1000)])
def test_the_requirement_refuses_syllabus_hours_out_of_bounds(world, hours):
    from peikao.core.errors import DomainError
    from peikao.training.rules import requirement

    with pytest.raises(DomainError) as raised:
        requirement(
            category="employee", industry=None, training_type="initial", syllabus_hours=hours, on=dt.date(1900, 1, 1)
        )
    assert raised.value.code == "syllabus_hours_invalid"


# -- times on the calendar's edge --------------------------------------------------------------------------------

EDGE_TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T20:00:00-12:00"]


@pytest.mark.parametrize("moment", EDGE_TIMES)
def test_a_lesson_on_the_calendars_edge_is_a_422(client, world, ti_token, moment):
    training_class = world.classes["ti_a"]
    payload = {"lesson_code": "L-EDGE", "mode": "online", "starts_at": moment, "ends_at": moment}
    response = client.post(
        f"/api/classes/{training_class.class_code}/lessons", payload, content_type="application/json", **ti_token
    )
    locations = [error["location"] for error in assert_error(response, 422, "invalid_request")["errors"]]
    assert locations == ["body.payload.starts_at", "body.payload.ends_at"]


@pytest.mark.parametrize("moment", EDGE_TIMES)
def test_a_patrol_event_on_the_calendars_edge_is_a_422(client, world, moment):
    from peikao.core.models import Region
    from peikao.exams.services import feed_register

    _, key = feed_register(actor=world.users["province_admin"], name="t", region=Region.objects.get(code="350000"))
    payload = {"external_id": "e1", "sitting_code": "SIT-A", "observed_at": moment, "observation": "x"}
    response = client.post(
        "/api/patrol/events", payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert [error["location"] for error in assert_error(response, 422, "invalid_request")["errors"]] == [
        "body.payload.observed_at"
    ]


def test_attendance_on_the_calendars_edge_is_a_rejected_event_not_a_crash(client, world, ti_token):
    from peikao.training.services import device_register

    training_class = world.classes["ti_a"]
    day = training_class.start_date.isoformat()
    lesson = {"lesson_code": "L1", "mode": "online", "starts_at": f"{day}T09:00+08:00", "ends_at": f"{day}T10:00+08:00"}
    url = f"/api/classes/{training_class.class_code}/lessons"
    assert client.post(url, lesson, content_type="application/json", **ti_token).status_code == 201
    _, key = device_register(
        actor=world.users["ti_admin"], organization=world.orgs["ti_a"], device_code="D1", kind="face"
    )
    person = world.persons["p_a"]
    events = [
        {"lesson_code": "L1", "id_number": person.id_number, "event": "in", "at": at}
        for at in ["0001-01-01T07:00:00+14:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00", f"{day}T09:01:00"]
    ]
    response = client.post(
        "/api/attendance/batches",
        {"batch_id": "B1", "events": events},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 1 and [(row["index"], row["field"]) for row in body["report"]] == [
        (0, "at"),
        (1, "at"),
        (2, "at"),
    ]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_an_imported_time_on_the_calendars_edge_is_a_rejected_row(client, world, ti_token, moment):
    training_class = world.classes["ti_a"]
    upload = io.BytesIO(
        f"lesson_code,class_code,mode,starts_at,ends_at\nLX,{training_class.class_code},online,{moment},{moment}\n".encode()
    )
    upload.name = "lessons.csv"
    response = client.post("/api/imports/lessons", {"file": upload}, **ti_token)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "rejected" and {error["column"] for error in body["errors"]} == {"starts_at", "ends_at"}


def test_within_calendar():
    from peikao.core.validators import within_calendar

    beijing = dt.timezone(dt.timedelta(hours=8))
    assert within_calendar(dt.datetime(1, 1, 1, 8, tzinfo=beijing))  # 0001-01-01T00:00Z
    assert not within_calendar(dt.datetime(1, 1, 1, 7, tzinfo=beijing))
    assert not within_calendar(dt.datetime(1, 1, 1, 7))  # naive: Beijing time
    assert not within_calendar(dt.datetime(9999, 12, 31, 20, tzinfo=dt.timezone(dt.timedelta(hours=-12))))
    assert within_calendar(dt.datetime(9999, 12, 31, 15, tzinfo=dt.UTC))


# -- the declared error bodies --------------------------------------------------------------------------------


def test_every_operation_declares_its_error_bodies(client):
    document = client.get("/api/openapi.json").json()
    assert set(document["components"]["schemas"]["ErrorOut"]["required"]) == {
        "code",
        "message",
        "message_zh",
        "message_en",
    }
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for status in ("400", "401", "403", "404", "409", "422", "429"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                refs = [schema] + schema.get("anyOf", [])
                assert {"$ref": "#/components/schemas/ErrorOut"} in refs, (method, path, status)


def test_an_unreadable_body_is_a_400_in_the_declared_shape(client, world, token):
    broken_json = client.post("/api/persons", "{not json", content_type="application/json", **token)
    assert_error(broken_json, 400, "invalid_json")
    # a body declared multipart without its boundary: an upload, and a form read by the exam login's throttle
    upload = client.post("/api/imports/persons", b"x", content_type="multipart/form-data", **token)
    assert_error(upload, 400, "invalid_body")
    login = client.post(
        "/api/exam/session", b'{"id_number": "1", "admission_code": "2"}', content_type="multipart/form-data"
    )
    assert login.status_code in (400, 422) and login["Content-Type"].startswith("application/json")
    ErrorOut.model_validate(login.json())


def test_a_model_validation_error_is_a_422_in_the_declared_shape(rf):
    """A Django ValidationError raised by a service (not by the request's schema) lists its errors as
    ``{location, message}`` like a request validation error (it was a dict of lists, which no schema declared)."""
    from django.core.exceptions import ValidationError

    from peikao.api import on_validation_error

    response = on_validation_error(rf.get("/api/persons"), ValidationError({"name": ["太长。", "含有非法字符。"]}))
    assert response.status_code == 422
    body = ErrorOut.model_validate_json(response.content)
    assert [(error.location, error.message) for error in body.errors or []] == [
        ("name", "太长。"),
        ("name", "含有非法字符。"),
    ]
