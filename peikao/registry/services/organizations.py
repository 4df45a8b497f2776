"""The registry's write path for organisations: register, edit, change status, write the organisations file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, record_bulk, snapshot
from peikao.core.choices import ChangeAction
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.exchange import WriteCounts
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import apply_transition
from peikao.registry.choices import ORGANIZATION_TRANSITIONS, OrganizationStatus
from peikao.registry.models import OperationItem, Organization, OrganizationEvent
from peikao.registry.rules import (
    STATUS_CHANGE_REFUSED,
    organization_problems,
    status_change_refused,
)

REGULATED_FIELDS = {"kind", "region", "region_id", "uscc", "industry", "industry_id", "parent", "parent_id"}
ORGANIZATION_EDITABLE = {
    "name",
    "address",
    "contact_phone",
    "capacity",
    "practical_device",
    "kind",
    "region",
    "uscc",
    "industry",
    "parent",
}


def _organization_extra(org: Organization, items: Iterable[OperationItem] | None = None) -> dict:
    items = list(org.operation_items.all()) if items is None else list(items)
    return {"operation_items": [item.code for item in items]}


def _jurisdiction(actor: User) -> str:
    """The region-code prefix of the actor's jurisdiction (a regulator's region; nobody else has one)."""
    if actor.region is None:
        raise PermissionDenied("outside_jurisdiction", _("The region lies outside your jurisdiction."))
    return actor.region.prefix


def _check_organization(org: Organization, items: list[OperationItem]) -> None:
    problems = organization_problems(
        org_code=org.org_code,
        kind=org.kind,
        uscc=org.uscc or "",
        has_industry=org.industry_id is not None,
        has_items=bool(items),
        practical_device=org.practical_device,
        parent_kind=org.parent.kind if org.parent is not None else None,
    )
    if problems:
        field, message = next(iter(problems.items()))
        raise DomainError(f"organization_{field}", message)


@transaction.atomic
def organization_create(*, actor: User, data: dict, operation_items: list[OperationItem] | None = None) -> Organization:
    """Register an organisation in the actor's jurisdiction."""
    require_perm(actor, Perm.ORGANIZATION_CREATE)
    org = Organization(**data)
    if org.uscc and not org.org_code:
        org.org_code = org.uscc
    if not actor.sees_everything and not (actor.is_regulator and org.region_id.startswith(_jurisdiction(actor))):
        raise PermissionDenied("outside_jurisdiction", _("The region lies outside your jurisdiction."))
    items = list(operation_items or [])
    _check_organization(org, items)
    audited_create(org, extra={"operation_items": [item.code for item in items]})
    org.operation_items.set(items)
    return org


@transaction.atomic
def organization_update(
    *, actor: User, organization: Organization, data: dict, operation_items: list[OperationItem] | None = None
) -> Organization:
    """Change an organisation's details. Kind, region, code and approvals are the regulator's to change."""
    require_perm(actor, Perm.ORGANIZATION_CHANGE)
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    before = snapshot(org, _organization_extra(org))
    unknown = set(data) - ORGANIZATION_EDITABLE
    if unknown:
        raise DomainError(
            "not_editable", _("These fields cannot be edited: %(fields)s."), {"fields": ", ".join(unknown)}
        )
    regulated = {field for field, value in data.items() if field in REGULATED_FIELDS and getattr(org, field) != value}
    items = list(org.operation_items.all()) if operation_items is None else list(operation_items)
    if operation_items is not None and {i.pk for i in items} != {i.pk for i in org.operation_items.all()}:
        regulated.add("operation_items")
    if regulated:
        require_perm(actor, Perm.ORGANIZATION_CHANGE_REGULATED)
    for field, value in data.items():
        setattr(org, field, value)
    moved = bool(regulated & {"region", "region_id"})  # an unchanged region sent back by a form is no move
    if moved and not actor.sees_everything and not org.region_id.startswith(_jurisdiction(actor)):
        raise PermissionDenied("outside_jurisdiction", _("The region lies outside your jurisdiction."))
    _check_organization(org, items)
    if operation_items is not None:
        org.operation_items.set(items)
    audited_update(org, before, extra={"operation_items": [item.code for item in items]})
    return org


def organization_transition(
    *, actor: User, organization: Organization, to_status: str, reason: str
) -> OrganizationEvent:
    """Suspend, reinstate or close an organisation, leaving an event with the reason."""
    require_perm(actor, Perm.ORGANIZATION_CHANGE_REGULATED)
    if not reason or not reason.strip():
        raise DomainError("reason_required", _("A reason is required for a change of status."))
    return apply_transition(
        organization,
        to_status=to_status,
        transitions=ORGANIZATION_TRANSITIONS,
        event_model=OrganizationEvent,
        owner_field="organization",
        actor=actor,
        reason=reason,
    )


def organization_suspend(*, actor: User, organization: Organization, reason: str) -> OrganizationEvent:
    return organization_transition(
        actor=actor, organization=organization, to_status=OrganizationStatus.SUSPENDED, reason=reason
    )


def organization_reinstate(*, actor: User, organization: Organization, reason: str) -> OrganizationEvent:
    return organization_transition(
        actor=actor, organization=organization, to_status=OrganizationStatus.ACTIVE, reason=reason
    )


