"""The exit rules, set-based: each rule is one aggregate query over the subjects of its kinds that says which of
them it fires for and with what evidence (the rule's code in domain/oversight_grading.yaml names its entry)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from peikao.compliance.rules import months_before
from peikao.enforcement.choices import SEVERE_MEASURES, Measure
from peikao.enforcement.models import Decision
from peikao.exams.choices import ResultStatus
from peikao.exams.models import Result
from peikao.oversight.grading.choices import CommitmentStatus, GradeLetter
from peikao.oversight.grading.indicators import day_start
from peikao.oversight.grading.models import Commitment, ExitRule, Grade

Fired = dict[int, dict]  # subject pk → evidence


def _serious(rule: ExitRule, subjects: QuerySet, on: dt.date) -> Fired:
    since = months_before(on, rule.months)
    rows = (
        Decision.objects.filter(
            inspection__organization__in=subjects,
            measure__in=[*SEVERE_MEASURES, Measure.FINE],
            decided_on__gt=since,
            decided_on__lte=on,
        )
        .values("inspection__organization_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=max(rule.threshold, 1))
        .order_by()
    )
    fired = {r["inspection__organization_id"]: {"decisions": r["n"], "since": since.isoformat()} for r in rows}
    if fired:
        codes = Decision.objects.filter(
            inspection__organization_id__in=list(fired),
            measure__in=[*SEVERE_MEASURES, Measure.FINE],
            decided_on__gt=since,
            decided_on__lte=on,
        ).values_list("inspection__organization_id", "code")
        for pk, code in codes:
            fired[pk].setdefault("codes", []).append(code)
    return fired


def _grade_d_twice(rule: ExitRule, subjects: QuerySet, on: dt.date) -> Fired:
    rows = Grade.objects.filter(
        organization__in=subjects, computed=GradeLetter.D, streak__gte=max(int(rule.threshold), 2)
    ).values_list("organization_id", "streak", "score", "as_of")
    return {
        pk: {"streak": streak, "score": str(score), "as_of": as_of.isoformat()} for pk, streak, score, as_of in rows
    }


def _cancelled_scores(rule: ExitRule, subjects: QuerySet, on: dt.date) -> Fired:
    since = months_before(on, rule.months)
    rows = (
        Result.objects.filter(
            registration__sitting__exam_point__in=subjects,
            registration__sitting__starts_at__gte=day_start(since),
            registration__sitting__starts_at__lt=day_start(on + dt.timedelta(days=1)),
        )
        .values("registration__sitting__exam_point_id")
        .annotate(n=Count("pk"), k=Count("pk", filter=Q(status=ResultStatus.CANCELLED)))
        .filter(n__gte=max(rule.minimum, 1))
        .order_by()
    )
    fired = {}
    for r in rows:
        rate = (Decimal(r["k"]) / Decimal(r["n"])).quantize(Decimal("0.0001"))
        if rate >= rule.threshold:
            fired[r["registration__sitting__exam_point_id"]] = {
                "results": r["n"],
                "cancelled": r["k"],
                "rate": str(rate),
            }
    return fired


def _breached(rule: ExitRule, subjects: QuerySet, on: dt.date) -> Fired:
    since = months_before(on, rule.months)
    rows = (
        Commitment.objects.filter(
            organization__in=subjects,
            status=CommitmentStatus.BREACHED,
            breach_finding__inspection__inspected_on__gt=since,
            breach_finding__inspection__inspected_on__lte=on,
        )
        .values("organization_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=max(rule.threshold, 1))
        .order_by()
    )
    fired = {r["organization_id"]: {"breached": r["n"]} for r in rows}
    for pk, finding in Commitment.objects.filter(
        organization_id__in=list(fired), status=CommitmentStatus.BREACHED
    ).values_list("organization_id", "breach_finding__code"):
        fired[pk].setdefault("findings", []).append(finding)
    return fired


EXIT_RULES: dict[str, Callable[[ExitRule, QuerySet, dt.date], Fired]] = {
    "TWO_SERIOUS_FINDINGS": _serious,
    "GRADE_D_TWICE": _grade_d_twice,
    "CANCELLED_SCORES": _cancelled_scores,
    "COMMITMENT_BREACHED": _breached,
}


def explain(rule: ExitRule, evidence: dict) -> str:
    """The proposal's explanation in Chinese, from its rule and evidence."""
    parts = [rule.description]
    if "decisions" in evidence:
        parts.append(
            f"自{evidence['since']}以来共{evidence['decisions']}项决定：{'、'.join(evidence.get('codes', []))}。"
        )
    if "streak" in evidence:
        parts.append(f"截至{evidence['as_of']}，已连续{evidence['streak']}次评为D级（得分{evidence['score']}）。")
    if "cancelled" in evidence:
        rate = Decimal(evidence["rate"]) * 100
        parts.append(f"考生{evidence['results']}人次，被取消成绩{evidence['cancelled']}人次（{rate:.1f}%）。")
    if "breached" in evidence:
        parts.append(f"违反承诺{evidence['breached']}次，见检查发现{'、'.join(evidence.get('findings', []))}。")
    return "".join(parts)
