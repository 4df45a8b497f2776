"""Registry: industries and the operation catalogue, organisations, persons and who works where."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peikao.core.choices import RegionLevel
from peikao.core.events import TransitionEvent, new_status_field, old_status_field
from peikao.core.models import DatedReference, Region
from peikao.core.privacy import mask_id_number
from peikao.core.scoping import ScopedQuerySet, ScopeSpec, region_q
from peikao.registry.choices import (
    AssessingDepartment,
    AssignmentRole,
    Education,
    OrganizationKind,
    OrganizationStatus,
    PersonLinkStatus,
    PracticalDevice,
    Sex,
)


class Industry(DatedReference):
    """An industry (domain/industries.yaml); high-risk industries have higher hour minimums."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    high_risk = models.BooleanField(_("high-risk"), default=False)
    competency_assessed_by = models.CharField(
        _("principals and safety managers assessed by"),
        max_length=32,
        choices=AssessingDepartment.choices,
        blank=True,
        help_text=_("Empty: by the emergency-management regulator (order No. 3), if the industry is high-risk."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return self.name


class OperationCategory(DatedReference):
    """A category of the special-operations catalogue (特种作业目录), e.g. 1 电工作业."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)
    industry = models.ForeignKey(Industry, models.PROTECT, null=True, blank=True, verbose_name=_("industry"))
    education_min = models.CharField(_("minimum education"), max_length=16, choices=Education.choices, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("operation category")
        verbose_name_plural = _("operation categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OperationItem(DatedReference):
    """An item of the special-operations catalogue, e.g. 1.2 低压电工作业."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(OperationCategory, models.PROTECT, related_name="items", verbose_name=_("category"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("operation item")
        verbose_name_plural = _("operation items")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OrganizationQuerySet(ScopedQuerySet):
    pass


class Organization(models.Model):
    """A supervised or supporting organisation: training institution, exam institution, exam point,
    enterprise or labour-dispatch company."""

    org_code = models.CharField(_("organisation code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, null=True, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="organizations", verbose_name=_("region"))
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent organisation")
    )
    industry = models.ForeignKey(
        Industry, models.PROTECT, null=True, blank=True, related_name="organizations", verbose_name=_("industry")
    )
    operation_items = models.ManyToManyField(
        OperationItem, blank=True, related_name="approved_organizations", verbose_name=_("approved operation items")
    )
    practical_device = models.CharField(
        _("practical exam equipment"), max_length=16, choices=PracticalDevice.choices, blank=True
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OrganizationStatus.choices, default=OrganizationStatus.ACTIVE
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = OrganizationQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("region",)
        organization = ("pk", "parent")

    class Meta:
        ordering = ["org_code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                condition=Q(uscc__isnull=False),
                name="organization_uscc_unique",
                violation_error_message=_("Another organisation has this unified social credit code."),
            ),
            models.CheckConstraint(
                condition=Q(kind=OrganizationKind.EXAM_POINT) | Q(uscc__isnull=False),
                name="organization_uscc_required",
                violation_error_message=_("Only an exam point may lack a unified social credit code."),
            ),
            models.CheckConstraint(
                condition=Q(kind=OrganizationKind.ENTERPRISE) | Q(industry__isnull=True),
                name="organization_industry_enterprise_only",
                violation_error_message=_("Only an enterprise has an industry."),
            ),
            models.CheckConstraint(
                condition=Q(kind=OrganizationKind.EXAM_POINT) | Q(practical_device=""),
                name="organization_device_exam_point_only",
                violation_error_message=_("Only an exam point declares its practical exam equipment."),
            ),
            models.CheckConstraint(condition=Q(status__in=OrganizationStatus.values), name="organization_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.region_id and self.region.level != RegionLevel.COUNTY:
            errors["region"] = _("An organisation sits in a county-level region.")
        if self.parent_id:
            if self.kind != OrganizationKind.EXAM_POINT:
                errors["parent"] = _("Only an exam point has a parent organisation (its exam institution).")
            elif self.parent.kind != OrganizationKind.EXAM_INSTITUTION:
                errors["parent"] = _("The parent of an exam point must be an exam institution.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.status == OrganizationStatus.ACTIVE

    @property
    def high_risk(self) -> bool:
        return bool(self.industry_id and self.industry.high_risk)


class OrganizationEvent(TransitionEvent):
    """A status transition of an organisation (suspension, reinstatement, closure) with its reason (the service
    requires one)."""

    OWNER_FIELD = "organization"

    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="events", verbose_name=_("organisation"), db_index=False
    )
    old_status = old_status_field(OrganizationStatus.choices)
    new_status = new_status_field(OrganizationStatus.choices)

    class Scope(ScopeSpec):
        """Narrower than the organisation's: its parent's members see the organisation, not its status changes."""

        region = ("organization__region",)
        organization = ("organization",)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("organisation status change")
        verbose_name_plural = _("organisation status changes")
        indexes = [models.Index(fields=["organization", "time"], name="organization_events_by_time")]


# Ways a person is linked to an organisation, used to decide which regulators see the person:
# (model label, path from the model to the person, path from the model to the organisation).
# Later apps add theirs (enrolments, exam registrations, …) in their AppConfig.ready(). An organisation's member sees
# a person only through a confirmed ``PersonLink`` (ADR 0009): naming an ID number is not enough.
PERSON_LINKS: list[tuple[str, str, str]] = [
    ("registry.Assignment", "person", "organization"),
    ("registry.Assignment", "person", "dispatched_by"),
]


class PersonQuerySet(ScopedQuerySet):
    def scope_q(self, user, scope):
        if user.is_candidate:
            return Q(pk=user.person_id) if user.person_id else None
        if user.is_org_member:
            confirmed = PersonLink.objects.filter(
                organization_id=user.organization_id, person=OuterRef("pk"), status=PersonLinkStatus.CONFIRMED
            )
            return Q(Exists(confirmed))
        if not user.is_regulator:
            return None
        from django.apps import apps

        q = Q()
        for label, person_path, org_path in PERSON_LINKS:
            model = apps.get_model(label)
            org_q = region_q((f"{org_path}__region",), user.region.prefix)
            q |= Exists(model.objects.filter(org_q).filter(**{person_path: OuterRef("pk")}))
        return q


class Person(models.Model):
    """A natural person known by an 18-character resident ID number (birth date and sex derived from it)."""

    AUDIT_MASKED_FIELDS = ("id_number",)

    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = PersonQuerySet.as_manager()

    # Set by ``registry.selectors.label_persons`` for display (ADR 0009), not columns.
    label: str
    readable: bool

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.CheckConstraint(condition=Q(id_number__regex=r"^[0-9]{17}[0-9X]$"), name="person_id_number_shape"),
            models.CheckConstraint(condition=Q(phone="") | Q(phone__regex=r"^1[0-9]{10}$"), name="person_phone_shape"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    @classmethod
    def audit_repr(cls, values: dict) -> str:
        return f"{values['name']}（{mask_id_number(values['id_number'])}）"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    def age_on(self, day) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class Assignment(models.Model):
    """A person holding a role at an organisation over a period (任职); end_date empty = current."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="assignments", verbose_name=_("person"))
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="assignments", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=32, choices=AssignmentRole.choices, db_index=True)
    operation_item = models.ForeignKey(
        OperationItem, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("operation item")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        Organization,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatched_assignments",
        verbose_name=_("dispatched by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("organization__region",)
        organization = ("organization", "dispatched_by")
        person = ("person",)

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organization", "role", "start_date"],
                name="assignment_natural_key",
                violation_error_message=_("This person already holds this role here from this date."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="assignment_end_after_start",
                violation_error_message=_("The end date is before the start date."),
            ),
            models.CheckConstraint(
                condition=~Q(role=AssignmentRole.SPECIAL_OPERATOR) | Q(operation_item__isnull=False),
                name="assignment_special_operator_has_item",
                violation_error_message=_("A special-operations worker needs an operation item."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "role"], name="assignment_org_role_idx")]

    str_related = ("person", "organization")  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.person.name} · {self.get_role_display()} · {self.organization.name}"

    def is_current(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)


class PersonLink(models.Model):
    """An organisation's claim that it knows a person (ADR 0009): made when a member enrols, employs, registers or
    imports a person by ID number. Until a regulator matches it or the person confirms it with their own login, the
    organisation sees only what it entered (``entered_name``) and its own records of the person — not the person's
    registered details, past or certificates; whether the number was registered before is never shown."""

    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="person_links", verbose_name=_("organisation")
    )
    person = models.ForeignKey(Person, models.PROTECT, related_name="links", verbose_name=_("person"))
    entered_name = models.CharField(_("name as entered"), max_length=50, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PersonLinkStatus.choices, default=PersonLinkStatus.PENDING
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("organization__region",)
        organization = ("organization",)
        person = ("person",)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("person link")
        verbose_name_plural = _("person links")
        constraints = [
            models.UniqueConstraint(fields=["organization", "person"], name="person_link_once"),
            models.CheckConstraint(condition=Q(status__in=PersonLinkStatus.values), name="person_link_status_known"),
        ]
        indexes = [models.Index(fields=["person", "status"], name="person_link_person_status")]

    str_related = ("person", "organization")  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.display_name} · {self.organization.name}"

    @property
    def confirmed(self) -> bool:
        return self.status == PersonLinkStatus.CONFIRMED

    @property
    def display_name(self) -> str:
        """What the organisation may read: the registered name once confirmed, else the name it entered."""
        if self.confirmed:
            return self.person.name
        return self.entered_name or self.person.masked_id_number


class PersonLinkEvent(TransitionEvent):
    """A person link confirmed (by a regulator's match or the person's own login), rejected or withdrawn."""

    OWNER_FIELD = "link"

    link = models.ForeignKey(
        PersonLink, models.PROTECT, related_name="events", verbose_name=_("person link"), db_index=False
    )
    old_status = old_status_field(PersonLinkStatus.choices)
    new_status = new_status_field(PersonLinkStatus.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("person link status change")
        verbose_name_plural = _("person link status changes")
        indexes = [models.Index(fields=["link", "time"], name="person_link_events_by_time")]
