"""Training: hour rules, classes and their filing, lessons, enrolments, attendance evidence, credited
hours (computed, never typed in) and sealed archives."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.citations import cite_reference
from peikao.core.events import TransitionEvent, new_status_field, old_status_field
from peikao.core.models import DatedReference, LegalInstrument
from peikao.core.scoping import ScopedQuerySet, ScopeSpec
from peikao.registry.models import Industry, OperationItem, Organization, Person
from peikao.training.choices import (
    AttendanceKind,
    AttendanceSource,
    ClassStatus,
    DeviceKind,
    LessonMode,
    TraineeCategory,
    TrainingType,
)


class HourRule(DatedReference):
    """A minimum number of training hours (domain/training_hours.yaml) with its legal basis."""

    class IndustryClass(models.TextChoices):
        ANY = "", _("Any industry")
        HIGH_RISK = "high_risk", _("High-risk industries")
        GENERAL = "general", _("Other industries")

    key = models.CharField(max_length=120, unique=True)
    trainee_category = models.CharField(_("trainee category"), max_length=32, choices=TraineeCategory.choices)
    industry_class = models.CharField(_("industry class"), max_length=16, choices=IndustryClass.choices, blank=True)
    industry = models.ForeignKey(Industry, models.PROTECT, null=True, blank=True, verbose_name=_("industry"))
    training_type = models.CharField(_("training type"), max_length=16, choices=TrainingType.choices)
    hours = models.DecimalField(_("minimum hours"), max_digits=5, decimal_places=1)
    per_year = models.BooleanField(_("per year"), default=False)
    basis = models.CharField(_("legal basis"), max_length=120)
    instrument = models.ForeignKey(LegalInstrument, models.PROTECT, null=True, blank=True, related_name="+")
    advisory = models.BooleanField(_("advisory (policy)"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["trainee_category", "training_type", "industry_class"]
        verbose_name = _("hour rule")
        verbose_name_plural = _("hour rules")

    def __str__(self) -> str:
        kind = f"{self.get_trainee_category_display()} {self.get_training_type_display()}"
        return f"{kind} ≥ {self.hours}（{self.basis_title}）"

    @property
    def basis_title(self) -> str:
        """The basis as cited: 《生产经营单位安全培训规定》（原国家安全监管总局令第3号）第九条."""
        return cite_reference(self.basis) or self.basis


class HourUnit(DatedReference):
    """How many minutes make one credited hour (学时), offline and online (AQ 8011-2023 4.4)."""

    key = models.CharField(max_length=60, unique=True)
    offline_minutes = models.PositiveSmallIntegerField(_("minutes per offline hour"))
    online_minutes = models.PositiveSmallIntegerField(_("minutes per online hour"))
    basis = models.CharField(_("legal basis"), max_length=120)
    instrument = models.ForeignKey(LegalInstrument, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("hour unit")
        verbose_name_plural = _("hour units")

    def __str__(self) -> str:
        return f"{self.offline_minutes}/{self.online_minutes} min（{self.basis_title}）"

    @property
    def basis_title(self) -> str:
        return cite_reference(self.basis) or self.basis


class TrainingClassQuerySet(ScopedQuerySet):
    pass


class TrainingClass(models.Model):
    """A training class (培训班) of a training institution, or of an enterprise for its own staff."""

    class_code = models.CharField(_("class code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="training_classes", verbose_name=_("training organisation")
    )
    trainee_category = models.CharField(_("trainees"), max_length=32, choices=TraineeCategory.choices)
    training_type = models.CharField(_("training type"), max_length=16, choices=TrainingType.choices)
    operation_item = models.ForeignKey(
        OperationItem, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("operation item")
    )
    industry = models.ForeignKey(Industry, models.PROTECT, null=True, blank=True, verbose_name=_("industry"))
    syllabus_hours = models.DecimalField(_("syllabus hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(_("status"), max_length=16, choices=ClassStatus.choices, default=ClassStatus.DRAFT)
    # The rules applied to this class, fixed when it is created or changed (rules in force on start_date):
    required_tenths = models.PositiveIntegerField(_("required hours × 10"))
    required_basis = models.CharField(_("basis of the requirement"), max_length=200)
    hour_rule = models.ForeignKey(HourRule, models.PROTECT, null=True, blank=True, related_name="+")
    offline_hour_minutes = models.PositiveSmallIntegerField(default=45)
    online_hour_minutes = models.PositiveSmallIntegerField(default=30)
    filed_at = models.DateTimeField(_("filed"), null=True, blank=True)
    # Bookkeeping, not data: set when lessons or attendance change, cleared when hours are recomputed.
    hours_stale = models.BooleanField(default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    AUDIT_EXCLUDED_FIELDS = ("hours_stale",)

    objects = TrainingClassQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("organization__region",)
        organization = ("organization",)
        person = ("enrolments__person",)
        distinct = True

    class Meta:
        ordering = ["-start_date", "class_code"]
        verbose_name = _("training class")
        verbose_name_plural = _("training classes")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="class_end_after_start",
                violation_error_message=_("The end date is before the start date."),
            ),
            models.CheckConstraint(
                condition=~Q(trainee_category=TraineeCategory.SPECIAL_OPERATOR) | Q(operation_item__isnull=False),
                name="class_special_operator_has_item",
                violation_error_message=_("A class for special-operations workers needs an operation item."),
            ),
            models.CheckConstraint(condition=Q(status__in=ClassStatus.values), name="class_status_valid"),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="class_org_status_idx")]

    def __str__(self) -> str:
        return self.name or self.class_code

    @property
    def required_hours(self) -> Decimal:
        return Decimal(self.required_tenths).scaleb(-1)

    @property
    def requirement_unconfirmed(self) -> bool:
        """Whether the minimum of the class rests on a rule or an industry class not checked against the primary
        text (shown 待确认 beside its basis)."""
        from peikao.training.rules import rests_on_unconfirmed  # rules read the models

        return rests_on_unconfirmed(self.hour_rule, self.industry)

    @property
    def is_sealed(self) -> bool:
        return self.status == ClassStatus.CLOSED


class ClassEvent(TransitionEvent):
    """A status transition of a class (filed, accepted, returned, closed, cancelled) with its reason."""

    OWNER_FIELD = "training_class"

    training_class = models.ForeignKey(
        TrainingClass, models.PROTECT, related_name="events", verbose_name=_("training class"), db_index=False
    )
    old_status = old_status_field(ClassStatus.choices)
    new_status = new_status_field(ClassStatus.choices)

    class Scope(ScopeSpec):
        """Narrower than the class's: its trainees see the class, not the filing between institution and regulator."""

        region = ("training_class__organization__region",)
        organization = ("training_class__organization",)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("class status change")
        verbose_name_plural = _("class status changes")
        indexes = [models.Index(fields=["training_class", "time"], name="class_events_by_time")]


