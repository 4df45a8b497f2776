"""The injury part of the demo province (issue 18): three years of work-injury cases of 福州市 as the city's
injury-insurance system exports them, imported through injuries.csv — the import links each case to a registered
person (ADR 0010) — so that a new user sees linked cases, a review queue and an analysis with a group ranked and
standing out in every dimension.

The cases fall on the special operators of 福州's enterprises, concentrated where a regulator would look: two
enterprises with many cases, one labour-dispatch company, the trainees of 仓山's institution (the one with the
compressed hours and the cloned sign-ins) after their class, the candidates of 福清's exam point (the one that passes
nearly everyone) after their exam; throughout, the young and those working at height more often than the others.
Their training on the day varies: a valid certificate, one that had expired, a class but no certificate yet, nothing
(the city's earlier training and exam records: history.py). The province's other cities send their files too, a
background of cases typed right, so that the province's analysis compares 福州 with a province that has injuries as
well. 福州's file is typed by hand in another system, so some numbers are wrong:

- one transposition of two neighbouring digits, one wrong digit, one wrong check character: linked automatically,
  with their match weight;
- two numbers the clerk must decide on (the review queue): two wrong digits of the right person (name, birth date
  and employer agree), and a number one digit from a registered person of another employer, no name given (not him);
- two that match nobody: a worker never registered, and a number one character short.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable
from operator import itemgetter

from django.db.models import Count
from django.utils import timezone

from peikao.certificates.models import Certificate
from peikao.core import synthetic
from peikao.core.exchange import get_kind
from peikao.core.exchange.runner import run_import
from peikao.core.validators import id_check_char
from peikao.demo.steps import DemoContext, imported, step
from peikao.exams.models import Registration
from peikao.oversight.injuries import selectors
from peikao.registry.models import Assignment, Organization
from peikao.training.models import Enrolment

CITY = "3501"  # 福州市
YEARS = 3
SEVERITIES = (("minor", 80), ("serious", 18))
INSTITUTION_CASES = 7  # trainees of 仓山's institution
EXAM_POINT_CASES = 10  # candidates of 福清's exam point
BACKGROUND = 12  # the rest of the city's cases (at scale 1)
AGE_WEIGHTS = ((25, 3.0), (35, 1.8))  # (below the age, times as often injured): under 25, 25 to 34
ITEM_WEIGHTS = {"3.1": 2.5, "3.2": 2.5}  # times as often injured: work at height (falls)
ELSEWHERE = 0.05  # of the other cities' special operators: injured in the three years
HELD = ("accepted", "closed")  # classes that were held
ONE_DAY = dt.timedelta(days=1)
Window = Callable[[dict], tuple[dt.date, dt.date] | None]  # a worker's days to be injured on (None: not to be)


def _swap(number: str, i: int) -> str:
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


def _replace(number: str, i: int) -> str:
    return number[:i] + str((int(number[i]) + 3) % 10) + number[i + 1 :]


def _transposed(number: str) -> str:
    """Two unequal neighbours of the sequence code (or, failing that, of the birth date) swapped."""
    for i in (14, 15, 12, 10, 8):
        if number[i] != number[i + 1]:
            return _swap(number, i)
    return _replace(number, 15)


def _days(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _workers(prefix: str, *, besides: str | None = None) -> list[dict]:
    """The special operators of the enterprises of the region ``prefix`` (but not of ``besides``), one row per
    assignment, in a stable order."""
    assignments = Assignment.objects.filter(
        role="special_operator",
        operation_item__isnull=False,
        organization__kind="enterprise",
        organization__region__code__startswith=prefix,
    )
    if besides:
        assignments = assignments.exclude(organization__region__code__startswith=besides)
    return list(
        assignments.order_by("pk").values(
            "person_id",
            "person__id_number",
            "person__name",
            "person__birth_date",
            "organization_id",
            "organization__org_code",
            "organization__region_id",
            "dispatched_by_id",
            "dispatched_by__org_code",
            "operation_item_id",
            "operation_item__code",
            "start_date",
            "end_date",
        )
    )


def _weight(row: dict, day: dt.date) -> float:
    """How much more often than others such a worker is injured: the young and new to the work, and those working at
    height."""
    born = row["person__birth_date"]
    age = day.year - born.year if born else 40
    by_age = next((weight for below, weight in AGE_WEIGHTS if age < below), 1.0)
    return by_age * ITEM_WEIGHTS.get(row["operation_item__code"], 1.0)


def _latest(rows, person_ids: list[int]) -> dict[tuple[int, int], tuple[dt.date, int]]:
    """(day, organisation) of the latest of ``rows`` ((person, item, organisation, day)) per person and item."""
    latest: dict[tuple[int, int], tuple[dt.date, int]] = {}
    for person, item, organization, day in rows.filter(person_id__in=person_ids):
        day = timezone.localdate(day) if isinstance(day, dt.datetime) else day
        if (person, item) not in latest or (day, organization) > latest[(person, item)]:
            latest[(person, item)] = (day, organization)
    return latest


class _Injured:
    """The injured being chosen over [first, last]: each worker once, some more often than others (``_weight``)."""

    def __init__(self, rng: random.Random, first: dt.date, last: dt.date):
        self.rng, self.first, self.last = rng, first, last
        self.chosen: dict[int, tuple[dict, dt.date]] = {}

    def take(self, rows: list[dict], count: int, window: Window | None = None) -> None:
        """``count`` of ``rows`` not yet injured, each on a day of its ``window`` (else of the period) while on the
        job (weighted sampling without replacement: a key of rng ** (1 / weight) each, the highest keys taken)."""
        candidates = []
        for row in rows:
            bounds = window(row) if window else (self.first, self.last)
            if row["person_id"] in self.chosen or bounds is None:
                continue
            low = max(self.first, row["start_date"], bounds[0])
            high = min(self.last, row["end_date"] or self.last, bounds[1])
            if low <= high:
                candidates.append((self.rng.random() ** (1 / _weight(row, self.last)), row, low, high))
        candidates.sort(key=lambda candidate: (-candidate[0], candidate[1]["person_id"]))
        for _key, row, low, high in candidates[:count]:
            self.chosen[row["person_id"]] = (row, _days(self.rng, low, high))

    def rows(self) -> list[dict]:
        """The chosen workers' rows, each with its ``day``, in the order of the days."""
        ordered = sorted(self.chosen.values(), key=lambda pair: (pair[1], pair[0]["person_id"]))
        return [{**row, "day": day} for row, day in ordered]


