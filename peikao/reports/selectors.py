"""The figures of the campaign notice (通报) for a region and a period, as the issue defines them (issue 16).

Region: the subject organisation's region and the regions below it (a region-code prefix, ADR 0001). Period:
inclusive dates. Every figure is a set-based query grouped by the code prefix of the next level down (per
province of the nation, per city of a province, per county of a city), so that the region's figure is the sum
of its sub-regions' (every counted thing — an organisation, an inspection, a sitting with its candidates — lies
in exactly one sub-region). A handful of queries whatever the size of the region; they run on SQLite and
PostgreSQL alike.

Definitions
-----------
- subject groups by organisation kind: training institutions (training_institution), exam bodies
  (exam_institution, exam_point), enterprises (enterprise and labour-dispatch company, the kinds whose checklist is
  the enterprise's: ``enforcement.choices.KIND_SUBJECT``);
- ``inspected``: distinct organisations with an inspection dated in the period; ``problems``: findings of those
  inspections;
- measures: distinct organisations with a decision of that measure decided in the period; ``penalised``: distinct
  enterprises with a warning, fine, suspension, closure or revoked certificate (an order to rectify is not a
  penalty); ``fines_yuan``: the fines decided in the period on enterprises — the unit's fine and the fine of its
  person directly responsible — in whole yuan;
- ``cases_publicized``: distinct inspections with a publicised decision decided in the period;
- ``remote_patrols.sittings_patrolled``: distinct sittings with a patrol started in the period (Beijing time);
  ``persons_sanctioned``: distinct candidate × sitting (a registration) warned or with the score cancelled by a
  patrol finding observed in the period and not dismissed;
- ``practices``: how many of the sub-regions of the region asked (for a county: the county itself) show the
  practice in the period: an exit decision (closure of an institution, cancellation of an exam point), grading in
  use (分级分类: a subject holding a grade by the end of the period, computed by then or recorded in its history),
  signed commitments (承诺制: a commitment signed by the end of the period whose term reaches into it), spot exams
  (逢查必考), look-back inspections (回头看).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.errors import DomainError, PermissionDenied
from peikao.core.models import Region, User
from peikao.core.scoping import region_code_range
from peikao.enforcement.choices import KIND_SUBJECT, InspectionKind, Measure, SubjectType
from peikao.enforcement.models import Decision, Finding, Inspection, SpotExam
from peikao.exams.choices import FindingStatus, Sanction
from peikao.exams.models import Patrol, PatrolFinding
from peikao.oversight.grading.models import Commitment, Grade
from peikao.registry.models import Organization
from peikao.reports.models import ProvincialReturn

__all__ = [
    "GROUPS",
    "PRACTICES",
    "Period",
    "name_within",
    "notice_figures",
    "notice_region",
    "practice_codes",
    "returns_figures",
    "subregion_length",
]

NATION_CODE = "000000"

# group → (organisation kinds, {figure: measures of a decision, counted as distinct organisations})
GROUP_SUBJECT = {
    "training_institutions": SubjectType.TRAINING_INSTITUTION,
    "exam_bodies": SubjectType.EXAM_BODY,
    "enterprises": SubjectType.ENTERPRISE,
}
KIND_GROUP = {
    kind: group for group, subject in GROUP_SUBJECT.items() for kind, s in KIND_SUBJECT.items() if s == subject
}
PENALTIES = (Measure.WARNING, Measure.FINE, Measure.SUSPEND, Measure.CLOSE, Measure.REVOKE_CERTIFICATE)
MEASURES: dict[str, dict[str, tuple[str, ...]]] = {
    "training_institutions": {
        "closed": (Measure.CLOSE,),
        "suspended": (Measure.SUSPEND,),
        "ordered_to_rectify": (Measure.RECTIFY_ORDER,),
    },
    "exam_bodies": {
        "exam_points_cancelled": (Measure.CANCEL_EXAM_POINT,),
        "exams_suspended": (Measure.SUSPEND_EXAM,),
        "ordered_to_rectify": (Measure.RECTIFY_ORDER,),
    },
    "enterprises": {"penalised": PENALTIES},
}
GROUPS: dict[str, tuple[str, ...]] = {
    group: ("inspected", "problems", *MEASURES[group]) + (("fines_yuan",) if group == "enterprises" else ())
    for group in GROUP_SUBJECT
}
EXIT_MEASURES = (Measure.CLOSE, Measure.CANCEL_EXAM_POINT)
PATROL_SANCTIONS = (Sanction.WARNING, Sanction.SCORE_CANCELLED)
PRACTICES = (
    "regions_with_exit_decision",
    "regions_with_grading",
    "regions_with_commitments",
    "regions_with_spot_exams",
    "regions_with_lookback_inspections",
)


@dataclass(frozen=True)
class Period:
    """Inclusive dates."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise DomainError(
                "period_reversed",
                _("The period ends before it starts (%(start)s – %(end)s)."),
                {"start": self.start.isoformat(), "end": self.end.isoformat()},
                field="date_to",
            )

    def instants(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00, end + 1 day 00:00) in Beijing time (the platform's time zone)."""
        zone = timezone.get_default_timezone()
        low = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        return low, dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def subregion_length(region: Region) -> int:
    """Length of the code prefix that names a sub-region: 2 (provinces of the nation), 4 (cities of a province),
    6 (counties of a city; a county is its own only sub-region)."""
    return min(len(region.prefix) + 2, 6) if region.prefix else 2


def name_within(name: str, within: str) -> str:
    """A sub-region's full name without the name of the region it is shown in (鼓楼区 on 福州市's dashboard, 漳州市
    in 福建省's notice, not 福建省福州市鼓楼区); the region's own name, and any other, unchanged."""
    return name[len(within) :] if within and name.startswith(within) and name != within else name


def notice_region(*, user: User | None, code: str | None) -> Region:
    """The region a notice is asked for: ``code``, else the user's jurisdiction (else the nation). A user may ask
    for its own region and the regions below it only (a county cannot ask for its province)."""
    code = (code or "").strip()
    if not code:
        code = user.region_id if user is not None and user.is_regulator and user.region_id else NATION_CODE
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise DomainError("unknown_region", _("No region has the code %(code)s."), {"code": code}, field="region")
    inside = user is None or user.sees_everything
    if not inside and user is not None:
        inside = user.is_regulator and user.region is not None and user.region.contains(region.code)
    if not inside:
        raise PermissionDenied(
            "region_out_of_jurisdiction",
            _("%(region)s lies outside your jurisdiction."),
            {"region": region.name},
            field="region",
        )
    return region


def notice_figures(*, user: User | None, region: Region, period: Period) -> dict[str, Any]:
    """The notice's figures for ``region`` and ``period``: the figures of the region, ``region``, ``period``,
    and ``by_subregion`` (the same figures per sub-region that has any). ``user`` None is the system (the
    command line); a user sees only regions of its jurisdiction."""
    if user is not None:
        notice_region(user=user, code=region.code)  # refuses a region out of the user's jurisdiction
    length = subregion_length(region)
    rows = _figures_by_prefix(region, period, length)
    codes = practice_codes(region, period)
    practices = _practice_counts(codes, length)
    keys = sorted(set(rows) | {key for key, counts in practices.items() if any(counts.values())})
    regions = Region.objects.select_related("parent__parent").in_bulk([key.ljust(6, "0") for key in keys])
    by_subregion = []
    for key in keys:
        sub = regions.get(key.ljust(6, "0"))
        figures = rows.get(key) or _empty()
        figures["practices"] = practices.get(key) or dict.fromkeys(PRACTICES, 0)
        by_subregion.append({"region": _region_json(sub, key), **figures})
    total = _empty()
    for row in rows.values():
        _add(total, row)
    total["practices"] = _practice_totals(codes, length)
    for figures in (total, *by_subregion):
        figures["enterprises"]["fines_yuan"] = _whole_yuan(figures["enterprises"]["fines_yuan"])
    return {
        "region": _region_json(region, region.code),
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        **total,
        "by_subregion": by_subregion if length > len(region.prefix) else [],
    }


# --------------------------------------------------------------------------------------------------------------


def _region_json(region: Region | None, key: str) -> dict[str, str]:
    if region is None:
        return {"code": key.ljust(6, "0"), "name": key}
    return {"code": region.code, "name": region.full_name if region.level != "nation" else region.name}


def _whole_yuan(amount: int | Decimal) -> int:
    """Fines in whole yuan, rounded half up once (the region's total from the exact sum, not from rounded parts)."""
    return int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _empty() -> dict[str, Any]:
    figures: dict[str, Any] = {group: dict.fromkeys(names, 0) for group, names in GROUPS.items()}
    figures["cases_publicized"] = 0
    figures["remote_patrols"] = {"sittings_patrolled": 0, "persons_sanctioned": 0}
    return figures


def _add(total: dict[str, Any], row: dict[str, Any]) -> None:
    for key, value in row.items():
        if key == "practices":
            continue
        if isinstance(value, dict):
            for name, number in value.items():
                total[key][name] += number
        else:
            total[key] += value


def _rows(queryset) -> list[dict[str, Any]]:
    return list(queryset)


def _in_region(path: str, region: Region) -> Q:
    if not region.prefix:
        return Q()
    # organization__region_id → organization__region__code: the code is the key, Django joins nothing
    return Q(**{f"{path.removesuffix('_id')}__code__range": region_code_range(region.prefix)})


def _figures_by_prefix(region: Region, period: Period, length: int) -> dict[str, dict[str, Any]]:
    """Five grouped queries: inspections, findings, decisions, patrols, patrol sanctions."""
    rows: dict[str, dict[str, Any]] = defaultdict(_empty)

    # Organisations inspected: each organisation with an inspection in the period counted once (a semi-join, not a
    # distinct count of the inspections' organisations, which sorts every inspection of the nation).
    inspected = Inspection.objects.filter(organization=OuterRef("pk"), inspected_on__range=(period.start, period.end))
    organizations = (
        Organization.objects.filter(_in_region("region_id", region), Exists(inspected))
        .annotate(sub=Substr("region_id", 1, length))
        .values("sub", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in _rows(organizations):
        group = KIND_GROUP.get(row["kind"])
        if group:
            rows[row["sub"]][group]["inspected"] += row["n"]

    org = "inspection__organization__region_id"
    findings = (
        Finding.objects.filter(_in_region(org, region), inspection__inspected_on__range=(period.start, period.end))
        .annotate(sub=Substr(org, 1, length))
        .values("sub", "inspection__organization__kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in _rows(findings):
        group = KIND_GROUP.get(row["inspection__organization__kind"])
        if group:
            rows[row["sub"]][group]["problems"] += row["n"]

    subject = "inspection__organization"
    measure_counts = {
        f"{group}__{name}": Count(subject, filter=Q(measure__in=measures), distinct=True)
        for group, figures in MEASURES.items()
        for name, measures in figures.items()
    }
    decisions = (
        Decision.objects.filter(_in_region(org, region), decided_on__range=(period.start, period.end))
        .annotate(sub=Substr(org, 1, length))
        .values("sub", "inspection__organization__kind")
        .annotate(
            **measure_counts,
            fines=Coalesce(Sum("fine_yuan"), Decimal(0)) + Coalesce(Sum("responsible_fine_yuan"), Decimal(0)),
            publicized=Count("inspection", filter=Q(publicized=True), distinct=True),
        )
        .order_by()
    )
    for row in _rows(decisions):
        figures = rows[row["sub"]]
        figures["cases_publicized"] += row["publicized"]
        group = KIND_GROUP.get(row["inspection__organization__kind"])
        if not group:
            continue
        for name in MEASURES[group]:
            figures[group][name] += row[f"{group}__{name}"]
        if group == "enterprises":
            figures[group]["fines_yuan"] += Decimal(row["fines"])  # whole yuan at the end (_whole_yuan)

    low, high = period.instants()
    point = "sitting__exam_point__region_id"
    patrols = (
        Patrol.objects.filter(_in_region(point, region), started_at__gte=low, started_at__lt=high)
        .annotate(sub=Substr(point, 1, length))
        .values("sub")
        .annotate(n=Count("sitting", distinct=True))
        .order_by()
    )
    for row in _rows(patrols):
        rows[row["sub"]]["remote_patrols"]["sittings_patrolled"] += row["n"]
    sanctions = (
        PatrolFinding.objects.filter(
            _in_region(point, region),
            observed_at__gte=low,
            observed_at__lt=high,
            patrol__isnull=False,
            registration__isnull=False,
            sanction__in=PATROL_SANCTIONS,
        )
        .exclude(status=FindingStatus.DISMISSED)
        .annotate(sub=Substr(point, 1, length))
        .values("sub")
        .annotate(n=Count("registration", distinct=True))
        .order_by()
    )
    for row in _rows(sanctions):
        rows[row["sub"]]["remote_patrols"]["persons_sanctioned"] += row["n"]
    return dict(rows)


def practice_codes(region: Region, period: Period, *, only: str | None = None) -> dict[str, set[str]]:
    """For each practice the platform records (or the one named ``only``), the county-level region codes where it
    was seen in the period: one query per practice, returning at most one row per county."""
    dates = (period.start, period.end)
    org = "inspection__organization__region_id"
    sources: dict[str, Callable[[], tuple[QuerySet, str]]] = {
        "regions_with_exit_decision": lambda: (
            Decision.objects.filter(decided_on__range=dates, measure__in=EXIT_MEASURES),
            org,
        ),
        "regions_with_grading": lambda: (
            Grade.objects.filter(Q(as_of__lte=period.end) | Q(events__time__lt=period.instants()[1])),
            "organization__region_id",
        ),
        "regions_with_commitments": lambda: (
            Commitment.objects.filter(signed_on__lte=period.end, valid_to__gte=period.start),
            "organization__region_id",
        ),
        "regions_with_spot_exams": lambda: (SpotExam.objects.filter(inspection__inspected_on__range=dates), org),
        "regions_with_lookback_inspections": lambda: (
            Inspection.objects.filter(
                Q(kind=InspectionKind.LOOKBACK) | Q(lookback_of__isnull=False), inspected_on__range=dates
            ),
            "organization__region_id",
        ),
    }

    def codes(queryset: QuerySet, path: str) -> set[str]:
        return set(queryset.filter(_in_region(path, region)).values_list(path, flat=True).distinct().order_by())

    wanted = [only] if only is not None else list(sources)
    return {practice: codes(*sources[practice]()) for practice in wanted}


def _practice_counts(codes: dict[str, set[str]], length: int) -> dict[str, dict[str, int]]:
    """Per sub-region (code prefix of ``length``): how many of its own sub-regions (one level further down; a
    county for itself) show each practice."""
    deeper = min(length + 2, 6)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PRACTICES, 0))
    for practice, found in codes.items():
        units: dict[str, set[str]] = defaultdict(set)
        for code in found:
            units[code[:length]].add(code[:deeper])
        for key, below in units.items():
            counts[key][practice] = len(below)
    return dict(counts)


def _practice_totals(codes: dict[str, set[str]], length: int) -> dict[str, int]:
    """How many sub-regions of the region asked show each practice."""
    totals = dict.fromkeys(PRACTICES, 0)
    for practice, found in codes.items():
        totals[practice] = len({code[:length] for code in found})
    return totals


def returns_figures(*, user: User | None, period: Period) -> dict[str, Any]:
    """The national notice built from the provinces' current returns of exactly ``period``: the sum of their
    figures, ``by_subregion`` a row per province (its return's figures); the practices of the nation count the
    provinces whose return shows the practice. Only who sees everything (the ministry) reads all returns."""
    if user is not None and not user.sees_everything:
        raise PermissionDenied("ministry_only", _("Returns are received by the ministry's platform."))
    returns = ProvincialReturn.objects.filter(
        current=True, period_from=period.start, period_to=period.end
    ).select_related("region")
    total = _empty()
    practices = dict.fromkeys(PRACTICES, 0)
    by_subregion = []
    for received in returns.order_by("region_id"):
        figures = {key: value for key, value in received.figures.items() if key != "by_subregion"}
        row = _empty()
        for key in row:
            if isinstance(row[key], dict):
                row[key] = {name: int(figures.get(key, {}).get(name, 0)) for name in row[key]}
            else:
                row[key] = int(figures.get(key, 0))
        row["practices"] = {name: int(figures.get("practices", {}).get(name, 0)) for name in PRACTICES}
        _add(total, row)
        for name in PRACTICES:
            practices[name] += 1 if row["practices"][name] else 0
        by_subregion.append({"region": _region_json(received.region, received.region_id), **row})
    total["practices"] = practices
    nation = Region.objects.get(code=NATION_CODE)
    return {
        "region": _region_json(nation, NATION_CODE),
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        **total,
        "by_subregion": by_subregion,
    }
