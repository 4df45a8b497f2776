"""The injury analysis of a region and period (issue 18): for the linked cases, the injured person's training and
certification for the work at the time, and rates against the roster baseline by operation item, age band,
enterprise, last training institution, exam point and labour-dispatch company, with relative risks.

Everything is counted in the database, on SQLite and PostgreSQL, in two statements whatever the size: the cases
grouped once by all their groups and their training status together (correlated subqueries per case: the cases of a
region are thousands); the roster set-based (a province's is a million assignments): the latest class and sitting
of each of its persons for each item ranked once, joined to the roster, and the distinct persons of every group of
every dimension counted from that one joined roster. Python adds up the case groups per dimension, turns birth years
into age bands and divides the counts of a few hundred groups (rates.py).

- Cases: linked cases (exact, automatic, confirmed) of the region's employers that occurred in the period. The work
  being done is the case's operation item, else the item of the person's special-operator assignment there.
- Roster baseline (workers): persons with a special-operator assignment in an enterprise of the region overlapping
  the period, counted once per group.
- Training at the time: a valid certificate for the item on the day (its dates and its status on that day, from
  its recorded changes); a certificate that was no longer valid (expired, suspended, revoked); no certificate but a
  class for the item started before the day; none.
- Last training institution / exam point: of the latest class / sitting for the item before the day (cases) or the
  period's end (workers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, ExtractYear, NullIf, RowNumber

from peikao.certificates.choices import CertificateStatus
from peikao.certificates.models import Certificate, CertificateEvent
from peikao.core.scoping import region_code_range
from peikao.exams.models import Registration
from peikao.oversight.detectors.base import planner
from peikao.oversight.injuries import rates
from peikao.oversight.injuries.choices import LINKED, Dimension, TrainingStatus
from peikao.oversight.injuries.models import InjuryCase, LinkageWeight
from peikao.registry.choices import AssignmentRole, OrganizationKind
from peikao.registry.models import Assignment, OperationItem, Organization
from peikao.training.choices import ClassStatus
from peikao.training.models import Enrolment

if TYPE_CHECKING:
    from peikao.core.models import Region, User

DEFAULT_MIN_CASES = 5
HELD_CLASSES = (ClassStatus.ACCEPTED, ClassStatus.CLOSED)


@dataclass
class GroupRow:
    dimension: str
    group: str  # the code (organisation code, item code, band); "" for cases with no value
    label: str
    cases: int
    workers: int
    rate_per_1000: float | None
    relative_risk: float | None
    ci_low: float | None
    ci_high: float | None
    ranked: bool
    organization_id: int | None = None  # for training institutions and enterprises: the subject of "raise priority"
    # The group's cases by training status at the time (valid, expired, trained, none).
    training: dict[str, int] = field(default_factory=dict)


@dataclass
class Analysis:
    region: Region | None
    date_from: dt.date
    date_to: dt.date
    min_cases: int
    cases: int
    workers: int
    training_status: dict[str, int]
    dimensions: dict[str, list[GroupRow]]

    def rows(self) -> Iterator[GroupRow]:
        for dimension in Dimension.values:
            yield from self.dimensions.get(dimension, [])


def min_cases_on(on: dt.date) -> int:
    """The fewest cases a group needs to be ranked (domain/injury_linkage.yaml, analysis.min_cases)."""
    value = (
        LinkageWeight.objects.in_force(on)
        .filter(comparison="analysis", level="min_cases")
        .values_list("weight", flat=True)
        .first()
    )
    return int(value) if value is not None else DEFAULT_MIN_CASES


def _cases(user: User | None, region: Region | None, date_from: dt.date, date_to: dt.date) -> QuerySet:
    cases = InjuryCase.objects.visible_to(user) if user is not None else InjuryCase.objects.all()
    cases = cases.filter(link_status__in=LINKED, occurred_on__range=(date_from, date_to))
    if region is not None:
        cases = cases.filter(organization__region__code__range=region_code_range(region.prefix))
    work_item = Subquery(
        Assignment.objects.filter(
            person=OuterRef("person"),
            organization=OuterRef("organization"),
            role=AssignmentRole.SPECIAL_OPERATOR,
            operation_item__isnull=False,
        )
        .order_by("-start_date")
        .values("operation_item")[:1]
    )
    return cases.annotate(item=Coalesce("operation_item", work_item, output_field=BigIntegerField()))


def _last_class_org(person: str, item: str, before: Any) -> Subquery:
    return Subquery(
        Enrolment.objects.filter(
            person=OuterRef(person),
            training_class__operation_item=OuterRef(item),
            training_class__status__in=HELD_CLASSES,
            training_class__start_date__lte=before,
        )
        .order_by("-training_class__start_date", "-pk")
        .values("training_class__organization")[:1]
    )


def _last_exam_point(person: str, item: str, before: Any) -> Subquery:
    return Subquery(
        Registration.objects.filter(
            person=OuterRef(person), sitting__operation_item=OuterRef(item), sitting__starts_at__date__lte=before
        )
        .order_by("-sitting__starts_at", "-pk")
        .values("sitting__exam_point")[:1]
    )


def _roster(user: User | None, region: Region | None, date_from: dt.date, date_to: dt.date) -> QuerySet:
    roster = Assignment.objects.visible_to(user) if user is not None else Assignment.objects.all()
    roster = roster.filter(
        role=AssignmentRole.SPECIAL_OPERATOR,
        operation_item__isnull=False,
        organization__kind=OrganizationKind.ENTERPRISE,
        start_date__lte=date_to,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=date_from))
    if region is not None:
        roster = roster.filter(organization__region__code__range=region_code_range(region.prefix))
    return roster


def _status_on_the_day() -> Coalesce:
    """A certificate's status on the case's day, not today (as compliance reads it): the first change recorded after
    the day says what it was before (its old status); without a later change, its status now. A certificate revoked
    after the injury was valid at the time; one suspended on the day and reinstated since was not."""
    after = CertificateEvent.objects.filter(
        certificate=OuterRef("pk"), time__date__gt=OuterRef(OuterRef("occurred_on"))
    ).order_by("time", "pk")
    return Coalesce(
        NullIf(Subquery(after.values("old_status")[:1]), Value("")),
        Subquery(after.values("new_status")[:1]),
        F("status"),
        output_field=CharField(),
    )


def _with_status(cases: QuerySet) -> QuerySet:
    """The cases, each with its training status at the time (``status``)."""
    day = OuterRef("occurred_on")
    of_person = {"person": OuterRef("person"), "operation_item": OuterRef("item")}
    return cases.annotate(
        valid=Exists(
            Certificate.objects.filter(**of_person, valid_from__lte=day, valid_until__gte=day)
            .annotate(status_then=_status_on_the_day())
            .filter(status_then=CertificateStatus.VALID)
        ),
        held=Exists(Certificate.objects.filter(**of_person, first_issued_on__lte=day)),
        trained=Exists(
            Enrolment.objects.filter(
                person=OuterRef("person"),
                training_class__operation_item=OuterRef("item"),
                training_class__status__in=HELD_CLASSES,
                training_class__start_date__lte=day,
            )
        ),
    ).annotate(
        status=Case(
            When(valid=True, then=Value(TrainingStatus.VALID)),
            When(held=True, then=Value(TrainingStatus.EXPIRED)),
            When(trained=True, then=Value(TrainingStatus.TRAINED)),
            default=Value(TrainingStatus.NONE),
            output_field=CharField(),
        )
    )


Counts = tuple[dict[Any, int], dict[Any, int], dict[Any, dict[str, int]]]

# The groups of a case (the values the cases query groups by) and of a roster row, per dimension; the age band is
# read from the age (cases) or the birth year (roster) in Python (rates.age_band).
CASE_GROUPS = {
    Dimension.OPERATION_ITEM: "item",
    Dimension.ENTERPRISE: "organization",
    Dimension.TRAINING_INSTITUTION: "institution",
    Dimension.EXAM_POINT: "exam_point",
    Dimension.DISPATCH_COMPANY: "dispatched_by",
}
ROSTER_GROUPS = {
    Dimension.OPERATION_ITEM: "item_id",
    Dimension.AGE_BAND: "born",
    Dimension.ENTERPRISE: "organization_id",
    Dimension.TRAINING_INSTITUTION: "institution_id",
    Dimension.EXAM_POINT: "exam_point_id",
    Dimension.DISPATCH_COMPANY: "dispatched_by_id",
}


def _case_counts(cases: QuerySet) -> tuple[dict[str, dict[Any, int]], dict[str, dict[Any, dict[str, int]]]]:
    """Cases by group, and by group and training status at the time, for every dimension: one query grouping the
    cases by all their groups and their status together (the status subqueries run once per case, not once per
    dimension); each dimension's counts are the sums over the other groups."""
    rows = (
        _with_status(cases)
        .annotate(
            age=ExtractYear("occurred_on") - ExtractYear("person__birth_date"),
            institution=_last_class_org("person", "item", OuterRef("occurred_on")),
            exam_point=_last_exam_point("person", "item", OuterRef("occurred_on")),
        )
        .order_by()
        .values(*CASE_GROUPS.values(), "age", "status")
        .annotate(n=Count("pk"))
    )
    by_case: dict[str, dict[Any, int]] = {dimension: {} for dimension in Dimension.values}
    by_status: dict[str, dict[Any, dict[str, int]]] = {dimension: {} for dimension in Dimension.values}
    for row in rows:
        keys = {dimension: row[name] for dimension, name in CASE_GROUPS.items()}
        keys[Dimension.AGE_BAND] = rates.age_band(row["age"])
        for dimension, key in keys.items():
            by_case[dimension][key] = by_case[dimension].get(key, 0) + row["n"]
            statuses = by_status[dimension].setdefault(key, dict.fromkeys(TrainingStatus.values, 0))
            statuses[row["status"]] += row["n"]
    return by_case, by_status


