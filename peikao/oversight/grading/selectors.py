"""The read path of graded supervision: grades scoped to who may see them (regulators by region, the subject its
own), the explanation of a grade point by point with the records behind it, the plan's count by grade, exit
proposals and commitments."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from peikao.compliance.models import ComplianceGap
from peikao.core.models import User
from peikao.enforcement.models import Decision, Finding, Inspection, InspectionPlan, Rectification, SpotExam
from peikao.enforcement.selectors import inspection_list, plan_candidates
from peikao.exams.models import Result
from peikao.oversight.grading import draw, indicators
from peikao.oversight.grading.choices import GRADED_KINDS, GradeLetter, ProposalStatus
from peikao.oversight.grading.models import (
    Commitment,
    CommitmentTemplate,
    ExitProposal,
    Grade,
    GradeEvent,
    Indicator,
)
from peikao.oversight.grading.services.grades import effective_q
from peikao.oversight.models import Alert
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import Organization

RECORDS_SHOWN = 50


def grade_list(*, user: User, filters: dict | None = None) -> QuerySet[Grade]:
    """The grades ``user`` may see, filtered by kind, effective grade and a name or code."""
    filters = filters or {}
    qs = Grade.objects.visible_to(user).select_related("organization__region", "indicator_set")
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("grade") in GradeLetter.values:
        qs = qs.filter(effective_q(timezone.localdate(), filters["grade"]))
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(organization__name__icontains=q) | Q(organization__org_code__iexact=q))
    return qs.order_by("-score", "organization__name", "pk")


def grade_summary(*, user: User) -> list[dict]:
    """Per graded kind, the count of each effective grade among the grades ``user`` sees (one query per grade)."""
    today = timezone.localdate()
    base = Grade.objects.visible_to(user)
    counts = {
        letter: dict(base.filter(effective_q(today, letter)).values_list("kind").annotate(n=Count("pk")).order_by())
        for letter in GradeLetter.values
    }
    return [
        {
            "kind": kind,
            "label": OrganizationKind(kind).label,
            "counts": [(letter, counts[letter].get(kind, 0)) for letter in GradeLetter.values],
        }
        for kind in GRADED_KINDS
    ]


def grade_get(*, user: User, org_code: str) -> Grade:
    grade = (
        Grade.objects.visible_to(user)
        .select_related("organization__region", "indicator_set", "override_by", "override_region")
        .filter(organization__org_code=org_code)
        .first()
    )
    if grade is None:
        raise Http404
    return grade


def has_grade(*, user: User) -> bool:
    """Whether ``user``'s own organisation has a grade."""
    return Grade.objects.visible_to(user).filter(organization_id=user.organization_id).exists()


def grade_events(grade: Grade) -> QuerySet[GradeEvent]:
    return grade.events.select_related("actor").order_by("-time", "-id")


def describe(record) -> dict:
    """One record behind an indicator, as the grade page lists it: a line of text, its date and, for a regulator,
    the page it lives on (a URL name and its argument). Persons are not named."""
    if isinstance(record, Finding):
        item = record.violation.code if record.violation_id else ""
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
        .select_related("organization", "rule", "decision__inspection__region")
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
    rows = list(
        inspection_list(user=user)
        .filter(organization=proposal.organization, finding_count__gt=0)
        .order_by("-inspected_on", "-id")[:50]
    )
    for row in rows:
        row.n_findings = row.finding_count
    return rows


def inspection_findings(inspection: Inspection) -> list[Finding]:
    return list(inspection.findings.select_related("violation").order_by("pk"))
