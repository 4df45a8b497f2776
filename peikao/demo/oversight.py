"""The oversight part of the demo province: planted cases the detectors find, then a run of every detector, so
that a new user sees real alerts in the queue.

A second low-voltage class at 仓山's institution is laid out on the very days and hours of 鼓楼's sealed class:
two of 鼓楼's trainees sign in at both on the first day (in two places at once, more hours a day than a day
holds), one teacher of 鼓楼 teaches there too at the same hours, and the sign-in of its first lesson is cloned to
the second. The exams part already planted 培考不分 (a teacher of the welding class proctoring at the exam point);
a candidate of the second class who "answers" the low-voltage paper in a minute is added here.

Then the results of an earlier quarter, as the exam system the province used before Peikao delivered them (its
papers had 60 questions): 福清's exam point passes every one of its 40 first attempts at the low-voltage theory
exam while 鼓楼 and 湖里 pass six in ten, and two of 福清's candidates hand in the same paper (59 of 60 answers
alike, 11 of them the same wrong answer). Everything goes through the services and the import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import yaml
from django.utils import timezone

from peikao.core.audit import audit_context
from peikao.core.errors import DomainError
from peikao.core.exchange.runner import run_import
from peikao.core.models import User
from peikao.demo.exams import _at, _staff, _take, eligible
from peikao.demo.steps import DemoContext, imported, step
from peikao.demo.training import ClassBuilder, _people
from peikao.exams import services as exam_services
from peikao.exams.models import Question, Sitting
from peikao.oversight.grading.services.cycle import grading_run
from peikao.oversight.services import alerts_detect
from peikao.registry import services as registry_services
from peikao.registry.models import OperationItem, Organization, Person
from peikao.testing.answers import correct_letters
from peikao.training import services as training_services
from peikao.training.models import TrainingClass

DOUBLE = 2  # 鼓楼's trainees who also sign in at 仓山 on the first day
CLONED = 8  # trainees whose sign-in of the first lesson carries the same second
HISTORY_BANK = Path(__file__).resolve().parent / "data" / "demo_bank_history.yaml"
# The earlier quarter's low-voltage theory exams: (exam point's index in the demo, passed, failed), first attempts.
HISTORY = ((2, 40, 0), (0, 24, 16), (4, 25, 15))  # 福清 passes everyone; 鼓楼 and 湖里 six in ten
HISTORY_SITTING = 20  # candidates a sitting (two sittings a point)
COPIED_SAME_WRONG = 11  # identical wrong answers of the two copied papers (one more question answered apart)


def _plant_training(ctx: DemoContext, admin: User) -> TrainingClass:
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


def _history_questions() -> list[tuple[str, str, str, int]]:
    """Import the questions the earlier system's low-voltage bank had beyond the demo bank; return the 60 of its
    papers: (code, type, answer, number of options)."""
    data = yaml.safe_load(HISTORY_BANK.read_text(encoding="utf-8"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["question_code", "operation_item", "qtype", "stem", "option_a", "option_b", "option_c", "option_d"]
        + ["answer", "knowledge_point", "difficulty"]
    )
    for code, bank in data.items():
        for index, (statement, true) in enumerate(bank["judge"]):
            row = [f"DEMO-{code}-H{index + 1:02d}", code, "judge", statement, "", "", "", ""]
            writer.writerow([*row, "对" if true else "错", "安全常识", 1 + index % 3])
    result = run_import(
        kind_name="questions",
        source=io.BytesIO(out.getvalue().encode("utf-8")),
        filename="history-bank.csv",
        label="command:demo",
    )
    imported(result, "questions")
    questions = Question.objects.filter(operation_item__code="1.2", question_code__startswith="DEMO-1.2-")
    return [(q.question_code, q.qtype, q.answer, len(q.options)) for q in questions.order_by("question_code")]


def _wrong(answer: str, options: int, rng) -> str:
    if answer in ("T", "F"):
        return "F" if answer == "T" else "T"
    return rng.choice([letter for letter in "ABCDEF"[: max(options, 2)] if letter != answer])


def _sheet(questions, wrong_at: set[int], rng) -> dict[str, str]:
    return {
        code: _wrong(answer, options, rng) if index in wrong_at else answer
        for index, (code, _qtype, answer, options) in enumerate(questions)
    }


def _score(questions, answers: dict[str, str]) -> Decimal:
    right = sum(answers[code] == answer for code, _qtype, answer, _options in questions)
    return (Decimal(100 * right) / len(questions)).quantize(Decimal("0.1"))


def _quarter_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 4 + (day.month - 1) // 3 - back
    return dt.date(index // 4, 3 * (index % 4) + 1, 1)


def _plant_history(ctx: DemoContext, admin: User) -> str:
    """The low-voltage theory results of the quarter before last, imported from the province's earlier exam system
    (sittings as sittings.csv plans them, results as results.csv records them, through the same services)."""
    rng = ctx.rng
    questions = _history_questions()
    item = OperationItem.objects.get(code="1.2")
    points = Organization.objects.filter(org_code__in=ctx.data["exam_points"]).in_bulk(field_name="org_code")
    taken = Person.objects.filter(registrations__sitting__operation_item=item).values("pk")
    pool = list(
        Person.objects.filter(assignments__role="special_operator", assignments__end_date__isnull=True)
        .exclude(pk__in=taken)
        .distinct()
        .order_by("id")
    )
    rng.shuffle(pool)
    quarter = _quarter_start(ctx.today, 2)
    sittings: list[exam_services.SittingRecord] = []
    results: list[tuple[exam_services.SittingRecord, Person, dict[str, str], dt.datetime]] = []
    for number, (index, passed, failed) in enumerate(HISTORY):
        point = points[ctx.data["exam_points"][index]]
        proctors = _staff(point, "proctor")[:2]
        outcomes = [True] * passed + [False] * failed
        rng.shuffle(outcomes)
        for half in range(0, len(outcomes), HISTORY_SITTING):
            day = quarter + dt.timedelta(days=15 + 30 * (half // HISTORY_SITTING) + 7 * number)
            record = exam_services.SittingRecord(
                sitting_code=f"KS-{day:%Y-%m%d}-DY-LL-{point.org_code[-4:]}",
                exam_point=point,
                part="theory",
                operation_item=item,
                trainee_category="",
                starts_at=_at(day, 9),
                ends_at=_at(day, 11),
                staff=proctors,
            )
            sittings.append(record)
            for passes in outcomes[half : half + HISTORY_SITTING]:
                right = rng.randint(49, 59) if passes else rng.randint(33, 46)
                wrong_at = set(rng.sample(range(len(questions)), len(questions) - right))
                results.append((record, pool.pop(), _sheet(questions, wrong_at, rng), _at(day, 9, rng.randint(1, 6))))
    # Two candidates of 福清's first sitting hand in the same paper: 11 identical wrong answers, one more apart.
    copied = _sheet(questions, set(range(COPIED_SAME_WRONG)), rng)
    apart = _sheet(questions[COPIED_SAME_WRONG : COPIED_SAME_WRONG + 1], {0}, rng)
    results[0] = (*results[0][:2], copied, results[0][3])
    results[1] = (*results[1][:2], {**copied, **apart}, results[1][3])
    exam_services.sitting_record_bulk(actor=admin, rows=sittings)
    planned = Sitting.objects.in_bulk([record.sitting_code for record in sittings], field_name="sitting_code")
    rows = []
    for record, person, answers, start in results:
        rows.append(
            exam_services.ResultRecord(
                sitting=planned[record.sitting_code],
                person=person,
                attempt=1,
                score=_score(questions, answers),
                status="valid",
                started_at=start,
                submitted_at=start + dt.timedelta(minutes=rng.randint(35, 95)),
                answers=answers,
            )
        )
    exam_services.result_record_bulk(actor=admin, rows=rows)
    for planned_sitting in planned.values():  # held long ago: closed, as the old system reported them
        exam_services.sitting_open(actor=admin, sitting=planned_sitting)
        exam_services.sitting_close(actor=admin, sitting=planned_sitting)
    return f"{len(sittings)} earlier sittings with {len(rows)} results"


@step(600, "oversight")
def build_oversight(ctx: DemoContext) -> str:
    admin = User.objects.get(username="fj-admin")
    with audit_context(user=admin):
        twin = _plant_training(ctx, admin)
        sitting = _plant_exam(ctx, twin)
        history = _plant_history(ctx, admin)
    with audit_context(label="command:demo"):
        results = alerts_detect(actor=None)
    found = ", ".join(f"{result.code} {result.found}" for result in results if result.found)
    return f"planted {twin.class_code}, {sitting}, {history}; alerts: {found or 'none'}"


@step(650, "grades")
def build_grades(ctx: DemoContext) -> str:
    """The risk grades of the demo province, as the scheduled job would leave them after a day's records: the
    commitments brought up to date, every subject graded, the exit rules run — so that a new user sees grades
    on the plan, the grade pages and any exit proposal waiting for a decision."""
    with audit_context(label="command:demo"):
        summary, proposals = grading_run(as_of=ctx.today)
    graded = "; ".join(
        f"{kind} " + " ".join(f"{letter}={n}" for letter, n in counts.items() if n) for kind, counts in summary.items()
    )
    return f"graded {graded}; {proposals} exit proposals"