class Lesson(models.Model):
    """One session of a class: when, where, who teaches, and how (theory, practical, online)."""

    lesson_code = models.CharField(_("lesson code"), max_length=60, unique=True)
    training_class = models.ForeignKey(TrainingClass, models.PROTECT, related_name="lessons", verbose_name=_("class"))
    mode = models.CharField(_("mode"), max_length=16, choices=LessonMode.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    teacher = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="lessons_taught", verbose_name=_("teacher")
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("training_class__organization__region",)
        organization = ("training_class__organization",)
        person = ("training_class__enrolments__person",)
        distinct = True

    class Meta:
        ordering = ["starts_at", "lesson_code"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="lesson_ends_after_start",
                violation_error_message=_("A lesson ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lesson_code} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Enrolment(models.Model):
    """A trainee in a class."""

    training_class = models.ForeignKey(
        TrainingClass, models.PROTECT, related_name="enrolments", verbose_name=_("class")
    )
    person = models.ForeignKey(Person, models.PROTECT, related_name="enrolments", verbose_name=_("trainee"))
    enrolled_at = models.DateTimeField(_("enrolled"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("training_class__organization__region",)
        organization = ("training_class__organization",)
        person = ("person",)

    class Meta:
        ordering = ["training_class", "person__name"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "person"],
                name="enrolment_once_per_class",
                violation_error_message=_("This person is already enrolled in this class."),
            )
        ]

    str_related = ("person", "training_class")  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.person.name} @ {self.training_class}"


class AttendanceDevice(models.Model):
    """A face or card terminal, or an online learning platform, that pushes attendance for one organisation.

    It authenticates with its own key (only a SHA-256 of it is stored)."""

    AUDIT_EXCLUDED_FIELDS = ("key_hash",)

    device_code = models.CharField(_("device code"), max_length=64, unique=True)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="attendance_devices")
    kind = models.CharField(_("kind"), max_length=16, choices=DeviceKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("organization__region",)
        organization = ("organization",)

    class Meta:
        ordering = ["device_code"]
        verbose_name = _("attendance device")
        verbose_name_plural = _("attendance devices")

    def __str__(self) -> str:
        return self.name or self.device_code


class AttendanceBatch(models.Model):
    """One batch pushed by a device, kept so that re-sending it changes nothing and gets the same answer."""

    device = models.ForeignKey(AttendanceDevice, models.PROTECT, related_name="batches")
    batch_id = models.CharField(_("batch id"), max_length=100)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    request_id = models.CharField(max_length=64, blank=True)
    accepted = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("device__organization__region",)
        organization = ("device__organization",)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("attendance batch")
        verbose_name_plural = _("attendance batches")
        constraints = [models.UniqueConstraint(fields=["device", "batch_id"], name="attendance_batch_once")]

    str_related = ("device",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.device} {self.batch_id}"


class AttendanceEvent(models.Model):
    """One piece of attendance evidence: a person going in or out of a lesson at a time, from a source.

    Append-only evidence: each row carries its provenance (device batch or import, time received), so it
    is not written to the change log row by row (ADR 5). Corrections after sealing are amendments."""

    # Ten million rows a province-year: no index beyond what reads need (the unique key starts with the
    # lesson; the person index serves one person's evidence across lessons).
    # No database constraints on these keys (ADR 5): the importer and the device API check every event.
    lesson = models.ForeignKey(
        Lesson, models.PROTECT, related_name="attendance", verbose_name=_("lesson"), db_index=False, db_constraint=False
    )
    person = models.ForeignKey(
        Person, models.PROTECT, related_name="attendance", verbose_name=_("person"), db_constraint=False
    )
    event = models.CharField(_("event"), max_length=3, choices=AttendanceKind.choices)
    at = models.DateTimeField(_("time"))
    source = models.CharField(_("source"), max_length=8, choices=AttendanceSource.choices)
    device_code = models.CharField(_("device"), max_length=64, blank=True)
    batch = models.ForeignKey(
        AttendanceBatch, models.PROTECT, null=True, blank=True, related_name="events", db_index=False
    )
    # Provenance, not integrity: import runs are never deleted, and a constraint check per row costs.
    import_run = models.ForeignKey(
        "core.ImportRun", models.PROTECT, null=True, blank=True, related_name="+", db_index=False, db_constraint=False
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("lesson__training_class__organization__region",)
        organization = ("lesson__training_class__organization",)
        person = ("person",)

    class Meta:
        ordering = ["lesson", "person", "at", "event"]
        verbose_name = _("attendance event")
        verbose_name_plural = _("attendance events")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "person", "event", "at"], name="attendance_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_event_display()} {timezone.localtime(self.at):%Y-%m-%d %H:%M:%S}"


class CreditedHours(models.Model):
    """Hours credited to an enrolment, computed from lessons and attendance (hours.py), never typed in."""

    enrolment = models.OneToOneField(Enrolment, models.CASCADE, primary_key=True, related_name="credited")
    offline_seconds = models.BigIntegerField(default=0)
    online_seconds = models.BigIntegerField(default=0)
    credited_tenths = models.PositiveIntegerField(_("credited hours × 10"), default=0)
    required_tenths = models.PositiveIntegerField(_("required hours × 10"), default=0)
    completed = models.BooleanField(_("completed"), default=False)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("enrolment__training_class__organization__region",)
        organization = ("enrolment__training_class__organization",)
        person = ("enrolment__person",)

    class Meta:
        verbose_name = _("credited hours")
        verbose_name_plural = _("credited hours")

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.credited_hours}/{self.required_hours}"

    @property
    def credited_hours(self) -> Decimal:
        return Decimal(self.credited_tenths).scaleb(-1)

    @property
    def required_hours(self) -> Decimal:
        return Decimal(self.required_tenths).scaleb(-1)

    @property
    def short_hours(self) -> Decimal:
        return max(Decimal(0), self.required_hours - self.credited_hours)


class ArchiveSeal(models.Model):
    """The head of the hash chain over a class's archive, at sealing and after each amendment."""

    training_class = models.ForeignKey(TrainingClass, models.PROTECT, related_name="seals")
    sequence = models.PositiveIntegerField(_("seal number"))
    head = models.CharField(_("chain head (SHA-256)"), max_length=64)
    previous_head = models.CharField(max_length=64, blank=True)
    record_count = models.PositiveIntegerField(_("records"))
    section_heads = models.JSONField(default=dict, help_text=_("Section → [records, head], to say what changed."))
    reason = models.CharField(_("reason"), max_length=200)
    sealed_at = models.DateTimeField(_("sealed"), default=timezone.now)
    sealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=150)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("training_class__organization__region",)
        organization = ("training_class__organization",)

    class Meta:
        ordering = ["training_class", "-sequence"]
        verbose_name = _("archive seal")
        verbose_name_plural = _("archive seals")
        constraints = [models.UniqueConstraint(fields=["training_class", "sequence"], name="seal_sequence_once")]

    str_related = ("training_class",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.training_class} #{self.sequence} {self.head[:12]}"


class ArchiveAmendment(models.Model):
    """A change to a sealed archive: who, why and what; it becomes part of the re-sealed chain."""

    training_class = models.ForeignKey(TrainingClass, models.PROTECT, related_name="amendments")
    sequence = models.PositiveIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(_("by"), max_length=150)
    reason = models.TextField(_("why"))
    changes = models.JSONField(_("what"))
    time = models.DateTimeField(_("time"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("training_class__organization__region",)
        organization = ("training_class__organization",)

    class Meta:
        ordering = ["training_class", "sequence"]
        verbose_name = _("archive amendment")
        verbose_name_plural = _("archive amendments")
        constraints = [models.UniqueConstraint(fields=["training_class", "sequence"], name="amendment_sequence_once")]

    str_related = ("training_class",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.training_class} amendment {self.sequence}"
