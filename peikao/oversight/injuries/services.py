"""The write path of injury cases: the import (upsert by case number, then linkage of new and changed cases), the
re-linkage of cases no clerk has decided, and the clerk's decisions on a proposed link (named transitions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, record_bulk_rows, snapshot
from peikao.core.choices import ChangeAction
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.exchange import WriteCounts
from peikao.core.exchange.base import bulk_upsert
from peikao.core.permissions import Perm, require_perm
from peikao.core.scoping import region_code_range
from peikao.core.transitions import apply_transition
from peikao.oversight.injuries import linkage, priorities
from peikao.oversight.injuries.choices import TRANSITIONS, Dimension, LinkStatus
from peikao.oversight.injuries.models import InjuryCase, InjuryCaseEvent, InspectionPriority
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import Organization

if TYPE_CHECKING:
    from peikao.core.models import Region, User

# What the linkage reads: a change of any of these links the case again (a clerk's decision included).
LINK_INPUTS = ("id_number", "name", "organization_id", "occurred_on")
RECORD_FIELDS = (*LINK_INPUTS, "dispatched_by_id", "operation_item_id", "severity")
LINK_FIELDS = ("person_id", "link_status", "match_weight", "linked_at")
# The linkage may revisit what no clerk decided.
RELINKABLE = (LinkStatus.UNLINKED, LinkStatus.AUTOMATIC, LinkStatus.REVIEW)


@dataclass(frozen=True)
class InjuryRecord:
    """One row of injuries.csv, cleaned."""

    case_no: str
    id_number: str
    name: str
    organization_id: int
    dispatched_by_id: int | None
    occurred_on: dt.date
    operation_item_id: int | None
    severity: str


def _link_values(result: linkage.LinkResult, now: dt.datetime) -> dict[str, Any]:
    linked = result.status != LinkStatus.UNLINKED
    return {
        "person_id": result.person_id if linked else None,
        "link_status": result.status,
        "match_weight": result.weight.quantize(Decimal("0.01")) if result.weight is not None else None,
        "linked_at": now if linked else None,
    }


def _inputs(key: object, values: dict[str, Any]) -> linkage.CaseInput:
    return linkage.CaseInput(
        key=key,
        id_number=values["id_number"],
        name=values["name"],
        organization_id=values["organization_id"],
        occurred_on=values["occurred_on"],
    )


@transaction.atomic
def injury_import_bulk(*, actor: User | None, rows: Iterable[InjuryRecord]) -> WriteCounts:
    """Create or update injury cases by case number (change-logged). A new case, or one whose number, name,
    employer or day changed, is linked again; a case whose linkage inputs did not change keeps its link and any
    clerk's decision on it."""
    records = list(rows)
    existing = {c.case_no: c for c in InjuryCase.objects.filter(case_no__in=[r.case_no for r in records])}
    values = {r.case_no: {f: getattr(r, f) for f in RECORD_FIELDS} for r in records}
    to_link = [
        _inputs(r.case_no, values[r.case_no])
        for r in records
        if r.case_no not in existing
        or any(getattr(existing[r.case_no], f) != values[r.case_no][f] for f in LINK_INPUTS)
    ]
    results = linkage.link(to_link, weights=linkage.weights_on(timezone.localdate())) if to_link else {}
    now = timezone.now()
    upserts = []
    for record in records:
        row = {"case_no": record.case_no, **values[record.case_no]}
        current = existing.get(record.case_no)
        if record.case_no in results:
            row |= _link_values(results[record.case_no], now)
        elif current is not None:
            row |= {f: getattr(current, f) for f in LINK_FIELDS}
        upserts.append(row)
    return bulk_upsert(
        InjuryCase,
        ["case_no"],
        upserts,
        existing={(k,): v for k, v in existing.items()},
        compare_fields=[*RECORD_FIELDS, *LINK_FIELDS],
    )


@dataclass
class RelinkCounts:
    cases: int = 0
    changed: int = 0
    exact: int = 0
    automatic: int = 0
    review: int = 0
    unlinked: int = 0