def _latest(queryset: QuerySet, item: str, group: str, newest: tuple[str, ...]) -> tuple[str, tuple]:
    """(person_id, item_id, group_id, rank) of ``queryset`` (enrolments or registrations), ranked 1 for the latest
    of each person and item (the highest ``newest``, field by field): the statement and its parameters."""
    ranked = (
        queryset.filter(**{f"{item}__isnull": False})
        .annotate(rank=Window(RowNumber(), partition_by=[F("person"), F(item)], order_by=[F(f).desc() for f in newest]))
        .order_by()
        .values_list("person", item, group, "rank")
    )
    return ranked.query.sql_with_params()


def _roster_counts(roster: QuerySet, date_to: dt.date) -> tuple[dict[str, dict[Any, int]], int]:
    """Workers (distinct persons) of the roster by group of every dimension, and all of them: one statement. The
    latest class and sitting of every person and item up to ``date_to`` are ranked once (not looked up per roster
    row) and joined to the roster; each group counts its rows, less the repeats of a person in it, which only the
    few persons with more than one roster row (a second assignment; each row carries its person's number of rows)
    can have: a million single rows are counted, not sorted for distinctness, once per dimension."""
    rows_sql, rows_params = (
        roster.annotate(born=ExtractYear("person__birth_date"), rows=Window(Count("pk"), partition_by=[F("person")]))
        .order_by()
        .values_list("person", "operation_item", "organization", "dispatched_by", "born", "rows")
        .query.sql_with_params()
    )
    persons = roster.values("person")  # the classes and sittings of the roster's persons only, not the country's
    classes_sql, classes_params = _latest(
        Enrolment.objects.filter(
            person__in=persons, training_class__status__in=HELD_CLASSES, training_class__start_date__lte=date_to
        ),
        "training_class__operation_item",
        "training_class__organization",
        ("training_class__start_date", "pk"),
    )
    sittings_sql, sittings_params = _latest(
        Registration.objects.filter(person__in=persons, sitting__starts_at__date__lte=date_to),
        "sitting__operation_item",
        "sitting__exam_point",
        ("sitting__starts_at", "pk"),
    )
    columns = [*ROSTER_GROUPS.values(), "CAST(NULL AS BIGINT)"]  # the last: every worker, in one group
    counted = " UNION ALL ".join(
        [f"SELECT {i}, {column}, COUNT(*) FROM joined GROUP BY {column}" for i, column in enumerate(columns)]
        + [
            f"SELECT {i}, {column}, COUNT(DISTINCT person_id) - COUNT(*) FROM repeated GROUP BY {column}"
            for i, column in enumerate(columns)
        ]
    )
    sql = f"""
        WITH roster (person_id, item_id, organization_id, dispatched_by_id, born, person_rows) AS ({rows_sql}),
        classes (person_id, item_id, organization_id, rank) AS ({classes_sql}),
        sittings (person_id, item_id, exam_point_id, rank) AS ({sittings_sql}),
        joined AS (
            SELECT r.person_id, r.item_id, r.organization_id, r.dispatched_by_id, CAST(r.born AS BIGINT) AS born,
                   r.person_rows, c.organization_id AS institution_id, s.exam_point_id
            FROM roster r
            LEFT JOIN classes c ON c.person_id = r.person_id AND c.item_id = r.item_id AND c.rank = 1
            LEFT JOIN sittings s ON s.person_id = r.person_id AND s.item_id = r.item_id AND s.rank = 1
        ),
        repeated AS (SELECT * FROM joined WHERE person_rows > 1)
        {counted}
    """
    dimensions = list(ROSTER_GROUPS)
    by_worker: dict[str, dict[Any, int]] = {dimension: {} for dimension in Dimension.values}
    workers = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rows_params, *classes_params, *sittings_params])
        for index, key, n in cursor.fetchall():
            if index == len(dimensions):
                workers += n
                continue
            dimension = dimensions[index]
            if dimension == Dimension.AGE_BAND:  # persons by birth year, each in one band
                key = rates.age_band(date_to.year - key if key is not None else None)
            by_worker[dimension][key] = by_worker[dimension].get(key, 0) + n
    return by_worker, workers


