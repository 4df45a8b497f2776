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

from peikao.core.models import User
from peikao.enforcement.models import InspectionPlan
from peikao.enforcement.selectors import plan_candidates
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
        {"kind": kind, "counts": [(letter, counts[letter].get(kind, 0)) for letter in GradeLetter.values]}
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


def grade_events(grade: Grade) -> QuerySet[GradeEvent]:
    return grade.events.select_related("actor").order_by("-time", "-id")


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
            records = list(qs[: RECORDS_SHOWN + 1])
            row.records, row.more = records[:RECORDS_SHOWN], max(0, qs.count() - RECORDS_SHOWN)
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


def public_commitments(organization: Organization) -> QuerySet[Commitment]:
    """An institution's commitments for its public page (the page masks the persons' names)."""
    return Commitment.objects.filter(organization=organization).select_related("template", "breach_finding__inspection")


def commitment_template_on(day: dt.date) -> CommitmentTemplate | None:
    return CommitmentTemplate.objects.in_force(day).order_by("-valid_from", "-version").first()
