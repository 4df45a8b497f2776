"""Enforcement: the violation catalogue (versioned, with legal fine ranges), annual plans with random draws,
inspections with checklists, findings, evidence and spot exams, lawful decisions, and the rectification loop
that nothing leaves without verification."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.citations import cite_reference, reference_parts
from peikao.core.events import TransitionEvent, new_status_field, old_status_field
from peikao.core.models import DatedReference, LegalInstrument, Region
from peikao.core.scoping import ScopedQuerySet, ScopeSpec
from peikao.enforcement.choices import (
    RECTIFICATION_STEP_LABELS,
    CampaignList,
    CheckOutcome,
    FindingSource,
    InspectionKind,
    InspectionStatus,
    Measure,
    PlanStatus,
    RectificationStatus,
    SpotExamStatus,
    SubjectType,
)
from peikao.lib.legal_citations import cite_instrument, instrument_codes
from peikao.registry.models import OperationItem, Organization, Person

# The legal instrument of the 2021 campaign (domain/regimes.yaml), whose lists items are traced to.
CAMPAIGN_INSTRUMENT = "campaign_2021_274"


class ViolationItem(DatedReference):
    """An item of the violation catalogue (domain/violations.yaml, extended by administrators).

    Editing an item that findings already use creates a new version; the old one is retired, so a finding
    keeps the text, basis and fine range it was judged by."""

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    subject_type = models.CharField(_("subject"), max_length=24, choices=SubjectType.choices)
    check_text = models.TextField(_("what is checked"))
    basis = models.CharField(_("legal basis"), max_length=200)
    instrument = models.ForeignKey(LegalInstrument, models.PROTECT, null=True, blank=True, related_name="+")
    surface = models.BooleanField(
        _("surface item"), default=False, help_text=_("Alone, such findings show soft enforcement.")
    )
    order_to_correct = models.BooleanField(_("order to correct"), default=False)
    warning = models.BooleanField(_("warning"), default=False)
    fine_min = models.PositiveIntegerField(_("fine from (yuan)"), null=True, blank=True)
    fine_max = models.PositiveIntegerField(_("fine up to (yuan)"), null=True, blank=True)
    overdue_fine_min = models.PositiveIntegerField(_("fine from, if not corrected in time"), null=True, blank=True)
    overdue_fine_max = models.PositiveIntegerField(_("fine up to, if not corrected in time"), null=True, blank=True)
    overdue_suspend = models.BooleanField(_("suspension if not corrected in time"), default=False)
    responsible_fine_min = models.PositiveIntegerField(
        _("fine of the person directly responsible from, if not corrected in time"), null=True, blank=True
    )
    responsible_fine_max = models.PositiveIntegerField(
        _("fine of the person directly responsible up to, if not corrected in time"), null=True, blank=True
    )
    same_act_as = models.CharField(
        _("same act as"),
        max_length=40,
        blank=True,
        help_text=_(
            "The code of an item that describes the same act under another rule: one act is fined once, under the "
            "rule with the higher fine."
        ),
    )
    revoke_certificate = models.BooleanField(_("certificate revoked"), default=False)
    ban_years = models.PositiveSmallIntegerField(_("ban (years)"), null=True, blank=True)
    campaign_list = models.CharField(
        _("campaign list"),
        max_length=16,
        choices=CampaignList.choices,
        blank=True,
        help_text=_(
            "The list of the 2021 campaign the item is traced to (应急厅函〔2021〕274号, or the county plans)."
        ),
    )
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("The rule an item not on the campaign's lists comes from.")
    )
    retired = models.BooleanField(_("retired"), default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["subject_type", "code", "-version"]
        verbose_name = _("violation item")
        verbose_name_plural = _("violation catalogue")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="violation_code_version"),
            models.UniqueConstraint(fields=["code"], condition=Q(retired=False), name="violation_one_current_version"),
            models.CheckConstraint(
                condition=Q(fine_min__isnull=True) | Q(fine_max__isnull=True) | Q(fine_min__lte=models.F("fine_max")),
                name="violation_fine_range",
            ),
            models.CheckConstraint(
                condition=Q(overdue_fine_min__isnull=True)
                | Q(overdue_fine_max__isnull=True)
                | Q(overdue_fine_min__lte=models.F("overdue_fine_max")),
                name="violation_overdue_fine_range",
            ),
            models.CheckConstraint(
                condition=Q(responsible_fine_min__isnull=True)
                | Q(responsible_fine_max__isnull=True)
                | Q(responsible_fine_min__lte=models.F("responsible_fine_max")),
                name="violation_responsible_fine_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.check_text[:40]}"

    @property
    def basis_title(self) -> str:
        """The legal basis as cited: 《中华人民共和国安全生产法》第九十七条第三项, never the data's keys."""
        titles = {self.instrument.code: self.instrument.title} if self.instrument_id else {}
        missing = set().union(set(), *(instrument_codes(part) for part in reference_parts(self.basis))) - set(titles)
        if missing:
            titles |= dict(LegalInstrument.objects.filter(code__in=missing).values_list("code", "title"))
        return cite_reference(self.basis, titles) or self.basis

    @property
    def source_text(self) -> str:
        """Where the item comes from, as cited: the campaign's list it is traced to, or the rule it comes from."""
        if self.campaign_list:
            notice = LegalInstrument.objects.filter(code=CAMPAIGN_INSTRUMENT).values_list("title", flat=True).first()
            cited = cite_instrument(notice) if notice else "应急厅函〔2021〕274号"
            if self.campaign_list == CampaignList.COUNTY_PLANS:
                return str(_("The county plans of %(notice)s")) % {"notice": cited}
            return str(_("The list of %(notice)s")) % {"notice": cited}
        if not self.source:
            return ""
        if self.source == self.basis:
            return self.basis_title
        titles = dict(
            LegalInstrument.objects.filter(code__in=instrument_codes(self.source)).values_list("code", "title")
        )
        return cite_reference(self.source, titles) or self.source

    @property
    def fine_range_text(self) -> str:
        if self.fine_max is None:
            return "—"
        return f"{self.fine_min or 0:,}–{self.fine_max:,}"


