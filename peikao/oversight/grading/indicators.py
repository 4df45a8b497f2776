"""The indicators of the grading scorecard, set-based: each is one aggregate query over the records of all the
subjects being graded (grouped by subject) up to the as-of date, on PostgreSQL and SQLite alike. The same
queryset, narrowed to one subject, lists the records behind its points on the grade page.

An indicator's code in domain/oversight_grading.yaml names its entry in ``INDICATORS``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from peikao.compliance.models import ComplianceGap
from peikao.compliance.rules import months_before
from peikao.enforcement.choices import SEVERE_MEASURES, Measure, RectificationStatus, SpotExamStatus
from peikao.enforcement.models import Decision, Finding, Rectification, SpotExam
from peikao.exams.choices import ResultStatus
from peikao.exams.models import Result
from peikao.oversight.choices import AlertState
from peikao.oversight.grading.choices import CommitmentStatus
from peikao.oversight.grading.models import Commitment, Indicator
from peikao.oversight.injuries.models import InspectionPriority
from peikao.oversight.models import Alert
from peikao.registry.choices import PracticalDevice
from peikao.registry.models import Assignment, Organization


@dataclass(frozen=True)
class Measured:
    """What an indicator measured of one subject: the records counted, and for a rate the part and the rate."""

    n: int
    part: int = 0
    rate: Decimal | None = None
    extra: str = ""


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _since(indicator: Indicator, as_of: dt.date) -> dt.date:
    return months_before(as_of, indicator.months or 24)


# -- the record querysets: (queryset, path to the subject's pk) --------------------------------------------------


def _findings(ind: Indicator, subjects, as_of: dt.date) -> tuple[QuerySet, str]:
    qs = Finding.objects.filter(
        inspection__organization__in=subjects,
        inspection__inspected_on__gt=_since(ind, as_of),
        inspection__inspected_on__lte=as_of,
    )
    return qs, "inspection__organization_id"


def _decisions(measures) -> Callable:
    def build(ind: Indicator, subjects, as_of: dt.date) -> tuple[QuerySet, str]:
        qs = Decision.objects.filter(
            inspection__organization__in=subjects,
            measure__in=list(measures),
            decided_on__gt=_since(ind, as_of),
            decided_on__lte=as_of,
        )
        return qs, "inspection__organization_id"

    return build


def _overdue(ind: Indicator, subjects, as_of: dt.date) -> tuple[QuerySet, str]:
    """Rectifications whose deadline passed before the as-of date and that were not verified and closed by then."""
    qs = Rectification.objects.filter(
        decision__inspection__organization__in=subjects,
        decision__decided_on__lte=as_of,
        due_on__lt=as_of,
        due_on__gt=_since(ind, as_of),
    ).filter(~Q(status=RectificationStatus.CLOSED) | Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
    return qs, "decision__inspection__organization_id"


def _spot_exams(ind: Indicator, subjects, as_of: dt.date) -> tuple[QuerySet, str]:
    qs = SpotExam.objects.filter(
        inspection__organization__in=subjects,
        status=SpotExamStatus.SUBMITTED,
        inspection__inspected_on__gt=_since(ind, as_of),
        inspection__inspected_on__lte=as_of,
    )
    return qs, "inspection__organization_id"


def _alerts(ind: Indicator, subjects, as_of: dt.date) -> tuple[QuerySet, str]:
    qs = Alert.objects.filter(
        organization__in=subjects,
        state=AlertState.CONFIRMED,
        period_to__gt=_since(ind, as_of),
        period_from__lte=as_of,
    )
    return qs, "organization_id"


def _gaps(ind: Indicator, subjects, as_of: dt.date) -> tuple[QuerySet, str]:
    """The gaps of the latest finished scan on or before the as-of date (and within the window) that weigh as a
    finding (advisory gaps never do)."""
    qs = ComplianceGap.objects.filter(
        organization_id__in=subjects.values("pk"),
        advisory=False,
        scan__finished_at__isnull=False,
        scan__as_of__lte=as_of,
        scan__as_of__gt=_since(ind, as_of),
    )
    return qs, "organization_id"


def _devices(ind: Indicator, subjects, as_of: dt.date) -> tuple[QuerySet, str]:
    return subjects.filter(practical_device=PracticalDevice.SIMULATED), "pk"


def _results(ind: Indicator, subjects, as_of: dt.date) -> tuple[QuerySet, str]:
    qs = Result.objects.filter(
        registration__sitting__exam_point__in=subjects,
        status=ResultStatus.VALID,
        registration__sitting__starts_at__gte=day_start(_since(ind, as_of)),
        registration__sitting__starts_at__lt=day_start(as_of + dt.timedelta(days=1)),
    )
    return qs, "registration__sitting__exam_point_id"


def _commitments_kept(ind: Indicator, subjects, as_of: dt.date) -> tuple[QuerySet, str]:
    qs = Commitment.objects.filter(organization__in=subjects, valid_from__lte=as_of, valid_to__gte=as_of).exclude(
        Q(status=CommitmentStatus.BREACHED) & Q(breach_finding__inspection__inspected_on__lte=as_of)
    )
    return qs, "organization_id"


def _commitments_breached(ind: Indicator, subjects, as_of: dt.date) -> tuple[QuerySet, str]:
    qs = Commitment.objects.filter(
        organization__in=subjects,
        status=CommitmentStatus.BREACHED,
        breach_finding__inspection__inspected_on__lte=as_of,
        breach_finding__inspection__inspected_on__gt=_since(ind, as_of),
    )
    return qs, "organization_id"


def _priorities(ind: Indicator, subjects, as_of: dt.date) -> tuple[QuerySet, str]:
    """Inspection priorities raised on the subject from the injury analysis (issue 18) within the window, whether or
    not the draw has taken it since: the regulator judged it at high risk."""
    qs = InspectionPriority.objects.filter(
        organization__in=subjects,
        raised_at__gte=day_start(_since(ind, as_of) + dt.timedelta(days=1)),
        raised_at__lt=day_start(as_of + dt.timedelta(days=1)),
    )
    return qs, "organization_id"


RECORDS: dict[str, Callable[[Indicator, QuerySet, dt.date], tuple[QuerySet, str]]] = {
    "FINDINGS": _findings,
    "SERIOUS_DECISIONS": _decisions(SEVERE_MEASURES),
    "FINES": _decisions({Measure.FINE}),
    "RECTIFICATION_OVERDUE": _overdue,
    "SPOT_EXAM_FAILURES": _spot_exams,
    "CONFIRMED_ALERTS": _alerts,
    "COMPLIANCE_GAPS": _gaps,
    "SIMULATED_DEVICE": _devices,
    "PASS_RATE_ABOVE_PEERS": _results,
    "INSPECTION_PRIORITY": _priorities,
    "COMMITMENT_KEPT": _commitments_kept,
    "COMMITMENT_BREACHED": _commitments_breached,
}

INDICATOR_CODES = frozenset(RECORDS)


# -- measuring every subject at once -----------------------------------------------------------------------------


def _counts(qs: QuerySet, path: str) -> dict[int, Measured]:
    return {row[path]: Measured(n=row["n"]) for row in qs.values(path).annotate(n=Count("pk")).order_by()}


def _ratio(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else Decimal(0)


def _latest_scan_counts(qs: QuerySet) -> dict[int, int]:
    """Gaps per subject in its latest scan among ``qs`` (grouped by subject and scan; the last scan stays)."""
    counts: dict[int, int] = {}
    for row in qs.values("organization_id", "scan_id").annotate(n=Count("pk")).order_by("organization_id", "scan_id"):
        counts[row["organization_id"]] = row["n"]
    return counts


def workers(subjects: QuerySet, as_of: dt.date) -> dict[int, int]:
    """People assigned to each subject on the as-of date."""
    rows = (
        Assignment.objects.filter(organization__in=subjects, start_date__lte=as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=as_of))
        .values("organization_id")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    return {row["organization_id"]: row["n"] for row in rows}


def peer_pass_rates(as_of: dt.date, indicator: Indicator, provinces: set[str]) -> dict[str, Decimal]:
    """The pass rate of all the exam points of each province (their valid results in the window)."""
    rates: dict[str, Decimal] = {}
    for province in provinces:
        peers = Organization.objects.filter(region__code__startswith=province, kind="exam_point")
        qs, _path = _results(indicator, peers, as_of)
        totals = qs.aggregate(n=Count("pk"), k=Count("pk", filter=Q(passed=True)))
        rates[province] = _ratio(totals["k"] or 0, totals["n"] or 0)
    return rates


def measure(indicator: Indicator, subjects: QuerySet, as_of: dt.date) -> dict[int, Measured]:
    """What ``indicator`` measures of every subject in ``subjects`` (an Organization queryset), by subject pk;
    subjects with nothing to count are left out."""
    qs, path = RECORDS[indicator.code](indicator, subjects, as_of)
    code = indicator.code
    if code == "SPOT_EXAM_FAILURES":
        rows = qs.values(path).annotate(n=Count("pk"), k=Count("pk", filter=Q(passed=False))).order_by()
        return {r[path]: Measured(n=r["n"], part=r["k"], rate=_ratio(r["k"], r["n"])) for r in rows}
    if code == "COMPLIANCE_GAPS":
        gaps = _latest_scan_counts(qs)
        staff = workers(subjects, as_of) if gaps else {}  # one grouped query, no list of keys
        return {
            pk: Measured(n=n, part=staff.get(pk, 0), rate=_ratio(n * 100, staff.get(pk, 0)) if staff.get(pk) else None)
            for pk, n in gaps.items()
        }
    if code == "PASS_RATE_ABOVE_PEERS":
        rows = list(
            qs.values(path, province=F("registration__sitting__exam_point__region__code"))
            .annotate(n=Count("pk"), k=Count("pk", filter=Q(passed=True)))
            .order_by()
        )
        peers = peer_pass_rates(as_of, indicator, {r["province"][:2] for r in rows})
        measured: dict[int, Measured] = {}
        for r in rows:
            peer = peers[r["province"][:2]]
            rate = _ratio(r["k"], r["n"])
            measured[r[path]] = Measured(n=r["n"], part=r["k"], rate=rate - peer, extra=f"{peer:.4f}")
        return measured
    return _counts(qs, path)


def points(indicator: Indicator, measured: Measured | None) -> Decimal:
    """The points ``measured`` earns: per record up to the cap, or, for an indicator with a threshold, the points
    once when the rate reaches it over at least ``minimum`` records. Negative points (a reward) are capped too."""
    if measured is None or measured.n <= 0:
        return Decimal(0)
    if indicator.threshold is not None:
        if measured.n < indicator.minimum or measured.rate is None or measured.rate < indicator.threshold:
            return Decimal(0)
        return indicator.points
    total = indicator.points * measured.n
    return max(total, indicator.cap) if indicator.points < 0 else min(total, indicator.cap)


def records(indicator: Indicator, organization: Organization, as_of: dt.date) -> QuerySet:
    """The records behind ``indicator`` for one subject (the grade page lists them)."""
    subjects = Organization.objects.filter(pk=organization.pk)
    qs, _path = RECORDS[indicator.code](indicator, subjects, as_of)
    return qs