def _choose(ctx: DemoContext, rng: random.Random, workers: list[dict], first: dt.date, last: dt.date) -> list[dict]:
    """The injured of the city: a group of every dimension stands out, and every training status appears."""
    injured = _Injured(rng, first, last)
    take = injured.take
    by_org: dict[int, list[dict]] = {}
    by_dispatcher: dict[int, list[dict]] = {}
    for row in workers:
        by_org.setdefault(row["organization_id"], []).append(row)
        if row["dispatched_by_id"]:
            by_dispatcher.setdefault(row["dispatched_by_id"], []).append(row)
    # Two enterprises where injuries concentrate; one labour-dispatch company.
    hot = sorted(by_org, key=lambda org: (-len(by_org[org]), org))[:2]
    for org, count in zip(hot, (6, 5), strict=False):
        take(by_org[org], count)
    if by_dispatcher:
        dispatcher = max(by_dispatcher, key=lambda org: (len(by_dispatcher[org]), -org))
        take(by_dispatcher[dispatcher], 5)
    persons = [row["person_id"] for row in workers]
    key = itemgetter("person_id", "operation_item_id")
    classes = _latest(
        Enrolment.objects.filter(training_class__status__in=HELD).values_list(
            "person_id",
            "training_class__operation_item_id",
            "training_class__organization_id",
            "training_class__end_date",
        ),
        persons,
    )
    sittings = _latest(
        Registration.objects.values_list(
            "person_id", "sitting__operation_item_id", "sitting__exam_point_id", "sitting__starts_at"
        ),
        persons,
    )
    # The trainees of 仓山's institution (after their class, while it is their latest), and the candidates of 福清's
    # exam point (after their exam): the city's records of the last years show them over-represented.
    institution = Organization.objects.get(org_code=ctx.data["training"][1]).pk
    point = Organization.objects.get(org_code=ctx.data["exam_points"][2]).pk
    take(
        workers,
        INSTITUTION_CASES,
        lambda row: (classes[key(row)][0] + ONE_DAY, last) if classes.get(key(row), (0, 0))[1] == institution else None,
    )
    take(
        workers,
        EXAM_POINT_CASES,
        lambda row: (sittings[key(row)][0] + ONE_DAY, last) if sittings.get(key(row), (0, 0))[1] == point else None,
    )
    # Injured after the certificate for their work had run out (expired at the time).
    expired = dict(
        Certificate.objects.filter(person_id__in=persons, valid_until__gte=first, valid_until__lt=last)
        .order_by("valid_until")
        .values_list("person_id", "valid_until")
    )
    take(
        [row for row in workers if row["person_id"] in expired],
        2,
        lambda row: (expired[row["person_id"]] + ONE_DAY, last),
    )
    # Trained for the item, no certificate yet on the day (trained but uncertified): after the class, before any
    # certificate for it.
    certified = {
        (person, item): issued
        for person, item, issued in Certificate.objects.filter(person_id__in=persons, operation_item__isnull=False)
        .order_by("-first_issued_on")
        .values_list("person_id", "operation_item_id", "first_issued_on")
    }
    take(
        [row for row in workers if key(row) in classes],
        3,
        lambda row: (classes[key(row)][0] + ONE_DAY, certified.get(key(row), last + ONE_DAY) - ONE_DAY),
    )
    # The rest of the city: a background of cases over the three years.
    take(workers, max(5, ctx.n(BACKGROUND)))
    return injured.rows()


