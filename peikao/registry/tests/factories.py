"""factory_boy factories for the registry (used by the tests of every app)."""

from __future__ import annotations

import datetime as dt
import random

import factory

from peikao.core import synthetic
from peikao.core.choices import Role
from peikao.core.models import Region, User
from peikao.registry.choices import AssignmentRole, OrganizationKind
from peikao.registry.models import Assignment, Industry, Organization, Person

_rng = random.Random(7)


def _uscc(region_code: str) -> str:
    return synthetic.uscc(_rng, region_code)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    kind = OrganizationKind.ENTERPRISE
    name = factory.Sequence(lambda n: f"测试单位{n}有限公司")
    region = factory.LazyFunction(lambda: Region.objects.get(code="350102"))
    uscc = factory.LazyAttribute(lambda o: None if o.kind == OrganizationKind.EXAM_POINT else _uscc(o.region.code))
    org_code = factory.LazyAttributeSequence(lambda o, n: o.uscc or f"EP{o.region.code}{n:03d}")
    industry = factory.LazyAttribute(
        lambda o: Industry.objects.get(code="general") if o.kind == OrganizationKind.ENTERPRISE else None
    )

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if create and extracted:
            from peikao.registry.models import OperationItem

            self.operation_items.set(OperationItem.objects.filter(code__in=extracted))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        birth = factory.LazyFunction(lambda: synthetic.birth_date(_rng, 20, 55, dt.date(2026, 1, 1)))
        born_in = "350102"

    name = factory.LazyFunction(lambda: synthetic.chinese_name(_rng))
    id_number = factory.LazyAttribute(lambda o: synthetic.id_number(_rng, o.born_in, o.birth))
    sex = factory.LazyAttribute(lambda o: "M" if int(o.id_number[16]) % 2 else "F")
    birth_date = factory.LazyAttribute(
        lambda o: dt.date(int(o.id_number[6:10]), int(o.id_number[10:12]), int(o.id_number[12:14]))
    )


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = AssignmentRole.EMPLOYEE
    start_date = dt.date(2024, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.INSPECTOR
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()
