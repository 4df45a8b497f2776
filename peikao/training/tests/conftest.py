"""A training institution with a teacher, an approved item and a few trainees, for the training tests."""

from __future__ import annotations

import datetime as dt

import pytest

from peikao.core.choices import Role
from peikao.registry.choices import AssignmentRole, OrganizationKind
from peikao.testing.factories import AssignmentFactory, OrganizationFactory, PersonFactory, UserFactory
from peikao.training.services import ClassData


@pytest.fixture
def school(db):
    from peikao.core.models import Region
    from peikao.registry.models import Industry

    region = Region.objects.get(code="350102")
    institution = OrganizationFactory(
        kind=OrganizationKind.TRAINING_INSTITUTION, region=region, items=["1.2", "2.1"], capacity=30
    )
    teacher = PersonFactory(name="陈老师")
    AssignmentFactory(
        person=teacher, organization=institution, role=AssignmentRole.TEACHER, start_date=dt.date(2020, 1, 1)
    )
    trainees = [PersonFactory() for _ in range(3)]
    return {
        "institution": institution,
        "teacher": teacher,
        "trainees": trainees,
        "admin": UserFactory(username="school-admin", role=Role.ORG_ADMIN, organization=institution),
        "clerk": UserFactory(username="school-clerk", role=Role.ORG_CLERK, organization=institution),
        "regulator": UserFactory(username="gl-reg", role=Role.INSPECTOR, region=region),
        "province": UserFactory(username="fj-reg", role=Role.REGULATOR_ADMIN, region=Region.objects.get(code="350000")),
        "other_county": UserFactory(
            username="tj-reg", role=Role.REGULATOR_ADMIN, region=Region.objects.get(code="350103")
        ),
        "general": Industry.objects.get(code="general"),
    }


def specops_data(code="SO-2026-001", start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 6), item=None, syllabus="40"):
    from decimal import Decimal

    from peikao.registry.models import OperationItem

    return ClassData(
        class_code=code,
        trainee_category="special_operator",
        training_type="initial",
        operation_item=item or OperationItem.objects.get(code="1.2"),
        syllabus_hours=Decimal(syllabus) if syllabus else None,
        start_date=start,
        end_date=end,
    )


def schedule_hours(school, training_class, *, mode="theory") -> None:
    """Lessons from the class's first day on, 8 学时 a day, until they yield the hours the class requires: a class
    is filed only then."""
    from peikao.testing.factories import at
    from peikao.training import services

    left = training_class.required_tenths * training_class.offline_hour_minutes // 10
    day = training_class.start_date
    while left > 0:
        minutes = min(left, 8 * training_class.offline_hour_minutes)
        start = at(day, "08:00")
        services.lesson_create(
            actor=school["clerk"], training_class=training_class, lesson_code=f"{training_class.class_code}-{day:%d}",
            mode=mode, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes), teacher=school["teacher"],
        )  # fmt: skip
        left -= minutes
        day += dt.timedelta(days=1)
