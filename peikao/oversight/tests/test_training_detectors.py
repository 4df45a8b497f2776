"""The training detectors on hand-built cases: each finds its planted case, stays silent on the clean case beside
it, and is tested on both sides of each threshold (credited intervals as class_hours computes them)."""

import datetime as dt

import pytest

from peikao.oversight.tests.helpers import DAY, at, attend, enrol, institution, lesson, run, training_class
from peikao.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


# -- TRN-PERSON-TWO-PLACES ---------------------------------------------------------------------------------------


def _two_places(second_in: str):
    """A trainee in class A 09:00–11:00 (institution in 鼓楼区) and class B from ``second_in`` (institution in
    台江区): the credited intervals overlap from ``second_in`` to 11:00."""
    a, b = training_class(institution("350102")), training_class(institution("350103"))
    person = enrol(a)
    enrol(b, person)
    lesson_a, lesson_b = lesson(a, "09:00", "11:00"), lesson(b, "10:00", "12:00")
    attend(lesson_a, person, at(DAY, "09:00"), at(DAY, "11:00"))
    attend(lesson_b, person, at(DAY, second_in), at(DAY, "12:00"))
    return person, a, b


def test_a_trainee_credited_in_two_classes_at_once_is_found_for_both_institutions():
    person, a, b = _two_places("10:50")  # ten minutes of overlap: the threshold itself
    found = run("TRN-PERSON-TWO-PLACES")
    assert {(f.organization_id, f.person_id) for f in found} == {
        (a.organization_id, person.pk),
        (b.organization_id, person.pk),
    }
    alert = next(f for f in found if f.organization_id == a.organization_id)
    assert alert.evidence["overlap_minutes"] == 10
    assert alert.evidence["pairs"][0]["from_b"] == "2026-09-15 10:50:00"
    assert alert.period_from == alert.period_to == DAY
    assert alert.figures["overlap_minutes"] == 10 and alert.figures["person"] == person.name


def test_nine_minutes_of_overlap_is_not_enough():
    _two_places("10:51")
    assert run("TRN-PERSON-TWO-PLACES") == []


def test_back_to_back_lessons_and_lessons_of_one_class_are_clean():
    a, b = training_class(), training_class()
    person = enrol(a)
    enrol(b, person)
    attend(lesson(a, "09:00", "10:00"), person, at(DAY, "09:00"), at(DAY, "10:00"))
    attend(lesson(b, "10:00", "12:00"), person, at(DAY, "10:00"), at(DAY, "12:00"))
    # two overlapping lessons of the same class (a timetable error, not two places)
    attend(lesson(a, "13:00", "15:00"), person, at(DAY, "13:00"), at(DAY, "15:00"))
    attend(lesson(a, "14:00", "16:00"), person, at(DAY, "14:00"), at(DAY, "16:00"))
    # the lessons overlap but the trainee left the first before the second: the credited intervals do not
    c = training_class()
    enrol(c, person)
    attend(lesson(a, "17:00", "19:00"), person, at(DAY, "17:00"), at(DAY, "17:55"))
    attend(lesson(c, "17:30", "19:00"), person, at(DAY, "17:56"), at(DAY, "19:00"))
    assert run("TRN-PERSON-TWO-PLACES") == []


def test_the_region_and_the_dates_narrow_the_run():
    person, a, b = _two_places("10:30")
    assert [f.organization_id for f in run("TRN-PERSON-TWO-PLACES", region_prefix="350103")] == [b.organization_id]
    assert run("TRN-PERSON-TWO-PLACES", date_from=DAY + dt.timedelta(days=1)) == []
    assert len(run("TRN-PERSON-TWO-PLACES", date_from=DAY, date_to=DAY)) == 2


# -- TRN-DAY-OVERLOAD --------------------------------------------------------------------------------------------


def _day_of(afternoon_end: str):
    cls = training_class()
    person = enrol(cls)
    attend(lesson(cls, "08:00", "12:00"), person, at(DAY, "08:00"), at(DAY, "12:00"))  # 240 minutes
    attend(lesson(cls, "13:00", afternoon_end), person, at(DAY, "13:00"), at(DAY, afternoon_end))
    return person, cls


def test_more_than_480_credited_minutes_in_a_day_is_found():
    person, cls = _day_of("17:01")  # 240 + 241 = 481
    [found] = run("TRN-DAY-OVERLOAD")
    assert (found.organization_id, found.person_id, found.period_from) == (cls.organization_id, person.pk, DAY)
    assert found.evidence["minutes"] == 481 and len(found.evidence["lessons"]) == 2
    assert found.figures["max_minutes"] == 480


