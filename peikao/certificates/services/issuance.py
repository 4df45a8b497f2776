"""Issuance: a certificate from a passed theory and practical (special operations) or a passed competency
assessment, each on the checks of its plan (selectors); legacy certificates from certificates.csv."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.certificates import rules
from peikao.certificates.choices import CertificateSource, CertificateStatus, CertificateType
from peikao.certificates.models import Certificate, CertificateEvent
from peikao.certificates.selectors import competency_plan, special_operation_plan
from peikao.certificates.services._common import record_event
from peikao.certificates.services.publishing import counter_reserve, status_slots_allocate, status_version_bump
from peikao.core.audit import audited_create, current_context
from peikao.core.choices import RegionLevel
from peikao.core.errors import PermissionDenied
from peikao.core.exchange import WriteCounts
from peikao.core.exchange.base import bulk_upsert
from peikao.core.models import Region, User
from peikao.core.permissions import Perm, require_perm
from peikao.core.validators import id_number_facts
from peikao.exams.models import Result
from peikao.registry.models import OperationItem, Person

# What an import may change on a certificate it already holds.
IMPORT_UPDATED_FIELDS = (
    "cert_type",
    "person_id",
    "trainee_category",
    "industry_id",
    "issuer_region_id",
    "first_issued_on",
    "valid_from",
    "valid_until",
    "next_review_due",
    "status",
)


def _issuer_region(actor: User, exam_point_region: Region) -> Region:
    """The actor's own authority; a ministry user issues in the name of the exam point's province."""
    region = actor.region
    if actor.is_regulator and region is not None and region.level != RegionLevel.NATION:
        if not region.contains(exam_point_region.code):
            raise PermissionDenied(
                "outside_jurisdiction", _("The exam was held outside your jurisdiction: its authority issues.")
            )
        return region
    return Region.objects.get(code=exam_point_region.code[:2] + "0000")


@transaction.atomic
def issue_special_operation(
    *, actor: User, person: Person, operation_item: OperationItem, on: dt.date | None = None
) -> Certificate:
    """Issue a special-operations certificate from a passed theory and practical and completed training."""
    require_perm(actor, Perm.CERTIFICATE_ISSUE)
    on = on or timezone.localdate()
    plan = special_operation_plan(person=person, operation_item=operation_item, on=on)
    if not plan.ok:
        raise plan.refusal()
    assert plan.practical is not None  # a plan is ok only with its practical
    issuer = _issuer_region(actor, plan.practical.registration.sitting.exam_point.region)
    dates = rules.dates_for_issue(CertificateType.SPECIAL_OPERATION, on)
    certificate = audited_create(
        Certificate(
            cert_no="T" + person.id_number,
            cert_type=CertificateType.SPECIAL_OPERATION,
            person=person,
            operation_item=operation_item,
            issuer_region=issuer,
            first_issued_on=on,
            valid_from=dates.valid_from,
            valid_until=dates.valid_until,
            next_review_due=dates.next_review_due,
            status_index=status_slots_allocate(count=1)[0],
            source=CertificateSource.ISSUED,
            theory_result=plan.theory,
            practical_result=plan.practical,
            enrolment=plan.enrolment,
            issued_by=actor,
        )
    )
    record_event(
        certificate,
        "issue",
        actor=actor,
        details={"checks": [check.as_dict() for check in plan.checks], "rule": dates.rule.code},
    )
    status_version_bump()
    return certificate


def _competency_number(issuer: Region, post: str, on: dt.date) -> str:
    prefix = rules.competency_prefix(issuer.code, post, on)
    return rules.competency_number(prefix, counter_reserve(name=f"competency:{prefix}")[0])


@transaction.atomic
def issue_competency(*, actor: User, result: Result, on: dt.date | None = None) -> Certificate:
    """Issue a competency certificate (安全生产知识和管理能力考核合格证) from a passed assessment."""
    require_perm(actor, Perm.CERTIFICATE_ISSUE)
    on = on or timezone.localdate()
    plan = competency_plan(result=result, on=on)
    if not plan.ok:
        raise plan.refusal()
    sitting = result.registration.sitting
    issuer = _issuer_region(actor, sitting.exam_point.region)
    dates = rules.dates_for_issue(CertificateType.COMPETENCY, on)
    training_class = result.registration.training_class
    certificate = audited_create(
        Certificate(
            cert_no=_competency_number(issuer, sitting.trainee_category, on),
            cert_type=CertificateType.COMPETENCY,
            person=result.registration.person,
            trainee_category=sitting.trainee_category,
            industry=training_class.industry if training_class else None,
            issuer_region=issuer,
            first_issued_on=on,
            valid_from=dates.valid_from,
            valid_until=dates.valid_until,
            status_index=status_slots_allocate(count=1)[0],
            source=CertificateSource.ISSUED,
            theory_result=result,
            issued_by=actor,
        )
    )
    record_event(
        certificate,
        "issue",
        actor=actor,
        details={"checks": [c.as_dict() for c in plan.checks], "rule": dates.rule.code},
    )
    return certificate


# -- legacy certificates (certificates.csv) -------------------------------------------------------------------


def certificates_import_bulk(*, rows: list[dict[str, Any]], actor: User | None, run_id: int | None) -> WriteCounts:
    """Write the clean rows of certificates.csv (``CertificatesKind.clean``): holders not yet registered, then
    the certificates matched on their status-list slot, an 'import' event per new or changed-status certificate
    and a fresh status list if a status changed. Runs in the import's transaction."""
    missing = {}
    for data in rows:
        if data["person"] is None and data["id_number"] not in missing:
            facts = id_number_facts(data["id_number"])
            missing[data["id_number"]] = {
                "id_number": data["id_number"],
                "name": data["name"],
                "sex": facts.sex,
                "birth_date": facts.birth_date,
            }
    if missing:
        bulk_upsert(Person, ["id_number"], list(missing.values()))
    persons = dict(
        Person.objects.filter(id_number__any=[data["id_number"] for data in rows]).values_list("id_number", "pk")
    )
    existing: dict[tuple, models.Model] = {}  # the certificates already registered, as bulk_upsert takes them
    before_status: dict[int, str] = {}
    values = []
    for data in rows:
        row = {key: value for key, value in data.items() if not key.startswith("_")}
        row["operation_item_id"] = row.pop("operation_item")
        row["person_id"] = persons[row.pop("id_number")]
        row.pop("name")
        row.pop("person")
        certificate: Certificate | None = data["_existing"]
        if certificate is not None:
            row["status_index"] = certificate.status_index
            existing[(certificate.status_index,)] = certificate
            before_status[certificate.status_index] = certificate.status
        values.append(row)
    new = [row for row in values if "status_index" not in row]
    for row, slot in zip(new, status_slots_allocate(count=len(new)), strict=True):
        row["status_index"] = slot
        row["source"] = CertificateSource.IMPORTED
    # Matched on the status-list slot: unique, never empty, and known for new rows before they exist.
    counts = bulk_upsert(Certificate, ["status_index"], values, existing=existing, compare_fields=IMPORT_UPDATED_FIELDS)
    _import_events(values, before_status, actor=actor, run_id=run_id)
    return counts


def _import_events(
    values: list[dict[str, Any]], before_status: dict[int, str], *, actor: User | None, run_id: int | None
) -> None:
    """An 'import' event per new or changed-status certificate; a fresh status list if a status changed."""
    ids = dict(
        Certificate.objects.filter(status_index__any=[row["status_index"] for row in values]).values_list(
            "status_index", "pk"
        )
    )
    label = current_context().actor_label
    now = timezone.now()
    events, status_changed = [], False
    for row in values:
        old = before_status.get(row["status_index"])
        if old == row["status"]:
            continue
        status_changed |= row["status"] != CertificateStatus.VALID or old is not None
        events.append(
            CertificateEvent(
                certificate_id=ids[row["status_index"]],
                transition="import",
                old_status=old or "",
                new_status=row["status"],
                reason=str(_("Imported from certificates.csv")),
                details={"run": run_id},
                actor=actor,
                actor_label=label,
                time=now,
            )
        )
    CertificateEvent.objects.bulk_create(events, batch_size=2000)
    if status_changed or events:
        status_version_bump()
