"""Training services: required hours by the rules in force, filing, transitions, teachers, capacity, closing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import product

import pytest
import time_machine

from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.registry.models import Industry, OperationItem
from peikao.registry.services import organization_suspend
from peikao.testing.factories import at
from peikao.training import services
from peikao.training.choices import CLASS_TRANSITIONS, ClassStatus
from peikao.training.models import ClassEvent, TrainingClass
from peikao.training.rules import requirement
from peikao.training.services import classes as class_services
from peikao.training.tests.conftest import schedule_hours, specops_data

pytestmark = pytest.mark.django_db


def req(category, industry_code, training_type, on, syllabus=None):
    industry = Industry.objects.get(code=industry_code) if industry_code else None
    return requirement(
        category=category, industry=industry, training_type=training_type, syllabus_hours=syllabus, on=on
    )


@pytest.mark.parametrize(
    "category,industry,training_type,hours,basis",
    [
        ("principal", "general", "initial", "32.0", "order_3 art. 9"),
        ("safety_manager", "hazardous_chemicals", "initial", "48.0", "order_3 art. 9"),
        ("principal", "coal_mine", "refresher", "16.0", "order_3 art. 9"),
        ("employee", "non_coal_mine", "initial", "72.0", "order_3 art. 13"),
        ("employee", "general", "initial", "24.0", "order_3 art. 13"),
        ("employee", "construction", "initial", "32.0", "policy_2012_10"),  # the industry rule beats the class rule
        ("employee", "general", "refresher", "8.0", "policy_2012_10"),
        ("employee", "metal_smelting", "refresher", "20.0", "order_3 art. 13"),
    ],
)
def test_minimum_hours_follow_the_domain_rules(category, industry, training_type, hours, basis):
    need = req(category, industry, training_type, dt.date(2026, 3, 1))
    assert (need.hours, need.basis) == (Decimal(hours), basis)


def test_a_larger_syllabus_wins_and_says_so():
    need = req("principal", "general", "initial", dt.date(2026, 3, 1), syllabus=Decimal("40"))
    assert need.hours == Decimal("40.0") and "order_3 art. 9" in need.basis


def test_special_operations_review_training_exists_only_under_order_30():
    before = req("special_operator", None, "review", dt.date(2026, 5, 31))
    assert (before.hours, before.basis) == (Decimal("8.0"), "order_30 art. 23")
    with pytest.raises(DomainError) as raised:
        req("special_operator", None, "review", dt.date(2026, 6, 1))
    assert raised.value.code == "syllabus_hours_required"


def test_special_operations_initial_training_needs_its_syllabus():
    with pytest.raises(DomainError):
        req("special_operator", None, "initial", dt.date(2026, 3, 1))
    assert req("special_operator", None, "initial", dt.date(2026, 3, 1), syllabus=Decimal("44")).hours == Decimal("44")


def test_the_class_fixes_the_rules_of_its_start_date(school):
    created = services.class_create(
        actor=school["clerk"], organization=school["institution"], data=specops_data(syllabus="56")
    )
    assert created.required_tenths == 560 and created.status == ClassStatus.DRAFT
    assert (created.offline_hour_minutes, created.online_hour_minutes) == (45, 30)


def test_an_institution_not_approved_for_the_item_is_refused(school):
    with pytest.raises(DomainError) as raised:
        services.class_create(
            actor=school["clerk"], organization=school["institution"],
            data=specops_data(item=OperationItem.objects.get(code="9.3")),
        )  # fmt: skip
    assert raised.value.code == "item_not_approved"
    assert "9.3" in raised.value.text


def test_a_suspended_institution_may_not_open_or_file_classes(school):
    draft = services.class_create(actor=school["clerk"], organization=school["institution"], data=specops_data())
    organization_suspend(actor=school["province"], organization=school["institution"], reason="检查发现问题")
    school["institution"].refresh_from_db()
    draft.organization.refresh_from_db()
    with pytest.raises(DomainError) as raised:
        services.class_create(actor=school["clerk"], organization=school["institution"], data=specops_data("SO-2"))
    assert raised.value.code == "organization_not_active"
    with time_machine.travel(dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC)), pytest.raises(DomainError):
        services.class_file(actor=school["clerk"], training_class=draft)


@time_machine.travel(dt.datetime(2026, 2, 20, 4, tzinfo=dt.UTC))
def test_a_class_is_filed_at_least_seven_days_before_it_starts(school, settings):
    on_time = services.class_create(
        actor=school["clerk"], organization=school["institution"], data=specops_data("A", dt.date(2026, 2, 27))
    )
    late = services.class_create(
        actor=school["clerk"], organization=school["institution"], data=specops_data("B", dt.date(2026, 2, 26))
    )
    schedule_hours(school, on_time)
    schedule_hours(school, late)
    services.class_file(actor=school["clerk"], training_class=on_time)
    with pytest.raises(DomainError) as raised:
        services.class_file(actor=school["clerk"], training_class=late)
    assert raised.value.code == "filing_too_late"
    settings.PEIKAO = {**settings.PEIKAO, "CLASS_FILING_LEAD_DAYS": 3}
    services.class_file(actor=school["clerk"], training_class=late)  # the lead time is configurable


@time_machine.travel(dt.datetime(2026, 2, 1, 4, tzinfo=dt.UTC))
def test_the_regulator_of_the_region_accepts_or_returns_the_filing(school):
    draft = services.class_create(actor=school["clerk"], organization=school["institution"], data=specops_data())
    schedule_hours(school, draft)
    services.class_file(actor=school["clerk"], training_class=draft)
    with pytest.raises(PermissionDenied):
        services.class_accept(actor=school["admin"], training_class=draft)
    with pytest.raises(DomainError):
        services.class_return(actor=school["regulator"], training_class=draft, reason=" ")
    services.class_return(actor=school["regulator"], training_class=draft, reason="教师资质材料不全")
    services.class_file(actor=school["clerk"], training_class=draft)
    services.class_accept(actor=school["regulator"], training_class=draft)
    transitions = list(
        ClassEvent.objects.filter(training_class=draft).order_by("time", "id").values_list("transition", flat=True)
    )
    assert transitions == ["file", "return", "file", "accept"]
    assert ClassEvent.objects.get(transition="return").reason == "教师资质材料不全"


@pytest.mark.parametrize("old,new", list(product(ClassStatus.values, repeat=2)))
def test_every_class_status_pair_follows_the_map(school, old, new):
    draft = services.class_create(actor=school["clerk"], organization=school["institution"], data=specops_data())
    TrainingClass.objects.filter(pk=draft.pk).update(status=old)
    draft.refresh_from_db()
    allowed = (old, new) in CLASS_TRANSITIONS
    try:
        class_services._transition(draft, new, actor=school["admin"], reason="x")
    except Conflict:
        assert not allowed
    else:
        assert allowed
    draft.refresh_from_db()
    assert draft.status == (new if allowed else old)


def test_teachers_must_hold_an_assignment_at_the_institution(school):
    from peikao.testing.factories import PersonFactory

    draft = services.class_create(actor=school["clerk"], organization=school["institution"], data=specops_data())
    services.lesson_create(
        actor=school["clerk"], training_class=draft, lesson_code="L1", mode="theory",
        starts_at=at(dt.date(2026, 3, 2), "09:00"), ends_at=at(dt.date(2026, 3, 2), "11:15"), teacher=school["teacher"],
    )  # fmt: skip
    stranger = PersonFactory(name="外聘")
    with pytest.raises(DomainError) as raised:
        services.lesson_create(
            actor=school["clerk"], training_class=draft, lesson_code="L2", mode="theory",
            starts_at=at(dt.date(2026, 3, 3), "09:00"), ends_at=at(dt.date(2026, 3, 3), "11:15"), teacher=stranger,
        )  # fmt: skip
    assert "外聘" in raised.value.text
    with pytest.raises(DomainError):  # outside the class's dates
        services.lesson_create(
            actor=school["clerk"], training_class=draft, lesson_code="L3", mode="theory",
            starts_at=at(dt.date(2026, 3, 9), "09:00"), ends_at=at(dt.date(2026, 3, 9), "11:15"), teacher=school["teacher"],
        )  # fmt: skip


def test_capacity_limits_enrolment(school):
    school["institution"].capacity = 2
    school["institution"].save()
    draft = services.class_create(actor=school["clerk"], organization=school["institution"], data=specops_data())
    for person in school["trainees"][:2]:
        services.enrolment_add(actor=school["clerk"], training_class=draft, person=person)
    with pytest.raises(DomainError) as raised:
        services.enrolment_add(actor=school["clerk"], training_class=draft, person=school["trainees"][2])
    assert raised.value.code == "class_full"


def test_another_organisation_cannot_act_on_the_class(school):
    from peikao.core.choices import Role
    from peikao.testing.factories import OrganizationFactory, UserFactory

    other = UserFactory(role=Role.ORG_ADMIN, organization=OrganizationFactory(kind="training_institution"))
    draft = services.class_create(actor=school["clerk"], organization=school["institution"], data=specops_data())
    with pytest.raises(PermissionDenied):
        services.enrolment_add(actor=other, training_class=draft, person=school["trainees"][0])


def test_closing_needs_the_class_to_have_ended_and_seals_it(school):
    draft = services.class_create(actor=school["clerk"], organization=school["institution"], data=specops_data())
    TrainingClass.objects.filter(pk=draft.pk).update(status=ClassStatus.ACCEPTED)
    draft.refresh_from_db()
    with pytest.raises(DomainError):
        services.class_close(actor=school["clerk"], training_class=draft, today=dt.date(2026, 3, 5))
    seal = services.class_close(actor=school["clerk"], training_class=draft, today=dt.date(2026, 3, 6))
    draft.refresh_from_db()
    assert draft.status == ClassStatus.CLOSED and seal.sequence == 1 and len(seal.head) == 64
    with pytest.raises(Conflict) as raised:
        services.enrolment_add(actor=school["clerk"], training_class=draft, person=school["trainees"][0])
    assert raised.value.code == "archive_sealed"
