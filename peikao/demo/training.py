"""The training part of the demo province: classes of every trainee category in every state, lessons,
and attendance with the faults inspectors look for (missed lessons, late arrivals, compressed hours)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from peikao.core.models import User
from peikao.demo.steps import DemoContext, step
from peikao.registry import services as registry_services
from peikao.registry.choices import AssignmentRole
from peikao.registry.models import Industry, OperationItem, Organization, Person
from peikao.training import services
from peikao.training.choices import ClassStatus
from peikao.training.models import Lesson

BEIJING = dt.timezone(dt.timedelta(hours=8))
# (start hour, minute, 学时) of the sessions of a teaching day: 4 + 4 学时 of 45 minutes, a break between.
DAY_PLAN = [((8, 30), 4), ((14, 0), 4)]


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BEIJING)


def _weekdays(start: dt.date, count: int) -> list[dt.date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


class ClassBuilder:
    """Opens a class through the services, lays out its lessons and produces its attendance."""

    def __init__(self, ctx: DemoContext, actor: User, reviewer: User):
        self.ctx, self.actor, self.reviewer = ctx, actor, reviewer
        self.rng = ctx.rng
        self.events: list[tuple] = []

    def open(
        self,
        org: Organization,
        code: str,
        name: str,
        category: str,
        training_type: str,
        start: dt.date,
        days: int,
        *,
        item: str | None = None,
        industry: str | None = None,
        syllabus: str | None = None,
    ):
        data = services.ClassData(
            class_code=code,
            name=name,
            trainee_category=category,
            training_type=training_type,
            operation_item=OperationItem.objects.get(code=item) if item else None,
            industry=Industry.objects.get(code=industry) if industry else None,
            syllabus_hours=Decimal(syllabus) if syllabus else None,
            start_date=start,
            end_date=_weekdays(start, days)[-1],
        )
        return services.class_create(actor=self.actor, organization=org, data=data)

    def lessons(
        self,
        training_class,
        teachers: list[Person],
        *,
        hours_per_day: list | None = None,
        online_last_day: bool = False,
    ):
        """Lessons over the class's weekdays, until they yield the hours the class requires."""
        days = _weekdays(training_class.start_date, 30)
        days = [day for day in days if day <= training_class.end_date]
        required_minutes = int(training_class.required_tenths * 45 / 10)
        planned, index, lessons = 0, 0, []
        for day in days:
            for (hour, minute), units in hours_per_day or DAY_PLAN:
                if planned >= required_minutes:
                    break
                minutes = min(units * 45, required_minutes - planned)
                if minutes < 30:
                    break
                online = online_last_day and day == days[-1]
                start = _at(day, hour, minute)
                index += 1
                lessons.append(
                    services.lesson_create(
                        actor=self.actor,
                        training_class=training_class,
                        lesson_code=f"{training_class.class_code}-L{index:02d}",
                        mode="online"
                        if online
                        else ("practical" if index % 4 == 0 and training_class.operation_item_id else "theory"),
                        starts_at=start,
                        ends_at=start + dt.timedelta(minutes=minutes),
                        teacher=None if online else teachers[index % len(teachers)],
                        venue="" if online else f"{training_class.organization.name}{1 + index % 3}号教室",
                    )
                )
                planned += minutes
        return lessons

    def enrol(self, training_class, persons: list[Person]) -> list[Person]:
        for person in persons:
            services.enrolment_add(actor=self.actor, training_class=training_class, person=person)
        return persons

    def attend(
        self,
        lessons: list[Lesson],
        persons: list[Person],
        *,
        source: str,
        device: str = "",
        absent: dict | None = None,
        late: dict | None = None,
        leave_early: dict | None = None,
        forget_out: dict | None = None,
    ):
        """In and out for everyone at every lesson, with the faults given as {person index: lesson indexes}."""
        rng = self.rng
        for li, lesson in enumerate(lessons):
            for pi, person in enumerate(persons):
                if li in (absent or {}).get(pi, ()):
                    continue
                arrive = lesson.starts_at - dt.timedelta(minutes=rng.randint(1, 12), seconds=rng.randint(0, 59))
                leave = lesson.ends_at + dt.timedelta(minutes=rng.randint(0, 6), seconds=rng.randint(0, 59))
                if li in (late or {}).get(pi, ()):
                    arrive = lesson.starts_at + dt.timedelta(minutes=rng.randint(25, 70))
                if li in (leave_early or {}).get(pi, ()):
                    leave = lesson.ends_at - dt.timedelta(minutes=rng.randint(40, 90))
                mode_source = "online" if lesson.mode == "online" else source
                self.events.append((lesson.pk, person.pk, "in", arrive, mode_source, device))
                if li not in (forget_out or {}).get(pi, ()):
                    self.events.append((lesson.pk, person.pk, "out", leave, mode_source, device))

    def flush(self) -> int:
        now = timezone.now()
        rows = [
            (lesson, person, kind, at, source, device, None, None, now)
            for lesson, person, kind, at, source, device in self.events
        ]
        self.events = []
        return services.attendance_insert_bulk(rows=rows)

    def file_and_accept(self, training_class, *, accept: bool = True):
        services.class_file(
            actor=self.actor, training_class=training_class, today=training_class.start_date - dt.timedelta(days=10)
        )
        if accept:
            services.class_accept(actor=self.reviewer, training_class=training_class)