def organization_close(*, actor: User, organization: Organization, reason: str) -> OrganizationEvent:
    return organization_transition(
        actor=actor, organization=organization, to_status=OrganizationStatus.CLOSED, reason=reason
    )


IMPORTED_REASON = _("Imported from an organisations file")
ORGANIZATION_BULK_FIELDS = [
    "kind",
    "name",
    "uscc",
    "region_id",
    "industry_id",
    "practical_device",
    "capacity",
    "status",
]


def _organization_bulk_snapshot(org: Organization, items: list[str], parent_code: str) -> dict:
    return snapshot(org, {"operation_items": items, "parent_org_code": parent_code})


@transaction.atomic
def organizations_write_bulk(
    *,
    actor: User | None,
    rows: list[dict[str, Any]],
    existing: dict[str, Organization],
    operation_items: dict[str, OperationItem],
) -> tuple[WriteCounts, list[tuple[Organization, str]]]:
    """Create or update organisations in bulk (a chunk of the organisations file), each change in the change log.

    ``rows`` come cleaned by the file, which reports every row the rules refuse (``organization_problems``,
    ``status_change_refused``): field values by attname, with ``_items`` (operation item codes) and ``_parent``
    (the parent's code). ``existing`` holds the organisations already registered by code, their operation items
    prefetched. A change of status follows ``ORGANIZATION_TRANSITIONS`` and leaves an ``OrganizationEvent``.
    Returns the counts and the links to parents still to make (``organizations_link_parents``): a parent may
    come later in the file."""
    by = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    counts = WriteCounts()
    created: list[tuple[Organization, dict]] = []
    updated: list[Organization] = []
    log: list[tuple] = []
    events: list[OrganizationEvent] = []
    item_adds: list[tuple[Organization, int]] = []
    item_removes: list[tuple[int, int]] = []
    parents: list[tuple[Organization, str]] = []
    fields = ORGANIZATION_BULK_FIELDS
    for cleaned in rows:
        wanted = {operation_items[code].pk for code in cleaned["_items"]}
        org = existing.get(cleaned["org_code"])
        if org is None:
            org = Organization(org_code=cleaned["org_code"], created_at=now, updated_at=now)
            for field in fields:
                setattr(org, field, cleaned[field])
            created.append((org, cleaned))
            item_adds.extend((org, pk) for pk in wanted)
            continue
        current_items = {item.pk: item.code for item in org.operation_items.all()}
        current_parent = org.parent.org_code if org.parent is not None else ""
        before = _organization_bulk_snapshot(org, list(current_items.values()), current_parent)
        old_status = org.status
        for field in fields:
            setattr(org, field, cleaned[field])
        after = _organization_bulk_snapshot(org, cleaned["_items"], cleaned["_parent"])
        if after == before:
            counts.unchanged += 1
            continue
        counts.updated += 1
        org.updated_at = now
        updated.append(org)
        log.append((ChangeAction.UPDATE, org, before, after))
        item_adds.extend((org, pk) for pk in wanted - set(current_items))
        item_removes.extend((org.pk, pk) for pk in set(current_items) - wanted)
        if cleaned["_parent"] != current_parent:
            parents.append((org, cleaned["_parent"]))
        if old_status != org.status:
            if (refused := status_change_refused(old_status, org.status)) is not None:
                raise Conflict("transition_not_allowed", STATUS_CHANGE_REFUSED, refused)
            events.append(
                OrganizationEvent(
                    organization=org,
                    transition=ORGANIZATION_TRANSITIONS[(old_status, org.status)],
                    old_status=old_status,
                    new_status=org.status,
                    reason=str(IMPORTED_REASON),
                    actor=by,
                    actor_label=by.username if by else "import",
                    time=now,
                )
            )
    Organization.objects.bulk_create([org for org, _cleaned in created], batch_size=2000)
    for org, cleaned in created:
        log.append(
            (ChangeAction.CREATE, org, None, _organization_bulk_snapshot(org, cleaned["_items"], cleaned["_parent"]))
        )
        if cleaned["_parent"]:
            parents.append((org, cleaned["_parent"]))
    counts.imported = len(created)
    if updated:
        Organization.objects.bulk_update(updated, [*fields, "updated_at"], batch_size=1000)
    through = Organization.operation_items.through
    through.objects.bulk_create(
        [through(organization_id=org.pk, operationitem_id=pk) for org, pk in item_adds], batch_size=2000
    )
    if item_removes:
        q = Q()
        for org_pk, item_pk in item_removes:
            q |= Q(organization_id=org_pk, operationitem_id=item_pk)
        through.objects.filter(q).delete()
    OrganizationEvent.objects.bulk_create(events)
    record_bulk(log)
    return counts, parents


@transaction.atomic
def organizations_link_parents(*, links: list[tuple[Organization, str]]) -> None:
    """Link exam points to their exam institutions by code (``""``: no parent), once every row of a file is
    written. The change log already has the parent's code with the organisation's create or update."""
    if not links:
        return
    codes = {code for _org, code in links if code}
    parents = dict(Organization.objects.filter(org_code__in=codes).values_list("org_code", "pk"))
    for org, code in links:
        org.parent_id = parents.get(code) if code else None
    Organization.objects.bulk_update([org for org, _code in links], ["parent_id"], batch_size=1000)