@transaction.atomic
def injury_relink(*, actor: User | None, region: Region | None = None, batch: int = 10_000) -> RelinkCounts:
    """Link again every case of ``region`` (all when None) that no clerk decided (unlinked, automatic, awaiting
    review) against the persons registered now, e.g. after a persons import; changes are change-logged."""
    if actor is not None:
        require_perm(actor, Perm.PERSON_MATCH)
    cases = InjuryCase.objects.filter(link_status__in=RELINKABLE)
    if actor is not None:
        cases = cases.visible_to(actor)
    if region is not None:
        cases = cases.filter(organization__region__code__range=region_code_range(region.prefix))
    weights = linkage.weights_on(timezone.localdate())
    counts = RelinkCounts()
    now = timezone.now()
    pks = list(cases.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch):
        chunk = list(InjuryCase.objects.filter(pk__in=pks[start : start + batch]))
        results = linkage.link(
            [linkage.CaseInput(c.pk, c.id_number, c.name, c.organization_id, c.occurred_on) for c in chunk],
            weights=weights,
        )
        changed, log = [], []
        for case in chunk:
            result = results[case.pk]
            counts.cases += 1
            setattr(counts, str(result.status), getattr(counts, str(result.status)) + 1)
            new = _link_values(result, now)
            if all(getattr(case, f) == new[f] for f in ("person_id", "link_status", "match_weight")):
                continue
            before = snapshot(case)
            for field, value in new.items():
                setattr(case, field, value)
            case.updated_at = now
            changed.append(case)
            log.append((ChangeAction.UPDATE, case.pk, str(case), before, snapshot(case)))
        if changed:
            InjuryCase.objects.bulk_update(changed, [*LINK_FIELDS, "updated_at"], batch_size=1000)
            record_bulk_rows(InjuryCase, log)
            counts.changed += len(changed)
    return counts


# -- the clerical review ---------------------------------------------------------------------------------------


def _require_reviewer(actor: User, case: InjuryCase) -> None:
    require_perm(actor, Perm.PERSON_MATCH)
    if not InjuryCase.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise PermissionDenied("outside_jurisdiction", _("The case is outside your jurisdiction."))


def _step(case: InjuryCase, to: str, actor: User, reason: str, changes: dict | None = None) -> InjuryCaseEvent:
    return apply_transition(
        case,
        to_status=to,
        transitions=TRANSITIONS,
        event_model=InjuryCaseEvent,
        owner_field="case",
        actor=actor,
        reason=reason.strip(),
        status_field="link_status",
        changes={"updated_at": timezone.now(), **(changes or {})},
        event_fields={"person_id": case.person_id},
    )


@transaction.atomic
def injury_link_accept(*, actor: User, case: InjuryCase, reason: str = "") -> InjuryCaseEvent:
    """A clerk confirms the proposed person of a case awaiting review: the case counts as linked from now."""
    _require_reviewer(actor, case)
    return _step(case, LinkStatus.CONFIRMED, actor, reason, {"linked_at": timezone.now()})


@transaction.atomic
def injury_link_reject(*, actor: User, case: InjuryCase, reason: str) -> InjuryCaseEvent:
    """A clerk rejects the proposed (or automatically linked) person: the case no longer counts as linked; the
    rejected person stays on the case as the record of what was rejected. The reason is required."""
    _require_reviewer(actor, case)
    if not reason.strip():
        raise DomainError("reason_required", _("Say why the proposed person is not the injured one."), field="reason")
    return _step(case, LinkStatus.REJECTED, actor, reason)


@transaction.atomic
def injury_link_reopen(*, actor: User, case: InjuryCase, reason: str) -> InjuryCaseEvent:
    """Take a decided case back to review (a decision found wrong); the reason is required."""
    _require_reviewer(actor, case)
    if not reason.strip():
        raise DomainError("reason_required", _("Say why the decision is reopened."), field="reason")
    return _step(case, LinkStatus.REVIEW, actor, reason)


# -- raising the inspection priority of a high-risk subject ----------------------------------------------------


@transaction.atomic
def priority_raise(*, actor: User, organization_id: int, reason: str = "") -> InspectionPriority:
    """Make a training institution or an enterprise that the injury analysis shows at high risk a forced subject of
    the next random draw of a plan covering it (read by ``priorities.forced_subjects``). Refused for other kinds of
    organisation, outside the actor's jurisdiction, or when its priority is already raised and not yet drawn."""
    require_perm(actor, Perm.PLAN_MANAGE)
    organization = Organization.objects.visible_to(actor).filter(pk=organization_id).first()
    if organization is None or not (actor.sees_everything or actor.is_regulator):
        raise PermissionDenied("outside_jurisdiction", _("The organisation is outside your jurisdiction."))
    kinds: dict[str, str] = {
        OrganizationKind.ENTERPRISE: Dimension.ENTERPRISE,
        OrganizationKind.TRAINING_INSTITUTION: Dimension.TRAINING_INSTITUTION,
    }
    if organization.kind not in kinds:
        raise DomainError(
            "not_a_subject", _("Only a training institution or an enterprise can be raised in priority here.")
        )
    if organization.pk in priorities.open_priority_ids(user=None, organization_ids=[organization.pk]):
        raise Conflict("already_raised", _("Its priority is already raised for the next draw."))
    text = reason.strip() or str(_("High injury risk in the injury analysis."))
    return audited_create(
        InspectionPriority(organization=organization, dimension=kinds[organization.kind], reason=text, raised_by=actor)
    )
