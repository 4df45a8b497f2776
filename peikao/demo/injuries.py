"""The injury part of the demo province (issue 18): three years of work-injury cases of 福州市 as the city's
injury-insurance system exports them, imported through injuries.csv — the import links each case to a registered
person (ADR 0010) — so that a new user sees linked cases, a review queue and an analysis with ranked groups.

The cases fall on the special operators of 福州's enterprises, concentrated where a city's data usually shows it:
two enterprises with many cases, one labour-dispatch company, a few cases after a certificate had expired and after
a class of 鼓楼's institution. The file is typed by hand in another system, so some numbers are wrong:

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

from django.db.models import Count
from django.utils import timezone

from peikao.certificates.models import Certificate
from peikao.core import synthetic
from peikao.core.exchange import get_kind
from peikao.core.exchange.runner import run_import
from peikao.core.validators import id_check_char
from peikao.demo.steps import DemoContext, imported, step
from peikao.oversight.injuries import selectors
from peikao.registry.models import Assignment
from peikao.training.models import Enrolment

CITY = "3501"  # 福州市
YEARS = 3
SEVERITIES = (("minor", 80), ("serious", 18))


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


def _workers() -> list[dict]:
    """The special operators of the city's enterprises, one row per assignment, in a stable order."""
    return list(
        Assignment.objects.filter(
            role="special_operator",
            operation_item__isnull=False,
            organization__kind="enterprise",
            organization__region__code__startswith=CITY,
        )
        .order_by("pk")
        .values(
            "person_id",
            "person__id_number",
            "person__name",
            "organization_id",
            "organization__org_code",
            "dispatched_by_id",
            "dispatched_by__org_code",
            "operation_item_id",
            "operation_item__code",
            "start_date",
        )
    )


def _choose(ctx: DemoContext, rng: random.Random, workers: list[dict], first: dt.date, last: dt.date) -> list[dict]:
    """The injured: (worker row, day) picked so that some groups stand out and every training status appears."""
    chosen: dict[int, tuple[dict, dt.date]] = {}

    def take(rows: list[dict], count: int, earliest=None) -> None:
        rows = [row for row in rows if row["person_id"] not in chosen]
        for row in rng.sample(rows, min(count, len(rows))):
            start = max(first, row["start_date"], earliest(row) if earliest else first)
            if start <= last:
                chosen[row["person_id"]] = (row, _days(rng, start, last))

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
    # Injured after the certificate for their work had run out (expired at the time).
    expired = dict(
        Certificate.objects.filter(
            person_id__in=[row["person_id"] for row in workers], valid_until__gte=first, valid_until__lt=last
        ).values_list("person_id", "valid_until")
    )
    take([row for row in workers if row["person_id"] in expired], 2, lambda row: expired[row["person_id"]])
    # Trained at a class of the item, no certificate yet (trained but uncertified) — after the class began.
    classes = dict(
        Enrolment.objects.filter(
            person_id__in=[row["person_id"] for row in workers], training_class__status__in=["accepted", "closed"]
        ).values_list("person_id", "training_class__start_date")
    )
    take([row for row in workers if row["person_id"] in classes], 3, lambda row: classes[row["person_id"]])
    # The rest of the city: a background of cases over the three years.
    take(workers, max(10, ctx.n(22)))
    ordered = sorted(chosen.values(), key=lambda pair: (pair[1], pair[0]["person_id"]))
    return [{**row, "day": day} for row, day in ordered]


def _rows(ctx: DemoContext, rng: random.Random, injured: list[dict], workers: list[dict]) -> list[dict]:
    rows = []
    for index, worker in enumerate(injured):
        rows.append(
            {
                "case_no": f"FZGS-{worker['day']:%Y}-{index + 1:05d}",
                "id_number": worker["person__id_number"],
                "org_code": worker["organization__org_code"],
                "dispatched_by": worker["dispatched_by__org_code"] or "",
                "occurred_on": worker["day"].isoformat(),
                "operation_item": worker["operation_item__code"] if rng.random() < 0.85 else "",
                "severity": rng.choices([s for s, _w in SEVERITIES], [w for _s, w in SEVERITIES])[0],
                "name": worker["person__name"] if rng.random() < 0.7 else "",
            }
        )
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
    workers = _workers()
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
    statuses = selectors.injury_list(user=None).order_by().values("link_status").annotate(n=Count("pk"))
    by_status = {row["link_status"]: row["n"] for row in statuses}
    linked = ", ".join(f"{status} {n}" for status, n in sorted(by_status.items()))
    return f"injuries {result.summary}; linkage: {linked}"
