"""The oversight part of the demo province: planted cases the detectors find, then a run of every detector, so
that a new user sees real alerts in the queue.

A second low-voltage class at 仓山's institution is laid out on the very days and hours of 鼓楼's sealed class:
two of 鼓楼's trainees sign in at both on the first day (in two places at once, more hours a day than a day
holds), one teacher of 鼓楼 teaches there too at the same hours, and the sign-in of its first lesson is cloned to
the second. The exams part already planted 培考不分 (a teacher of the welding class proctoring at the exam point);
a candidate of the second class who "answers" the low-voltage paper in a minute is added here. Everything goes
through the services.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peikao.core.audit import audit_context
from peikao.core.errors import DomainError
from peikao.core.models import User
from peikao.demo.exams import _at, _staff, _take, eligible
from peikao.demo.steps import DemoContext, step
from peikao.demo.training import ClassBuilder, _people
from peikao.exams import services as exam_services
from peikao.oversight.grading.services.commitments import commitments_refresh
from peikao.oversight.grading.services.exits import exit_proposals_detect
from peikao.oversight.grading.services.grades import grades_recompute
from peikao.oversight.services import alerts_detect
from peikao.registry import services as registry_services
from peikao.registry.models import Organization, Person
from peikao.testing.answers import correct_letters
from peikao.training import services as training_services
from peikao.training.models import TrainingClass

DOUBLE = 2  # 鼓楼's trainees who also sign in at 仓山 on the first day
CLONED = 8  # trainees whose sign-in of the first lesson carries the same second


def _plant_training(ctx: DemoContext, admin: User) -> str:
    year = ctx.today.year
    sealed = TrainingClass.objects.select_related("organization").get(class_code=f"GL-{year}-DY03")
    cangshan = Organization.objects.get(org_code=ctx.data["training"][1])
    reviewer = User.objects.get(username="fz-inspector")
    builder = ClassBuilder(ctx, admin, reviewer)
    shared_teacher = sealed.lessons.order_by("starts_at").first().teacher  # teaches 鼓楼's first lesson
    registry_services.assignment_create(
        actor=admin, person=shared_teacher, organization=cangshan, role="teacher", start_date=dt.date(year, 1, 1)
    )
    twin = builder.open(
        cangshan,
        f"CS-{year}-DY07",
        f"低压电工作业初训{year}年第7期",
        "special_operator",
        "initial",
        sealed.start_date,
        4,
        item="1.2",
        syllabus="32",
    )
    lessons = builder.lessons(twin, [shared_teacher])
    builder.file_and_accept(twin)
    sealed_trainees = set(sealed.enrolments.values_list("person", flat=True))
    double = list(Person.objects.filter(pk__in=sealed_trainees).order_by("id")[:DOUBLE])
    candidates = _people("special_operator", ctx.data["enterprises"], 40, ctx.rng, item="1.2")
    others = [person for person in candidates if person.pk not in sealed_trainees]
    trainees = builder.enrol(twin, double + others[:10])
    day_one = timezone.localtime(lessons[0].starts_at).date()
    rest = {index for index, lesson in enumerate(lessons) if timezone.localtime(lesson.starts_at).date() != day_one}
    # 鼓楼's trainees sign in here on the first day only, while their own class teaches them there
    builder.attend(lessons, trainees, source="card", absent=dict.fromkeys(range(DOUBLE), rest))
    first = lessons[0]
    instant = first.starts_at - dt.timedelta(minutes=3)
    cloned = {person.pk for person in trainees[:CLONED]}
    builder.events = [
        (lesson, person, kind, instant if lesson == first.pk and kind == "in" and person in cloned else at, src, dev)
        for lesson, person, kind, at, src, dev in builder.events
    ]
    builder.flush()
    training_services.refresh_hours([twin.pk], force=True)
    return twin


def _plant_exam(ctx: DemoContext, twin: TrainingClass) -> str:
    """A theory sitting a week after the second class: one candidate submits all answers right within a minute."""
    point = Organization.objects.get(org_code=ctx.data["exam_points"][0])
    clerk = User.objects.get(username="ep-admin")
    day = twin.end_date + dt.timedelta(days=7)
    sitting = exam_services.sitting_create(
        actor=clerk,
        exam_point=point,
        sitting_code=f"KS-{day:%Y-%m%d}-DY-LL-B",
        part="theory",
        starts_at=_at(day, 9),
        ends_at=_at(day, 11),
        operation_item=twin.operation_item,
    )
    sealed_trainees = Person.objects.filter(enrolments__training_class__class_code=f"GL-{twin.start_date.year}-DY03")
    people = [
        p
        for p in Person.objects.filter(enrolments__training_class=twin).exclude(pk__in=sealed_trainees).order_by("id")
        if eligible(p, sitting)
    ]
    registrations = [exam_services.register(actor=clerk, sitting=sitting, person=person) for person in people[:4]]
    assigned = 0
    for proctor in _staff(point, "proctor"):
        if assigned == 2:
            break
        try:  # a proctor who works for the candidates' institution is refused (training and exams separate)
            exam_services.staff_assign(actor=clerk, sitting=sitting, person=proctor, role="proctor")
            assigned += 1
        except DomainError:
            continue
    exam_services.sitting_open(actor=clerk, sitting=sitting)
    for index, registration in enumerate(registrations):
        start = _at(day, 9, 2 + index)
        if index == 0:  # every answer right, all saved and submitted within a minute
            exam_services.sheet_start(registration, now=start)
            for position in range(len(registration.paper.items)):
                answer = correct_letters(registration, position)
                exam_services.save_answer(
                    registration=registration, position=position, answer=answer, now=start + dt.timedelta(seconds=2)
                )
            exam_services.submit(registration=registration, now=start + dt.timedelta(seconds=55))
        else:
            _take(registration, ctx.rng, 0.9, start)
    exam_services.sitting_close(actor=clerk, sitting=sitting)
    return sitting.sitting_code


@step(600, "oversight")
def build_oversight(ctx: DemoContext) -> str:
    admin = User.objects.get(username="fj-admin")
    with audit_context(user=admin):
        twin = _plant_training(ctx, admin)
        sitting = _plant_exam(ctx, twin)
    with audit_context(label="command:demo"):
        results = alerts_detect(actor=None)
    found = ", ".join(f"{result.code} {result.found}" for result in results if result.found)
    return f"planted {twin.class_code}, {sitting}; alerts: {found or 'none'}"


@step(650, "grades")
def build_grades(ctx: DemoContext) -> str:
    """The risk grades of the demo province, as the scheduled job would leave them after a day's records: the
    commitments brought up to date, every subject graded, the exit rules run — so that a new user sees grades
    on the plan, the grade pages and any exit proposal waiting for a decision."""
    with audit_context(label="command:demo"):
        commitments_refresh(actor=None, on=ctx.today)
        summary = grades_recompute(actor=None, as_of=ctx.today)
        proposals = exit_proposals_detect(actor=None, on=ctx.today)
    graded = "; ".join(
        f"{kind} " + " ".join(f"{letter}={n}" for letter, n in counts.items() if n) for kind, counts in summary.items()
    )
    return f"graded {graded}; {proposals} exit proposals"
