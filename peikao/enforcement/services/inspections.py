"""Inspections by at least two inspectors: their checklist, findings and evidence; and inspections and findings
of the past, recorded in bulk from exchange files."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, snapshot
from peikao.core.errors import Conflict, DomainError
from peikao.core.exchange import WriteCounts, stage_upsert
from peikao.core.exchange.uploads import upload_too_large
from peikao.core.models import Region, User
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import apply_transition
from peikao.enforcement import rules, selectors
from peikao.enforcement.choices import (
    INSPECTION_TRANSITIONS,
    KIND_SUBJECT,
    CheckOutcome,
    FindingSource,
    InspectionKind,
    InspectionStatus,
)
from peikao.enforcement.models import (
    CheckResult,
    Evidence,
    Finding,
    Inspection,
    InspectionEvent,
    Inspector,
    PlanSubject,
    Rectification,
    ViolationItem,
    evidence_path,
)
from peikao.enforcement.services._bulk import create_logged, write
from peikao.enforcement.services._common import _next_code, _require_jurisdiction, _require_open
from peikao.registry.models import Organization, Person


def _event(inspection: Inspection, to: str, actor: User, reason: str = "") -> InspectionEvent:
    return apply_transition(
        inspection,
        to_status=to,
        transitions=INSPECTION_TRANSITIONS,
        event_model=InspectionEvent,
        owner_field="inspection",
        actor=actor,
        reason=reason,
    )


@transaction.atomic
def inspection_create(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    inspected_on: dt.date,
    inspectors: list[User],
    plan_subject: PlanSubject | None = None,
    lookback_of: Rectification | None = None,
    code: str | None = None,
) -> Inspection:
    """An inspection by at least two inspectors of the subject's jurisdiction."""
    require_perm(actor, Perm.INSPECT)
    _require_jurisdiction(actor, organization)
    team = {user.pk: user for user in inspectors}
    if len(team) < 2:
        raise DomainError("two_inspectors", rules.TWO_INSPECTORS)
    for user in team.values():
        if not (
            user.is_regulator
            and (user.sees_everything or (user.region is not None and user.region.contains(organization.region_id)))
        ):
            raise DomainError(
                "inspector_outside", _("%(name)s is not an inspector of this jurisdiction."), {"name": str(user)}
            )
    kind = InspectionKind(kind)
    region = actor.region if actor.is_regulator else organization.region
    inspection = audited_create(
        Inspection(
            code=code or _next_code(f"JC{organization.region_id}{inspected_on:%Y%m%d}", Inspection),
            organization=organization,
            region=region,
            kind=kind,
            inspected_on=inspected_on,
            plan_subject=plan_subject,
            lookback_of=lookback_of,
            created_by=actor,
        )
    )
    for user in team.values():
        audited_create(
            Inspector(inspection=inspection, user=user, person=user.person, name=user.full_name or user.username)
        )
    return inspection


def inspection_start(*, actor: User, inspection: Inspection) -> InspectionEvent:
    """Start the inspection on site: its checklist, findings, evidence and spot exams open."""
    require_perm(actor, Perm.INSPECT)
    return _event(inspection, InspectionStatus.IN_PROGRESS, actor)


def inspection_complete(*, actor: User, inspection: Inspection, summary: str = "") -> InspectionEvent:
    """Close the inspection record: every checklist item answered, at least two inspectors."""
    require_perm(actor, Perm.INSPECT)
    missing = selectors.checklist_items(KIND_SUBJECT[inspection.organization.kind]).exclude(
        pk__in=inspection.checks.values("item_id")
    )
    if missing.exists():
        raise DomainError(
            "checklist_incomplete",
            _("%(n)d checklist items are not answered yet."),
            {"n": missing.count()},
        )
    if inspection.inspectors.count() < 2:
        raise DomainError("two_inspectors", rules.TWO_INSPECTORS)
    if summary.strip():
        before = snapshot(inspection)
        inspection.summary = summary.strip()
        audited_update(inspection, before)
    return _event(inspection, InspectionStatus.COMPLETED, actor)


