"""The rectification loop: the subject reports with evidence, an inspector verifies (nothing closes without it),
an overdue case is escalated; and look-back inspections of a share of the closed cases (回头看)."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Sequence
from decimal import Decimal

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, current_context, snapshot
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.models import Region, User
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import apply_transition
from peikao.enforcement import selectors
from peikao.enforcement.choices import RECTIFICATION_TRANSITIONS, InspectionKind, RectificationStatus
from peikao.enforcement.models import Inspection, Rectification, RectificationEvent
from peikao.enforcement.services._common import _require_jurisdiction
from peikao.enforcement.services.inspections import evidence_add, inspection_create


def _rect_transition(
    actor: User, rectification: Rectification, to: str, reason: str = "", changes: dict | None = None
) -> RectificationEvent:
    return apply_transition(
        rectification,
        to_status=to,
        transitions=RECTIFICATION_TRANSITIONS,
        event_model=RectificationEvent,
        owner_field="rectification",
        actor=actor,
        reason=reason,
        changes={"updated_at": timezone.now(), **(changes or {})},
    )


@transaction.atomic
def rectification_submit(
    *, actor: User, rectification: Rectification, note: str, files: Sequence[File] = ()
) -> RectificationEvent:
    """The subject (or an inspector for it) reports what was done, with evidence files."""
    organization = rectification.decision.inspection.organization
    if actor.is_org_member:
        require_perm(actor, Perm.RECTIFY_SUBMIT)
        if actor.organization_id != organization.pk:
            raise PermissionDenied("not_yours", _("Only the organisation concerned reports its rectification."))
    else:
        require_perm(actor, Perm.INSPECT)
    if not note.strip() and not files:
        raise DomainError("evidence_required", _("Describe what was done, or attach evidence."))
    for upload in files:
        evidence_add(
            actor=actor, inspection=rectification.decision.inspection, upload=upload, rectification=rectification
        )
    return _rect_transition(actor, rectification, RectificationStatus.SUBMITTED, note, {"submitted_at": timezone.now()})


@transaction.atomic
def rectification_verify(
    *, actor: User, rectification: Rectification, accept: bool, note: str = "", on: dt.date | None = None
) -> RectificationEvent:
    """An inspector checks the evidence: closes the case, or returns it. Nothing closes without this step."""
    require_perm(actor, Perm.INSPECT)
    _require_jurisdiction(actor, rectification.decision.inspection.organization)
    if rectification.status != RectificationStatus.SUBMITTED:
        raise Conflict("nothing_submitted", _("Nothing has been submitted to verify."))
    if accept:
        return _rect_transition(
            actor, rectification, RectificationStatus.CLOSED, note, {"closed_on": on or timezone.localdate()}
        )
    if not note.strip():
        raise DomainError("reason_required", _("Say why the rectification is returned."))
    return _rect_transition(actor, rectification, RectificationStatus.OPEN, note)


@transaction.atomic
def rectification_escalate(*, actor: User, rectification: Rectification, note: str = "") -> Rectification:
    """Flag an overdue rectification for the overdue penalty."""
    require_perm(actor, Perm.INSPECT)
    if not rectification.is_overdue():
        raise Conflict("not_overdue", _("This rectification is not overdue."))
    before = snapshot(rectification)
    rectification.escalated_at = timezone.now()
    audited_update(rectification, before)
    audited_create(
        RectificationEvent(
            rectification=rectification,
            transition="escalate",
            old_status=rectification.status,
            new_status=rectification.status,
            reason=note.strip(),
            actor=actor,
            actor_label=current_context().actor_label,
        )
    )
    return rectification


@transaction.atomic
def lookback_sample(
    *,
    actor: User,
    region: Region,
    share: Decimal,
    since: dt.date,
    until: dt.date,
    inspected_on: dt.date,
    seed: int | None = None,
) -> list[Inspection]:
    """Draw a share of the rectifications closed in a period for look-back inspections (回头看)."""
    require_perm(actor, Perm.PLAN_MANAGE)
    if not Decimal(0) < share <= Decimal(1):
        raise DomainError("share_range", _("The share lies between 0 and 1."))
    closed = selectors.lookback_candidates(region=region, since=since, until=until)
    rng = random.Random(seed if seed is not None else secrets.randbelow(2**53))
    count = max(1, round(len(closed) * float(share))) if closed else 0
    sample = rng.sample(closed, count)
    created = []
    for rectification in sample:
        original = rectification.decision.inspection
        team = [i.user for i in original.inspectors.select_related("user") if i.user is not None]
        if len(team) < 2:
            team = selectors.subject_inspectors(original.organization, within=region)[:2]
        created.append(
            inspection_create(
                actor=actor,
                organization=original.organization,
                kind=InspectionKind.LOOKBACK,
                inspected_on=inspected_on,
                inspectors=team,
                lookback_of=rectification,
            )
        )
    return created
