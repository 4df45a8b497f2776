"""factory_boy factories for the tests of every app (and for bench/): organisations, persons, assignments, users
(with their accounts links), training classes, lessons and enrolments."""

from __future__ import annotations

import datetime as dt
import random

import factory
from django.utils import timezone

from peikao.accounts.models import AccountLink
from peikao.core import synthetic
from peikao.core.choices import Role
from peikao.core.models import Region, User
from peikao.registry.choices import AssignmentRole, OrganizationKind, PersonLinkStatus
from peikao.registry.models import Assignment, Industry, OperationItem, Organization, Person, PersonLink
from peikao.training.choices import LessonMode, TraineeCategory, TrainingType
from peikao.training.models import Enrolment, Lesson, TrainingClass

_rng = random.Random(7)


def confirmed_link(organization, person) -> None:
    """The organisation's link to the person, confirmed (ADR 0009): the links the tests build by hand were matched."""
    if organization is not None and person is not None:
        PersonLink.objects.update_or_create(
            organization=organization, person=person, defaults={"status": PersonLinkStatus.CONFIRMED}
        )


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
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = AssignmentRole.EMPLOYEE
    start_date = dt.date(2024, 1, 1)

    @factory.post_generation
    def link(obj, create, extracted, **kwargs):
        if create:
            confirmed_link(obj.organization, obj.person)
            confirmed_link(obj.dispatched_by, obj.person)


class UserFactory(factory.django.DjangoModelFactory):
    """An account; ``organization=`` or ``person=`` give it its link (accounts.AccountLink), as user_create does."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.INSPECTOR
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @classmethod
    def _create(cls, model_class, *args, organization=None, person=None, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if organization is not None or person is not None:
            AccountLink.objects.create(user=user, organization=organization, person=person)  # cached on user too
        return user

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


BEIJING = dt.timezone(dt.timedelta(hours=8))


class TrainingClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingClass

    class_code = factory.Sequence(lambda n: f"CLS-{n:05d}")
    organization = factory.SubFactory(OrganizationFactory, kind="training_institution")
    trainee_category = TraineeCategory.PRINCIPAL
    training_type = TrainingType.INITIAL
    start_date = dt.date(2026, 3, 2)
    end_date = dt.date(2026, 3, 6)
    required_tenths = 320
    required_basis = "order_3 art. 9"
    offline_hour_minutes = 45
    online_hour_minutes = 30


def at(day: dt.date, hhmm: str, seconds: int = 0) -> dt.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute, seconds), tzinfo=BEIJING)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    lesson_code = factory.Sequence(lambda n: f"L-{n:06d}")
    training_class = factory.SubFactory(TrainingClassFactory)
    mode = LessonMode.THEORY
    starts_at = factory.LazyAttribute(lambda o: at(o.training_class.start_date, "09:00"))
    ends_at = factory.LazyAttribute(lambda o: at(o.training_class.start_date, "09:45"))


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment
        skip_postgeneration_save = True

    training_class = factory.SubFactory(TrainingClassFactory)
    enrolled_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def link(obj, create, extracted, **kwargs):
        if create:
            confirmed_link(obj.training_class.organization, obj.person)