def _elsewhere(ctx: DemoContext, rng: random.Random, first: dt.date, last: dt.date) -> list[dict]:
    """The cases of the province's other cities, from their own injury files (typed without errors): a background
    like 福州's, so that the province's analysis compares 福州's groups with a province that has injuries too."""
    workers = _workers(ctx.province[:2], besides=CITY)
    injured = _Injured(rng, first, last)
    injured.take(workers, round(len(workers) * ELSEWHERE))
    return [
        _case(rng, worker, f"GS{worker['organization__region_id'][:4]}-{worker['day']:%Y}-{index + 1:05d}")
        for index, worker in enumerate(injured.rows())
    ]


def _case(rng: random.Random, worker: dict, case_no: str) -> dict:
    """The row of an injured worker's case: the item of the work most often given, the name less often."""
    return {
        "case_no": case_no,
        "id_number": worker["person__id_number"],
        "org_code": worker["organization__org_code"],
        "dispatched_by": worker["dispatched_by__org_code"] or "",
        "occurred_on": worker["day"].isoformat(),
        "operation_item": worker["operation_item__code"] if rng.random() < 0.85 else "",
        "severity": rng.choices([s for s, _w in SEVERITIES], [w for _s, w in SEVERITIES])[0],
        "name": worker["person__name"] if rng.random() < 0.7 else "",
    }


