"""The alert queue's pages: scoping (county, city, province), filters and sorting, the evidence of each detector,
and each step of the review through the page (event row, change log), with its refusals."""

from __future__ import annotations

import re

import pytest

from peikao.core.choices import Role
from peikao.core.models import ChangeLog, Region
from peikao.enforcement.models import Finding, Inspection
from peikao.oversight.choices import AlertState
from peikao.oversight.models import Alert, AlertEvent
from peikao.oversight.tests.alerts import make_alert
from peikao.registry.choices import OrganizationKind
from peikao.testing.factories import OrganizationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

DETECTORS = [
    "TRN-PERSON-TWO-PLACES",
    "TRN-TEACHER-TWO-PLACES",
    "TRN-DAY-OVERLOAD",
    "TRN-CLONED-CHECKINS",
    "EXM-IDENTICAL-ANSWERS",
    "EXM-TOO-FAST",
    "EXM-PASS-RATE-OUTLIER",
    "EXM-TRAINING-NOT-SEPARATED",
]


@pytest.fixture
def scene(world):
    """Alerts in 鼓楼 (350102), 台江 (350103, same city) and 思明 (350203, another city) and 南昌 (36)."""
    gulou = OrganizationFactory(kind=OrganizationKind.TRAINING_INSTITUTION, region=Region.objects.get(code="350102"))
    taijiang = world.orgs["ti_b"]
    siming = world.orgs["ent_b"]
    nanchang = world.orgs["ti_c"]
    person = PersonFactory(name="周八")
    alerts = {
        "gulou": make_alert(gulou, person=person),
        "taijiang": make_alert(taijiang, code="TRN-CLONED-CHECKINS"),
        "siming": make_alert(siming, code="EXM-TOO-FAST", person=person),
        "nanchang": make_alert(nanchang, code="EXM-PASS-RATE-OUTLIER"),
        # The world's own: cloned check-ins of 企业 a (鼓楼), 机构 b (台江), 机构 c (南昌).
        **{f"world_{key}": world.own[persona]["alert"] for key, persona in
           (("a", "county_inspector"), ("b", "city_inspector"), ("c", "system_admin"))},
    }  # fmt: skip
    second = UserFactory(username="gl-inspector-2", role=Role.INSPECTOR, region=Region.objects.get(code="350102"))
    return {"world": world, "alerts": alerts, "gulou": gulou, "person": person, "second": second}


def _ids(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/oversight/alerts/(\d+)/"', response.content.decode())}


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("county_inspector", {"gulou", "world_a"}),
        ("city_inspector", {"gulou", "taijiang", "world_a", "world_b"}),
        ("province_admin", {"gulou", "taijiang", "siming", "world_a", "world_b"}),
        ("ministry_admin", {"gulou", "taijiang", "siming", "nanchang", "world_a", "world_b", "world_c"}),
    ],
)
def test_the_queue_shows_the_alerts_of_the_jurisdiction_only(client, scene, persona, sees):
    client.force_login(scene["world"].users[persona])
    response = client.get("/oversight/alerts/")
    assert response.status_code == 200
    assert _ids(response) == {scene["alerts"][key].pk for key in sees}
    for key, alert in scene["alerts"].items():
        answer = client.get(f"/oversight/alerts/{alert.pk}/")
        assert answer.status_code == (200 if key in sees else 404), (persona, key)


@pytest.mark.parametrize("persona", ["ti_admin", "ent_admin", "candidate"])
def test_the_queue_does_not_exist_for_organisations_and_candidates(client, scene, persona):
    client.force_login(scene["world"].users[persona])
    assert client.get("/oversight/alerts/").status_code == 404
    assert client.get(f"/oversight/alerts/{scene['alerts']['gulou'].pk}/").status_code == 404


