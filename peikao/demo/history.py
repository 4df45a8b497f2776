"""The training and exam records of 福州's special operators from the city's earlier system, so that the injury
analysis (issue 18) can say where an injured worker was trained and examined, and compare that with the rest of the
city's roster.

About a third of the city's special operators (of the items its institutions and exam points hold) were trained in
the three years before the city moved to Peikao this year: a class of their item at one of the city's institutions,
then the theory exam at one of its exam points a week or two later, the class sitting together. Most pass at the
first attempt, some at the next sitting of the item there, a few not at all; the certificates part dates their
certificates a few weeks after the exam passed (``ctx.data["history"]``), and those who have not passed, or passed
too lately, hold none yet. 仓山's institution sends most of its classes to 福清's exam point (which passes nearly
everyone) where 福清 holds the item. The workers trained before, or elsewhere, have no record here.

The records come the way an earlier system delivers them: classes.csv (trainees enrolled), sittings.csv (with their
proctors) and results.csv, through the same imports as real data; the sittings, held long ago, are then opened and
closed as the old system reported them. No 1.2 theory result falls in the quarter of the oversight part's earlier
results (福清's 40 of 40, which the pass-rate detector compares with the rest of the province), and none of these
records has lessons or attendance, so the detectors find nothing new in them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import defaultdict
from dataclasses import dataclass, field

from peikao.core.exchange import get_kind
from peikao.core.exchange.runner import run_import
from peikao.core.models import User
from peikao.demo.exams import _at
from peikao.demo.steps import DemoContext, imported, step
from peikao.exams import services as exam_services
from peikao.exams.models import Registration, Sitting
from peikao.registry.models import Assignment, Organization
from peikao.training.models import Enrolment

CITY = "3501"  # 福州市, the city of the demo's injury file
MONTHS = (5, 36)  # the classes: from three years back to some months ago, when the city moved to Peikao
RECORDED = 0.35  # of the city's special operators: trained in those years
CLASS_SIZE = (6, 12)  # the city's special operators in a class (with others the demo does not hold)
HOME, FAVOURITE = 3, 5  # weights of an institution or exam point of the city, and of its largest
SENT_TO_FUQING = 0.8  # 仓山's classes examined at 福清's exam point, where 福清 holds the item
PASS = 0.82  # a first attempt passed (福清: PASS_FUQING)
PASS_FUQING = 0.97
ISSUED_AFTER = (15, 45)  # days from the exam passed to the certificate
SYLLABUS = "32"  # 学时 of a class (an item's larger national minimum applies where it has one)
CLASS_DAYS = 5  # weekdays
PREFIXES = {"350102": "GL", "350104": "CS", "350111": "JA", "350181": "FQ"}  # class codes of the institutions


def _weekday_from(day: dt.date, weekday: int | None = None) -> dt.date:
    """The first working day on or after ``day``, or the first ``weekday`` (0 = Monday)."""
    while day.weekday() >= 5 if weekday is None else day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def _quarter_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 4 + (day.month - 1) // 3 - back
    return dt.date(index // 4, 3 * (index % 4) + 1, 1)


Places = dict[Organization, set[str]]  # the city's institutions or exam points, each with the items it holds


def _places(kind: str, codes: list[str]) -> Places:
    """The city's active institutions or exam points among ``codes``, each with the codes of its approved items."""
    places = Organization.objects.filter(kind=kind, org_code__in=codes, status="active", region__code__startswith=CITY)
    held: Places = {place: set() for place in places.order_by("org_code")}
    by_pk = {place.pk: place for place in held}
    approved = Organization.operation_items.through.objects.filter(organization__in=list(by_pk))
    for pk, code in approved.values_list("organization_id", "operationitem__code"):
        held[by_pk[pk]].add(code)
    return held


def _pick(rng: random.Random, places: Places, item: str, favourite: str) -> Organization | None:
    """One of ``places`` that holds ``item``, the city's largest (``favourite``) the likeliest."""
    approved = [place for place, items in places.items() if item in items]
    if not approved:
        return None
    return rng.choices(approved, [FAVOURITE if place.org_code == favourite else HOME for place in approved])[0]


