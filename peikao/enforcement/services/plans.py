"""Annual inspection plans and their random draw of subjects and inspectors (双随机)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, snapshot
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.models import Region, User
from peikao.core.permissions import Perm, require_perm
from peikao.enforcement import rules, selectors
from peikao.enforcement.choices import PlanStatus
from peikao.enforcement.models import InspectionPlan, PlanSubject


@transaction.atomic
def plan_create(
    *,
    actor: User,
    region: Region,
    year: int,
    name: str,
    kinds: list[str],
    subjects_wanted: int,
    inspectors_per_subject: int = 2,
) -> InspectionPlan:
    """A draft plan: how many subjects of which kinds to draw in a region, and how many inspectors each."""
    require_perm(actor, Perm.PLAN_MANAGE)
    own = actor.region  # a regulator's is never None (check constraint user_regulator_has_region)
    if not actor.sees_everything and (own is None or not own.contains(region.code)):
        raise PermissionDenied("outside_jurisdiction", _("The region is outside your jurisdiction."))
    if inspectors_per_subject < 2:
        raise DomainError("two_inspectors", rules.TWO_INSPECTORS)
    if subjects_wanted < 1 or not kinds:
        raise DomainError("plan_empty", _("Say how many subjects of which kinds to draw."))
    return audited_create(
        InspectionPlan(
            region=region,
            year=year,
            name=name.strip() or f"{year}年度执法检查计划",
            subject_kinds=sorted(set(kinds)),
            subjects_wanted=subjects_wanted,
            inspectors_per_subject=inspectors_per_subject,
            created_by=actor,
        )
    )


@transaction.atomic
def plan_draw(*, actor: User, plan: InspectionPlan, seed: int | None = None) -> InspectionPlan:
    """Draw the plan's subjects and inspectors at random; the seed is recorded so anyone can redo the draw. Each
    subject's inspectors are drawn from those of the plan whose jurisdiction holds it; a candidate that too few
    of them hold is passed over, so every subject drawn can be inspected."""
    require_perm(actor, Perm.PLAN_MANAGE)
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict("already_drawn", _("This plan has been drawn: a draw is never redone."))
    inspectors = selectors.plan_inspector_pool(plan.region)
    if len(inspectors) < plan.inspectors_per_subject:
        raise DomainError(
            "too_few_inspectors",
            _("The region has %(n)d inspectors; each subject needs %(per)d."),
            {"n": len(inspectors), "per": plan.inspectors_per_subject},
        )
    seed = seed if seed is not None else secrets.randbelow(2**53)
    candidates = selectors.plan_candidates(plan)
    forced = selectors.plan_forced(plan, [pk for pk, _weight, _region in candidates])
    prefixes = {user.pk: user.region.prefix for user in inspectors if user.region is not None}  # never None
    result = rules.draw(
        candidates=[(pk, weight) for pk, weight, _region in candidates],
        inspectors=sorted(prefixes),
        wanted=plan.subjects_wanted,
        per_subject=plan.inspectors_per_subject,
        seed=seed,
        subject_regions={pk: region for pk, _weight, region in candidates},
        inspector_prefixes=prefixes,
        forced=forced,
    )
    if candidates and not result.subjects:
        raise DomainError(
            "no_staffed_subject",
            _("No subject of the plan lies in the jurisdiction of %(per)d of its inspectors: add inspectors first."),
            {"per": plan.inspectors_per_subject},
        )
    before = snapshot(plan)
    for rank, ((pk, weight), team) in enumerate(zip(result.subjects, result.inspectors, strict=True), start=1):
        subject = audited_create(PlanSubject(plan=plan, organization_id=pk, weight=weight, rank=rank))
        subject.inspectors.set(team)
    plan.seed, plan.status, plan.drawn_at = seed, PlanStatus.DRAWN, timezone.now()
    plan.draw_input = {
        "candidates": [[pk, str(weight), region] for pk, weight, region in candidates],
        "inspectors": [[pk, prefixes[pk]] for pk in sorted(prefixes)],
        "by_jurisdiction": True,
        "forced": sorted(forced),
    }
    audited_update(plan, before)
    return plan
