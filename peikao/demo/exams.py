"""The exams part of the demo province: banks and blueprints for a few items, sittings with results, a
practical on real and simulated equipment, a patrol that cancels a score, a proctor conflict, and an open
sitting the demo candidate can take in the browser."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from decimal import Decimal
from pathlib import Path

import yaml
from django.utils import timezone

from peikao.accounts.services import account_link_set
from peikao.core.exchange.runner import run_import
from peikao.core.models import Region, User
from peikao.demo.steps import DemoContext, imported, step
from peikao.exams import services
from peikao.exams.models import Blueprint, PracticalSheet, Result
from peikao.registry import services as registry_services
from peikao.registry.models import OperationItem, Organization, Person
from peikao.testing.answers import correct_letters
from peikao.training.models import CreditedHours

BEIJING = dt.timezone(dt.timedelta(hours=8))
BANK_FILE = Path(__file__).resolve().parent / "data" / "demo_bank.yaml"
BLUEPRINTS = {"1.2": (10, 4, 10, 6), "2.1": (8, 5, 6, 10), "3.1": (5, 8, 4, 15)}  # judge n×points, single n×points
PRACTICAL = {
    "1.2": [
        ("K1", "电工安全用具使用", 20),
        ("K2", "电工仪表安全使用", 20),
        ("K3", "电气安全作业（接线与检查）", 40),
        ("K4", "作业现场应急处置（触电急救）", 20),
    ],
    "2.1": [("K1", "安全检查与防护用品", 20), ("K2", "焊接操作", 50), ("K3", "作业现场应急处置", 30)],
    "3.1": [("K1", "安全带与防护用品使用", 20), ("K2", "脚手架搭设", 50), ("K3", "作业现场应急处置", 30)],
}


TRAINEE_BANKS = ("principal", "safety_manager", "employee")  # general banks of the trainee categories


def _bank_csv(codes: set[str] | None = None) -> bytes:
    """The demo bank as questions.csv: the operation items' banks, or those of ``codes`` only."""
    data = yaml.safe_load(BANK_FILE.read_text(encoding="utf-8"))
    data = {code: bank for code, bank in data.items() if (code in codes if codes else code not in TRAINEE_BANKS)}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "question_code",
            "operation_item",
            "qtype",
            "stem",
            "option_a",
            "option_b",
            "option_c",
            "option_d",
            "answer",
            "knowledge_point",
            "difficulty",
        ]
    )
    rng = random.Random(5)
    for code, bank in data.items():
        for index, (statement, true) in enumerate(bank["judge"]):
            writer.writerow(
                [
                    f"DEMO-{code}-J{index + 1:02d}",
                    code,
                    "judge",
                    statement,
                    "",
                    "",
                    "",
                    "",
                    "对" if true else "错",
                    "安全常识",
                    1 + index % 3,
                ]
            )
        for index, (stem, options) in enumerate(bank["single"]):
            order = list(range(len(options)))
            rng.shuffle(order)
            shuffled = [options[i] for i in order]
            answer = "ABCD"[order.index(0)]
            writer.writerow(
                [f"DEMO-{code}-S{index + 1:02d}", code, "single", stem, *shuffled, answer, "专业知识", 2 + index % 3]
            )
    return out.getvalue().encode("utf-8")


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BEIJING)


def _completed(class_code: str) -> list[Person]:
    ids = CreditedHours.objects.filter(enrolment__training_class__class_code=class_code, completed=True).values_list(
        "enrolment__person", flat=True
    )
    return list(Person.objects.filter(pk__in=ids).order_by("id"))


def _staff(point: Organization, role: str) -> list[Person]:
    return list(Person.objects.filter(assignments__organization=point, assignments__role=role).order_by("id"))


def _take(registration, rng, skill: float, at: dt.datetime) -> None:
    """A candidate sits the theory exam: answers each question right with probability ``skill``."""
    services.sheet_start(registration, now=at)
    for position in range(len(registration.paper.items)):
        right = correct_letters(registration, position)
        answer = (
            right
            if rng.random() < skill
            else ("F" if right == "T" else "T" if right == "F" else "ABCD"[rng.randrange(4)])
        )
        services.save_answer(
            registration=registration, position=position, answer=answer, now=at + dt.timedelta(seconds=20 * position)
        )
    services.submit(registration=registration, now=at + dt.timedelta(minutes=40 + rng.randint(0, 40)))