@dataclass
class _Sitting:
    code: str
    point: Organization
    item: str
    day: dt.date
    proctors: list[str]
    results: list[tuple[str, int, bool]] = field(default_factory=list)  # (ID number, attempt, passed)


def _csv(kind: str, rows: list[dict]) -> io.BytesIO:
    columns = [column.key for column in get_kind(kind).columns]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(columns)
    writer.writerows([row.get(key, "") for key in columns] for row in rows)
    return io.BytesIO(text.getvalue().encode("utf-8"))


def _import(kind: str, rows: list[dict], filename: str):
    result = run_import(kind_name=kind, source=_csv(kind, rows), filename=filename, user=None, label="command:demo")
    return imported(result, kind)


def _trainees(ctx: DemoContext, rng: random.Random, items: set[str]) -> dict[str, list[str]]:
    """ID numbers of the city's special operators trained in the records' years, by item: a share of those whose item
    the city trains and examines, not trained or examined on Peikao already."""
    on_peikao = set(Enrolment.objects.values_list("person_id", flat=True)) | set(
        Registration.objects.values_list("person_id", flat=True)
    )
    workers = (
        Assignment.objects.filter(
            role="special_operator",
            operation_item__code__in=items,
            organization__kind="enterprise",
            organization__region__code__startswith=CITY,
            end_date__isnull=True,
        )
        .order_by("pk")
        .values_list("person_id", "person__id_number", "operation_item__code")
    )
    by_item: dict[str, list[str]] = defaultdict(list)
    seen = set()
    for person, number, item in workers:
        if person not in on_peikao and (number, item) not in seen and rng.random() < RECORDED:
            seen.add((number, item))
            by_item[item].append(number)
    return by_item


