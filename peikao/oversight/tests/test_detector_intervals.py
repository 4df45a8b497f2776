"""The training detectors read credited intervals through training.hours' grouped path (one grouping of the events;
the window path of class_hours only for irregular sequences): on every shape of attendance — a plain in and out,
doubled sign-ins, an out before the in, an in without out, events outside the lesson, in and out in one second —
it gives exactly the intervals and the credited seconds of class_hours' own window path, and so does a detector
run on them."""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection

from peikao.oversight.detectors import REGISTRY, RunScope
from peikao.oversight.tests.helpers import DAY, at, lesson, training_class
from peikao.testing.factories import PersonFactory
from peikao.training.hours import grouped_intervals_sql, grouped_lesson_seconds_sql, intervals_sql, per_lesson_sql
from peikao.training.models import AttendanceEvent

pytestmark = pytest.mark.django_db


def _rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return sorted(tuple(int(value) for value in row) for row in cursor.fetchall())


@pytest.fixture
def attendance():
    """Lessons 09:00–11:00 of two classes; persons with random sequences of events around them, to the second and
    below it."""
    rng = random.Random(5)
    lessons = [lesson(training_class(), "09:00", "11:00") for _ in range(2)]
    events = []
    for _ in range(30):
        person = PersonFactory()
        for the_lesson in lessons:
            seen = set()
            for _ in range(rng.choice([1, 2, 2, 2, 3, 4, 5])):
                kind = rng.choice(["in", "out"])
                when = at(DAY, "08:30") + dt.timedelta(
                    seconds=rng.randrange(0, 3 * 3600), microseconds=rng.choice([0, 400_000])
                )
                if (kind, when) not in seen:
                    seen.add((kind, when))
                    events.append(
                        AttendanceEvent(lesson=the_lesson, person=person, event=kind, at=when, source="import")
                    )
    # a plain pair, and an in and an out within one second (the in counts first: an empty interval)
    person = PersonFactory()
    events.append(AttendanceEvent(lesson=lessons[0], person=person, event="in", at=at(DAY, "09:05"), source="import"))
    events.append(AttendanceEvent(lesson=lessons[0], person=person, event="out", at=at(DAY, "10:55"), source="import"))
    events.append(
        AttendanceEvent(lesson=lessons[1], person=person, event="in", at=at(DAY, "10:00", 0, 600_000), source="import")
    )
    events.append(
        AttendanceEvent(lesson=lessons[1], person=person, event="out", at=at(DAY, "10:00", 0, 100_000), source="import")
    )
    AttendanceEvent.objects.bulk_create(events)


def test_the_intervals_are_those_of_class_hours(attendance):
    ours = _rows(f"WITH {grouped_intervals_sql('1 = 1')} SELECT lesson_id, person_id, s, f FROM iv".replace("%%", "%"))
    theirs = _rows(
        f"WITH {intervals_sql('1 = 1')} SELECT lesson_id, person_id, s, f FROM clipped WHERE f > s".replace("%%", "%")
    )
    assert ours == theirs and len(ours) > 20


def test_the_credited_seconds_are_those_of_class_hours(attendance):
    ours = _rows(
        f"WITH {grouped_lesson_seconds_sql('1 = 1')} SELECT lesson_id, person_id, seconds FROM lesson_seconds".replace(
            "%%", "%"
        )
    )
    theirs = _rows(per_lesson_sql("1 = 1").replace("%%", "%"))
    assert ours == theirs and len(ours) > 20
    assert any(seconds == 110 * 60 for _lesson, _person, seconds in ours)  # the plain pair


def test_a_day_overload_run_counts_the_credited_minutes_of_class_hours(attendance):
    """TRN-DAY-OVERLOAD with no minutes allowed finds every person credited on the day, with the day's minutes of
    class_hours (both lessons are on DAY)."""
    found = REGISTRY["TRN-DAY-OVERLOAD"](RunScope(thresholds={"max_minutes_per_day": Decimal(0)}))
    ours = {(alert.person_id, alert.evidence["minutes"]) for alert in found}
    seconds: dict[int, int] = defaultdict(int)
    for _lesson, person, lesson_seconds in _rows(per_lesson_sql("1 = 1").replace("%%", "%")):
        seconds[person] += lesson_seconds
    assert ours == {(person, total // 60) for person, total in seconds.items() if total > 0} and len(ours) > 10
