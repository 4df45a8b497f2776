"""factory_boy factories for training."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from peikao.registry.tests.factories import OrganizationFactory
from peikao.training.choices import LessonMode, TraineeCategory, TrainingType
from peikao.training.models import Enrolment, Lesson, TrainingClass

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

    training_class = factory.SubFactory(TrainingClassFactory)
    enrolled_at = factory.LazyFunction(timezone.now)
