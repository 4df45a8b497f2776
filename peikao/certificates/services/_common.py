"""What the certificate services share: the issuing authority's permission, the locked row, the event row."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.certificates.models import Certificate, CertificateEvent
from peikao.core.audit import audited_create, current_context
from peikao.core.errors import PermissionDenied
from peikao.core.models import User


def require_issuing_authority(actor: User, certificate: Certificate) -> None:
    """Only the authority that issued a certificate, or one above it, may change it."""
    if actor.sees_everything:
        return
    region = actor.region
    if not (actor.is_regulator and region is not None and region.contains(certificate.issuer_region.code)):
        raise PermissionDenied(
            "not_issuing_authority",
            _("Only the issuing authority (%(region)s) or its superiors may do this."),
            {"region": certificate.issuer_region.name},
        )


def record_event(
    certificate: Certificate,
    transition: str,
    *,
    actor: User | None,
    reason: str = "",
    details: dict | None = None,
) -> CertificateEvent:
    """A step that leaves the status as it is (issue, review, renewal), in the caller's transaction."""
    return audited_create(
        CertificateEvent(
            certificate=certificate,
            transition=transition,
            old_status=certificate.status,
            new_status=certificate.status,
            reason=reason,
            details=details or {},
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_label=current_context().actor_label,
            time=timezone.now(),
        )
    )


def locked(certificate: Certificate) -> Certificate:
    """The certificate's row, locked for the caller's transaction."""
    return Certificate.objects.select_for_update().select_related("issuer_region").get(pk=certificate.pk)
