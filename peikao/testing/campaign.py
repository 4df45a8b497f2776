"""A national campaign's records, generated in bulk so that its notice has figures fixed in advance (issue 16).

:data:`SEED` holds the figures of the ministry's notice 应急厅函〔2023〕85号 (the campaign of the seed): 4171 training
institutions inspected, 1.1万 problems, … 27877万元 of fines, 872 publicised cases, 7000 remote patrols with 1400
persons warned or with the score cancelled. :func:`build_campaign` writes organisations, inspections, findings,
decisions, sittings, patrols and patrol findings as plain rows (``core.bulk.insert_rows``: COPY on PostgreSQL,
executemany on SQLite — model instances cost more than the rows at this size; a test's or a benchmark's data,
not a write path of the platform), spread over the counties of every province, so that the notice of the period
:data:`PERIOD` comes out with exactly those figures. Records outside the period (the day before it starts) are
written too, and must not count.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from peikao.core import synthetic
from peikao.core.bulk import insert_rows, reserve_ids
from peikao.core.choices import Role
from peikao.core.models import Region, User
from peikao.enforcement.choices import InspectionKind, InspectionStatus, Measure
from peikao.enforcement.models import Decision, Finding, Inspection
from peikao.exams.choices import ExamPart, FindingSource, FindingStatus, PatrolMode, Sanction
from peikao.exams.models import Patrol, PatrolFinding, Registration, Sitting
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import Organization, Person

PERIOD = (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
BATCH = 5000
BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class CampaignFigures:
    """The figures a generated campaign is to produce (the JSON of the notice, without the practices)."""

    ti_inspected: int
    ti_problems: int
    ti_closed: int
    ti_suspended: int
    ti_rectify: int
    eb_inspected: int
    eb_problems: int
    eb_cancelled: int
    eb_exams_suspended: int
    eb_rectify: int
    ent_inspected: int
    ent_problems: int
    ent_penalised: int
    ent_fines_yuan: int
    cases_publicized: int
    sittings_patrolled: int
    persons_sanctioned: int
    ent_fined: int = field(default=0)  # of the penalised: fined (the others warned); 0 means 80 %

    def notice_json(self) -> dict:
        return {
            "training_institutions": {
                "inspected": self.ti_inspected,
                "problems": self.ti_problems,
                "closed": self.ti_closed,
                "suspended": self.ti_suspended,
                "ordered_to_rectify": self.ti_rectify,
            },
            "exam_bodies": {
                "inspected": self.eb_inspected,
                "problems": self.eb_problems,
                "exam_points_cancelled": self.eb_cancelled,
                "exams_suspended": self.eb_exams_suspended,
                "ordered_to_rectify": self.eb_rectify,
            },
            "enterprises": {
                "inspected": self.ent_inspected,
                "problems": self.ent_problems,
                "penalised": self.ent_penalised,
                "fines_yuan": self.ent_fines_yuan,
            },
            "cases_publicized": self.cases_publicized,
            "remote_patrols": {
                "sittings_patrolled": self.sittings_patrolled,
                "persons_sanctioned": self.persons_sanctioned,
            },
        }


SEED = CampaignFigures(
    ti_inspected=4171,
    ti_problems=11_000,
    ti_closed=315,
    ti_suspended=299,
    ti_rectify=2445,
    eb_inspected=2213,
    eb_problems=5748,
    eb_cancelled=212,
    eb_exams_suspended=153,
    eb_rectify=997,
    ent_inspected=281_000,
    ent_problems=120_000,
    ent_penalised=61_000,
    ent_fines_yuan=278_770_000,
    cases_publicized=872,
    sittings_patrolled=7000,
    persons_sanctioned=1400,
)


def counties(per_province: int = 2) -> list[str]:
    """``per_province`` county-level codes of every province (in code order): where the records are spread."""
    chosen: dict[str, list[str]] = {}
    for code in Region.objects.filter(level="county").order_by("code").values_list("code", flat=True):
        picked = chosen.setdefault(code[:2], [])
        if len(picked) < per_province:
            picked.append(code)
    return [code for codes in chosen.values() for code in codes]


def _spread(n: int, parts: int) -> Iterator[int]:
    """The indices 0…parts-1 of ``n`` items dealt round-robin."""
    for i in range(n):
        yield i % parts


def _insert(model: type[models.Model], rows: list[dict]) -> list[int]:
    """Insert ``rows`` (field attnames → values; the fields' defaults fill the rest) with primary keys of their
    own; return the keys in the order of ``rows``."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    defaults = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in defaults.items()}  # JSON fields
    ids = reserve_ids(model, len(rows))
    if ids is None:
        first = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        ids = list(range(first, first + len(rows)))
    columns = ["id", *(f.column for f in fields)]
    names = [f.attname for f in fields]
    values = ([pk, *(row.get(n, defaults[n]) for n in names)] for pk, row in zip(ids, rows, strict=True))
    insert_rows(model, columns, values)
    return ids


@transaction.atomic
def build_campaign(figures: CampaignFigures = SEED, *, per_province: int = 2, seed: int = 85) -> dict[str, int]:
    """Write the records of a campaign whose notice over :data:`PERIOD` has ``figures``; return row counts."""
    rng = random.Random(seed)
    codes = counties(per_province)
    start, end = PERIOD
    day_count = (end - start).days + 1
    stamp = f"C{seed}"
    now = timezone.now()
    before = start - dt.timedelta(days=1)

    def day(i: int) -> dt.date:
        return start + dt.timedelta(days=i % day_count)

    # Organisations: the inspected ones of each group (kinds alternate within exam bodies).
    orgs: list[dict] = []
    groups = (
        ("TI", OrganizationKind.TRAINING_INSTITUTION, figures.ti_inspected),
        ("EB", None, figures.eb_inspected),
        ("EN", OrganizationKind.ENTERPRISE, figures.ent_inspected),
    )
    for prefix, kind, count in groups:
        for i, where in enumerate(_spread(count, len(codes))):
            region = codes[where]
            org_kind = kind or (OrganizationKind.EXAM_POINT if i % 2 else OrganizationKind.EXAM_INSTITUTION)
            uscc = None if org_kind == OrganizationKind.EXAM_POINT else f"9{prefix}{region}{i:08d}X"
            orgs.append(
                {
                    "org_code": uscc or f"{stamp}{prefix}{i:09d}",
                    "kind": org_kind,
                    "name": f"{prefix}{i}",
                    "uscc": uscc,
                    "region_id": region,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    for row, pk in zip(orgs, _insert(Organization, orgs), strict=True):
        row["id"] = pk
    ti_end = figures.ti_inspected
    eb_end = ti_end + figures.eb_inspected
    by_group = {"TI": orgs[:ti_end], "EB": orgs[ti_end:eb_end], "EN": orgs[eb_end:]}

    # One inspection of each organisation in the period, and one more of the first of each group the day
    # before it (outside: its findings and decisions must not count).
    def inspection(code: str, org: dict, on: dt.date, kind: str) -> dict:
        return {
            "code": code,
            "organization_id": org["id"],
            "region_id": org["region_id"],
            "kind": kind,
            "inspected_on": on,
            "status": InspectionStatus.COMPLETED,
            "created_at": now,
            "updated_at": now,
        }

    inspections = [inspection(f"{stamp}-I{n}", org, day(n), InspectionKind.SPECIAL) for n, org in enumerate(orgs)]
    outside = [
        inspection(f"{stamp}-X{g}", members[0], before, InspectionKind.ROUTINE)
        for g, members in enumerate(by_group.values())
    ]
    inspection_ids = _insert(Inspection, inspections + outside)
    of_org = {org["id"]: pk for org, pk in zip(orgs, inspection_ids, strict=False)}
    outside_ids = inspection_ids[len(inspections) :]

    # Findings: the group's problems dealt over its inspections; one finding on each inspection outside.
    def finding(code: str, inspection_id: int) -> dict:
        return {"code": code, "inspection_id": inspection_id, "description": "问题", "created_at": now}

    findings: list[dict] = []
    for prefix, count in (("TI", figures.ti_problems), ("EB", figures.eb_problems), ("EN", figures.ent_problems)):
        members = by_group[prefix]
        for i, where in enumerate(_spread(count, len(members))):
            findings.append(finding(f"{stamp}-F{prefix}{i}", of_org[members[where]["id"]]))
    findings += [finding(f"{stamp}-FX{n}", pk) for n, pk in enumerate(outside_ids)]
    _insert(Finding, findings)

    # Decisions: each measure on its own organisations of the group, in the period.
    decisions: list[dict] = []

    def decide(org: dict, measure: str, n: int, **fields) -> None:
        due = day(n) + dt.timedelta(days=30) if measure == Measure.RECTIFY_ORDER else None
        decisions.append(
            {
                "code": f"{stamp}-D{len(decisions)}",
                "inspection_id": of_org[org["id"]],
                "measure": measure,
                "decided_on": day(n),
                "due_on": due,
                "created_at": now,
                **fields,
            }
        )

    def deal(members: list[dict], measures: list[tuple[str, int]]) -> None:
        offset = 0
        for measure, count in measures:
            for n in range(count):
                decide(members[offset + n], measure, n)
            offset += count

    deal(by_group["TI"], [(Measure.CLOSE, figures.ti_closed), (Measure.SUSPEND, figures.ti_suspended)])
    deal(list(reversed(by_group["TI"])), [(Measure.RECTIFY_ORDER, figures.ti_rectify)])
    deal(
        by_group["EB"],
        [(Measure.CANCEL_EXAM_POINT, figures.eb_cancelled), (Measure.SUSPEND_EXAM, figures.eb_exams_suspended)],
    )
    deal(list(reversed(by_group["EB"])), [(Measure.RECTIFY_ORDER, figures.eb_rectify)])
    fined = figures.ent_fined or figures.ent_penalised * 4 // 5
    enterprises = by_group["EN"]
    share, rest = divmod(figures.ent_fines_yuan, fined)
    for n in range(fined):
        decide(enterprises[n], Measure.FINE, n, fine_yuan=share + (rest if n == fined - 1 else 0))
    for n in range(fined, figures.ent_penalised):
        decide(enterprises[n], Measure.WARNING, n)
    # A warning beside a fine, and orders to rectify: neither changes the count of enterprises penalised.
    decide(enterprises[0], Measure.WARNING, 1)
    for n in range(figures.ent_penalised, figures.ent_penalised + 500):
        decide(enterprises[n], Measure.RECTIFY_ORDER, n)
    # Publicised cases: one decision of each of the first inspections decided in the period is publicised; a
    # second publicised decision on one of them does not count twice.
    published: set[int] = set()
    for decision in decisions:
        if len(published) == figures.cases_publicized:
            break
        if decision["inspection_id"] not in published:
            decision["publicized"] = True
            published.add(decision["inspection_id"])
    decide(by_group["TI"][0], Measure.CLOSE, 2, publicized=True)  # the first decision's inspection, closed again
    # Outside the period: decided the day before it starts.
    decisions.append(
        {
            "code": f"{stamp}-DX",
            "inspection_id": outside_ids[2],
            "measure": Measure.FINE,
            "fine_yuan": 10_000,
            "decided_on": before,
            "publicized": True,
            "created_at": now,
        }
    )
    _insert(Decision, decisions)

    # Remote patrols: sittings at exam points, one patrol each (two on some); the sanctioned candidates.
    points = [org for org in by_group["EB"] if org["kind"] == OrganizationKind.EXAM_POINT]
    watcher = User.objects.filter(username=f"{stamp}-patroller").first() or User.objects.create(
        username=f"{stamp}-patroller", role=Role.INSPECTOR, region_id="000000"
    )
    sittings = []
    for n in range(figures.sittings_patrolled + 1):
        at = dt.datetime.combine(day(n), dt.time(9), tzinfo=BEIJING)
        sittings.append(
            {
                "sitting_code": f"{stamp}-S{n}",
                "exam_point_id": points[n % len(points)]["id"],
                "part": ExamPart.THEORY,
                "trainee_category": "principal",
                "starts_at": at,
                "ends_at": at + dt.timedelta(hours=2),
                "capacity": 30,
                "created_at": now,
                "updated_at": now,
            }
        )
    for row, pk in zip(sittings, _insert(Sitting, sittings), strict=True):
        row["id"] = pk
    last = sittings.pop()  # patrolled the day before the period

    def patrol(sitting: dict, mode: str, at: dt.datetime) -> dict:
        return {
            "sitting_id": sitting["id"],
            "watcher_id": watcher.pk,
            "mode": mode,
            "started_at": at,
            "created_at": now,
        }

    patrols = [patrol(s, PatrolMode.LIVE, s["starts_at"]) for s in sittings]
    patrols += [patrol(s, PatrolMode.RECORDED, s["ends_at"]) for s in sittings[:100]]
    patrols.append(patrol(last, PatrolMode.LIVE, dt.datetime.combine(before, dt.time(23, 30), tzinfo=BEIJING)))
    patrol_ids = _insert(Patrol, patrols)
    patrol_of = {row["sitting_id"]: pk for row, pk in zip(patrols[: len(sittings)], patrol_ids, strict=False)}

    ids: set[str] = set()
    while len(ids) < figures.persons_sanctioned + 1:
        birth = synthetic.birth_date(rng, 20, 55, dt.date(2023, 1, 1))
        ids.add(synthetic.id_number(rng, codes[len(ids) % len(codes)], birth))
    persons = [
        {
            "id_number": number,
            "name": synthetic.chinese_name(rng),
            "sex": "M" if int(number[16]) % 2 else "F",
            "birth_date": dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
            "created_at": now,
            "updated_at": now,
        }
        for number in sorted(ids)
    ]
    person_ids = _insert(Person, persons)
    seated = [sittings[n % len(sittings)] for n in range(len(person_ids) - 1)] + [last]
    registrations = [
        {"sitting_id": s["id"], "person_id": pk, "admission_code": f"{n:08d}", "created_at": now}
        for n, (s, pk) in enumerate(zip(seated, person_ids, strict=True))
    ]
    registration_ids = _insert(Registration, registrations)

    def sanction(n: int, sitting: dict, patrol_id: int, status: str, kind: str, at: dt.datetime) -> dict:
        return {
            "sitting_id": sitting["id"],
            "patrol_id": patrol_id,
            "registration_id": registration_ids[n],
            "source": FindingSource.PATROL,
            "observed_at": at,
            "observation": "违规",
            "sanction": kind,
            "status": status,
            "created_at": now,
        }

    confirmed = FindingStatus.CONFIRMED
    sanctions = [
        sanction(
            n,
            s,
            patrol_of[s["id"]],
            confirmed,
            Sanction.WARNING if n % 2 else Sanction.SCORE_CANCELLED,
            s["starts_at"] + dt.timedelta(minutes=30),
        )
        for n, s in enumerate(seated[:-1])
    ]
    # Seen twice (a second warning): one candidate × sitting. Dismissed, unsanctioned or outside: none counts.
    first = seated[0]
    at = first["starts_at"] + dt.timedelta(minutes=40)
    sanctions.append(sanction(0, first, patrol_of[first["id"]], confirmed, Sanction.WARNING, at))
    sanctions.append(sanction(1, seated[1], patrol_of[seated[1]["id"]], FindingStatus.DISMISSED, Sanction.WARNING, at))
    sanctions.append(sanction(2, seated[2], patrol_of[seated[2]["id"]], confirmed, Sanction.NONE, at))
    sanctions.append(
        sanction(len(seated) - 1, last, patrol_ids[-1], confirmed, Sanction.SCORE_CANCELLED, patrols[-1]["started_at"])
    )
    _insert(PatrolFinding, sanctions)
    return {
        "organizations": len(orgs),
        "inspections": len(inspection_ids),
        "findings": len(findings),
        "decisions": len(decisions),
        "sittings": len(sittings) + 1,
        "patrols": len(patrols),
        "patrol_findings": len(sanctions),
        "persons": len(persons),
    }