@transaction.atomic
def check_record(
    *, actor: User, inspection: Inspection, item: ViolationItem, outcome: str, note: str = ""
) -> CheckResult:
    """Answer one checklist item; a violation becomes a finding of this inspection."""
    require_perm(actor, Perm.INSPECT)
    _require_open(inspection)
    outcome = CheckOutcome(outcome)
    result = CheckResult.objects.filter(inspection=inspection, item=item).first()
    if result is None:
        result = audited_create(
            CheckResult(inspection=inspection, item=item, outcome=outcome, note=note.strip(), checked_by=actor)
        )
    else:
        before = snapshot(result)
        result.outcome, result.note, result.checked_by, result.checked_at = outcome, note.strip(), actor, timezone.now()
        audited_update(result, before)
    if outcome == CheckOutcome.VIOLATION and not inspection.findings.filter(violation=item).exists():
        finding_record(
            actor=actor,
            inspection=inspection,
            violation=item,
            description=note.strip() or item.check_text,
            source=FindingSource.CHECKLIST,
        )
    return result


def _finding_description(violation: ViolationItem | None, description: str, *, new: bool = True) -> str:
    """What a finding states (what its item checks, where nothing was written), by the rules of a finding: an
    "other" problem is described; a new finding names a current item (a known one may keep a replaced item)."""
    if violation is None and not description.strip():
        raise DomainError("other_needs_text", rules.OTHER_NEEDS_TEXT)
    if new and violation is not None and violation.retired:
        raise DomainError("retired_item", _("This catalogue item has been replaced by a newer version."))
    return description.strip() or (violation.check_text if violation else "")


def _finding_create(
    *,
    inspection: Inspection,
    violation: ViolationItem | None,
    description: str,
    person: Person | None,
    source: str,
    code: str | None,
    created_by: User | None,
    evidence_sha256: list[str] | None = None,
) -> Finding:
    description = _finding_description(violation, description)
    return audited_create(
        Finding(
            code=code or _next_code(f"{inspection.code}-F", Finding),
            inspection=inspection,
            violation=violation,
            description=description,
            surface=bool(violation and violation.surface),
            person=person,
            source=source,
            evidence_sha256=evidence_sha256 or [],
            created_by=created_by,
        )
    )


@transaction.atomic
def finding_record(
    *,
    actor: User | None,
    inspection: Inspection,
    violation: ViolationItem | None,
    description: str,
    person: Person | None = None,
    source: str = FindingSource.MANUAL,
    code: str | None = None,
) -> Finding:
    """A problem found at an open inspection: a catalogue item in force, or "other" with a description.
    ``actor`` is None for a finding the platform records itself (a failed spot exam)."""
    if actor is not None:
        require_perm(actor, Perm.INSPECT)
    if source not in (FindingSource.SPOT_EXAM, FindingSource.IMPORTED):  # a worker may finish later; history
        _require_open(inspection)
    return _finding_create(
        inspection=inspection,
        violation=violation,
        description=description,
        person=person,
        source=source,
        code=code,
        created_by=actor,
    )


@transaction.atomic
def evidence_add(
    *,
    actor: User,
    inspection: Inspection,
    upload: File,
    finding: Finding | None = None,
    rectification: Rectification | None = None,
    captured_at: dt.datetime | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    accuracy_m: int | None = None,
) -> Evidence:
    """Keep a file as evidence under its SHA-256: stored once, never replaced, never edited; at most
    ``MAX_EVIDENCE_BYTES``."""
    limit = settings.PEIKAO["MAX_EVIDENCE_BYTES"]
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
        if size > limit:
            raise upload_too_large(limit)
    if size == 0:
        raise DomainError("empty_file", _("The file is empty."))
    evidence = Evidence(
        inspection=inspection,
        finding=finding,
        rectification=rectification,
        sha256=digest.hexdigest(),
        original_name=(getattr(upload, "name", "") or "evidence")[:200],
        content_type=(getattr(upload, "content_type", "") or "")[:100],
        size=size,
        captured_at=captured_at,
        latitude=latitude,
        longitude=longitude,
        accuracy_m=accuracy_m,
        uploaded_by=actor,
    )
    name = evidence_path(evidence, evidence.original_name)
    if default_storage.exists(name):
        evidence.file.name = name  # the same bytes are already kept: point at them
    else:
        upload.seek(0)
        evidence.file.save(name.rsplit("/", 1)[-1], File(upload), save=False)
    return audited_create(evidence)


# -- records of the past (inspections.csv, findings.csv) -----------------------------------------------------------


