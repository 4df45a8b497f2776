"""The read path of graded supervision: grades scoped to who may see them (regulators by region, the subject its
own), the explanation of a grade point by point with the records behind it, the plan's count by grade, exit
proposals and commitments."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from peikao.compliance.models import ComplianceGap
from peikao.core.models import User
from peikao.core.scoping import region_code_range
from peikao.enforcement.models import Decision, Finding, Inspection, InspectionPlan, Rectification, SpotExam
from peikao.enforcement.selectors import inspection_list, plan_candidates
from peikao.exams.models import Result
from peikao.oversight.grading import draw, indicators, rules
from peikao.oversight.grading.choices import GRADED_KINDS, GradeChange, GradeLetter, ProposalStatus
from peikao.oversight.grading.models import (
    Commitment,
    CommitmentTemplate,
    ExitProposal,
    ExitProposalEvent,
    Grade,
    GradeEvent,
    Indicator,
)
from peikao.oversight.injuries.models import InspectionPriority
from peikao.oversight.models import Alert
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import Organization

RECORDS_SHOWN = 50


HIGH_RISK_ENTERPRISE = Q(kind=OrganizationKind.ENTERPRISE, organization__industry__high_risk=True)


def grade_list(*, user: User, filters: dict | None = None) -> QuerySet[Grade]:
    """The grades ``user`` may see, filtered by kind, effective grade, industry (enterprises of the high-risk
    industries or of the others) and a name or code. Riskiest first; a list of enterprises puts those of the
    high-risk industries first (they are graded first), then by points."""
    filters = filters or {}
    qs = Grade.objects.visible_to(user).select_related("organization__region", "organization__industry")
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("grade") in GradeLetter.values:
        qs = qs.filter(rules.effective_q(timezone.localdate(), filters["grade"]))
    if filters.get("industry") == "high_risk":
        qs = qs.filter(HIGH_RISK_ENTERPRISE)
    elif filters.get("industry") == "other":
        qs = qs.filter(kind=OrganizationKind.ENTERPRISE).exclude(organization__industry__high_risk=True)
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(organization__name__icontains=q) | Q(organization__org_code__iexact=q))
    high_risk_first = Case(When(HIGH_RISK_ENTERPRISE, then=Value(0)), default=Value(1)).asc()
    if filters.get("kind") == OrganizationKind.ENTERPRISE:
        return qs.order_by(high_risk_first, "-score", "organization__name", "pk")
    return qs.order_by("-score", high_risk_first, "organization__name", "pk")


def grade_summary(*, user: User) -> list[dict]:
    """Per graded kind, the count of each effective grade among the grades ``user`` sees (one query per grade); the
    enterprises of the high-risk industries on a row of their own under the enterprises (``industry``: the filter
    that lists them)."""
    today = timezone.localdate()
    base = Grade.objects.visible_to(user).annotate(
        high_risk=Case(When(HIGH_RISK_ENTERPRISE, then=Value(True)), default=Value(False))
    )
    counts: dict[str, Counter] = {}
    for letter in GradeLetter.values:
        rows = base.filter(rules.effective_q(today, letter)).values_list("kind", "high_risk").annotate(n=Count("pk"))
        counts[letter] = Counter()
        for kind, high_risk, n in rows.order_by():
            counts[letter][kind] += n
            if high_risk:
                counts[letter]["high_risk"] += n
    summary = [
        {
            "kind": kind,
            "industry": "",
            "label": OrganizationKind(kind).label,
            "counts": [(letter, counts[letter][kind]) for letter in GradeLetter.values],
        }
        for kind in GRADED_KINDS
    ]
    summary.append(
        {
            "kind": OrganizationKind.ENTERPRISE,
            "industry": "high_risk",
            "label": gettext("of which: high-risk industries"),
            "counts": [(letter, counts[letter]["high_risk"]) for letter in GradeLetter.values],
        }
    )
    return summary


def grade_get(*, user: User, org_code: str) -> Grade:
    grade = (
        Grade.objects.visible_to(user)
        .select_related(
            "organization__region", "organization__industry", "indicator_set", "override_by", "override_region"
        )
        .filter(organization__org_code=org_code)
        .first()
    )
    if grade is None:
        raise Http404
    return grade


def has_grade(*, user: User) -> bool:
    """Whether ``user``'s own organisation has a grade."""
    if user.organization_id is None:
        return False
    return Grade.objects.visible_to(user).filter(organization_id=user.organization_id).exists()


