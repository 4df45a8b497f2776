"""Certificates: issued only from results (or imported as legacy), judged by the rules in force on the
date of each event, signed for offline verification, verified by the public, and fake-certificate leads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.certificates.choices import (
    SUSPICIOUS_OUTCOMES,
    TRANSITION_LABELS,
    CertificateSource,
    CertificateStatus,
    CertificateType,
    LeadKind,
    LeadStatus,
    LookupChannel,
    LookupOutcome,
    Standing,
)
from peikao.core.citations import cite_reference
from peikao.core.events import TransitionEvent, new_status_field, old_status_field
from peikao.core.models import DatedReference, LegalInstrument, Region
from peikao.core.privacy import id_number_in_certificate_number, mask_certificate_number
from peikao.core.scoping import ScopedQuerySet, ScopeSpec, region_q
from peikao.registry.models import Industry, OperationItem, Person
from peikao.training.choices import TraineeCategory

LIVE_STATUSES = (CertificateStatus.VALID, CertificateStatus.SUSPENDED)


class CertificateRule(DatedReference):
    """Validity, review and renewal of a certificate type under one regime (domain/exams_certificates.yaml)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    cert_type = models.CharField(_("certificate type"), max_length=24, choices=CertificateType.choices)
    validity_years = models.PositiveSmallIntegerField(_("valid for (years)"))
    review_every_years = models.PositiveSmallIntegerField(
        _("review every (years)"), null=True, blank=True, help_text=_("Empty: no review is held.")
    )
    review_may_extend_to_years = models.PositiveSmallIntegerField(
        _("review interval may extend to"), null=True, blank=True
    )
    review_window_days = models.PositiveSmallIntegerField(_("review applications open (days before due)"), default=60)
    renew_window_days = models.PositiveSmallIntegerField(
        _("renewal applications open (days before expiry)"),
        null=True,
        blank=True,
        help_text=_("Empty: a valid certificate is renewed at any time before it expires."),
    )
    renew_deadline_days = models.PositiveSmallIntegerField(
        _("renewal applied for at the latest (days before expiry)"),
        null=True,
        blank=True,
        help_text=_("A later application is still taken, and marked late."),
    )
    basis = models.CharField(_("legal basis"), max_length=120)
    instrument = models.ForeignKey(LegalInstrument, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["cert_type", "valid_from"]
        verbose_name = _("certificate rule")
        verbose_name_plural = _("certificate rules")

    def __str__(self) -> str:
        return f"{self.get_cert_type_display()}（{self.basis_title}）"

    @property
    def basis_title(self) -> str:
        """The basis as cited: 《特种作业人员安全技术培训考核管理规定》（原国家安全监管总局令第30号）…."""
        return cite_reference(self.basis) or self.basis


class CertificateQuerySet(ScopedQuerySet):
    def scope_q(self, user, scope):
        """The issuing region's regulators, and whoever may see the holder (employer, training, exams)."""
        if user.is_candidate:
            return Q(person_id=user.person_id) if user.person_id else None
        holders = Person.objects.visible_to(user).values("pk")
        q = Q(person__in=holders)
        if user.is_regulator:
            q |= region_q(("issuer_region",), user.region.prefix)
        return q


class Certificate(models.Model):
    """A certificate for one operation item (special operations) or one post (competency).

    Special-operations certificates are numbered "T" + the holder's ID number; a holder's second item is
    a second record under the same number, as the national register does (ADR 6).
    """

    cert_no = models.CharField(_("certificate number"), max_length=32, db_index=True)
    cert_type = models.CharField(_("certificate type"), max_length=24, choices=CertificateType.choices)
    person = models.ForeignKey(Person, models.PROTECT, related_name="certificates", verbose_name=_("holder"))
    operation_item = models.ForeignKey(
        OperationItem, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("operation item")
    )
    trainee_category = models.CharField(_("post"), max_length=32, blank=True)
    industry = models.ForeignKey(
        Industry, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("industry")
    )
    issuer_region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("issuing authority"))
    first_issued_on = models.DateField(_("first issued"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    next_review_due = models.DateField(_("review due"), null=True, blank=True)
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    status_reason = models.TextField(_("grounds"), blank=True)
    ban_until = models.DateField(_("barred from applying until"), null=True, blank=True)
    status_index = models.PositiveIntegerField(_("status list index"), unique=True)
    source = models.CharField(_("source"), max_length=16, choices=CertificateSource.choices)
    theory_result = models.OneToOneField(
        "exams.Result", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("theory result")
    )
    practical_result = models.OneToOneField(
        "exams.Result", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("practical result")
    )
    enrolment = models.ForeignKey(
        "training.Enrolment", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("training")
    )
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = CertificateQuerySet.as_manager()
    AUDIT_MASKED_FIELDS = {"cert_no": mask_certificate_number}  # "T" + the holder's ID number

    class Scope(ScopeSpec):
        region = ("issuer_region",)
        person = ("person",)

    class Meta:
        ordering = ["cert_no", "operation_item__code"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [
            models.Index(fields=["valid_until"], name="cert_valid_until"),
            models.Index(fields=["next_review_due"], name="cert_review_due"),
            models.Index(fields=["person", "cert_type"], name="cert_holder_type"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(cert_type=CertificateType.SPECIAL_OPERATION, operation_item__isnull=False)
                    & Q(cert_no__regex=r"^T[0-9]{17}[0-9X]$")
                )
                | Q(cert_type=CertificateType.COMPETENCY, operation_item__isnull=True),
                name="certificate_type_shape",
                violation_error_message=_(
                    "A special-operations certificate has an operation item and the number T + ID number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="certificate_valid_until_after_from"
            ),
            models.CheckConstraint(
                condition=Q(source=CertificateSource.IMPORTED)
                | Q(
                    cert_type=CertificateType.SPECIAL_OPERATION,
                    theory_result__isnull=False,
                    practical_result__isnull=False,
                )
                | (Q(cert_type=CertificateType.COMPETENCY) & Q(theory_result__isnull=False)),
                name="certificate_issued_from_results",
                violation_error_message=_("A certificate is issued only from exam results."),
            ),
            # One live certificate per number and item; revoked and cancelled records stay as history.
            models.UniqueConstraint(
                fields=["cert_no", "operation_item"],
                condition=Q(operation_item__isnull=False, status__in=LIVE_STATUSES),
                name="certificate_live_number_item",
                violation_error_message=_("This holder already has a live certificate for this item."),
            ),
            models.UniqueConstraint(
                fields=["cert_no"],
                condition=Q(operation_item__isnull=True, status__in=LIVE_STATUSES),
                name="certificate_live_number",
                violation_error_message=_("This certificate number is already in use."),
            ),
        ]

    str_related = ("operation_item",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        item = self.operation_item.name if self.operation_item_id else self.get_trainee_category_label()
        return f"{self.masked_cert_no} {item}"

    @property
    def masked_cert_no(self) -> str:
        """The number as pages show it: a special-operations number holds the ID number, masked here."""
        return mask_certificate_number(self.cert_no)

    def get_trainee_category_label(self) -> str:
        return str(TraineeCategory(self.trainee_category).label) if self.trainee_category else ""

    @property
    def subject_label(self) -> str:
        """操作项目 for special operations, the post for competency certificates."""
        if self.operation_item_id:
            return self.operation_item.name
        return self.get_trainee_category_label()

    @property
    def standing_label(self) -> str:
        """The label of the ``standing`` annotation (selectors add it, for a given day)."""
        return str(Standing(self.standing).label) if hasattr(self, "standing") else ""

    @property
    def category_label(self) -> str:
        """作业类别 for special operations, the industry for competency certificates."""
        if self.operation_item_id:
            return self.operation_item.category.name
        return self.industry.name if self.industry_id else ""


class CertificateEvent(TransitionEvent):
    """A step in a certificate's life: issued, imported, reviewed, renewed, suspended, reinstated, revoked,
    cancelled. Written by the service that made the change, in the same transaction."""

    OWNER_FIELD = "certificate"

    certificate = models.ForeignKey(
        Certificate, models.PROTECT, related_name="events", verbose_name=_("certificate"), db_index=False
    )
    old_status = old_status_field(CertificateStatus.choices)
    new_status = new_status_field(CertificateStatus.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("certificate step")
        verbose_name_plural = _("certificate steps")
        indexes = [
            models.Index(fields=["certificate", "time"], name="certificate_events_by_time"),
            # Compliance on a past day reads the changes recorded since (peikao.compliance.gaps.status_then).
            models.Index(fields=["time"], name="certificate_event_time"),
        ]

    @property
    def label(self) -> str:
        return str(TRANSITION_LABELS.get(self.transition, self.transition))


class Counter(models.Model):
    """A named, gap-tolerant counter (competency certificate numbers, status-list slots)."""

    name = models.CharField(max_length=64, unique=True)
    value = models.BigIntegerField(default=0)
    secret = models.CharField(max_length=64, blank=True, help_text=_("Key of the slot permutation."))

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class StatusListVersion(models.Model):
    """Bumped in the transaction of every suspension, reinstatement, revocation or cancellation, so that
    each server process knows when its cached status list is stale."""

    name = models.CharField(max_length=32, unique=True, default="certificates")
    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Lookup(models.Model):
    """One public verification: what was asked, from where, and the answer. Written in batches."""

    time = models.DateTimeField(db_index=True)
    channel = models.CharField(max_length=8, choices=LookupChannel.choices)
    cert_no = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=50, blank=True)
    client = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=20, choices=LookupOutcome.choices)
    certificate_id = models.BigIntegerField(null=True, blank=True)
    kid = models.CharField(max_length=64, blank=True)
    claimed_issuer = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # A lead's page lists the suspicious lookups of its number: a small partial index, so that the
            # public path (mostly valid lookups) pays nothing for it.
            models.Index(
                fields=["cert_no", "-time"],
                condition=Q(outcome__in=SUSPICIOUS_OUTCOMES),
                name="lookup_suspicious_number",
            ),
        ]
        verbose_name = _("verification lookup")
        verbose_name_plural = _("verification lookups")

    def __str__(self) -> str:
        when = timezone.localtime(self.time)
        return f"{when:%Y-%m-%d %H:%M:%S} {self.get_channel_display()} {self.get_outcome_display()}"


class Lead(models.Model):
    """A possible fake certificate: a failed lookup, a forged QR, a revoked certificate still shown, or a
    report from the public. Repeats of the same thing from the same source add up on one open lead."""

    kind = models.CharField(_("kind"), max_length=24, choices=LeadKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW)
    cert_no = models.CharField(_("claimed certificate number"), max_length=64, blank=True)
    name = models.CharField(_("claimed holder"), max_length=50, blank=True)
    claimed_issuer = models.CharField(_("claimed issuer"), max_length=64, blank=True)
    number_pattern = models.CharField(_("number pattern"), max_length=32, blank=True, db_index=True)
    source = models.CharField(_("source"), max_length=120, db_index=True)
    region = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    certificate = models.ForeignKey(
        Certificate, models.PROTECT, null=True, blank=True, related_name="leads", verbose_name=_("certificate")
    )
    description = models.TextField(_("what was reported"), blank=True)
    reporter_contact = models.CharField(_("reporter's contact"), max_length=100, blank=True)
    occurrences = models.PositiveIntegerField(_("occurrences"), default=1)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    case_reference = models.CharField(_("police case reference"), max_length=64, blank=True)
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    note = models.TextField(_("review note"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    AUDIT_MASKED_FIELDS = {"cert_no": mask_certificate_number}  # a claimed T-number carries an ID number

    class Scope(ScopeSpec):
        region = ("region",)

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("fake-certificate lead")
        verbose_name_plural = _("fake-certificate leads")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "cert_no", "source"],
                condition=Q(status__in=[LeadStatus.NEW, LeadStatus.REVIEWING]) & ~Q(kind=LeadKind.PUBLIC_REPORT),
                name="lead_open_once",
            ),
            models.CheckConstraint(
                condition=~Q(status=LeadStatus.HANDED_OVER) | ~Q(case_reference=""),
                name="lead_handed_over_has_case",
                violation_error_message=_("A lead handed over to the police needs the case reference."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.masked_cert_no}"

    @property
    def claimed_id_number(self) -> str:
        """The ID number inside the claimed number, or "" (none, or already masked as in a QR payload)."""
        return id_number_in_certificate_number(self.cert_no)

    @property
    def masked_cert_no(self) -> str:
        """The claimed number as lists show it: an ID number in it masked (the full one is shown on request,
        and logged)."""
        return mask_certificate_number(self.cert_no)


class LeadEvent(TransitionEvent):
    """A step in the review of a lead: reviewed, handed over to the police, closed."""

    OWNER_FIELD = "lead"

    lead = models.ForeignKey(
        Lead, models.PROTECT, related_name="events", verbose_name=_("fake-certificate lead"), db_index=False
    )
    old_status = old_status_field(LeadStatus.choices)
    new_status = new_status_field(LeadStatus.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("lead status change")
        verbose_name_plural = _("lead status changes")
        indexes = [models.Index(fields=["lead", "time"], name="lead_events_by_time")]
