"""Running the detectors into alerts (an idempotent upsert), the detect command, the review transitions and who
sees which alerts."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from peikao.core.choices import Role
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.models import ChangeLog, Region
from peikao.enforcement.models import Finding, Inspection
from peikao.oversight import selectors, services
from peikao.oversight.choices import ALERT_TRANSITIONS, AlertState
from peikao.oversight.models import Alert, AlertEvent, DetectorRun
from peikao.oversight.tests.helpers import DAY, at, attend, enrol, institution, lesson, training_class
from peikao.registry.choices import OrganizationKind
from peikao.testing.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _overload(code: str = "350102"):
    """A trainee credited 540 minutes on one day by one institution of ``code``."""
    cls = training_class(institution(code))
    person = enrol(cls)
    attend(lesson(cls, "08:00", "12:00"), person, at(DAY, "08:00"), at(DAY, "12:00"))
    afternoon = lesson(cls, "13:00", "18:00")
    attend(afternoon, person, at(DAY, "13:00"), at(DAY, "18:00"))
    return cls, person, afternoon


def _inspectors(code: str = "350102", n: int = 2):
    region = Region.objects.get(code=code)
    return [UserFactory(role=Role.INSPECTOR, region=region) for _ in range(n)]


def detect(**kwargs):
    return {r.code: (r.found, r.created) for r in services.alerts_detect(actor=None, **kwargs)}


# -- detection -------------------------------------------------------------------------------------------------


def test_a_run_creates_alerts_with_a_chinese_explanation_and_logs_them():
    cls, person, _afternoon = _overload()
    assert detect(detectors=["TRN-DAY-OVERLOAD"]) == {"TRN-DAY-OVERLOAD": (1, 1)}
    alert = Alert.objects.get()
    assert (alert.organization_id, alert.person_id, alert.state) == (cls.organization_id, person.pk, AlertState.NEW)
    assert (alert.severity, alert.violation_code) == ("high", "TI-SYLLABUS")
    assert alert.explanation.startswith(f"学员{person.name}于2026年9月15日（北京时间）在2节课中合计获记540分钟")
    assert "{" not in alert.explanation
    assert ChangeLog.objects.filter(content_type__model="alert", object_id=str(alert.pk), action="create").exists()
    assert DetectorRun.objects.get(detector_id="TRN-DAY-OVERLOAD").found == 1


def test_a_rerun_creates_no_duplicate_refreshes_the_evidence_and_keeps_the_state():
    cls, person, afternoon = _overload()
    detect(detectors=["TRN-DAY-OVERLOAD"])
    alert = Alert.objects.get()
    services.alert_review(actor=_inspectors()[0], alert=alert)
    first_seen = alert.first_seen
    assert detect(detectors=["TRN-DAY-OVERLOAD"]) == {"TRN-DAY-OVERLOAD": (1, 0)}
    # more evidence arrives for the same day: the same alert, its figures refreshed
    evening = lesson(cls, "19:00", "20:00")
    attend(evening, person, at(DAY, "19:00"), at(DAY, "20:00"))
    assert detect(detectors=["TRN-DAY-OVERLOAD"]) == {"TRN-DAY-OVERLOAD": (1, 0)}
    alert = Alert.objects.get()
    assert alert.state == AlertState.REVIEWING and alert.first_seen == first_seen
    assert alert.evidence["minutes"] == 600 and len(alert.evidence["lessons"]) == 3
    assert "600分钟" in alert.explanation


def test_all_detectors_run_over_clean_data_and_find_nothing():
    a, b = training_class(), training_class(institution("350103"))
    for cls in (a, b):
        person = enrol(cls)
        attend(lesson(cls, "09:00", "11:00"), person, at(DAY, "09:00"), at(DAY, "11:00"))
    results = detect()
    assert len(results) == 8 and all(found == 0 for found, _new in results.values())
    assert Alert.objects.count() == 0


def test_the_run_is_limited_to_the_actors_jurisdiction():
    _overload("350102")
    _overload("350103")
    county = _inspectors("350102", 1)[0]
    results = services.alerts_detect(actor=county, detectors=["TRN-DAY-OVERLOAD"])
    assert [(r.found, r.created) for r in results] == [(1, 1)]
    assert set(Alert.objects.values_list("organization__region_id", flat=True)) == {"350102"}
    with pytest.raises(PermissionDenied):
        services.alerts_detect(actor=county, region="350103")
    clerk = UserFactory(role=Role.ORG_CLERK, organization=OrganizationFactory())
    with pytest.raises(PermissionDenied):
        services.alerts_detect(actor=clerk)


def test_bad_arguments_are_refused_before_anything_runs():
    with pytest.raises(DomainError) as error:
        services.alerts_detect(actor=None, detectors=["NO-SUCH"])
    assert error.value.code == "unknown_detector"
    with pytest.raises(DomainError):
        services.alerts_detect(actor=None, region="999999")
    with pytest.raises(DomainError):
        services.alerts_detect(actor=None, date_from=DAY, date_to=DAY - dt.timedelta(days=1))
    assert DetectorRun.objects.count() == 0


def test_the_detect_command_prints_a_line_per_detector():
    _overload()
    out = StringIO()
    call_command("detect", "--detector", "TRN-DAY-OVERLOAD", "--detector", "TRN-CLONED-CHECKINS", stdout=out)
    assert out.getvalue().splitlines() == [
        "TRN-DAY-OVERLOAD: 1 alerts (1 new)",
        "TRN-CLONED-CHECKINS: 0 alerts (0 new)",
    ]
    out = StringIO()
    call_command("detect", "--region", "350102", "--from", "2026-09-15", "--to", "2026-09-15", stdout=out)
    assert "TRN-DAY-OVERLOAD: 1 alerts (0 new)" in out.getvalue().splitlines()


@pytest.mark.parametrize(
    "args, words",
    [
        (["--detector", "NOPE"], ["NOPE", "No detector has the code"]),
        (["--region", "123"], ["123", "No region"]),
        (["--from", "2026-02-30"], ["2026-02-30", "is not a date"]),
        (["--from", "2026-09-16", "--to", "2026-09-15"], ["start date is after"]),
    ],
)
def test_the_detect_command_refuses_bad_arguments_in_chinese_and_english(args, words):
    with pytest.raises(CommandError) as error:
        call_command("detect", *args, stdout=StringIO())
    message = str(error.value)
    assert all(word in message for word in words) and " / " in message
    assert any("\u4e00" <= char <= "\u9fff" for char in message)


# -- the review ------------------------------------------------------------------------------------------------


@pytest.fixture
def alert():
    _overload()
    detect(detectors=["TRN-DAY-OVERLOAD"])
    return Alert.objects.get()


def test_the_transition_map_is_the_queue_of_the_issue():
    assert ALERT_TRANSITIONS == {
        ("new", "reviewing"): "review",
        ("reviewing", "confirmed"): "confirm",
        ("reviewing", "dismissed"): "dismiss",
        ("dismissed", "reviewing"): "reopen",
    }


def test_review_then_dismiss_needs_a_reason_and_leaves_events(alert):
    inspector = _inspectors()[0]
    services.alert_review(actor=inspector, alert=alert)
    with pytest.raises(DomainError):
        services.alert_dismiss(actor=inspector, alert=alert, reason="")
    with pytest.raises(DomainError):
        services.alert_dismiss(actor=inspector, alert=alert, reason="other", note=" ")
    services.alert_dismiss(actor=inspector, alert=alert, reason="data_error", note="考勤导入重复，已重新导入")
    alert.refresh_from_db()
    assert (alert.state, alert.dismiss_reason) == (AlertState.DISMISSED, "data_error")
    events = list(AlertEvent.objects.filter(alert=alert).values_list("transition", "actor_id", "reason"))
    assert events == [("review", inspector.pk, ""), ("dismiss", inspector.pk, "考勤导入重复，已重新导入")]
    with pytest.raises(Conflict):
        services.alert_review(actor=inspector, alert=alert)
    services.alert_reopen(actor=inspector, alert=alert, note="复核发现考勤并非重复")
    alert.refresh_from_db()
    assert (alert.state, alert.dismiss_reason) == (AlertState.REVIEWING, "")


def test_a_rerun_does_not_reopen_a_dismissed_alert(alert):
    services.alert_dismiss(actor=_inspectors()[0], alert=alert, reason="explained")
    detect(detectors=["TRN-DAY-OVERLOAD"])
    alert.refresh_from_db()
    assert alert.state == AlertState.DISMISSED and Alert.objects.count() == 1


def test_confirm_into_a_new_inspection_records_a_prefilled_finding(alert):
    inspector, colleague = _inspectors()
    finding = services.alert_confirm(actor=inspector, alert=alert, inspectors=[inspector, colleague])
    alert.refresh_from_db()
    assert alert.state == AlertState.CONFIRMED and alert.finding == finding
    assert finding.inspection.organization_id == alert.organization_id
    assert finding.inspection.status == "in_progress"
    assert finding.violation.code == "TI-SYLLABUS" and finding.person_id == alert.person_id
    assert finding.description.startswith(alert.explanation)
    assert list(AlertEvent.objects.filter(alert=alert).values_list("transition", flat=True)) == ["review", "confirm"]
    with pytest.raises(Conflict):
        services.alert_confirm(actor=inspector, alert=alert, inspectors=[inspector, colleague])
    assert Finding.objects.count() == 1


def test_confirm_into_a_planned_inspection_of_the_subject_starts_it(alert):
    from peikao.enforcement import services as enforcement

    inspector, colleague = _inspectors()
    planned = enforcement.inspection_create(
        actor=inspector,
        organization=alert.organization,
        kind="routine",
        inspected_on=DAY,
        inspectors=[inspector, colleague],
    )
    other = enforcement.inspection_create(
        actor=inspector,
        organization=institution(),
        kind="routine",
        inspected_on=DAY,
        inspectors=[inspector, colleague],
    )
    with pytest.raises(DomainError):
        services.alert_confirm(actor=inspector, alert=alert, inspection=other)
    finding = services.alert_confirm(actor=inspector, alert=alert, inspection=planned)
    assert finding.inspection_id == planned.pk
    assert Inspection.objects.get(pk=planned.pk).status == "in_progress"


def test_confirm_needs_two_inspectors_of_the_jurisdiction_and_writes_nothing_otherwise(alert):
    inspector = _inspectors()[0]
    with pytest.raises(DomainError):
        services.alert_confirm(actor=inspector, alert=alert, inspectors=[inspector])
    alert.refresh_from_db()
    assert alert.state == AlertState.NEW and Inspection.objects.count() == 0
    assert AlertEvent.objects.count() == 0


def test_a_county_sees_its_own_subjects_alerts_only():
    _overload("350102")
    _overload("350103")
    detect(detectors=["TRN-DAY-OVERLOAD"])
    gulou, taijiang = _inspectors("350102", 1)[0], _inspectors("350103", 1)[0]
    city = _inspectors("350100", 1)[0]
    assert {a.organization.region_id for a in selectors.alert_list(user=gulou)} == {"350102"}
    assert {a.organization.region_id for a in selectors.alert_list(user=city)} == {"350102", "350103"}
    other = selectors.alert_list(user=taijiang).get()
    with pytest.raises(Alert.DoesNotExist):
        selectors.alert_get(user=gulou, pk=other.pk)
    with pytest.raises(PermissionDenied):
        services.alert_review(actor=gulou, alert=other)
    subject = Alert.objects.get(pk=other.pk).organization
    clerk = UserFactory(role=Role.ORG_ADMIN, organization=subject)
    assert not selectors.alert_list(user=clerk).exists()
    assert selectors.alert_list(user=city, filters={"region": "350103"}).get().pk == other.pk


def test_the_queue_filters_and_sorts():
    _overload()
    point = OrganizationFactory(kind=OrganizationKind.EXAM_POINT, region=Region.objects.get(code="350102"))
    detect()
    city = _inspectors("350100", 1)[0]
    assert selectors.alert_list(user=city, filters={"subject_kind": "exam"}).count() == 0
    assert selectors.alert_list(user=city, filters={"detector": "TRN-DAY-OVERLOAD", "state": "new"}).count() == 1
    assert selectors.alert_list(user=city, filters={"organization": point.pk}).count() == 0
    assert selectors.alert_list(user=city, filters={"period_from": DAY + dt.timedelta(days=1)}).count() == 0
    assert selectors.alert_list(user=city, filters={"sort": "-age"}).count() == 1


def _plan(region_code: str = "350100", kinds=("training_institution",)):
    from peikao.enforcement import services as enforcement

    city = _inspectors(region_code, 1)[0]
    return city, enforcement.plan_create(
        actor=city, region=Region.objects.get(code=region_code), year=2026, name="双随机", kinds=list(kinds),
        subjects_wanted=1,
    )  # fmt: skip


def test_force_into_plan_puts_the_subject_first_in_the_next_draw(alert):
    from peikao.enforcement import services as enforcement

    city, plan = _plan()
    for _ in range(5):  # other candidates of the draw
        institution("350103")
    event = services.alert_force_into_plan(actor=city, alert=alert, plan=plan)
    alert.refresh_from_db()
    assert (alert.state, alert.forced_plan_id, event.transition) == (AlertState.CONFIRMED, plan.pk, "confirm")
    _inspectors("350102", 2)
    _inspectors("350103", 2)
    enforcement.plan_draw(actor=city, plan=plan, seed=1)
    plan.refresh_from_db()
    assert plan.draw_input["forced"] == [alert.organization_id]
    assert list(plan.subjects.values_list("organization_id", flat=True)) == [alert.organization_id]
    with pytest.raises(Conflict):  # drawn: its draw is no longer to come
        services.alert_force_into_plan(actor=city, alert=Alert.objects.get(pk=alert.pk), plan=plan)


def test_force_into_plan_needs_a_plan_that_draws_the_subject(alert):
    city, enterprises_only = _plan(kinds=("enterprise",))
    with pytest.raises(DomainError):
        services.alert_force_into_plan(actor=city, alert=alert, plan=enterprises_only)
    _province_admin, other_city = _plan("350200")
    with pytest.raises(PermissionDenied):
        services.alert_force_into_plan(actor=city, alert=alert, plan=other_city)
    alert.refresh_from_db()
    assert alert.state == AlertState.NEW and alert.forced_plan is None