def _training_status(by_status: dict[Any, dict[str, int]]) -> dict[str, int]:
    """Every case by training status at the time: the sum over the groups of one dimension (each case falls in
    exactly one group of each, the unknown group included)."""
    total = dict.fromkeys(TrainingStatus.values, 0)
    for statuses in by_status.values():
        for status, n in statuses.items():
            total[status] += n
    return total


def _counts(cases: QuerySet, roster: QuerySet, date_to: dt.date) -> tuple[dict[str, Counts], int]:
    """(cases by group, workers by group, cases by group and training status) for every dimension, and all the
    workers: two statements, run without JIT and with the memory to hash a province's roster (``planner``)."""
    with planner():
        by_case, by_status = _case_counts(cases)
        by_worker, workers = _roster_counts(roster, date_to)
    counts = {d: (by_case[d], by_worker[d], by_status[d]) for d in Dimension.values}
    return counts, workers


def _labels(counts: dict[str, Counts]) -> dict[str, dict[Any, tuple[str, str]]]:
    """(code, label) of every group key: organisations and items by their codes and names."""
    org_ids, item_ids = set(), set()
    for dimension, (by_case, by_worker, _status) in counts.items():
        keys = {k for k in [*by_case, *by_worker] if k is not None}
        if dimension == Dimension.OPERATION_ITEM:
            item_ids |= keys
        elif dimension != Dimension.AGE_BAND:
            org_ids |= keys
    orgs = {
        pk: (code, name)
        for pk, code, name in Organization.objects.filter(pk__in=org_ids).values_list("pk", "org_code", "name")
    }
    items = {
        pk: (code, name)
        for pk, code, name in OperationItem.objects.filter(pk__in=item_ids).values_list("pk", "code", "name")
    }
    labels: dict[str, dict[Any, tuple[str, str]]] = {}
    for dimension, (by_case, by_worker, _status) in counts.items():
        known = items if dimension == Dimension.OPERATION_ITEM else orgs
        labels[dimension] = {
            key: (key, key) if dimension == Dimension.AGE_BAND else known.get(key, ("", ""))
            for key in {*by_case, *by_worker}
        }
    return labels


