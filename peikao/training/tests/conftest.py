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