def eligible(person: Person, sitting) -> bool:
    checks, _training, _attempt = services.eligibility(person=person, sitting=sitting)
    return all(check.ok for check in checks)


@step(300, "exams")
def build_exams(ctx: DemoContext) -> str:
    rng, today = ctx.rng, ctx.today
    result = run_import(
        kind_name="questions", source=io.BytesIO(_bank_csv()), filename="demo-bank.csv", label="command:demo"
    )
    imported(result, "questions")
    for category in TRAINEE_BANKS:  # a bank file of a trainee category names it as the import's option
        general = run_import(
            kind_name="questions",
            source=io.BytesIO(_bank_csv({category})),
            filename=f"demo-bank-{category}.csv",
            label="command:demo",
            options={"trainee_category": category},
        )
        imported(general, "questions")
    items = {item.code: item for item in OperationItem.objects.filter(code__in=BLUEPRINTS)}
    admin = User.objects.get(username="fj-admin")
    for code, (jn, jp, sn, sp) in BLUEPRINTS.items():
        services.blueprint_save(
            actor=admin,
            blueprint=Blueprint(
                operation_item=items[code],
                name=f"{items[code].name}理论考试",
                duration_minutes=120,
                pass_score=80,
                sections=[
                    {"qtype": "judge", "count": jn, "points": jp},
                    {"qtype": "single", "count": sn, "points": sp},
                ],
            ),
        )
        services.practical_sheet_create(
            actor=admin,
            sheet=PracticalSheet(
                operation_item=items[code],
                name=f"{items[code].name}实操考试",
                pass_score=80,
                tasks=[{"code": c, "name": n, "points": p} for c, n, p in PRACTICAL[code]],
            ),
        )
    point = Organization.objects.get(org_code=ctx.data["exam_points"][0])
    clerk = User.objects.get(username="ep-admin")
    inspector = User.objects.get(username="fz-inspector")
    proctors, examiners = _staff(point, "proctor"), _staff(point, "examiner")
    conflicted = Person.objects.get(id_number=ctx.data["conflicted_examiner"])
    examiners = [p for p in examiners if p != conflicted]
    year = today.year
    trained = _completed(f"GL-{year}-DY03")

    # A theory sitting after the class: most pass, a few fail, one is caught using a phone.
    day = dt.date(year, 9, 17)
    theory = services.sitting_create(
        actor=clerk,
        exam_point=point,
        sitting_code=f"KS-{year}-0917-DY-LL",
        part="theory",
        starts_at=_at(day, 9),
        ends_at=_at(day, 11),
        operation_item=items["1.2"],
    )
    services.staff_assign(actor=clerk, sitting=theory, person=proctors[0], role="proctor")
    services.staff_assign(actor=clerk, sitting=theory, person=proctors[1], role="proctor")
    sitters = [person for person in trained if eligible(person, theory)]
    candidate = sitters.pop()  # kept for the open sitting below
    registrations = [services.register(actor=clerk, sitting=theory, person=person) for person in sitters]
    services.sitting_open(actor=clerk, sitting=theory)
    for registration in registrations:
        _take(registration, rng, rng.choice([0.97, 0.93, 0.9, 0.86, 0.7]), _at(day, 9, rng.randint(1, 8)))
    services.sitting_close(actor=clerk, sitting=theory)
    patrol = services.patrol_record(
        actor=inspector,
        sitting=theory,
        mode="recorded",
        started_at=_at(day, 9),
        ended_at=_at(day, 11),
        notes="回看考场录像，抽查第2、3考场",
    )
    passed = [r for r in registrations if r.result.passed]
    services.finding_record(
        actor=inspector,
        sitting=theory,
        patrol=patrol,
        registration=passed[-1],
        observation="考生在考试中低头查看手机，屏幕显示题库内容",
        sanction="score_cancelled",
        observed_at=_at(day, 9, 47),
    )
    services.finding_record(
        actor=inspector,
        sitting=theory,
        patrol=patrol,
        registration=passed[0],
        observation="考生与邻座交谈",
        sanction="warning",
        observed_at=_at(day, 10, 5),
    )
    feed, _key = services.feed_register(
        actor=admin, name="福州市考场视频智能分析平台", region=Region.objects.get(code="350100")
    )
    services.analytics_event(
        feed=feed,
        external_id="VA-20260917-0031",
        sitting_code=theory.sitting_code,
        observed_at=_at(day, 10, 12),
        observation="检测到考生长时间离开座位",
        confidence=Decimal("0.82"),
        admission_code=registrations[2].admission_code,
    )

    # The practical the next day, on real and simulated equipment.
    practical_day = dt.date(year, 9, 18)
    practical = services.sitting_create(
        actor=clerk,
        exam_point=point,
        sitting_code=f"KS-{year}-0918-DY-SC",
        part="practical",
        starts_at=_at(practical_day, 9),
        ends_at=_at(practical_day, 17),
        operation_item=items["1.2"],
    )
    services.staff_assign(actor=clerk, sitting=practical, person=examiners[0], role="examiner")
    passed_now = [
        result.registration.person
        for result in Result.objects.filter(registration__sitting=theory, status="valid", passed=True)
        .select_related("registration__person")
        .order_by("registration__person_id")
    ]
    practical_regs = [services.register(actor=clerk, sitting=practical, person=person) for person in passed_now]
    services.sitting_open(actor=clerk, sitting=practical)
    for index, registration in enumerate(practical_regs):
        scores = {
            "K1": rng.choice([16, 18, 20]),
            "K2": rng.choice([14, 16, 18, 20]),
            "K3": rng.choice([28, 32, 36, 40]),
            "K4": rng.choice([12, 16, 18, 20]),
        }
        services.practical_score(
            actor=clerk,
            registration=registration,
            examiner=examiners[0],
            task_scores=scores,
            device_type="simulated" if index % 3 == 0 else "real",
            performed="hands_on",
        )
    services.sitting_close(actor=clerk, sitting=practical)

    # An upcoming practical where an examiner also teaches the candidates: training and exams not separated.
    welders = _completed(f"GL-{year}-HJ02")
    upcoming_day = today + dt.timedelta(days=12)
    upcoming = services.sitting_create(
        actor=clerk,
        exam_point=point,
        sitting_code=f"KS-{year}-{upcoming_day:%m%d}-HJ-LL",
        part="theory",
        starts_at=_at(upcoming_day, 9),
        ends_at=_at(upcoming_day, 11),
        operation_item=items["2.1"],
    )
    # The teacher of the welding class also proctors at the point.
    registry_services.assignment_create(
        actor=clerk, person=conflicted, organization=point, role="proctor", start_date=dt.date(year - 1, 1, 1)
    )
    services.staff_assign(actor=clerk, sitting=upcoming, person=conflicted, role="proctor")
    for person in [p for p in welders if eligible(p, upcoming)][:6]:
        services.register(actor=clerk, sitting=upcoming, person=person)

    # An open sitting for the demo candidate, to take in the browser at /exam/.
    demo_user = User.objects.get(username="candidate")
    account_link_set(user=demo_user, person=candidate, full_name=candidate.name)
    now = timezone.localtime()
    open_sitting = services.sitting_create(
        actor=clerk,
        exam_point=point,
        sitting_code=f"KS-{year}-DEMO-DY-LL",
        part="theory",
        starts_at=_at(now.date(), 0, 5),
        ends_at=_at(now.date() + dt.timedelta(days=14), 23, 0),
        operation_item=items["1.2"],
    )
    services.staff_assign(actor=clerk, sitting=open_sitting, person=proctors[2 % len(proctors)], role="proctor")
    services.register(actor=clerk, sitting=open_sitting, person=candidate)
    services.sitting_open(actor=clerk, sitting=open_sitting)
    ctx.data["exam_candidate"] = candidate.pk
    return f"{result.counts.imported} questions in 3 banks, 4 sittings, {len(registrations)} theory results, a patrol"