def is_graded(*, user: User, organization: Organization) -> bool:
    """Whether ``user`` may open a grade of ``organization`` (it has one, in view)."""
    return Grade.objects.visible_to(user).filter(organization=organization).exists()


def grade_events(grade: Grade) -> QuerySet[GradeEvent]:
    return grade.events.select_related("actor").order_by("-time", "-id")


def proposal_events(proposal: ExitProposal) -> QuerySet[ExitProposalEvent]:
    """The steps of a proposal, oldest first (the page shows who by their label)."""
    return proposal.events.order_by("time", "id")


def describe(record) -> dict:
    """One record behind an indicator, as the grade page lists it: a line of text, its date and, for a regulator,
    the page it lives on (a URL name and its argument). Persons are not named."""
    if isinstance(record, Finding):
        item = record.violation.label if record.violation is not None else ""
        text = f"{record.inspection.code} {item} {record.description[:80]}".strip()
        return {
            "day": record.inspection.inspected_on,
            "text": text,
            "url": ("enforcement:inspection_detail", record.inspection.code),
        }
    if isinstance(record, Decision):
        text = f"{record.code} {record.get_measure_display()}"
        return {"day": record.decided_on, "text": text, "url": ("enforcement:decision_detail", record.code)}
    if isinstance(record, Rectification):
        text = (
            f"{record.decision.code} {gettext('rectify by')} {record.due_on:%Y-%m-%d} · {record.get_status_display()}"
        )
        return {"day": record.due_on, "text": text, "url": ("enforcement:rectification_detail", record.pk)}
    if isinstance(record, SpotExam):
        verdict = gettext("passed") if record.passed else gettext("failed")
        text = f"{record.inspection.code} · {record.role} · {record.score} · {verdict}"
        return {
            "day": record.inspection.inspected_on,
            "text": text,
            "url": ("enforcement:inspection_detail", record.inspection.code),
        }
    if isinstance(record, Alert):
        return {"day": record.period_to, "text": record.detector.name, "url": None}
    if isinstance(record, ComplianceGap):
        return {"day": record.scan.as_of, "text": str(record.get_gap_display()), "url": None}
    if isinstance(record, Organization):
        return {"day": None, "text": str(record.get_practical_device_display()), "url": None}
    if isinstance(record, Result):
        return {
            "day": record.registration.sitting.starts_at.date(),
            "text": record.registration.sitting.sitting_code,
            "url": None,
        }
    if isinstance(record, InspectionPriority):
        text = f"{gettext('Injury analysis')}（{record.get_dimension_display()}）· {record.reason[:80]}"
        return {"day": timezone.localtime(record.raised_at).date(), "text": text, "url": None}
    if isinstance(record, Commitment):
        text = f"{record.valid_from:%Y-%m-%d}～{record.valid_to:%Y-%m-%d} · {record.get_status_display()}"
        return {"day": record.signed_on, "text": text, "url": None}
    return {"day": None, "text": str(record), "url": None}


SELECT_FOR = {
    "FINDINGS": ("inspection", "violation"),
    "SERIOUS_DECISIONS": (),
    "FINES": (),
    "RECTIFICATION_OVERDUE": ("decision",),
    "SPOT_EXAM_FAILURES": ("inspection",),
    "CONFIRMED_ALERTS": ("detector",),
    "COMPLIANCE_GAPS": ("scan",),
    "PASS_RATE_ABOVE_PEERS": ("registration__sitting",),
}