class InspectionPlan(models.Model):
    """An annual inspection plan of a region: subjects and inspectors drawn at random (双随机), reproducibly."""

    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    subject_kinds = models.JSONField(_("kinds of subject"), default=list)
    subjects_wanted = models.PositiveIntegerField(_("subjects to draw"))
    inspectors_per_subject = models.PositiveSmallIntegerField(_("inspectors per subject"), default=2)
    seed = models.BigIntegerField(_("random seed"), null=True, blank=True)
    draw_input = models.JSONField(
        _("input of the draw"), default=dict, blank=True, help_text=_("Candidates with their weights, and inspectors.")
    )
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    drawn_at = models.DateTimeField(_("drawn"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("region",)

    class Meta:
        ordering = ["-year", "region", "name"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        constraints = [
            models.CheckConstraint(condition=Q(inspectors_per_subject__gte=2), name="plan_two_inspectors"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class PlanSubject(models.Model):
    """A subject drawn into a plan, with the weight it was drawn with and its rank in the draw."""

    plan = models.ForeignKey(InspectionPlan, models.CASCADE, related_name="subjects")
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+", verbose_name=_("subject"))
    weight = models.DecimalField(_("risk weight"), max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank in the draw"))
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("inspectors"))

    class Meta:
        ordering = ["plan", "rank"]
        constraints = [models.UniqueConstraint(fields=["plan", "organization"], name="plan_subject_once")]

    def __str__(self) -> str:
        return f"{self.plan_id}#{self.rank} {self.organization_id}"


class InspectionQuerySet(ScopedQuerySet):
    pass


class Inspection(models.Model):
    """An inspection of one subject by at least two inspectors: checklist, findings, evidence, spot exams."""

    code = models.CharField(_("inspection code"), max_length=40, unique=True)
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="inspections", verbose_name=_("inspected organisation")
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("inspecting authority"))
    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    inspected_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=16, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    plan_subject = models.ForeignKey(PlanSubject, models.SET_NULL, null=True, blank=True, related_name="inspections")
    lookback_of = models.ForeignKey(
        "Rectification",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="lookbacks",
        verbose_name=_("look-back of"),
    )
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = InspectionQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("organization__region",)
        organization = ("organization",)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["inspected_on"], name="inspection_date")]

    def __str__(self) -> str:
        return self.code


class InspectionEvent(TransitionEvent):
    """A status change of an inspection (started, completed, …)."""

    OWNER_FIELD = "inspection"

    inspection = models.ForeignKey(
        Inspection, models.PROTECT, related_name="events", verbose_name=_("inspection"), db_index=False
    )
    old_status = old_status_field(InspectionStatus.choices)
    new_status = new_status_field(InspectionStatus.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("inspection status change")
        verbose_name_plural = _("inspection status changes")
        indexes = [models.Index(fields=["inspection", "time"], name="inspection_events_by_time")]


class Inspector(models.Model):
    """An officer on an inspection: a user of the platform, or a person named in imported records."""

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="inspectors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(person__isnull=False), name="inspector_is_someone"
            ),
            models.UniqueConstraint(fields=["inspection", "user"], name="inspector_user_once"),
            models.UniqueConstraint(fields=["inspection", "person"], name="inspector_person_once"),
        ]

    def __str__(self) -> str:
        return self.name


class CheckResult(models.Model):
    """One checklist item at one inspection."""

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="checks")
    item = models.ForeignKey(ViolationItem, models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=CheckOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["inspection", "item__code"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="check_once_per_item")]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.item_id} {self.outcome}"


