"""Reviews (复审, order No. 30) and renewals (换证) at expiry: new dates under the same number, each a logged step."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from peikao.certificates import rules
from peikao.certificates.choices import CertificateStatus, CertificateType, Standing
from peikao.certificates.models import Certificate
from peikao.certificates.services._common import locked, record_event, require_issuing_authority
from peikao.certificates.services.publishing import status_version_bump
from peikao.core.audit import audited_update, snapshot
from peikao.core.errors import Conflict, DomainError
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm


@transaction.atomic
def review_record(
    *,
    actor: User,
    certificate: Certificate,
    reviewed_on: dt.date,
    passed: bool,
    extend: bool = False,
    reason: str = "",
) -> Certificate:
    """Record a review (复审) under order No. 30; none is held for a review due after reviews were abolished."""
    require_perm(actor, Perm.CERTIFICATE_MANAGE)
    certificate = locked(certificate)
    require_issuing_authority(actor, certificate)
    due = certificate.next_review_due
    if certificate.cert_type != CertificateType.SPECIAL_OPERATION or due is None:
        raise Conflict("no_review_due", _("No review is due for this certificate."))
    if not rules.review_held(due):
        abolished = rules.reviews_abolished_on()
        assert abolished is not None, "review_held refuses a due date only on or after the abolition"
        raise Conflict(
            "review_not_held",
            _(
                "The review fell due on %(due)s, on or after %(abolished)s: under order No. 19 no review is held "
                "and the certificate is renewed at its expiry."
            ),
            {"due": due.isoformat(), "abolished": abolished.isoformat()},
        )
    if certificate.status != CertificateStatus.VALID:
        raise Conflict(
            "not_valid",
            _("Only a valid certificate is reviewed (it is %(status)s)."),
            {"status": certificate.get_status_display()},
        )
    rule = rules.rule_on(CertificateType.SPECIAL_OPERATION, due)
    opens = due - dt.timedelta(days=rule.review_window_days)
    if reviewed_on < opens or reviewed_on > due:
        raise DomainError(
            "outside_review_window",
            _("A review is recorded between %(opens)s and the due date %(due)s (%(basis)s)."),
            {"opens": opens.isoformat(), "due": due.isoformat(), "basis": rule.basis_title},
        )
    if not passed and not reason.strip():
        raise DomainError("reason_required", _("A refused review needs the reason."))
    if extend and not reason.strip():
        raise DomainError(
            "reason_required",
            _("Extending the review interval needs the reason (10 years in the same item without violations)."),
        )
    before = snapshot(certificate)
    details = {"due": due.isoformat(), "passed": passed, "extended": extend, "rule": rule.code}
    if passed:
        every = (
            rule.review_may_extend_to_years if extend and rule.review_may_extend_to_years else rule.review_every_years
        )
        if every is None:
            raise Conflict(
                "no_review_interval",
                _("The rule in force on %(due)s (%(basis)s) sets no review interval: no next review can be set."),
                {"due": due.isoformat(), "basis": rule.basis_title},
            )
        certificate.next_review_due = rules.next_due_after(due, certificate.valid_until, every)
        certificate.last_reviewed_on = reviewed_on
        details["next_due"] = certificate.next_review_due.isoformat() if certificate.next_review_due else None
        audited_update(certificate, before)
    record_event(
        certificate, "review" if passed else "review_refused", actor=actor, reason=reason.strip(), details=details
    )
    status_version_bump()
    return certificate


@transaction.atomic
def renew(*, actor: User, certificate: Certificate, renewed_on: dt.date, reason: str = "") -> Certificate:
    """Renew (换证) a certificate at expiry: a new validity period under the same number."""
    require_perm(actor, Perm.CERTIFICATE_MANAGE)
    certificate = locked(certificate)
    require_issuing_authority(actor, certificate)
    current = rules.standing(
        status=certificate.status,
        valid_until=certificate.valid_until,
        next_review_due=certificate.next_review_due,
        today=renewed_on,
    )
    if current != Standing.VALID:
        raise Conflict(
            "not_renewable",
            _("Only a valid certificate is renewed; this one is %(standing)s: the holder sits the exams again."),
            {"standing": Standing(current).label},
        )
    rule = rules.rule_on(certificate.cert_type, certificate.valid_until)
    if rule.renew_window_days is not None:
        opens = certificate.valid_until - dt.timedelta(days=rule.renew_window_days)
        if renewed_on < opens:
            raise DomainError(
                "too_early",
                _("Renewal opens on %(opens)s, %(days)d days before expiry (%(basis)s)."),
                {"opens": opens.isoformat(), "days": rule.renew_window_days, "basis": rule.basis_title},
            )
    dates = rules.dates_for_renewal(certificate.cert_type, certificate.valid_until, renewed_on)
    before = snapshot(certificate)
    details: dict[str, object] = {
        "old_valid_until": certificate.valid_until.isoformat(),
        "new_valid_from": dates.valid_from.isoformat(),
        "new_valid_until": dates.valid_until.isoformat(),
        "rule": dates.rule.code,
    }
    if rule.renew_deadline_days is not None:
        deadline = certificate.valid_until - dt.timedelta(days=rule.renew_deadline_days)
        if renewed_on > deadline:  # still renewed: the law sets when to apply, not a bar; the lateness is recorded
            details |= {"late": True, "apply_by": deadline.isoformat(), "basis": rule.basis_title}
    certificate.valid_from, certificate.valid_until = dates.valid_from, dates.valid_until
    certificate.next_review_due = dates.next_review_due
    audited_update(certificate, before)
    record_event(certificate, "renew", actor=actor, reason=reason.strip(), details=details)
    status_version_bump()
    return certificate
