"""An exam point with staff, a bank and a blueprint, and candidates who completed their training."""

from __future__ import annotations

import datetime as dt
import random

from peikao.core.choices import Role
from peikao.core.models import Region
from peikao.exams import services
from peikao.exams.models import Blueprint, PracticalSheet, Question
from peikao.exams.rules import fingerprint
from peikao.registry.choices import AssignmentRole, OrganizationKind
from peikao.registry.models import OperationItem
from peikao.testing.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    OrganizationFactory,
    PersonFactory,
    TrainingClassFactory,
    UserFactory,
)
from peikao.training.models import CreditedHours

BEIJING = dt.timezone(dt.timedelta(hours=8))


def make_bank(item, judge=60, single=60, multi=0, seed=1):
    rng = random.Random(seed)
    questions = []
    for qtype, count in (("judge", judge), ("single", single), ("multi", multi)):
        for n in range(count):
            stem = f"{item.code} {qtype} 题目 {n} {rng.random():.6f}"
            options = [] if qtype == "judge" else [f"选项{letter}{n}" for letter in "ABCD"]
            answer = rng.choice("TF") if qtype == "judge" else ("B" if qtype == "single" else "AC")
            questions.append(Question(question_code=f"T{item.code}-{qtype}-{n}", operation_item=item, qtype=qtype,
                                      stem=stem, options=options, answer=answer, knowledge_point=f"kp{n % 5}",
                                      difficulty=1 + n % 5, fingerprint=fingerprint(stem, options)))  # fmt: skip
    return Question.objects.bulk_create(questions)


def make_exam_world():
    region = Region.objects.get(code="350102")
    item = OperationItem.objects.get(code="1.2")
    centre = OrganizationFactory(kind=OrganizationKind.EXAM_INSTITUTION, region=region)
    point = OrganizationFactory(kind=OrganizationKind.EXAM_POINT, region=region, parent=centre, items=["1.2"],
                                capacity=40, practical_device="real")  # fmt: skip
    school = OrganizationFactory(kind=OrganizationKind.TRAINING_INSTITUTION, region=region, items=["1.2"])
    proctor = PersonFactory(name="周监考")
    examiner = PersonFactory(name="吴考评")
    teacher_proctor = PersonFactory(name="郑兼职")  # teaches at the school and proctors at the point
    for person, role in ((proctor, AssignmentRole.PROCTOR), (examiner, AssignmentRole.EXAMINER),
                         (teacher_proctor, AssignmentRole.PROCTOR)):  # fmt: skip
        AssignmentFactory(person=person, organization=point, role=role, start_date=dt.date(2020, 1, 1))
    AssignmentFactory(
        person=teacher_proctor, organization=school, role=AssignmentRole.TEACHER, start_date=dt.date(2021, 1, 1)
    )
    training = TrainingClassFactory(organization=school, trainee_category="special_operator", operation_item=item,
                                    start_date=dt.date(2026, 8, 3), end_date=dt.date(2026, 8, 14))  # fmt: skip
    candidates = []
    for index in range(6):
        person = PersonFactory(birth=dt.date(1990, 1, 1 + index))
        person.education = "senior_high"
        person.save()
        enrolment = EnrolmentFactory(training_class=training, person=person)
        CreditedHours.objects.create(enrolment=enrolment, credited_tenths=800, required_tenths=800, completed=True)
        candidates.append(person)
    make_bank(item)
    blueprint = Blueprint.objects.create(
        operation_item=item, name="低压电工作业理论考试", duration_minutes=120, pass_score=80,
        sections=[{"qtype": "judge", "count": 50, "points": 1}, {"qtype": "single", "count": 50, "points": 1}],
    )  # fmt: skip
    PracticalSheet.objects.create(operation_item=item, name="低压电工作业实操", pass_score=80, tasks=[
        {"code": "K1", "name": "安全用具使用", "points": 20}, {"code": "K2", "name": "电工仪表安全使用", "points": 20},
        {"code": "K3", "name": "电气安全作业", "points": 40}, {"code": "K4", "name": "作业现场应急处置", "points": 20},
    ])  # fmt: skip
    return {
        "item": item, "point": point, "centre": centre, "school": school, "proctor": proctor, "examiner": examiner,
        "teacher_proctor": teacher_proctor, "training": training, "candidates": candidates, "blueprint": blueprint,
        "staff": UserFactory(username="ep-clerk", role=Role.ORG_CLERK, organization=point),
        "regulator": UserFactory(username="gl-reg", role=Role.INSPECTOR, region=region),
        "admin": UserFactory(username="fj-adm", role=Role.REGULATOR_ADMIN, region=Region.objects.get(code="350000")),
    }  # fmt: skip


def sitting_at(world, code="S-1", part="theory", day=dt.date(2026, 9, 15), hour=9):
    start = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=BEIJING)
    return services.sitting_create(actor=world["staff"], exam_point=world["point"], sitting_code=code, part=part,
                                   starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                   operation_item=world["item"])  # fmt: skip


def open_sitting_now(world, code: str):
    """A theory sitting under way (from ten minutes ago, two hours), its proctor, one registered candidate: what a
    browser test of the exam page needs. Returns the sitting and the registration."""
    from django.utils import timezone

    now = timezone.now()
    sitting = services.sitting_create(actor=world["staff"], exam_point=world["point"], sitting_code=code, part="theory",
                                      starts_at=now - dt.timedelta(minutes=10), ends_at=now + dt.timedelta(hours=2),
                                      operation_item=world["item"])  # fmt: skip
    services.staff_assign(actor=world["staff"], sitting=sitting, person=world["proctor"], role="proctor")
    registration = services.register(actor=world["staff"], sitting=sitting, person=world["candidates"][0])
    services.sitting_open(actor=world["staff"], sitting=sitting)
    return sitting, registration
