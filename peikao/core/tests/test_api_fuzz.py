"""Schemathesis over every operation of the API, as a provincial regulator and as a training institution.

Each operation gets the schema's examples, the coverage cases (boundaries, missing and wrong-typed values, NUL
bytes, huge numbers) and a bounded number of random cases, positive and negative, with a fixed seed and no
shrinking. Path, query and body parameters draw from the identifiers of the persona world most of the time, so that
the cases reach the services and selectors behind a route rather than stopping at a 404; the operations that take
another credential than an account's token (an attendance device, a video-analytics feed, a candidate's exam
token) get one. Every answer must be a non-5xx, with a status code, content type and body the OpenAPI document
declares (checks: not_a_server_error, status_code_conformance, content_type_conformance,
response_schema_conformance).

SQLite only: CI runs the suite on both databases and once is enough here (the PostgreSQL-specific NUL refusal is
held on both by test_bad_input.py). By hand: ``PEIKAO_FUZZ_EXAMPLES=200 PEIKAO_FUZZ_SEED=7`` for a longer run,
``PEIKAO_FUZZ_ONLY=/api/classes`` for the operations whose label contains the text, ``PEIKAO_FUZZ_ANY_DB=1`` on
PostgreSQL (which checks lengths and ranges SQLite does not).

The operations are run one by one with schemathesis' own test builder (``build_operation_test``, what its pytest
plugin runs for each operation): its lazy-schema pytest loader does not run under pytest 9 (it sets
``Node._nodeid``), and one test per persona lets the world be built once and every failing operation be reported
together.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.python._constants.orchestrator import make_constants_value_source

from peikao.core.exchange.base import all_kinds
from peikao.core.services import api_token_create

pytestmark = pytest.mark.skipif(
    "sqlite" not in django_settings.DATABASES["default"]["ENGINE"] and not os.environ.get("PEIKAO_FUZZ_ANY_DB"),
    reason="the API fuzz runs on the SQLite run of CI (PEIKAO_FUZZ_ANY_DB=1 runs it on PostgreSQL by hand)",
)

EXAMPLES = int(os.environ.get("PEIKAO_FUZZ_EXAMPLES", "15"))
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance")
DATES = ["0001-01-01", "1900-01-01", "2000-02-29", "2026-06-01", "2099-12-31", "9999-12-31"]
MOMENTS = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T08:00:00+08:00",
    "2026-03-02T09:00:00+08:00",
    "2026-03-02T10:00:00",
    "9999-12-31T20:00:00-12:00",
]


def _dictionaries(world) -> dict[str, list]:
    """Identifiers of the world, to draw parameters from (each persona's own and others')."""
    certificates = [own["certificate"] for own in world.own.values() if own.get("certificate")]
    leads = [own["lead"] for own in world.own.values() if own.get("lead")]
    inspections = [own["inspection"] for own in world.own.values() if own.get("inspection")]
    alerts = [own["alert"] for own in world.own.values() if own.get("alert")]
    kinds = [kind.name for kind in all_kinds()]
    return {
        "org_code": [org.org_code for org in world.orgs.values()],
        "person_id": [person.pk for person in world.persons.values()],
        "class_code": [training_class.class_code for training_class in world.classes.values()],
        "sitting_code": [sitting.sitting_code for sitting in world.sittings.values()],
        "certificate_id": [certificate.pk for certificate in certificates],
        "lead_id": [lead.pk for lead in leads],
        "inspection_code": [inspection.code for inspection in inspections],
        "alert_id": sorted({alert.pk for alert in alerts}),
        "region": ["000000", "350000", "350100", "350102", "360102"],
        "item": ["1.1", "1.2"],
        "kind": kinds,
        "date": DATES,
        "moment": MOMENTS,
        "id_number": [person.id_number for person in world.persons.values()],
        "admission_code": ["12345678"],
        "position": [1, 2, 3],
    }


# parameter (location.name) -> dictionary
BINDINGS = {
    "path.org_code": "org_code",
    "path.person_id": "person_id",
    "path.class_code": "class_code",
    "path.sitting_code": "sitting_code",
    "path.certificate_id": "certificate_id",
    "path.lead_id": "lead_id",
    "path.inspection_code": "inspection_code",
    "path.alert_id": "alert_id",
    "path.code": "region",
    "path.kind": "kind",
    "query.organization": "org_code",
    "query.region": "region",
    "query.region_code": "region",
    "query.parent": "region",
    "query.item": "item",
    "query.operation_item": "item",
    "query.as_of": "date",
    "query.since": "date",
    "query.until": "date",
    "body.org_code": "org_code",
    "body.class_code": "class_code",
    "body.region_code": "region",
    "body.operation_item": "item",
    "body.person_id": "person_id",
    "body.as_of": "date",
    "body.start_date": "date",
    "body.end_date": "date",
    "body.reviewed_on": "date",
    "body.renewed_on": "date",
    "body.decided_on": "date",
    "body.due_on": "date",
    "body.starts_at": "moment",
    "body.ends_at": "moment",
    "body.observed_at": "moment",
    "body.events[*].at": "moment",
    "body.id_number": "id_number",
    "body.id_numbers": "id_number",
    "body.sitting_code": "sitting_code",
    "body.admission_code": "admission_code",
    "path.position": "position",
}


def _machine_keys(world) -> dict[str, str]:
    """The operations that take another credential than an account's token: an attendance device's key, a
    video-analytics feed's key, a candidate's exam token (path regex → bearer)."""
    from django.core import signing

    from peikao.core.models import Region
    from peikao.exams.api import EXAM_TOKEN_SALT
    from peikao.exams.models import Registration
    from peikao.exams.services import feed_register
    from peikao.training.services import device_register

    _, device = device_register(
        actor=world.users["ti_admin"], organization=world.orgs["ti_a"], device_code="FUZZ-1", kind="face"
    )
    _, feed = feed_register(actor=world.users["province_admin"], name="fuzz", region=Region.objects.get(code="350000"))
    registration = Registration.objects.get(sitting=world.sittings["a"], admission_code="12345678")
    return {
        "^/api/attendance/batches$": device,
        "^/api/patrol/events$": feed,
        "^/api/exam/(paper|answers/.*|submit)$": signing.dumps(registration.pk, salt=EXAM_TOKEN_SALT),
    }


def _config(world, token: str, machine_keys: dict[str, str]) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": int(os.environ.get("PEIKAO_FUZZ_SEED", "13")),
            "headers": {"Authorization": f"Bearer {token}"},
            "operations": [
                {"include-path-regex": path, "headers": {"Authorization": f"Bearer {key}"}}
                for path, key in machine_keys.items()
            ],
            "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True, "no-shrink": True},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "dictionaries": {name: {"values": values} for name, values in _dictionaries(world).items() if values},
            "parameters": {key: {"dictionary": name, "probability": 0.7} for key, name in BINDINGS.items()},
        }
    )


def _call(case):
    case.call_and_validate()


@pytest.fixture
def wsgi_app():
    """The WSGI application, without closing the database connection around each request (the test's transaction
    holds the world), as Django's test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.mark.parametrize("persona", ["province_admin", "ti_admin"])
def test_every_operation_answers_as_declared(world, wsgi_app, persona):
    _, token = api_token_create(user=world.users[persona], name="fuzz")
    config = _config(world, token, _machine_keys(world))
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app, config=config)
    feedback = FeedbackSources(constants_value_source=make_constants_value_source(schema))
    only = os.environ.get("PEIKAO_FUZZ_ONLY", "")
    failures, tested = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if only not in operation.label:
            continue
        test = build_operation_test(
            config=schema.config,
            operation=operation,
            test_func=_call,
            given_kwargs={},
            feedback=feedback,
            explicit_settings=settings(
                deadline=None, database=None, suppress_health_check=list(HealthCheck), print_blob=False
            ),
        )
        tested += 1
        try:
            test()
        except (Exception, BaseExceptionGroup, pytest.fail.Exception) as failure:  # every operation, then report
            failures.append(f"{operation.label}\n{failure}")
    assert tested >= (1 if only else 60)
    assert not failures, f"{len(failures)} of {tested} operations failed:\n\n" + "\n\n".join(failures)