@dataclass(frozen=True)
class InspectionRecord:
    """A past inspection as an exchange file carries it: its inspectors are persons, not platform users."""

    code: str
    organization: Organization
    region: Region
    inspected_on: dt.date
    kind: str
    inspectors: list[Person] = field(default_factory=list)


@transaction.atomic
def inspection_record_bulk(*, actor: User | None, rows: Iterable[InspectionRecord]) -> WriteCounts:
    """Record past inspections, completed, matched on their code: a new code is created; a known one (of the same
    subject) takes the row's authority, kind and date. Inspectors not on it yet are added, none is removed.
    ``actor`` None: the system (a command). The records name no author: the change log names who imported them.
    Written in bulk (a few statements for the whole list), every record logged as it is created or changed."""
    if actor is not None:
        require_perm(actor, Perm.INSPECT)
    rows = list(rows)
    for row in rows:
        if len({person.pk for person in row.inspectors}) < 2:
            raise DomainError("two_inspectors", rules.TWO_INSPECTORS)
    existing = {i.code: i for i in Inspection.objects.filter(code__in={row.code for row in rows})}
    values: list[dict] = []
    for row in rows:
        inspection = existing.get(row.code)
        if inspection is not None and inspection.organization_id != row.organization.pk:
            raise Conflict("conflict", _("This inspection code belongs to another subject."))
        values.append(
            {
                "code": row.code,
                "organization_id": row.organization.pk,
                "region_id": row.region.pk,
                "kind": InspectionKind(row.kind).value,
                "inspected_on": row.inspected_on,
                "status": InspectionStatus.COMPLETED.value,
            }
        )
    staged = stage_upsert(
        Inspection,
        ["code"],
        values,
        existing={(code,): inspection for code, inspection in existing.items()},
        compare_fields=["region_id", "kind", "inspected_on"],
    )
    counts = write(staged)
    ids = {row["code"]: row["id"] for row in staged.new_rows} | {i.code: i.pk for i in existing.values()}
    known = set(
        Inspector.objects.filter(inspection_id__in=[i.pk for i in existing.values()]).values_list(
            "inspection_id", "person_id"
        )
    )
    team: list[dict] = []
    for row in rows:
        inspection_id = ids[row.code]
        for person in row.inspectors:
            if (inspection_id, person.pk) not in known:
                known.add((inspection_id, person.pk))
                team.append({"inspection_id": inspection_id, "person_id": person.pk, "name": person.name})
    create_logged(Inspector, team, key_fields=("inspection_id", "person_id"))
    return counts


@dataclass(frozen=True)
class FindingRecord:
    """A past finding as an exchange file carries it, with the digests of evidence kept elsewhere."""

    code: str
    inspection: Inspection
    violation: ViolationItem | None
    description: str
    evidence_sha256: list[str] = field(default_factory=list)


@transaction.atomic
def finding_record_bulk(*, actor: User | None, rows: Iterable[FindingRecord]) -> WriteCounts:
    """Record past findings, matched on their code: a new code is created (as ``finding_record`` does, by the
    same rules), a known one (of the same inspection) takes the row's item, description and digests. Written in
    bulk, every record logged as it is created or changed."""
    if actor is not None:
        require_perm(actor, Perm.INSPECT)
    rows = list(rows)
    existing = {f.code: f for f in Finding.objects.filter(code__in={row.code for row in rows})}
    values: list[dict] = []
    for row in rows:
        violation = row.violation
        finding = existing.get(row.code)
        if finding is not None and finding.inspection_id != row.inspection.pk:
            raise Conflict("conflict", _("This finding code belongs to another inspection."))
        description = _finding_description(violation, row.description, new=finding is None)
        values.append(
            {
                "code": row.code,
                "inspection_id": row.inspection.pk,
                "violation_id": violation.pk if violation else None,
                "violation": violation,  # for the change log's name of a new finding (``Finding.audit_repr``)
                "description": description,
                "surface": bool(violation and violation.surface),
                "source": FindingSource.IMPORTED.value,
                "evidence_sha256": row.evidence_sha256 or [],
            }
        )
    staged = stage_upsert(
        Finding,
        ["code"],
        values,
        existing={(code,): finding for code, finding in existing.items()},
        compare_fields=["violation", "description", "surface", "evidence_sha256"],
    )
    return write(staged)
