"""Hand-built training and exam records for the detector tests (Beijing times; direct rows, like an import)."""

from __future__ import annotations

import datetime as dt
import itertools

from peikao.core.models import Region
from peikao.exams.models import Registration, Result, Sitting
from peikao.oversight.detectors import REGISTRY, Found, RunScope
from peikao.oversight.models import Detector
from peikao.oversight.services import render_explanation
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import OperationItem
from peikao.testing.factories import (
    EnrolmentFactory,
    LessonFactory,
    OrganizationFactory,
    PersonFactory,
    TrainingClassFactory,
)
from peikao.training.models import AttendanceEvent

BEIJING = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 9, 15)
_codes = itertools.count(1)


def run(code: str, **scope) -> list[Found]:
    """Run the detector ``code`` with the thresholds loaded from the reference data; every alert it finds gives
    its explanation every figure the template names (none left as a visible {placeholder})."""
    detector = Detector.objects.get(code=code)
    found = REGISTRY[code](RunScope(thresholds=detector.thresholds_on(dt.date(2026, 12, 5)), **scope))
    for item in found:
        text = render_explanation(detector.explanation, item.figures)
        assert "{" not in text and "}" not in text, (code, text)
    return found


def at(day: dt.date, hhmm: str, seconds: int = 0, micro: int = 0) -> dt.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute, seconds, micro), tzinfo=BEIJING)


def region(code: str = "350102") -> Region:
    return Region.objects.get(code=code)


def institution(code: str = "350102", **kwargs):
    return OrganizationFactory(kind=OrganizationKind.TRAINING_INSTITUTION, region=region(code), **kwargs)


def exam_point(code: str = "350102"):
    return OrganizationFactory(kind=OrganizationKind.EXAM_POINT, region=region(code), items=["1.2"])


def training_class(org=None, *, status: str = "accepted", day: dt.date = DAY):
    return TrainingClassFactory(organization=org or institution(), status=status, start_date=day, end_date=day)


def lesson(cls, start: str, end: str, *, day: dt.date = DAY, teacher=None, end_day: dt.date | None = None):
    return LessonFactory(training_class=cls, starts_at=at(day, start), ends_at=at(end_day or day, end), teacher=teacher)


def enrol(cls, person=None):
    person = person or PersonFactory()
    EnrolmentFactory(training_class=cls, person=person)
    return person


def attend(the_lesson, person, start: dt.datetime, end: dt.datetime | None = None):
    """An in (and an out) event of ``person`` in ``the_lesson``."""
    rows = [AttendanceEvent(lesson=the_lesson, person=person, event="in", at=start, source="import")]
    if end is not None:
        rows.append(AttendanceEvent(lesson=the_lesson, person=person, event="out", at=end, source="import"))
    AttendanceEvent.objects.bulk_create(rows)


def sitting(point, *, day: dt.date = DAY, hour: int = 9, part: str = "theory"):
    start = at(day, f"{hour:02d}:00")
    return Sitting.objects.create(
        sitting_code=f"S-{next(_codes):05d}",
        exam_point=point,
        part=part,
        operation_item=OperationItem.objects.get(code="1.2"),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=200,
        status="closed",
    )


def result(
    the_sitting,
    person=None,
    *,
    answers: dict | None = None,
    passed: bool = True,
    score: str = "90",
    seconds: int = 3600,
    attempt: int = 1,
    training_class=None,
    status: str = "valid",
):
    person = person or PersonFactory()
    registration = Registration.objects.create(
        sitting=the_sitting,
        person=person,
        admission_code=f"A{next(_codes):07d}",
        attempt=attempt,
        training_class=training_class,
    )
    started = the_sitting.starts_at + dt.timedelta(minutes=1)
    return Result.objects.create(
        registration=registration,
        score=score,
        passed=passed,
        status=status,
        started_at=started,
        submitted_at=started + dt.timedelta(seconds=seconds),
        answers=answers or {},
    )