def test_the_dates_of_a_run_are_beijing_days():
    _day_of("17:01")  # the first lesson starts at 08:00 Beijing, midnight UTC
    assert len(run("TRN-DAY-OVERLOAD", date_from=DAY, date_to=DAY)) == 1
    assert run("TRN-DAY-OVERLOAD", date_to=DAY - dt.timedelta(days=1)) == []
    assert run("TRN-DAY-OVERLOAD", date_from=DAY + dt.timedelta(days=1)) == []


def test_exactly_480_minutes_is_a_full_day_not_an_overload():
    _day_of("17:00")
    assert run("TRN-DAY-OVERLOAD") == []


def test_the_day_is_the_beijing_calendar_day():
    # 00:30–08:30 on the 15th (480 minutes) and 20:00–23:00 on the 14th (180): the same UTC day, two Beijing days
    cls = training_class()
    person = enrol(cls)
    eve = DAY - dt.timedelta(days=1)
    attend(lesson(cls, "20:00", "23:00", day=eve), person, at(eve, "20:00"), at(eve, "23:00"))
    attend(lesson(cls, "00:30", "08:30"), person, at(DAY, "00:30"), at(DAY, "08:30"))
    assert run("TRN-DAY-OVERLOAD") == []


def test_the_72_hours_on_day_one_case_counts_every_lesson_of_the_day_across_institutions():
    a, b = training_class(institution("350102")), training_class(institution("350103"))
    person = enrol(a)
    enrol(b, person)
    for start, end in (("08:00", "12:00"), ("13:00", "17:00")):
        attend(lesson(a, start, end), person, at(DAY, start), at(DAY, end))
    attend(lesson(b, "18:00", "21:00"), person, at(DAY, "18:00"), at(DAY, "21:00"))
    found = run("TRN-DAY-OVERLOAD")
    assert {f.organization_id: f.figures["org_minutes"] for f in found} == {
        a.organization_id: 480,
        b.organization_id: 180,
    }
    assert {f.evidence["minutes"] for f in found} == {660}


# -- TRN-TEACHER-TWO-PLACES --------------------------------------------------------------------------------------


def test_a_teacher_in_two_classes_at_once_is_found():
    teacher = PersonFactory()
    a, b = training_class(), training_class(institution("350103"))
    lesson(a, "09:00", "11:00", teacher=teacher)
    lesson(b, "10:50", "12:00", teacher=teacher)
    found = run("TRN-TEACHER-TWO-PLACES")
    assert {(f.organization_id, f.person_id) for f in found} == {
        (a.organization_id, teacher.pk),
        (b.organization_id, teacher.pk),
    }
    assert found[0].evidence["overlap_minutes"] == 10


def test_a_teacher_overlapping_nine_minutes_or_in_a_draft_class_is_not_found():
    teacher = PersonFactory()
    a, b, draft = training_class(), training_class(), training_class(status="draft")
    lesson(a, "09:00", "11:00", teacher=teacher)
    lesson(b, "10:51", "12:00", teacher=teacher)
    lesson(draft, "09:00", "11:00", teacher=teacher)
    lesson(a, "13:00", "15:00", teacher=teacher)  # one class's own overlapping lessons
    lesson(a, "14:00", "16:00", teacher=teacher)
    lesson(b, "13:00", "15:00", teacher=PersonFactory())  # another teacher
    assert run("TRN-TEACHER-TWO-PLACES") == []


# -- TRN-CLONED-CHECKINS -----------------------------------------------------------------------------------------


def _checkins(count: int, *, spread_seconds: bool = False):
    cls = training_class()
    the_lesson = lesson(cls, "09:00", "11:00")
    for index in range(count):
        person = enrol(cls)
        # the same second (different fractions of it), or one second apart
        moment = at(DAY, "08:58", index if spread_seconds else 7, 100_000 * index)
        attend(the_lesson, person, moment, at(DAY, "11:00"))
    return cls, the_lesson


def test_five_trainees_signing_in_at_the_same_second_are_found():
    cls, the_lesson = _checkins(5)
    [found] = run("TRN-CLONED-CHECKINS")
    assert (found.organization_id, found.person_id) == (cls.organization_id, None)
    assert found.evidence["instants"] == [{"at": "2026-09-15 08:58:07", "people": 5}]
    assert found.keys == (the_lesson.lesson_code,)


def test_four_at_the_same_second_or_five_a_second_apart_are_not():
    _checkins(4)
    _checkins(5, spread_seconds=True)
    assert run("TRN-CLONED-CHECKINS") == []
