from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CertificateType(models.TextChoices):
    SPECIAL_OPERATION = "special_operation", _("Special operations certificate")
    COMPETENCY = "competency", _("Safety knowledge and management competency certificate")


class CertificateStatus(models.TextChoices):
    """The administrative status that a decision sets. Expiry and a missed review are read from dates."""

    VALID = "valid", pgettext_lazy("certificate", "Valid")
    SUSPENDED = "suspended", pgettext_lazy("certificate", "Suspended")
    REVOKED = "revoked", pgettext_lazy("certificate", "Revoked")
    CANCELLED = "cancelled", pgettext_lazy("certificate", "Cancelled")


CERTIFICATE_TRANSITIONS: dict[tuple[str, str], str] = {
    (CertificateStatus.VALID, CertificateStatus.SUSPENDED): "suspend",
    (CertificateStatus.SUSPENDED, CertificateStatus.VALID): "reinstate",
    (CertificateStatus.VALID, CertificateStatus.REVOKED): "revoke",
    (CertificateStatus.SUSPENDED, CertificateStatus.REVOKED): "revoke",
    (CertificateStatus.VALID, CertificateStatus.CANCELLED): "cancel",
    (CertificateStatus.SUSPENDED, CertificateStatus.CANCELLED): "cancel",
    (CertificateStatus.REVOKED, CertificateStatus.CANCELLED): "cancel",
}


class Standing(models.TextChoices):
    """What a certificate is worth on a given day: the status, then the dates under the rules in force."""

    VALID = "valid", pgettext_lazy("certificate", "Valid")
    EXPIRED = "expired", pgettext_lazy("certificate", "Expired")
    REVIEW_OVERDUE = "review_overdue", pgettext_lazy("certificate", "Review overdue")
    SUSPENDED = "suspended", pgettext_lazy("certificate", "Suspended")
    REVOKED = "revoked", pgettext_lazy("certificate", "Revoked")
    CANCELLED = "cancelled", pgettext_lazy("certificate", "Cancelled")


class CertificateSource(models.TextChoices):
    ISSUED = "issued", _("Issued from results")
    IMPORTED = "imported", _("Imported legacy certificate")


class RevokeGround(models.TextChoices):
    """撤销 grounds, order No. 30 art. 30 (domain/exams_certificates.yaml)."""

    EXPIRED_WITHOUT_RENEWAL = "expired_without_renewal", _("Expired without renewal")
    NO_LONGER_FIT = "no_longer_fit", _("No longer fit for the operation")
    RESPONSIBLE_FOR_ACCIDENT = "responsible_for_accident", _("Responsible for an accident")
    FALSE_INFORMATION = "false_information", _("Obtained with false information")
    FRAUD_OR_BRIBERY = "fraud_or_bribery", _("Obtained by fraud or bribery")


# Grounds that bar the holder from applying again for three years.
BANNED_GROUNDS = {RevokeGround.FALSE_INFORMATION: 3, RevokeGround.FRAUD_OR_BRIBERY: 3}


class CancelGround(models.TextChoices):
    """注销 grounds."""

    HOLDER_DIED = "holder_died", _("The holder died")
    HOLDER_REQUEST = "holder_request", _("At the holder's request")
    REVOKED = "revoked", _("After revocation")


class SuspendGround(models.TextChoices):
    INVESTIGATION = "investigation", _("Under investigation")
    VIOLATION = "violation", _("Violation of operating rules")
    ENFORCEMENT_DECISION = "enforcement_decision", _("Enforcement decision")
    OTHER = "other", _("Other")


class LookupChannel(models.TextChoices):
    PAGE = "page", _("Public page")
    API = "api", _("Public API")
    QR = "qr", _("QR code")


class LookupOutcome(models.TextChoices):
    VALID = "valid", pgettext_lazy("certificate", "Valid")
    EXPIRED = "expired", pgettext_lazy("certificate", "Expired")
    REVIEW_OVERDUE = "review_overdue", pgettext_lazy("certificate", "Review overdue")
    SUSPENDED = "suspended", pgettext_lazy("certificate", "Suspended")
    REVOKED = "revoked", pgettext_lazy("certificate", "Revoked")
    CANCELLED = "cancelled", pgettext_lazy("certificate", "Cancelled")
    NOT_FOUND = "not_found", pgettext_lazy("certificate", "Not found")
    SIGNATURE_INVALID = "signature_invalid", pgettext_lazy("certificate", "Signature invalid")
    RATE_LIMITED = "rate_limited", pgettext_lazy("certificate", "Too many lookups")


class LeadKind(models.TextChoices):
    FAILED_LOOKUP = "failed_lookup", _("Lookup of a certificate that does not exist")
    INVALID_SIGNATURE = "invalid_signature", _("QR code with an invalid signature")
    REVOKED_PRESENTED = "revoked_presented", _("Revoked or cancelled certificate still presented")
    SUSPENDED_PRESENTED = "suspended_presented", _("Suspended certificate presented")
    PUBLIC_REPORT = "public_report", _("Report from the public")


# The answers that make a lookup suspicious, and the kind of fake-certificate lead each becomes.
OUTCOME_LEADS = {
    LookupOutcome.NOT_FOUND: LeadKind.FAILED_LOOKUP,
    LookupOutcome.SIGNATURE_INVALID: LeadKind.INVALID_SIGNATURE,
    LookupOutcome.REVOKED: LeadKind.REVOKED_PRESENTED,
    LookupOutcome.CANCELLED: LeadKind.REVOKED_PRESENTED,
    LookupOutcome.SUSPENDED: LeadKind.SUSPENDED_PRESENTED,
}
SUSPICIOUS_OUTCOMES = tuple(OUTCOME_LEADS)


class LeadStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("lead", "New")
    REVIEWING = "reviewing", pgettext_lazy("lead", "Reviewing")
    HANDED_OVER = "handed_over", pgettext_lazy("lead", "Handed over to the police")
    CLOSED = "closed", pgettext_lazy("lead", "Closed")


LEAD_TRANSITIONS: dict[tuple[str, str], str] = {
    (LeadStatus.NEW, LeadStatus.REVIEWING): "review",
    (LeadStatus.REVIEWING, LeadStatus.HANDED_OVER): "hand_over",
    (LeadStatus.NEW, LeadStatus.HANDED_OVER): "hand_over",
    (LeadStatus.NEW, LeadStatus.CLOSED): "close",
    (LeadStatus.REVIEWING, LeadStatus.CLOSED): "close",
    (LeadStatus.HANDED_OVER, LeadStatus.CLOSED): "close",
}


class LeadGrouping(models.TextChoices):
    PATTERN = "pattern", _("Number pattern")
    ISSUER = "issuer", _("Claimed issuer")
    SOURCE = "source", _("Source")


TRANSITION_LABELS = {
    "issue": _("Issued"),
    "import": _("Imported"),
    "review": _("Reviewed"),
    "review_refused": _("Review refused"),
    "renew": _("Renewed"),
    "suspend": pgettext_lazy("certificate", "Suspended"),
    "reinstate": _("Reinstated"),
    "revoke": pgettext_lazy("certificate", "Revoked"),
    "cancel": pgettext_lazy("certificate", "Cancelled"),
}