def _people(role: str, orgs: list[str], count: int, rng, item: str | None = None) -> list[Person]:
    queryset = Person.objects.filter(
        assignments__role=role, assignments__organization__org_code__in=orgs, assignments__end_date__isnull=True
    )
    if item:
        queryset = queryset.filter(assignments__operation_item__code=item)
    people = list(queryset.distinct().order_by("id"))
    rng.shuffle(people)
    return people[:count]


def _teachers(org: Organization) -> list[Person]:
    return list(
        Person.objects.filter(
            assignments__organization=org,
            assignments__role__in=[AssignmentRole.TEACHER, AssignmentRole.PRACTICAL_INSTRUCTOR],
        ).order_by("id")
    )


@step(200, "training")
def build_training(ctx: DemoContext) -> str:
    rng, today = ctx.rng, ctx.today
    admin = User.objects.get(username="fj-admin")
    orgs = {org.org_code: org for org in Organization.objects.filter(org_code__in=ctx.data["training"])}
    schools = [orgs[code] for code in ctx.data["training"]]
    enterprises = ctx.data["enterprises"]
    inspector = {"3501": User.objects.get(username="fz-inspector"), "3502": User.objects.get(username="xm-inspector")}
    builders = {}

    def builder(org: Organization) -> ClassBuilder:
        key = org.region_id[:4]
        if key not in builders:
            builders[key] = ClassBuilder(ctx, admin, inspector.get(key, admin))
        return builders[key]

    summary = []
    gulou, cangshan, jinan, xiamen = schools[0], schools[1], schools[2], schools[4]
    ti_admin = User.objects.get(username="ti-admin")
    device, _key = services.device_register(
        actor=ti_admin, organization=gulou, device_code="GL-FACE-01", kind="face", name="一号教学楼人脸识别门禁"
    )
    year = today.year

    # 1. A sealed special-operations class with the usual faults.
    b = builder(gulou)
    start = _weekdays(dt.date(year, 9, 7), 1)[0]
    c1 = b.open(
        gulou,
        f"GL-{year}-DY03",
        f"低压电工作业初训{year}年第3期",
        "special_operator",
        "initial",
        start,
        4,
        item="1.2",
        syllabus="32",
    )
    lessons = b.lessons(c1, _teachers(gulou))
    b.file_and_accept(c1)
    trainees = b.enrol(c1, _people("special_operator", enterprises, 18, rng, item="1.2"))
    b.attend(
        lessons,
        trainees,
        source="face",
        device=device.device_code,
        absent={2: {3}, 7: {5, 6}},
        late={4: {0}, 9: {2}, 11: {6}},
        leave_early={13: {7}},
        forget_out={15: {1}},
    )
    b.flush()
    services.class_close(actor=admin, training_class=c1, today=c1.end_date)
    summary.append(c1.class_code)

    # 2. A class that ended and awaits closing.
    start = _weekdays(dt.date(year, 10, 12), 1)[0]
    c2 = b.open(
        gulou,
        f"GL-{year}-HJ02",
        f"熔化焊接与热切割作业初训{year}年第2期",
        "special_operator",
        "initial",
        start,
        4,
        item="2.1",
        syllabus="32",
    )
    lessons = b.lessons(c2, _teachers(gulou))
    b.file_and_accept(c2)
    trainees = b.enrol(c2, _people("special_operator", enterprises, 12, rng, item="2.1"))
    b.attend(lessons, trainees, source="face", device=device.device_code, absent={0: {1}}, late={5: {4}})
    b.flush()
    summary.append(c2.class_code)

    # 3. Compressed hours: 32 学时 filed and scheduled over four days, taught on two afternoons (attendance shows it).
    b = builder(cangshan)
    start = _weekdays(dt.date(year, 10, 19), 1)[0]
    c3 = b.open(
        cangshan,
        f"CS-{year}-DG01",
        f"登高架设作业初训{year}年第1期",
        "special_operator",
        "initial",
        start,
        4,
        item="3.1",
        syllabus="32",
    )
    lessons = b.lessons(c3, _teachers(cangshan))
    b.file_and_accept(c3)
    taught = {1, 3}  # two afternoons
    trainees = b.enrol(
        c3, _people("special_operator", enterprises, 15, rng, item="3.1") or _people("employee", enterprises, 15, rng)
    )
    untaught = {li for li in range(len(lessons)) if li not in taught}
    b.attend(lessons, trainees, source="card", absent=dict.fromkeys(range(len(trainees)), untaught))
    b.flush()
    summary.append(c3.class_code)

    # 4. Principals and safety managers of chemical enterprises (48 学时 under order No. 3 art. 9), sealed.
    b = builder(jinan)
    chemical = [
        code
        for code in enterprises
        if Organization.objects.filter(org_code=code, industry__code="hazardous_chemicals").exists()
    ]
    start = _weekdays(dt.date(year, 11, 2), 1)[0]
    c4 = b.open(
        jinan,
        f"JA-{year}-WH01",
        f"危险化学品企业主要负责人和安全管理人员初训{year}年第1期",
        "safety_manager",
        "initial",
        start,
        6,
        industry="hazardous_chemicals",
    )
    lessons = b.lessons(c4, _teachers(jinan))
    b.file_and_accept(c4)
    trainees = b.enrol(c4, _people("safety_manager", chemical, 14, rng) + _people("principal", chemical, 6, rng))
    b.attend(lessons, trainees, source="face", absent={3: {10, 11}}, late={6: {2, 8}})
    b.flush()
    if c4.end_date <= today:
        services.class_close(actor=admin, training_class=c4, today=c4.end_date)
    summary.append(c4.class_code)

    # 5. Annual refresher of safety managers, partly online (12 学时), Xiamen.
    b = builder(xiamen)
    start = _weekdays(dt.date(year, 11, 16), 1)[0]
    c5 = b.open(
        xiamen,
        f"XM-{year}-AQ12",
        f"生产经营单位安全管理人员再培训{year}年",
        "safety_manager",
        "refresher",
        start,
        2,
        industry="general",
    )
    lessons = b.lessons(c5, _teachers(xiamen), online_last_day=True)
    b.file_and_accept(c5)
    xiamen_enterprises = [code for code in enterprises if code[2:6] == "3502"] or enterprises
    trainees = b.enrol(c5, _people("safety_manager", xiamen_enterprises, 16, rng))
    b.attend(lessons, trainees, source="card", absent={1: {2, 3}}, leave_early={4: {0}})
    b.flush()
    summary.append(c5.class_code)

    # 6. An enterprise's own pre-job training of new workers (建筑施工: 32 学时, policy).
    construction = Organization.objects.filter(
        org_code__in=enterprises, industry__code="construction", status="active"
    ).first()
    b = builder(construction)
    start = _weekdays(dt.date(year, 10, 26), 1)[0]
    c6 = b.open(construction, f"QY-{year}-XYG01", "新入场作业人员岗前安全培训", "employee", "initial", start, 4)
    managers = _people("safety_manager", [construction.org_code], 3, rng)
    for manager in managers:
        registry_services.assignment_create(
            actor=b.actor,
            person=manager,
            organization=construction,
            role=AssignmentRole.TEACHER,
            start_date=dt.date(year, 1, 1),
        )
    lessons = b.lessons(c6, managers)
    b.file_and_accept(c6)
    trainees = b.enrol(c6, _people("employee", [construction.org_code], 10, rng))
    b.attend(lessons, trainees, source="manual", absent={1: set(range(8, 16))})
    b.flush()
    summary.append(c6.class_code)

    # 7. Upcoming: one filed and awaiting review, one draft, one returned.
    b = builder(gulou)
    c7 = b.open(
        gulou,
        f"GL-{year + 1}-GY01",
        f"高压电工作业初训{year + 1}年第1期",
        "special_operator",
        "initial",
        today + dt.timedelta(days=17),
        5,
        item="1.1",
        syllabus="40",
    )
    b.lessons(c7, _teachers(gulou))
    services.class_file(actor=ti_admin, training_class=c7)
    c8 = b.open(
        gulou,
        f"GL-{year + 1}-DY01",
        f"低压电工作业初训{year + 1}年第1期",
        "special_operator",
        "initial",
        today + dt.timedelta(days=24),
        4,
        item="1.2",
        syllabus="32",
    )
    b.lessons(c8, _teachers(gulou))
    b = builder(cangshan)
    c9 = b.open(
        cangshan,
        f"CS-{year + 1}-ZL01",
        f"制冷与空调设备运行操作作业初训{year + 1}年第1期",
        "principal",
        "initial",
        today + dt.timedelta(days=20),
        4,
        industry="general",
    )
    b.lessons(c9, _teachers(cangshan))
    services.class_file(actor=admin, training_class=c9)
    services.class_return(
        actor=User.objects.get(username="fz-inspector"),
        training_class=c9,
        reason="培训对象与班级名称不符，请核对后重新备案",
    )
    summary += [c7.class_code, c8.class_code, c9.class_code]
    services.refresh_hours()
    open_or_sealed = {c.class_code: c.status for c in [c1, c2, c3, c4, c5, c6, c7, c8, c9]}
    sealed = sum(1 for status in open_or_sealed.values() if status == ClassStatus.CLOSED)
    return f"{len(summary)} classes ({sealed} sealed), attendance from a face device, cards, online and by hand"
