"""The exit mechanism: the exit rules put proposals to the regulator of the subject's level with their evidence;
the regulator decides one through a normal enforcement decision (suspend, close, cancel_exam_point) or rejects it
with a reason. Nothing is removed by a proposal."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.compliance.rules import months_before
from peikao.core.audit import audited_create
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.models import Region, User
from peikao.core.permissions import Perm, require_perm
from peikao.core.scoping import region_code_range
from peikao.core.transitions import apply_transition
from peikao.enforcement.models import Finding, Inspection
from peikao.enforcement.services.decisions import decision_issue
from peikao.oversight.grading import exits
from peikao.oversight.grading.choices import PROPOSAL_TRANSITIONS, ExitMeasure, ProposalStatus
from peikao.oversight.grading.models import ExitProposal, ExitProposalEvent, ExitRule
from peikao.registry.choices import OrganizationStatus
from peikao.registry.models import Organization


def authority_code(region_code: str, measure: str) -> str:
    """The regulator of the level that decides ``measure``: an exit or a cancelled exam point goes to the
    province (which approved the subject), a suspension to the city."""
    if measure in (ExitMeasure.CLOSE, ExitMeasure.CANCEL_EXAM_POINT):
        return region_code[:2] + "0000"
    return region_code[:4] + "00"


@transaction.atomic
def exit_proposals_detect(*, actor: User | None, region: Region | None = None, on: dt.date | None = None) -> int:
    """Run every exit rule in force over the subjects of its kinds (in ``region``); put a proposal for each subject
    it fires for, unless one of the same rule is open or was made within the rule's window. Returns how many."""
    if actor is not None:
        require_perm(actor, Perm.DECIDE)
        own = actor.region
        if not actor.sees_everything and (region is None or own is None or not own.contains(region.code)):
            raise PermissionDenied("outside_jurisdiction", _("The region is outside your jurisdiction."))
    on = on or timezone.localdate()
    made = 0
    for rule in ExitRule.objects.in_force(on):
        check = exits.EXIT_RULES.get(rule.code)
        if check is None:
            continue
        subjects = Organization.objects.filter(kind__in=rule.kinds).exclude(status=OrganizationStatus.CLOSED)
        if region is not None:
            subjects = subjects.filter(region__code__range=region_code_range(region.prefix))
        fired = check(rule, subjects, on)
        if not fired:
            continue
        recent = set(
            ExitProposal.objects.filter(rule=rule, organization_id__in=list(fired))
            .filter(proposed_on__gt=months_before(on, max(rule.months, 1)))
            .values_list("organization_id", flat=True)
        ) | set(
            ExitProposal.objects.filter(
                rule=rule, organization_id__in=list(fired), status=ProposalStatus.PROPOSED
            ).values_list("organization_id", flat=True)
        )
        regions = dict(Organization.objects.filter(pk__in=list(fired)).values_list("pk", "region_id"))
        codes = {authority_code(code, rule.measure) for code in regions.values()}
        known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
        for pk, evidence in sorted(fired.items()):
            if pk in recent:
                continue
            authority = authority_code(regions[pk], rule.measure)
            audited_create(
                ExitProposal(
                    rule=rule,
                    organization_id=pk,
                    authority_id=authority if authority in known else regions[pk],
                    measure=rule.measure,
                    evidence=evidence,
                    explanation=exits.explain(rule, evidence),
                    proposed_on=on,
                ),
                validate=False,
            )
            made += 1
    return made


def _check_authority(actor: User, proposal: ExitProposal) -> None:
    require_perm(actor, Perm.DECIDE)
    own = actor.region
    if actor.sees_everything:
        return
    if own is None or not own.contains(proposal.authority_id):
        raise PermissionDenied(
            "not_the_authority", _("This proposal is put to %(authority)s."), {"authority": proposal.authority.name}
        )


MEASURE_OF: dict[str, str] = {
    ExitMeasure.SUSPEND: "suspend",
    ExitMeasure.CLOSE: "close",
    ExitMeasure.CANCEL_EXAM_POINT: "cancel_exam_point",
}


@transaction.atomic
def exit_proposal_decide(
    *,
    actor: User,
    proposal: ExitProposal,
    inspection: Inspection,
    findings: list[Finding],
    decided_on: dt.date,
    note: str = "",
    publicized: bool = True,
) -> ExitProposalEvent:
    """Decide a proposal through a normal enforcement decision of its measure on an inspection of the subject and
    its findings (enforcement's decision_issue applies the measure to the organisation); the proposal is linked."""
    _check_authority(actor, proposal)
    if proposal.status != ProposalStatus.PROPOSED:
        raise Conflict("proposal_closed", _("This proposal has been decided or rejected."))
    if inspection.organization_id != proposal.organization_id:
        raise DomainError(
            "inspection_of_other", _("Choose an inspection of the proposal's subject."), field="inspection"
        )
    decision = decision_issue(
        actor=actor,
        inspection=inspection,
        findings=findings,
        measure=MEASURE_OF[proposal.measure],
        decided_on=decided_on,
        note=note,
        publicized=publicized,
    )
    return apply_transition(
        proposal,
        to_status=ProposalStatus.DECIDED,
        transitions=PROPOSAL_TRANSITIONS,
        event_model=ExitProposalEvent,
        owner_field="proposal",
        actor=actor,
        reason=note,
        changes={"decision": decision, "decided_on": decided_on},
    )


@transaction.atomic
def exit_proposal_reject(*, actor: User, proposal: ExitProposal, reason: str) -> ExitProposalEvent:
    """Reject a proposal with the reason (kept with it; the rule does not propose again within its window)."""
    _check_authority(actor, proposal)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("Say why the proposal is rejected."), field="reason")
    return apply_transition(
        proposal,
        to_status=ProposalStatus.REJECTED,
        transitions=PROPOSAL_TRANSITIONS,
        event_model=ExitProposalEvent,
        owner_field="proposal",
        actor=actor,
        reason=reason,
        changes={"reason": reason, "decided_on": timezone.localdate()},
    )