@dataclass
class Explained:
    """One indicator of a grade: what it is, what was measured, the points, and the records behind them."""

    indicator: Indicator
    measured: dict
    points: Decimal
    records: list = field(default_factory=list)
    more: int = 0
    applies: bool = True


def grade_explanation(grade: Grade) -> list[Explained]:
    """Every indicator of the grade's set that applies to its kind, with the points stored for this grade and the
    records (up to ``RECORDS_SHOWN``) the indicator counted up to the grade's as-of date."""
    explained = []
    for indicator in grade.indicator_set.indicators.all():
        applies = grade.kind in indicator.kinds and indicator.code in indicators.INDICATOR_CODES
        measured = (grade.details or {}).get(indicator.code, {})
        row = Explained(
            indicator=indicator, measured=measured, points=Decimal(measured.get("points", "0")), applies=applies
        )
        if applies and measured:
            qs = indicators.records(indicator, grade.organization, grade.as_of)
            related = SELECT_FOR.get(indicator.code, ())
            if related:
                qs = qs.select_related(*related)
            if indicator.code != "PASS_RATE_ABOVE_PEERS":  # thousands of results: the figures say it
                records = list(qs[: RECORDS_SHOWN + 1])
                row.records = [describe(r) for r in records[:RECORDS_SHOWN]]
                row.more = max(0, qs.count() - RECORDS_SHOWN) if len(records) > RECORDS_SHOWN else 0
        explained.append(row)
    return explained


@dataclass
class PlanGradeRow:
    grade: str
    weight: Decimal | None
    candidates: int
    asked: int
    drawn: int
    min_per_year: int
    at_most_every_years: int


def plan_by_grade(plan: InspectionPlan) -> list[PlanGradeRow]:
    """Per grade, for the candidates of ``plan`` (its kinds in its region, active): how many the grade's minimum
    frequency asks for this year, and how many the draw took (the plan's subjects by their current grade)."""
    today = timezone.localdate()
    ids = [pk for pk, _weight, _region in plan_candidates(plan)]
    grades = draw.effective_grades(ids, today)
    rules_on = draw.draw_rules(today)
    shortfall = draw.minimum_shortfall(year=plan.year, organization_ids=ids, on=today)
    drawn_ids = list(plan.subjects.values_list("organization_id", flat=True))
    drawn = Counter(grades.get(pk, "") for pk in drawn_ids)
    candidates = Counter(grades.get(pk, "") for pk in ids)
    asked = Counter(shortfall.values())
    rows = []
    for letter in [*GradeLetter.values, ""]:
        rule = rules_on.get(letter)
        if letter == "" and not candidates[""]:
            continue
        rows.append(
            PlanGradeRow(
                grade=letter,
                weight=rule.weight if rule else None,
                candidates=candidates[letter],
                asked=asked[letter],
                drawn=drawn[letter],
                min_per_year=rule.min_per_year if rule else 0,
                at_most_every_years=rule.at_most_every_years if rule else 0,
            )
        )
    return rows


# -- exit proposals and commitments ----------------------------------------------------------------------------


def proposal_list(*, user: User, filters: dict | None = None) -> QuerySet[ExitProposal]:
    filters = filters or {}
    qs = ExitProposal.objects.visible_to(user).select_related("organization__region", "rule", "authority", "decision")
    if filters.get("status") in ProposalStatus.values:
        qs = qs.filter(status=filters["status"])
    return qs


