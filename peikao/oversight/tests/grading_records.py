"""Hand-built enforcement, exam and commitment records for the grading tests (direct rows, like an import)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from peikao.enforcement.models import Decision, Finding, Inspection, Rectification, SpotExam, ViolationItem
from peikao.oversight.grading.models import Commitment
from peikao.oversight.injuries.models import InspectionPriority
from peikao.testing.factories import PersonFactory

_codes = itertools.count(1)
AS_OF = dt.date(2026, 9, 30)


def inspection(org, *, day: dt.date = AS_OF - dt.timedelta(days=30)) -> Inspection:
    return Inspection.objects.create(
        code=f"GI-{next(_codes):06d}",
        organization=org,
        region=org.region,
        kind="routine",
        inspected_on=day,
        status="completed",
    )


def findings(org, n: int, *, day: dt.date = AS_OF - dt.timedelta(days=30), violation: str | None = None):
    the = inspection(org, day=day)
    item = ViolationItem.objects.filter(code=violation).order_by("-version").first() if violation else None
    return [
        Finding.objects.create(code=f"GF-{next(_codes):06d}", inspection=the, violation=item, description="问题")
        for _ in range(n)
    ]


def decision(org, measure: str, *, day: dt.date = AS_OF - dt.timedelta(days=30), due: dt.date | None = None):
    return Decision.objects.create(
        code=f"GD-{next(_codes):06d}",
        inspection=inspection(org, day=day),
        measure=measure,
        decided_on=day,
        fine_yuan=Decimal("10000") if measure == "fine" else None,
        due_on=due if measure == "rectify_order" else None,
    )


def rectification(org, *, due: dt.date, status: str = "open", closed: dt.date | None = None) -> Rectification:
    the = decision(org, "rectify_order", day=due - dt.timedelta(days=30), due=due)
    return Rectification.objects.create(decision=the, due_on=due, status=status, closed_on=closed)


def spot_exams(org, *, passed: int, failed: int, day: dt.date = AS_OF - dt.timedelta(days=30)):
    the = inspection(org, day=day)
    for ok in [True] * passed + [False] * failed:
        SpotExam.objects.create(
            inspection=the,
            person=PersonFactory(),
            role="operator",
            token_hash=f"{next(_codes):064d}",
            expires_at=timezone.now(),
            status="submitted",
            passed=ok,
            score=Decimal("90" if ok else "40"),
        )


def commitment(org, *, start: dt.date, end: dt.date, status: str = "in_force", finding=None) -> Commitment:
    digest = f"{next(_codes):064x}"
    return Commitment.objects.create(
        organization=org,
        template_id="2026.1",
        signatory="张三",
        lawyer="李四",
        law_firm="某律师事务所",
        signed_on=start,
        valid_from=start,
        valid_to=end,
        file=f"commitments/{digest[:2]}/{digest}.pdf",
        sha256=digest,
        status=status,
        breach_finding=finding,
    )


def priority(org, *, day: dt.date = AS_OF - dt.timedelta(days=30), reason: str = "工伤集中于该单位从业人员"):
    """An inspection priority raised on ``org`` from the injury analysis at noon (Beijing) of ``day``."""
    raised = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    dimension = "enterprise" if org.kind == "enterprise" else "training_institution"
    return InspectionPriority.objects.create(organization=org, dimension=dimension, reason=reason, raised_at=raised)