def test_filters_and_sorting(client, scene):
    client.force_login(scene["world"].users["province_admin"])
    alerts = scene["alerts"]
    assert _ids(client.get("/oversight/alerts/?detector=EXM-TOO-FAST")) == {alerts["siming"].pk}
    fuzhou = {alerts[key].pk for key in ("gulou", "taijiang", "world_a", "world_b")}
    assert _ids(client.get("/oversight/alerts/?subject_kind=training")) == fuzhou
    assert _ids(client.get("/oversight/alerts/?subject_kind=exam")) == {alerts["siming"].pk}
    assert _ids(client.get("/oversight/alerts/?region=350100")) == fuzhou
    assert _ids(client.get("/oversight/alerts/?region=350103")) == {alerts["taijiang"].pk, alerts["world_b"].pk}
    assert _ids(client.get("/oversight/alerts/?state=reviewing")) == set()
    assert _ids(client.get("/oversight/alerts/?period_from=2026-09-16")) == set()
    assert len(_ids(client.get("/oversight/alerts/?period_to=2026-09-15"))) == 5
    assert _ids(client.get("/oversight/alerts/?period_to=2026-09-14")) == set()
    # A value that is no choice (or no date) is ignored, not a 500.
    assert len(_ids(client.get("/oversight/alerts/?severity=extreme&period_from=2026-02-31&sort=x"))) == 5
    low = make_alert(scene["gulou"], code="EXM-PASS-RATE-OUTLIER", severity="low")
    body = client.get("/oversight/alerts/?sort=severity").content.decode()
    order = [int(pk) for pk in re.findall(r'href="/oversight/alerts/(\d+)/"', body)]
    assert order[-1] == low.pk
    body = client.get("/oversight/alerts/?sort=-age").content.decode()
    assert int(re.findall(r'href="/oversight/alerts/(\d+)/"', body)[0]) == low.pk