def proposal_get(*, user: User, pk: int) -> ExitProposal:
    found = proposal_list(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def public_exits() -> QuerySet[ExitProposal]:
    """Institutions and exam points removed through the exit mechanism: the decided proposals (public list)."""
    return (
        ExitProposal.objects.filter(status=ProposalStatus.DECIDED, decision__isnull=False)
        .select_related("organization", "rule", "decision", "authority")
        .order_by("-decided_on", "-id")
    )


def commitment_list(*, user: User, organization: Organization | None = None) -> QuerySet[Commitment]:
    qs = Commitment.objects.visible_to(user).select_related("organization__region", "template", "breach_finding")
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs


def commitment_get(*, user: User, pk: int) -> Commitment:
    found = commitment_list(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def public_organization(org_code: str) -> Organization | None:
    """An organisation by its code for a public page (its name and region are public in the register)."""
    return Organization.objects.filter(org_code=org_code).select_related("region").first()


def public_commitments(organization: Organization) -> QuerySet[Commitment]:
    """An institution's commitments for its public page (the page masks the persons' names)."""
    return Commitment.objects.filter(organization=organization).select_related("template", "breach_finding__inspection")


def commitment_template_on(day: dt.date) -> CommitmentTemplate | None:
    return CommitmentTemplate.objects.in_force(day).order_by("-valid_from", "-version").first()


def proposal_inspections(*, user: User, proposal: ExitProposal) -> list[Inspection]:
    """The inspections of the proposal's subject with findings, that ``user`` sees: what a decision rests on."""
    return list(
        inspection_list(user=user)
        .filter(organization=proposal.organization)
        .annotate(n_findings=Count("findings", distinct=True))
        .filter(n_findings__gt=0)
        .order_by("-inspected_on", "-id")[:50]
    )


def inspection_findings(inspection: Inspection) -> list[Finding]:
    return list(inspection.findings.select_related("violation").order_by("pk"))


def _grades_of(user: User | None, region) -> QuerySet[Grade]:
    qs = Grade.objects.all() if user is None else Grade.objects.visible_to(user)
    if region is not None:
        qs = qs.filter(organization__region__code__range=region_code_range(region.prefix))
    return qs


def grades_in_force(*, user: User | None, on: dt.date, region=None) -> Iterator[dict]:
    """The grade of each subject ``user`` sees as it stood on ``on``: today, the current grade (an override while
    it lasts); a past day, the last change recorded by the end of that day (the grade's history)."""
    qs = _grades_of(user, region).order_by("organization__org_code")
    if on >= timezone.localdate():
        rows = qs.values_list(
            "organization__org_code",
            "kind",
            "computed",
            "override",
            "override_until",
            "score",
            "indicator_set_id",
            "as_of",
        )
        for code, kind, computed, override, until, score, version, as_of in rows.iterator(chunk_size=2000):
            grade = rules.effective(computed=computed, override=override, override_until=until, on=on)
            yield {
                "org_code": code,
                "kind": kind,
                "grade": grade,
                "points": score,
                "indicator_set": version,
                "computed_on": as_of,
                "overridden": grade != computed or bool(override and until and on <= until),
            }
        return
    end = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))
    last = GradeEvent.objects.filter(grade=OuterRef("pk"), time__lt=end).order_by("-time", "-id")
    history = (
        qs.annotate(
            then_grade=Subquery(last.values("new_status")[:1]),
            then_score=Subquery(last.values("score")[:1]),
            then_set=Subquery(last.values("indicator_set_version")[:1]),
            then_as_of=Subquery(last.values("as_of")[:1]),
            then_change=Subquery(last.values("change")[:1]),
        )
        .filter(then_grade__isnull=False)
        .values_list(
            "organization__org_code", "kind", "then_grade", "then_score", "then_set", "then_as_of", "then_change"
        )
    )
    for code, kind, grade, score, version, as_of, change in history.iterator(chunk_size=2000):
        yield {
            "org_code": code,
            "kind": kind,
            "grade": grade,
            "points": score if score is not None else Decimal(0),
            "indicator_set": version,
            "computed_on": as_of,
            "overridden": change == GradeChange.OVERRIDE,
        }


def proposals_for_export(*, user: User | None, region=None) -> Iterator[ExitProposal]:
    qs = ExitProposal.objects.all() if user is None else ExitProposal.objects.visible_to(user)
    if region is not None:
        qs = qs.filter(organization__region__code__range=region_code_range(region.prefix))
    return (
        qs.select_related("organization", "decision")
        .order_by("organization__org_code", "rule", "proposed_on")
        .iterator(chunk_size=2000)
    )