def _rows(ctx: DemoContext, rng: random.Random, injured: list[dict], workers: list[dict]) -> list[dict]:
    rows = [_case(rng, worker, f"FZGS-{worker['day']:%Y}-{index + 1:05d}") for index, worker in enumerate(injured)]
    if rows:
        rows[len(rows) // 2]["severity"] = "death"
    # Numbers typed by hand: one transposition, one wrong digit, one wrong check character (linked automatically).
    background = [row for row in rows[-12:] if row["name"]] or rows
    typed = rng.sample(background, min(3, len(background)))
    mistypes = [
        _transposed,
        lambda n: _replace(n, 16),
        lambda n: n[:17] + next(c for c in "0123456789X" if c != n[17]),
    ]
    for row, mistype in zip(typed, mistypes, strict=False):
        row["id_number"] = mistype(row["id_number"])
    # The grey zone: two wrong digits of the right person (name, birth date, employer agree) — a clerk accepts it;
    # one wrong digit of a registered person of another employer, no name — a clerk rejects it.
    rest = [row for row in rows if row not in typed and row["name"]]
    if rest:
        grey = rest[0]
        grey["id_number"] = _replace(_replace(grey["id_number"], 14), 16)
    day = min(ctx.today, timezone.localdate()) - dt.timedelta(days=20)
    injured_ids = {worker["person_id"] for worker in injured}
    others = [w for w in workers if w["person_id"] not in injured_ids]
    if len(others) >= 2:
        stranger, employer = others[0], next(w for w in others if w["organization_id"] != others[0]["organization_id"])
        rows.append(
            {
                "case_no": f"FZGS-{day:%Y}-{len(rows) + 1:05d}",
                "id_number": _replace(stranger["person__id_number"], 15),
                "org_code": employer["organization__org_code"],
                "dispatched_by": "",
                "occurred_on": day.isoformat(),
                "operation_item": employer["operation_item__code"],
                "severity": "minor",
                "name": "",
            }
        )
    # Nobody: a worker never registered (a valid number of someone else), a number one character short.
    if workers:
        never = synthetic.id_number(rng, "350102", dt.date(1990, 4, 18))
        short = workers[-1]["person__id_number"][:16] + id_check_char(workers[-1]["person__id_number"][:17])
        for number, name in ((never, "郑未登"), (short, "")):
            rows.append(
                {
                    "case_no": f"FZGS-{day:%Y}-{len(rows) + 1:05d}",
                    "id_number": number,
                    "org_code": workers[0]["organization__org_code"],
                    "dispatched_by": "",
                    "occurred_on": (day - dt.timedelta(days=len(rows))).isoformat(),
                    "operation_item": workers[0]["operation_item__code"],
                    "severity": "minor",
                    "name": name,
                }
            )
    return rows


def _csv(rows: list[dict]) -> io.BytesIO:
    kind = get_kind("injuries")
    exported_only = ("linked_id_number", "link_status", "match_weight")
    columns = [column for column in kind.columns if column.key not in exported_only]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(column.label for column in columns)  # as the city's system exports it: Chinese headers
    writer.writerows([row[column.key] for column in columns] for row in rows)
    return io.BytesIO(text.getvalue().encode("utf-8"))


@step(660, "injuries")
def build_injuries(ctx: DemoContext) -> str:
    rng = random.Random(ctx.seed + 18)  # its own: the steps before draw what they drew before
    last = min(ctx.today, timezone.localdate()) - dt.timedelta(days=3)
    first = last.replace(year=last.year - YEARS) + dt.timedelta(days=1)
    workers = _workers(CITY)
    injured = _choose(ctx, rng, workers, first, last)
    rows = _rows(ctx, rng, injured, workers)
    result = run_import(
        kind_name="injuries",
        source=_csv(rows),
        filename="福州市工伤认定数据（演示）.csv",
        user=None,
        label="command:demo",
    )
    imported(result, "injuries")
    others = run_import(
        kind_name="injuries",
        source=_csv(_elsewhere(ctx, random.Random(ctx.seed + 19), first, last)),
        filename="福建省其他设区市工伤认定数据（演示）.csv",
        user=None,
        label="command:demo",
    )
    imported(others, "injuries")
    statuses = selectors.injury_list(user=None).order_by().values("link_status").annotate(n=Count("pk"))
    by_status = {row["link_status"]: row["n"] for row in statuses}
    linked = ", ".join(f"{status} {n}" for status, n in sorted(by_status.items()))
    return f"福州: {result.summary}; the other cities: {others.summary}; linkage: {linked}"