@pytest.mark.parametrize("code", DETECTORS)
def test_an_alert_page_shows_its_evidence_in_words(client, scene, code):
    alert = make_alert(scene["gulou"], code=code, person=scene["person"])
    client.force_login(scene["world"].users["county_inspector"])
    response = client.get(f"/oversight/alerts/{alert.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="compact evidence"' in body
    assert alert.explanation in body
    assert scene["person"].id_number not in body  # masked
    for internal in ('"trainee"', ">trainee<", ">proctor<", ">teacher<", "p_value", "same_wrong"):
        assert internal not in body, internal
    if code in ("TRN-PERSON-TWO-PLACES", "TRN-TEACHER-TWO-PLACES", "TRN-DAY-OVERLOAD"):
        assert "<svg" in body and 'class="lesson"' in body
        assert ('class="overlap"' in body) == (code != "TRN-DAY-OVERLOAD")  # back to back: no overlap
        assert "L-A-1" in body and "L-B-1" in body
    if code == "EXM-IDENTICAL-ANSWERS":
        assert "98.0%" in body
    if code == "EXM-PASS-RATE-OUTLIER":
        assert "1.2e-09" in body and "100.0%" in body and "70.0%" in body
        assert "2026年第3季度" in body and "2026Q3" not in body


def test_an_alert_page_links_to_its_subject(client, scene):
    client.force_login(scene["world"].users["county_inspector"])
    body = client.get(f"/oversight/alerts/{scene['alerts']['gulou'].pk}/").content.decode()
    assert f'href="/registry/organizations/{scene["gulou"].org_code}/"' in body


def test_an_analyst_sees_the_alert_but_no_step(client, scene):
    client.force_login(scene["world"].users["province_analyst"])
    alert = scene["alerts"]["gulou"]
    body = client.get(f"/oversight/alerts/{alert.pk}/").content.decode()
    assert "review-form" not in body and "confirm-form" not in body and "dismiss-form" not in body
    response = client.post(f"/oversight/alerts/{alert.pk}/do/review/", {"review-note": "x"})
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.state == AlertState.NEW


def _log(alert) -> list[str]:
    return list(
        ChangeLog.objects.filter(content_type__model="alert", object_id=str(alert.pk)).values_list("action", flat=True)
    )


def test_review_then_dismiss_through_the_page(client, scene):
    alert = scene["alerts"]["gulou"]
    client.force_login(scene["world"].users["county_inspector"])
    response = client.post(f"/oversight/alerts/{alert.pk}/do/review/", {"review-note": "看看"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.REVIEWING
    # Without a reason: the error beside the field, nothing written.
    response = client.post(f"/oversight/alerts/{alert.pk}/do/dismiss/", {"dismiss-reason": ""})
    assert response.status_code == 400
    assert response.context["dismiss_form"].errors["reason"]
    page = response.content.decode()
    form = page[page.index('id="dismiss-form"') : page.index("</form>", page.index('id="dismiss-form"'))]
    assert "errorlist" in form  # beside the field, in the dismiss form left open
    assert "<details open>" in page
    response = client.post(f"/oversight/alerts/{alert.pk}/do/dismiss/", {"dismiss-reason": "other", "dismiss-note": ""})
    assert response.status_code == 400 and response.context["dismiss_form"].errors["note"]
    alert.refresh_from_db()
    assert alert.state == AlertState.REVIEWING
    response = client.post(f"/oversight/alerts/{alert.pk}/do/dismiss/", {"dismiss-reason": "data_error"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.state, alert.dismiss_reason) == (AlertState.DISMISSED, "data_error")
    steps = list(AlertEvent.objects.filter(alert=alert).order_by("id").values_list("old_status", "new_status"))
    assert steps == [("new", "reviewing"), ("reviewing", "dismissed")]
    assert _log(alert)
    body = client.get(f"/oversight/alerts/{alert.pk}/").content.decode()
    assert "reopen-form" in body and "confirm-form" not in body
    # Reopen needs a note.
    response = client.post(f"/oversight/alerts/{alert.pk}/do/reopen/", {"reopen-note": " "})
    assert response.status_code == 400
    response = client.post(f"/oversight/alerts/{alert.pk}/do/reopen/", {"reopen-note": "新证据"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.REVIEWING


def test_confirm_into_a_new_inspection_through_the_page(client, scene):
    alert = scene["alerts"]["gulou"]
    user, second = scene["world"].users["county_inspector"], scene["second"]
    client.force_login(user)
    # One inspector only: refused beside the field, nothing written.
    response = client.post(
        f"/oversight/alerts/{alert.pk}/do/confirm/",
        {"confirm-inspection": "new", "confirm-inspectors": [str(user.pk)], "confirm-kind": "special"},
    )
    assert response.status_code == 400 and response.context["confirm_form"].errors["inspectors"]
    assert not Inspection.objects.filter(organization=scene["gulou"]).exists()
    response = client.post(
        f"/oversight/alerts/{alert.pk}/do/confirm/",
        {
            "confirm-inspection": "new",
            "confirm-inspectors": [str(user.pk), str(second.pk)],
            "confirm-kind": "special",
            "confirm-inspected_on": "2026-10-20",
            "confirm-note": "现场核实",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    alert.refresh_from_db()
    assert alert.state == AlertState.CONFIRMED
    finding = Finding.objects.get(pk=alert.finding_id)
    assert finding.inspection.organization == scene["gulou"]
    assert alert.explanation in finding.description and "现场核实" in finding.description
    assert finding.person == scene["person"]
    assert [e.new_status for e in AlertEvent.objects.filter(alert=alert).order_by("id")] == ["reviewing", "confirmed"]
    body = client.get(f"/oversight/alerts/{alert.pk}/").content.decode()
    assert f'href="/enforcement/inspections/{finding.inspection.code}/"' in body
    assert "confirm-form" not in body and "dismiss-form" not in body


def test_confirm_into_a_planned_inspection_starts_it(client, scene):
    from peikao.enforcement import services as enforcement

    alert = scene["alerts"]["gulou"]
    user, second = scene["world"].users["county_inspector"], scene["second"]
    planned = enforcement.inspection_create(
        actor=user, organization=scene["gulou"], kind="routine", inspected_on=alert.period_to, inspectors=[user, second]
    )
    client.force_login(user)
    body = client.get(f"/oversight/alerts/{alert.pk}/").content.decode()
    assert planned.code in body
    response = client.post(f"/oversight/alerts/{alert.pk}/do/confirm/", {"confirm-inspection": planned.code})
    assert response.status_code == 302
    planned.refresh_from_db()
    alert.refresh_from_db()
    assert alert.inspection == planned and planned.status == "in_progress"


def test_a_step_on_a_foreign_alert_is_404_and_writes_nothing(client, scene):
    alert = scene["alerts"]["taijiang"]
    client.force_login(scene["world"].users["county_inspector"])
    for action, data in (("review", {}), ("dismiss", {"dismiss-reason": "other", "dismiss-note": "x"})):
        assert client.post(f"/oversight/alerts/{alert.pk}/do/{action}/", data).status_code == 404
    alert.refresh_from_db()
    assert alert.state == AlertState.NEW and not alert.events.exists()


def test_an_unknown_step_is_404(client, scene):
    client.force_login(scene["world"].users["county_inspector"])
    assert client.post(f"/oversight/alerts/{scene['alerts']['gulou'].pk}/do/explode/").status_code == 404
    assert Alert.objects.filter(state=AlertState.NEW).count() == len(scene["alerts"])
