"""Credited hours: the pairing, clipping, union and rounding rules, against a reference implementation."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from peikao.testing.factories import EnrolmentFactory, LessonFactory, PersonFactory, TrainingClassFactory, at
from peikao.training import hours
from peikao.training.choices import LessonMode
from peikao.training.models import AttendanceEvent, CreditedHours

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def reference_seconds(events: list[tuple[str, int]], lesson_start: int, lesson_end: int) -> int:
    """The rules of docs/exchange.md written plainly: pair each in with the next out after it, clip, union."""
    ordered = sorted(events, key=lambda e: (e[1], e[0]))
    intervals = []
    for index, (kind, time) in enumerate(ordered):
        if kind != "in":
            continue
        next_out = next((t for k, t in ordered[index + 1 :] if k == "out"), None)
        if next_out is None:
            continue
        start, end = max(time, lesson_start), min(next_out, lesson_end)
        if end > start:
            intervals.append((start, end))
    total, current_start, current_end = 0, None, None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total


@pytest.fixture
def lesson_and_person():
    lesson = LessonFactory(starts_at=at(DAY, "09:00"), ends_at=at(DAY, "09:45"))
    person = PersonFactory()
    EnrolmentFactory(training_class=lesson.training_class, person=person)
    return lesson, person


def record(lesson, person, *events):
    for kind, when in events:
        AttendanceEvent.objects.create(lesson=lesson, person=person, event=kind, at=when, source="face")


def credited(lesson, person) -> CreditedHours:
    hours.recompute([lesson.training_class_id])
    return CreditedHours.objects.get(enrolment__training_class=lesson.training_class, enrolment__person=person)


def seconds(lesson, person) -> int:
    return hours.lesson_seconds(class_id=lesson.training_class_id, person_id=person.pk).get(lesson.pk, 0)


@pytest.mark.parametrize(
    "events,expected",
    [
        ([("in", "09:00"), ("out", "09:45")], 2700),  # exactly one 学时
        ([("in", "08:30"), ("out", "10:30")], 2700),  # clipped to the lesson on both sides
        ([("in", "09:10"), ("out", "09:40")], 1800),  # late arrival and early leave
        ([("in", "09:00")], 0),  # an in with no later out credits nothing
        ([("out", "09:45")], 0),  # an out with no earlier in credits nothing
        ([("out", "09:00"), ("in", "09:10")], 0),  # the out comes before the in
        ([("in", "09:00"), ("in", "09:20"), ("out", "09:30")], 1800),  # both ins pair with 09:30: overlap counts once
        ([("in", "09:00"), ("out", "09:10"), ("out", "09:30")], 600),  # a second out has no in of its own
        ([("in", "09:00"), ("out", "09:10"), ("in", "09:20"), ("out", "09:30")], 1200),  # the gap is not credited
        ([("in", "10:00"), ("out", "10:30")], 0),  # entirely outside the lesson
        ([("in", "09:30"), ("out", "09:30")], 0),  # zero length
        ([("in", "09:44"), ("out", "09:50")], 60),
    ],
)
def test_pairing_and_clipping(lesson_and_person, events, expected):
    lesson, person = lesson_and_person
    record(lesson, person, *[(kind, at(DAY, hhmm)) for kind, hhmm in events])
    assert seconds(lesson, person) == expected


def test_order_of_arrival_does_not_matter(lesson_and_person):
    lesson, person = lesson_and_person
    # Recorded out of order (a device sent late): the result is the same as in order.
    record(lesson, person, ("out", at(DAY, "09:40")), ("in", at(DAY, "09:05")))
    assert seconds(lesson, person) == 35 * 60


def test_45_minutes_credit_exactly_one_hour_and_44_minutes_round_down(lesson_and_person):
    lesson, person = lesson_and_person
    record(lesson, person, ("in", at(DAY, "09:00")), ("out", at(DAY, "09:45")))
    assert credited(lesson, person).credited_tenths == 10
    AttendanceEvent.objects.all().delete()
    record(lesson, person, ("in", at(DAY, "09:00")), ("out", at(DAY, "09:44", 59)))
    assert credited(lesson, person).credited_tenths == 9  # 0.9998 学时 rounds down to 0.9


def test_online_lessons_use_30_minute_hours_and_the_sum_is_exact(lesson_and_person):
    lesson, person = lesson_and_person
    online = LessonFactory(
        training_class=lesson.training_class,
        mode=LessonMode.ONLINE,
        starts_at=at(DAY, "14:00"),
        ends_at=at(DAY, "16:00"),
    )
    record(lesson, person, ("in", at(DAY, "09:00")), ("out", at(DAY, "09:15")))  # 1/3 学时 offline
    record(online, person, ("in", at(DAY, "14:00")), ("out", at(DAY, "14:20")))  # 2/3 学时 online
    result = credited(lesson, person)
    assert (result.offline_seconds, result.online_seconds) == (900, 1200)
    assert result.credited_tenths == 10  # 1/3 + 2/3 = exactly 1.0, not 0.9 from floating point


def test_completion_against_the_requirement(lesson_and_person):
    lesson, person = lesson_and_person
    training_class = lesson.training_class
    training_class.required_tenths = 10
    training_class.save()
    other = PersonFactory()
    EnrolmentFactory(training_class=training_class, person=other)
    record(lesson, person, ("in", at(DAY, "08:55")), ("out", at(DAY, "09:50")))
    record(lesson, other, ("in", at(DAY, "09:20")), ("out", at(DAY, "09:50")))
    hours.recompute([training_class.pk])
    rows = {row.enrolment.person_id: row for row in CreditedHours.objects.select_related("enrolment")}
    assert rows[person.pk].completed and rows[person.pk].credited_hours == Decimal("1.0")
    assert not rows[other.pk].completed and rows[other.pk].short_hours == Decimal("0.5")


def test_an_enrolment_without_any_event_gets_zero(lesson_and_person):
    lesson, person = lesson_and_person
    result = credited(lesson, person)
    assert (result.credited_tenths, result.completed) == (0, False)


def test_random_event_sequences_match_the_reference():
    rng = random.Random(20261127)
    training_class = TrainingClassFactory()
    lessons = [
        LessonFactory(training_class=training_class, starts_at=at(DAY, f"{h:02d}:00"), ends_at=at(DAY, f"{h:02d}:45"))
        for h in (8, 10, 14)
    ]
    people = [PersonFactory() for _ in range(12)]
    for person in people:
        EnrolmentFactory(training_class=training_class, person=person)
    expected: dict[tuple[int, int], int] = {}
    for lesson in lessons:
        base = int(lesson.starts_at.timestamp())
        for person in people:
            events = []
            for _ in range(rng.randint(0, 7)):
                when = base + rng.randint(-1200, 3900)
                events.append((rng.choice(["in", "in", "out"]), when))
            events = list({(k, t) for k, t in events})
            for kind, when in events:
                AttendanceEvent.objects.create(
                    lesson=lesson, person=person, event=kind, at=dt.datetime.fromtimestamp(when, dt.UTC), source="card"
                )
            expected[(lesson.pk, person.pk)] = reference_seconds(events, base, base + 2700)
    for person in people:
        got = hours.lesson_seconds(class_id=training_class.pk, person_id=person.pk)
        for lesson in lessons:
            assert got.get(lesson.pk, 0) == expected[(lesson.pk, person.pk)], (lesson.pk, person.pk)
    hours.recompute([training_class.pk])
    for row in CreditedHours.objects.select_related("enrolment"):
        total = sum(expected[(lesson.pk, row.enrolment.person_id)] for lesson in lessons)
        assert row.offline_seconds == total
        assert row.credited_tenths == (total * 10) // 2700