def _rows(
    dimension: str, by_case: dict, by_worker: dict, by_status: dict, labels: dict, min_cases: int
) -> list[GroupRow]:
    total_cases = sum(by_case.values())
    total_workers = sum(by_worker.values())
    rows = []
    for key in {*by_case, *by_worker}:
        a, n1 = by_case.get(key, 0), by_worker.get(key, 0)
        code, label = labels.get(key, ("", ""))
        if key is None or key == "":
            code, label = "", ""
        risk = rates.relative_risk(a, n1, total_cases - a, total_workers - n1)
        rows.append(
            GroupRow(
                dimension=dimension,
                group=code,
                label=label,
                cases=a,
                workers=n1,
                rate_per_1000=rates.rate_per_1000(a, n1),
                relative_risk=risk.ratio if risk else None,
                ci_low=risk.low if risk else None,
                ci_high=risk.high if risk else None,
                # Ranked: enough cases, a known group, and a baseline to compare with.
                ranked=a >= min_cases and code != "" and risk is not None,
                organization_id=key if dimension not in (Dimension.OPERATION_ITEM, Dimension.AGE_BAND) else None,
                training=by_status.get(key, dict.fromkeys(TrainingStatus.values, 0)),
            )
        )
    rows.sort(key=lambda r: (not r.ranked, -(r.relative_risk or 0), -r.cases, r.group))
    return rows


def injury_analysis(
    *,
    user: User | None,
    region: Region | None,
    date_from: dt.date,
    date_to: dt.date,
    min_cases: int | None = None,
) -> Analysis:
    """The analysis of ``region`` (the user's jurisdiction applies) over [date_from, date_to]."""
    cases = _cases(user, region, date_from, date_to)
    roster = _roster(user, region, date_from, date_to)
    minimum = min_cases if min_cases is not None else min_cases_on(date_to)
    counts, workers = _counts(cases, roster, date_to)
    labels = _labels(counts)
    dimensions = {
        dimension: _rows(dimension, by_case, by_worker, by_status, labels[dimension], minimum)
        for dimension, (by_case, by_worker, by_status) in counts.items()
    }
    return Analysis(
        region=region,
        date_from=date_from,
        date_to=date_to,
        min_cases=minimum,
        cases=sum(counts[Dimension.OPERATION_ITEM][0].values()),  # every case in one group of each dimension
        workers=workers,
        training_status=_training_status(counts[Dimension.OPERATION_ITEM][2]),
        dimensions=dimensions,
    )


def default_period(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """Three years up to ``as_of`` (the span of the Ma'anshan study): the export's period when none is given."""
    try:
        start = as_of.replace(year=as_of.year - 3)
    except ValueError:  # 29 February
        start = as_of.replace(year=as_of.year - 3, day=28)
    return start + dt.timedelta(days=1), as_of


def may_analyse(user: User | None) -> bool:
    """Regulators (and the system) read the analysis; an organisation does not see injury data here."""
    return user is None or user.sees_everything or user.is_regulator