class Finding(models.Model):
    """A problem found: linked to a catalogue item, or "other" with a description."""

    code = models.CharField(_("finding code"), max_length=48, unique=True)
    inspection = models.ForeignKey(Inspection, models.PROTECT, related_name="findings")
    violation = models.ForeignKey(
        ViolationItem, models.PROTECT, null=True, blank=True, related_name="findings", verbose_name=_("violation")
    )
    description = models.TextField(_("description"))
    surface = models.BooleanField(_("surface item"), default=False)
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person concerned")
    )
    source = models.CharField(_("source"), max_length=16, choices=FindingSource.choices, default=FindingSource.MANUAL)
    evidence_sha256 = models.JSONField(
        _("digests of evidence kept elsewhere"), default=list, blank=True, help_text=_("From imported records.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("inspection__organization__region",)
        organization = ("inspection__organization",)

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.CheckConstraint(
                condition=Q(violation__isnull=False) | ~Q(description=""),
                name="finding_item_or_other_text",
                violation_error_message=_("A finding names a catalogue item, or describes an 'other' problem."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.violation.code if self.violation_id else 'other'}"


def evidence_path(instance: Evidence, filename: str) -> str:
    """Content-addressed: a file is stored under its SHA-256 and never overwritten by another."""
    suffix = "".join(c for c in (filename.rsplit(".", 1)[-1] if "." in filename else "bin") if c.isalnum())[:8]
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}.{suffix.lower() or 'bin'}"


class Evidence(models.Model):
    """A photo, video or document kept as evidence, with its SHA-256, and where and when it was captured."""

    inspection = models.ForeignKey(Inspection, models.PROTECT, related_name="evidence")
    finding = models.ForeignKey(Finding, models.PROTECT, null=True, blank=True, related_name="evidence")
    rectification = models.ForeignKey("Rectification", models.PROTECT, null=True, blank=True, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    captured_at = models.DateTimeField(_("captured"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["inspection", "uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="evidence_sha256_shape"),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__gte=-90, latitude__lte=90) & Q(longitude__gte=-180, longitude__lte=180)),
                name="evidence_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} {self.sha256[:12]}"


class Decision(models.Model):
    """A measure taken on findings: order to rectify, warning, fine (within the legal range), suspension, …"""

    code = models.CharField(_("decision code"), max_length=48, unique=True)
    inspection = models.ForeignKey(Inspection, models.PROTECT, related_name="decisions")
    findings = models.ManyToManyField(Finding, related_name="decisions", verbose_name=_("findings"))
    measure = models.CharField(_("measure"), max_length=24, choices=Measure.choices)
    fine_yuan = models.DecimalField(_("fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    overdue_range = models.BooleanField(_("fined in the range for uncorrected violations"), default=False)
    fine_low = models.DecimalField(_("lawful fine from (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    fine_high = models.DecimalField(
        _("lawful fine up to (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    responsible_person = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person directly responsible"),
        help_text=_("Fined beside the unit, where a violation was not corrected in time."),
    )
    responsible_fine_yuan = models.DecimalField(
        _("fine of the person directly responsible (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    responsible_fine_low = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    responsible_fine_high = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    basis = models.TextField(_("legal basis"), blank=True)
    decided_on = models.DateField(_("decided on"))
    due_on = models.DateField(_("rectify by"), null=True, blank=True)
    certificate = models.ForeignKey(
        "certificates.Certificate",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("certificate"),
    )
    publicized = models.BooleanField(_("published"), default=False)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("inspection__organization__region",)
        organization = ("inspection__organization",)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(measure=Measure.FINE) & Q(fine_yuan__gt=0))
                | (~Q(measure=Measure.FINE) & Q(fine_yuan__isnull=True)),
                name="decision_fine_amount",
                violation_error_message=_("A fine has an amount; other measures have none."),
            ),
            models.CheckConstraint(
                condition=~Q(measure=Measure.RECTIFY_ORDER) | Q(due_on__isnull=False),
                name="decision_rectify_has_deadline",
                violation_error_message=_("An order to rectify has a deadline."),
            ),
            models.CheckConstraint(
                condition=(Q(responsible_person__isnull=True) & Q(responsible_fine_yuan__isnull=True))
                | (Q(measure=Measure.FINE) & Q(responsible_person__isnull=False) & Q(responsible_fine_yuan__gt=0)),
                name="decision_responsible_person_fine",
                violation_error_message=_("A responsible person is fined beside the unit's fine, with an amount."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.get_measure_display()}"

    @property
    def fine_range_text(self) -> str:
        """The lawful range the fine was set in, as shown beside it: 100,000–200,000."""
        return "—" if self.fine_high is None else f"{self.fine_low or 0:,.0f}–{self.fine_high:,.0f}"

    @property
    def responsible_fine_range_text(self) -> str:
        low, high = self.responsible_fine_low, self.responsible_fine_high
        return "—" if high is None else f"{low or 0:,.0f}–{high:,.0f}"

    @property
    def basis_cited(self) -> str:
        """The legal basis as cited (《中华人民共和国安全生产法》第九十七条第四项): a decision written by the service
        stores it so; one imported or written before may hold the data's keys (``work_safety_law_2021 art. 97 (4)``)."""
        return cite_reference(self.basis) or self.basis


class Rectification(models.Model):
    """The follow-up of an order to rectify: evidence from the subject, verification by an inspector."""

    decision = models.OneToOneField(Decision, models.PROTECT, related_name="rectification")
    due_on = models.DateField(_("rectify by"))
    status = models.CharField(
        _("status"), max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    submitted_at = models.DateTimeField(_("evidence submitted"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("decision__inspection__organization__region",)
        organization = ("decision__inspection__organization",)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=RectificationStatus.CLOSED) | Q(closed_on__isnull=False),
                name="rectification_closed_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.status}"

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status != RectificationStatus.CLOSED and self.due_on < today


class RectificationEvent(TransitionEvent):
    """A step of a rectification: submitted, returned, escalated, closed."""

    OWNER_FIELD = "rectification"

    rectification = models.ForeignKey(
        Rectification, models.PROTECT, related_name="events", verbose_name=_("rectification"), db_index=False
    )
    old_status = old_status_field(RectificationStatus.choices)
    new_status = new_status_field(RectificationStatus.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("rectification status change")
        verbose_name_plural = _("rectification status changes")
        indexes = [models.Index(fields=["rectification", "time"], name="rectification_events_by_time")]

    @property
    def label(self) -> str:
        """The step by its name (the transition's key is for machines)."""
        return str(RECTIFICATION_STEP_LABELS.get(self.transition, self.get_new_status_display()))


class SpotExam(models.Model):
    """逢查必考: a short paper for one worker drawn at an inspection, answered through a one-time link."""

    inspection = models.ForeignKey(Inspection, models.PROTECT, related_name="spot_exams")
    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("worker"))
    role = models.CharField(_("post"), max_length=32)
    operation_item = models.ForeignKey(OperationItem, models.PROTECT, null=True, blank=True, related_name="+")
    trainee_category = models.CharField(max_length=32, blank=True)
    items = models.JSONField(
        default=list, blank=True, help_text=_('[{"q": question id, "o": option order, "p": points}, …]')
    )
    pass_score = models.PositiveSmallIntegerField(_("pass mark"), default=80)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    status = models.CharField(_("status"), max_length=16, choices=SpotExamStatus.choices, default=SpotExamStatus.DRAWN)
    answers = models.JSONField(default=dict, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finding = models.OneToOneField(Finding, models.PROTECT, null=True, blank=True, related_name="spot_exam")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("inspection__organization__region",)
        person = ("person",)

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "person"], name="spot_exam_once_per_worker"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="spot_exam_score_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.person_id}"