def _dates(rng: random.Random, today: dt.date, item: str, closed: tuple[dt.date, dt.date]) -> tuple[dt.date, ...]:
    """(start, end, exam day) of a class in the records' years: from the first working day on or after the 5th of a
    month, for CLASS_DAYS working days; the exam on the Thursday a week or more after it, before today (a 1.2 exam
    not in the ``closed`` quarter)."""
    back = rng.randint(*MONTHS)
    while True:
        index = today.year * 12 + today.month - 1 - back
        start = end = _weekday_from(dt.date(index // 12, index % 12 + 1, 5))
        for _ in range(CLASS_DAYS - 1):
            end = _weekday_from(end + dt.timedelta(days=1))
        day = _weekday_from(end + dt.timedelta(days=7), 3)
        if day < today and not (item == "1.2" and closed[0] <= day < closed[1]):
            return start, end, day
        back += 1


Issued = dict[tuple[str, str], dt.date | None]  # (ID number, item) → the day of the certificate; None: none


def _lay_out(ctx: DemoContext, rng: random.Random) -> tuple[list[dict], list[_Sitting], Issued]:
    """The classes, the sittings with their results, and for each trainee the day a certificate is issued (None: not
    passed, or passed too lately for one yet)."""
    today = ctx.today
    institutions = _places("training_institution", ctx.data["training"])
    points = _places("exam_point", ctx.data["exam_points"])
    cangshan, fuqing = ctx.data["training"][1], ctx.data["exam_points"][2]
    held = set().union(*institutions.values()) & set().union(*points.values())
    closed = (_quarter_start(today, 2), _quarter_start(today, 1))
    proctors: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for point_id, start, number in Assignment.objects.filter(organization__in=list(points), role="proctor").values_list(
        "organization_id", "start_date", "person__id_number"
    ):
        proctors[point_id].append((start, number))
    classes: dict[str, dict] = {}
    sittings: dict[str, _Sitting] = {}
    for item, numbers in sorted(_trainees(ctx, rng, held).items()):
        rng.shuffle(numbers)
        while numbers:
            size = rng.randint(*CLASS_SIZE)
            cohort, numbers = numbers[:size], numbers[size:]
            institution = _pick(rng, institutions, item, ctx.data["training"][0])
            point = _pick(rng, points, item, ctx.data["exam_points"][0])
            to_fuqing = [place for place, items in points.items() if place.org_code == fuqing and item in items]
            if institution and institution.org_code == cangshan and to_fuqing and rng.random() < SENT_TO_FUQING:
                point = to_fuqing[0]
            if institution is None or point is None:
                continue
            start, end, day = _dates(rng, today, item, closed)
            code = f"{PREFIXES.get(institution.region_id, 'FZ')}-{start:%Y%m%d}-{item}"
            row = classes.setdefault(
                code,
                {
                    "class_code": code,
                    "org_code": institution.org_code,
                    "trainee_category": "special_operator",
                    "training_type": "initial",
                    "operation_item": item,
                    "syllabus_hours": SYLLABUS,
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat(),
                    "trainees": [],
                },
            )
            row["trainees"] += cohort
            code = f"KS-{day:%Y-%m%d}-{item}-LL-{point.org_code[-4:]}"
            staff = sorted(proctors[point.pk])
            sitting = sittings.setdefault(
                code,
                _Sitting(code, point, item, day, [n for s, n in staff if s <= day][:2] or [n for _s, n in staff][:2]),
            )
            chance = PASS_FUQING if point.org_code == fuqing else PASS
            sitting.results += [(number, 1, rng.random() < chance) for number in cohort]
    # Failed at the first attempt: the next sitting of the item at the same exam point, if there was one.
    ordered = sorted(sittings.values(), key=lambda s: (s.day, s.code))
    issued: Issued = {}
    for sitting in ordered:
        for number, attempt, passed in list(sitting.results):
            if passed:
                day = sitting.day + dt.timedelta(days=rng.randint(*ISSUED_AFTER))
                issued[(number, sitting.item)] = day if day < today else None
                continue
            issued.setdefault((number, sitting.item), None)
            later = [s for s in ordered if (s.point, s.item) == (sitting.point, sitting.item) and s.day > sitting.day]
            if attempt == 1 and later:
                chance = PASS_FUQING if sitting.point.org_code == fuqing else PASS
                later[0].results.append((number, 2, rng.random() < chance))
    return list(classes.values()), ordered, issued


@step(380, "training history")
def build_history(ctx: DemoContext) -> str:
    rng = random.Random(ctx.seed + 38)  # its own: the steps after it draw what they drew before
    classes, sittings, issued = _lay_out(ctx, rng)
    ctx.data["history"] = issued  # the certificates part dates the certificates of the passed
    ctx.data["history_classes"] = [row["class_code"] for row in classes]
    classes_result = _import(
        "classes",
        [{**row, "trainees": ";".join(row["trainees"])} for row in classes],
        "福州市特种作业培训班（原系统）.csv",
    )
    sittings_result = _import(
        "sittings",
        [
            {
                "sitting_code": s.code,
                "org_code": s.point.org_code,
                "part": "theory",
                "operation_item": s.item,
                "starts_at": _at(s.day, 9).isoformat(),
                "ends_at": _at(s.day, 11).isoformat(),
                "proctors": ";".join(s.proctors),
            }
            for s in sittings
        ],
        "福州市理论考试场次（原系统）.csv",
    )
    results = []
    for sitting in sittings:
        for number, attempt, passed in sitting.results:
            started = _at(sitting.day, 9, rng.randint(1, 8))
            results.append(
                {
                    "sitting_code": sitting.code,
                    "id_number": number,
                    "attempt": str(attempt),
                    "score": str(rng.randint(80, 98) if passed else rng.randint(45, 78)),
                    "started_at": started.isoformat(),
                    "submitted_at": (started + dt.timedelta(minutes=rng.randint(30, 100))).isoformat(),
                    "status": "valid",
                }
            )
    results_result = _import("results", results, "福州市理论考试成绩（原系统）.csv")
    admin = User.objects.get(username="fj-admin")
    for sitting in Sitting.objects.filter(sitting_code__in=[s.code for s in sittings]).order_by("starts_at", "pk"):
        exam_services.sitting_open(actor=admin, sitting=sitting)  # held long ago: closed, as the old system says
        exam_services.sitting_close(actor=admin, sitting=sitting)
    trained = sum(len(row["trainees"]) for row in classes)
    certified = sum(1 for day in issued.values() if day is not None)
    return (
        f"{trained} of 福州's special operators trained in {classes_result.counts.imported} classes before Peikao, "
        f"{results_result.counts.imported} results at {sittings_result.counts.imported} sittings, {certified} "
        "certified since"
    )
