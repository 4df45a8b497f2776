"""Suspension (暂扣), reinstatement, revocation (撤销) and cancellation (注销): named transitions of the
certificate's status (choices.CERTIFICATE_TRANSITIONS), each with its event row, reflected in the status list."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peikao.certificates import rules
from peikao.certificates.choices import (
    BANNED_GROUNDS,
    CERTIFICATE_TRANSITIONS,
    CancelGround,
    CertificateStatus,
    RevokeGround,
    SuspendGround,
)
from peikao.certificates.models import Certificate, CertificateEvent
from peikao.certificates.services._common import require_issuing_authority
from peikao.certificates.services.publishing import status_version_bump
from peikao.core.errors import DomainError
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import apply_transition


def _status_change(
    actor: User, certificate: Certificate, to: str, *, reason: str, details: dict, changes: dict | None = None
) -> CertificateEvent:
    event = apply_transition(
        certificate,
        to_status=to,
        transitions=CERTIFICATE_TRANSITIONS,
        event_model=CertificateEvent,
        owner_field="certificate",
        actor=actor,
        reason=reason,
        changes={"status_reason": reason, **(changes or {})},
        event_fields={"details": details},
    )
    status_version_bump()
    return event


def _grounds_text(label: str | Promise, reason: str) -> str:
    return f"{label}：{reason.strip()}" if reason.strip() else str(label)


@transaction.atomic
def suspend(*, actor: User, certificate: Certificate, ground: str, reason: str = "") -> CertificateEvent:
    """Suspend (暂扣) a certificate on a ground; the ground "other" needs the reason. Only the issuing authority
    (its region or a region above it) may, like the other status changes."""
    require_perm(actor, Perm.CERTIFICATE_MANAGE)
    require_issuing_authority(actor, certificate)
    ground = SuspendGround(ground)
    if ground == SuspendGround.OTHER and not reason.strip():
        raise DomainError("reason_required", _("A reason is required."))
    return _status_change(
        actor,
        certificate,
        CertificateStatus.SUSPENDED,
        reason=_grounds_text(ground.label, reason),
        details={"ground": ground.value},
    )


@transaction.atomic
def reinstate(*, actor: User, certificate: Certificate, reason: str) -> CertificateEvent:
    """Lift a suspension: the issuing authority, with the reason."""
    require_perm(actor, Perm.CERTIFICATE_MANAGE)
    require_issuing_authority(actor, certificate)
    if not reason.strip():
        raise DomainError("reason_required", _("A reason is required."))
    return _status_change(actor, certificate, CertificateStatus.VALID, reason=reason.strip(), details={})


@transaction.atomic
def revoke(
    *, actor: User, certificate: Certificate, ground: str, reason: str = "", on: dt.date | None = None
) -> CertificateEvent:
    """Revoke (撤销); false information and fraud bar the holder from applying for three years."""
    require_perm(actor, Perm.CERTIFICATE_MANAGE)
    require_issuing_authority(actor, certificate)
    ground = RevokeGround(ground)
    on = on or timezone.localdate()
    years = BANNED_GROUNDS.get(ground)
    ban_until = rules.years_later(on, years) if years else None
    details = {"ground": ground.value, "basis": rules.ORDER_30_ART_30}
    if ban_until:
        details["ban_until"] = ban_until.isoformat()
    return _status_change(
        actor,
        certificate,
        CertificateStatus.REVOKED,
        reason=_grounds_text(ground.label, reason),
        details=details,
        changes={"ban_until": ban_until},
    )


@transaction.atomic
def cancel(*, actor: User, certificate: Certificate, ground: str, reason: str = "") -> CertificateEvent:
    """Cancel (注销): the holder died or asked, or after revocation. Published in the status list."""
    require_perm(actor, Perm.CERTIFICATE_MANAGE)
    require_issuing_authority(actor, certificate)
    ground = CancelGround(ground)
    return _status_change(
        actor,
        certificate,
        CertificateStatus.CANCELLED,
        reason=_grounds_text(ground.label, reason),
        details={"ground": ground.value},
    )
