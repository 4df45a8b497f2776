"""A class is filed only when its lessons scheduled can yield the hours it requires: the shortfall is said in 学时,
per mode (theory, practical, online), and the regulator who reviews the filing reads the same comparison."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from peikao.core.errors import DomainError
from peikao.testing.factories import at
from peikao.training import services
from peikao.training.rules import scheduled_hours
from peikao.training.services import ClassData
from peikao.training.tests.conftest import schedule_hours

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 2, 20, 2, tzinfo=dt.UTC)


def test_lessons_yield_hours_of_45_minutes_in_class_and_30_online():
    six_hours = scheduled_hours({"theory": 360}, offline_minutes=45, online_minutes=30, required_tenths=320)
    assert (six_hours.total, six_hours.theory, six_hours.short) == (8, 8, 24)
    # Each mode rounded down for the reader; the total exact: 1000 + 440 minutes are 32 学时, not 31.9.
    split = scheduled_hours(
        {"theory": 1000, "practical": 440}, offline_minutes=45, online_minutes=30, required_tenths=320
    )
    assert (str(split.theory), str(split.practical), split.total_tenths, split.short_tenths) == ("22.2", "9.7", 320, 0)
    online = scheduled_hours({"online": 60, "theory": 45}, offline_minutes=45, online_minutes=30, required_tenths=30)
    assert (online.online, online.total, online.short_tenths) == (2, 3, 0)


def _principal_class(school, code="ZY-2026-01"):
    return services.class_create(
        actor=school["clerk"],
        organization=school["institution"],
        data=ClassData(
            class_code=code,
            name="主要负责人初训",
            trainee_category="principal",
            training_type="initial",
            industry=school["general"],
            start_date=dt.date(2026, 3, 2),
            end_date=dt.date(2026, 3, 6),
        ),
    )


def _lesson(school, training_class, day: int, start: str, minutes: int, mode: str = "theory"):
    starts = at(dt.date(2026, 3, day), start)
    return services.lesson_create(
        actor=school["clerk"], training_class=training_class, lesson_code=f"{training_class.class_code}-{day}-{start}",
        mode=mode, starts_at=starts, ends_at=starts + dt.timedelta(minutes=minutes), teacher=school["teacher"],
    )  # fmt: skip


@time_machine.travel(NOW)
def test_a_class_scheduled_short_of_its_hours_is_not_filed_and_the_shortfall_is_said(school):
    training_class = _principal_class(school)
    assert training_class.required_tenths == 320  # 32 学时, order No. 3 art. 9
    _lesson(school, training_class, 2, "08:30", 270)
    _lesson(school, training_class, 2, "14:00", 90, mode="practical")  # 360 minutes in all
    with pytest.raises(DomainError) as refused:
        services.class_file(actor=school["clerk"], training_class=training_class)
    assert refused.value.code == "hours_not_scheduled"
    for figure in ("8.0", "6.0", "2.0", "32.0", "24.0"):  # in all, theory, practical, required, short
        assert figure in refused.value.zh
    assert "学时" in refused.value.zh and "理论" in refused.value.zh and "实操" in refused.value.zh
    training_class.refresh_from_db()
    assert training_class.status == "draft"
    for day in (3, 4, 5):
        _lesson(school, training_class, day, "08:00", 360)
    services.class_file(actor=school["clerk"], training_class=training_class)
    training_class.refresh_from_db()
    assert training_class.status == "filed"


@time_machine.travel(NOW)
def test_the_clerk_sees_the_refusal_and_the_regulator_reviews_the_same_comparison(school, client):
    training_class = _principal_class(school)
    _lesson(school, training_class, 2, "08:30", 360)
    client.force_login(school["clerk"])
    page = client.post(f"/training/classes/{training_class.class_code}/do/file/", follow=True).content.decode()
    assert "24.0" in page and "学时" in page
    assert 'id="hours-scheduled"' in page and "8.0</strong> / 32.0" in page
    schedule_hours(school, training_class)  # from the first day again: the rest of the hours
    client.post(f"/training/classes/{training_class.class_code}/do/file/")
    training_class.refresh_from_db()
    assert training_class.status == "filed"
    client.force_login(school["regulator"])
    review = client.get(f"/training/classes/{training_class.class_code}/").content.decode()
    section = review.split('id="review-schedule"')[1].split("</p>")[0]
    assert "/ 32.0" in section and 'data-short="0"' in section
