"""Self-discipline commitments (自律承诺): the signed PDF kept under its SHA-256 and never replaced; a finding of
one of the text's violations during the term marks the commitment breached (with the finding), the end of the
term expires it."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create
from peikao.core.errors import DomainError, PermissionDenied
from peikao.core.exchange.uploads import upload_too_large
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import apply_transition
from peikao.enforcement.models import Finding
from peikao.oversight.grading.choices import COMMITMENT_TRANSITIONS, CommitmentStatus
from peikao.oversight.grading.models import Commitment, CommitmentEvent, CommitmentTemplate, commitment_path
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import Organization

COMMITTING_KINDS = (
    OrganizationKind.TRAINING_INSTITUTION,
    OrganizationKind.EXAM_POINT,
    OrganizationKind.EXAM_INSTITUTION,
)
PDF_MAGIC = b"%PDF-"


def _check_actor(actor: User, organization: Organization) -> None:
    require_perm(actor, Perm.ORGANIZATION_CHANGE)
    if actor.sees_everything:
        return
    if actor.is_regulator:
        if actor.region is None or not actor.region.contains(organization.region_id):
            raise PermissionDenied("outside_jurisdiction", _("The institution is outside your jurisdiction."))
        return
    if actor.organization_id != organization.pk:
        raise PermissionDenied("not_your_organization", _("Only the institution itself or its regulator may do this."))


@transaction.atomic
def commitment_upload(
    *,
    actor: User,
    organization: Organization,
    template: CommitmentTemplate,
    upload: File,
    signatory: str,
    lawyer: str,
    law_firm: str,
    signed_on: dt.date,
    valid_from: dt.date,
    valid_to: dt.date,
    signatory_title: str = "",
) -> Commitment:
    """Keep a signed commitment: a PDF, stored under its SHA-256 (at most ``MAX_EVIDENCE_BYTES``), never replaced;
    the same document is never kept twice; a new term is a new commitment."""
    _check_actor(actor, organization)
    if organization.kind not in COMMITTING_KINDS:
        raise DomainError("not_an_institution", _("Training institutions, exam institutions and exam points sign."))
    names = {"signatory": signatory.strip(), "lawyer": lawyer.strip(), "law_firm": law_firm.strip()}
    for field, value in names.items():
        if not value:
            raise DomainError("required", _("This field is required."), field=field)
    if valid_to < valid_from:
        raise DomainError("term_order", _("A commitment's term ends after it starts."), field="valid_to")
    if signed_on > valid_from or signed_on > timezone.localdate():
        raise DomainError(
            "signed_later", _("A commitment is signed before its term and not in the future."), field="signed_on"
        )
    if not template.in_force_on(signed_on):
        raise DomainError("template_not_in_force", _("This text version was not in force when it was signed."))
    limit = settings.PEIKAO["MAX_EVIDENCE_BYTES"]
    digest, size, head = hashlib.sha256(), 0, b""
    for chunk in upload.chunks():
        if len(head) < len(PDF_MAGIC):
            head += chunk[: len(PDF_MAGIC)]
        digest.update(chunk)
        size += len(chunk)
        if size > limit:
            raise upload_too_large(limit)
    if size == 0:
        raise DomainError("empty_file", _("The file is empty."), field="file")
    if not head.startswith(PDF_MAGIC):
        raise DomainError("not_a_pdf", _("The signed commitment is uploaded as a PDF."), field="file")
    sha256 = digest.hexdigest()
    if Commitment.objects.filter(sha256=sha256).exists():
        raise DomainError("already_kept", _("This document is already kept."), field="file")
    commitment = Commitment(
        organization=organization,
        template=template,
        signatory=names["signatory"],
        signatory_title=signatory_title.strip(),
        lawyer=names["lawyer"],
        law_firm=names["law_firm"],
        signed_on=signed_on,
        valid_from=valid_from,
        valid_to=valid_to,
        sha256=sha256,
        size=size,
        uploaded_by=actor,
    )
    name = commitment_path(commitment, "")
    if default_storage.exists(name):
        commitment.file.name = name
    else:
        upload.seek(0)
        commitment.file.save(name.rsplit("/", 1)[-1], File(upload), save=False)
    return audited_create(commitment)


@transaction.atomic
def commitments_refresh(*, actor: User | None, on: dt.date | None = None) -> dict[str, int]:
    """Mark breached each commitment in force with a finding of one of its text's violations about its institution
    during its term (the earliest such finding is linked); expire those whose term ended. Set-based: one query
    finds the first breaching finding of every commitment."""
    on = on or timezone.localdate()
    breached = 0
    for template in CommitmentTemplate.objects.exclude(breach_codes=[]):
        first = (
            Finding.objects.filter(
                inspection__organization=OuterRef("organization"),
                violation__code__in=list(template.breach_codes),
                inspection__inspected_on__gte=OuterRef("valid_from"),
                inspection__inspected_on__lte=OuterRef("valid_to"),
            )
            .filter(inspection__inspected_on__lte=on)
            .order_by("inspection__inspected_on", "pk")
            .values("pk")[:1]
        )
        rows = (
            Commitment.objects.filter(template=template, status=CommitmentStatus.IN_FORCE)
            .annotate(finding_id=Subquery(first))
            .filter(finding_id__isnull=False)
        )
        for commitment in rows:
            apply_transition(
                commitment,
                to_status=CommitmentStatus.BREACHED,
                transitions=COMMITMENT_TRANSITIONS,
                event_model=CommitmentEvent,
                owner_field="commitment",
                actor=actor,
                reason=str(_("A finding during the term breaches the commitment.")),
                changes={"breach_finding_id": commitment.finding_id},
            )
            breached += 1
    expired = 0
    for ended in Commitment.objects.filter(status=CommitmentStatus.IN_FORCE, valid_to__lt=on):
        apply_transition(
            ended,
            to_status=CommitmentStatus.EXPIRED,
            transitions=COMMITMENT_TRANSITIONS,
            event_model=CommitmentEvent,
            owner_field="commitment",
            actor=actor,
            reason=str(_("The term ended.")),
        )
        expired += 1
    return {"breached": breached, "expired": expired}
