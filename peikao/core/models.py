"""Core models: regions, legal instruments, users and tokens, the change log and the ID-view log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peikao.core.choices import (
    ORGANIZATION_ROLES,
    REGULATOR_ROLES,
    ChangeAction,
    ImportStatus,
    RegionLevel,
    Role,
)
from peikao.core.scoping import ScopedQuerySet, region_code_range

NATION_CODE = "000000"


class Region(models.Model):
    """An administrative division (GB/T 2260 / NBS code): the nation, a province, a city or a county.

    The code's structure is the hierarchy: a province owns every code that starts with its first two
    digits, a city every code that starts with its first four. Jurisdiction scoping relies on it.
    """

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")
    is_development_zone = models.BooleanField(_("development zone"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def prefix(self) -> str:
        """The code prefix shared by this region and everything below it."""
        return {
            RegionLevel.NATION: "",
            RegionLevel.PROVINCE: self.code[:2],
            RegionLevel.CITY: self.code[:4],
        }.get(self.level, self.code)

    @property
    def full_name(self) -> str:
        """The names from the province down (福建省福州市鼓楼区). The nation adds no name: it is not fetched, so a
        region read with its parents up to its province (``select_related("parent__parent")``) costs no query."""
        names = []
        region: Region | None = self
        while region is not None and region.level != RegionLevel.NATION:
            if region.name not in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}:
                names.append(region.name)
            region = region.parent if region.parent_id != NATION_CODE else None
        return "".join(reversed(names)) or self.name

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)

    @property
    def authority(self) -> str:
        """The emergency-management authority of the region, as a person names it: 应急管理部, 福建省应急管理厅,
        鼓楼区应急管理局."""
        return authority_name(self.name, self.level)


def authority_name(name: str, level: str) -> str:
    """The emergency-management authority of the region ``name`` at ``level`` (nation, province, city, county), as
    printed on a certificate or a document and named on a page: the one rule (``Region.authority``; the public
    look-up names it from cached rows)."""
    if level == RegionLevel.NATION:
        return "应急管理部"
    return f"{name}应急管理{'厅' if level == RegionLevel.PROVINCE else '局'}"


class DatedReferenceQuerySet(models.QuerySet):
    def in_force(self, on: dt.date) -> DatedReferenceQuerySet:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )


class DatedReference(models.Model):
    """Reference data that is in force over a period: judged by the rules in force on the event's date."""

    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    confirmed = models.BooleanField(
        _("confirmed"), default=True, help_text=_("False when the entry could not be checked against the primary text.")
    )

    objects = DatedReferenceQuerySet.as_manager()

    class Meta:
        abstract = True

    def in_force_on(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


class LegalInstrument(DatedReference):
    """A law, regulation, standard or policy that rules are based on (domain/regimes.yaml)."""

    class Strength(models.TextChoices):
        LAW = "law", _("Law or regulation")
        STANDARD = "standard", _("Standard")
        POLICY = "policy", _("Policy (advisory)")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    strength = models.CharField(_("strength"), max_length=16, choices=Strength.choices, default=Strength.LAW)

    class Meta:
        ordering = ["valid_from", "code"]
        verbose_name = _("legal instrument")
        verbose_name_plural = _("legal instruments")

    def __str__(self) -> str:
        return self.title


# What an account belongs to besides its region — the organisation of a member, the person of a candidate — is kept
# by the accounts app (``peikao.accounts.models.AccountLink``, above registry), so that core needs nothing of the
# registry. Core reads it through this reverse relation of User, which accounts declares under this name: the one
# place core names it (docs/adr/0008).
USER_LINK = "link"


class UserQuerySet(ScopedQuerySet):
    """Accounts a user may see: a regulator those of its jurisdiction (regulators and members of
    organisations there), an organisation member those of its organisation, anyone itself."""

    def scope_q(self, user, scope):
        organization = f"{USER_LINK}__organization"  # link__organization: the accounts app's AccountLink
        if user.is_regulator:
            low, high = region_code_range(user.region.prefix)
            return Q(region__code__range=(low, high)) | Q(**{f"{organization}__region__code__range": (low, high)})
        if user.is_org_member:
            return Q(**{f"{organization}_id": user.organization_id})
        return Q(pk=user.pk)


class PeikaoUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in: a regulator at a region, a member of one organisation, or a candidate.

    The role decides what the user may do; the region or organisation decides what the user may see. The
    organisation of a member and the person of a candidate are the accounts app's AccountLink (``USER_LINK``),
    read here through ``organization`` and ``person``; the accounts services write them.
    """

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    full_name = models.CharField(_("name"), max_length=64, blank=True)
    region = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("region")
    )

    AUDIT_EXCLUDED_FIELDS = ("password", "last_login")

    objects = PeikaoUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_regulator_has_region",
                condition=~Q(role__in=sorted(REGULATOR_ROLES)) | Q(region__isnull=False),
                violation_error_message=_("A regulator belongs to a region."),
            ),
            models.CheckConstraint(
                name="user_member_or_candidate_has_no_region",
                condition=~Q(role__in=sorted(ORGANIZATION_ROLES | {Role.CANDIDATE})) | Q(region__isnull=True),
                violation_error_message=_("An organisation member or a candidate belongs to no region."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def office(self) -> str:
        """Where the account works: its region's authority (a regulator), its organisation (a member), else nothing."""
        if self.region_id is not None and self.region is not None:
            return self.region.authority
        organization = self.organization if self.is_org_member else None
        return organization.name if organization is not None else ""

    @property
    def label(self) -> str:
        """How a list or a select names the account: the person's name (with none, the username) and the office —
        王五（鼓楼区应急管理局）, gl-inspector（鼓楼区应急管理局）."""
        who, office = self.full_name or self.username, self.office
        return f"{who}（{office}）" if office and office not in who else who

    @property
    def account_link(self) -> Any:
        """The ``accounts.AccountLink`` of this user, or ``None`` (a regulator, an administrator). Read once and kept
        on the instance — a missing link too (Django caches the miss), so a regulator does not ask again per access;
        no query at all when the user was loaded with ``select_related(USER_LINK)``."""
        try:
            return getattr(self, USER_LINK)
        except ObjectDoesNotExist:
            return None

    @property
    def organization(self) -> Any:
        """The organisation of a member (a ``registry.Organization``), else ``None``."""
        link = self.account_link
        return link.organization if link is not None else None

    @property
    def organization_id(self) -> int | None:
        link = self.account_link
        return link.organization_id if link is not None else None

    @property
    def person(self) -> Any:
        """The registered person of a candidate (a ``registry.Person``), else ``None``."""
        link = self.account_link
        return link.person if link is not None else None

    @property
    def person_id(self) -> int | None:
        link = self.account_link
        return link.person_id if link is not None else None

    @property
    def is_system_admin(self) -> bool:
        return self.role == Role.SYSTEM_ADMIN

    @property
    def is_regulator(self) -> bool:
        return self.role in REGULATOR_ROLES

    @property
    def is_org_member(self) -> bool:
        return self.role in ORGANIZATION_ROLES

    @property
    def is_candidate(self) -> bool:
        return self.role == Role.CANDIDATE

    @property
    def jurisdiction(self) -> Region:
        """The region a regulator answers for. Every regulator has one (check constraint
        ``user_regulator_has_region_only``); asking it of anyone else is a programming error."""
        if self.region is None:
            raise LookupError(f"{self.username} has no region: only regulators have a jurisdiction")
        return self.region

    @property
    def sees_everything(self) -> bool:
        return self.is_system_admin or (self.is_regulator and self.region_id == NATION_CODE)


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a SHA-256 of the secret is stored."""

    AUDIT_EXCLUDED_FIELDS = ("key_hash",)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(_("prefix"), max_length=12, help_text=_("First characters, to recognise the token."))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now) and self.user.is_active


class ChangeLog(models.Model):
    """One create, update or delete of a record, by whom, when and in which request or command.

    Written by the services (and by bulk imports in bulk), never by signals, so writes from commands and
    imports are logged too. Personal identifiers are stored masked.
    """

    # Append-only and written a row per record by imports: few indexes (the id orders entries in time) and no
    # foreign-key constraints (a check with its row lock per entry would cost more than the entry; content
    # types and users are never deleted — users are deactivated).
    time = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        db_constraint=False,
    )
    actor_label = models.CharField(_("actor"), max_length=150, help_text=_("User name, command or system job."))
    request_id = models.CharField(_("request id"), max_length=64, db_index=True)
    action = models.CharField(_("action"), max_length=8, choices=ChangeAction.choices)
    content_type = models.ForeignKey(ContentType, models.PROTECT, related_name="+", db_index=False, db_constraint=False)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")
        indexes = [models.Index(fields=["content_type", "object_id"], name="changelog_object_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    @property
    def changed_fields(self) -> dict[str, tuple]:
        """field → (before, after) for the fields that changed (all fields of a create)."""
        before, after = self.before or {}, self.after or {}
        skip = {"updated_at", "created_at", "id"}
        return {
            key: (before.get(key), after.get(key))
            for key in sorted(set(before) | set(after))
            if key not in skip and before.get(key) != after.get(key) and (before.get(key) or after.get(key))
        }


class IdNumberView(models.Model):
    """One display of a person's full ID number to a user (or export of it): who, whose, when, where."""

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("user"))
    # Empty for an ID number that is not in the register: one inside a certificate number claimed on a lead.
    person_id = models.BigIntegerField(_("person"), null=True, blank=True, db_index=True)
    masked_id_number = models.CharField(_("ID number (masked)"), max_length=18)
    purpose = models.CharField(_("where"), max_length=100, help_text=_("Page, API route or export."))
    request_id = models.CharField(_("request id"), max_length=64)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("view of a full ID number")
        verbose_name_plural = _("views of full ID numbers")

    str_related = ("user",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.user} → {self.masked_id_number}"


class ImportRun(models.Model):
    """One import of an exchange file: who, what, the outcome and the report of every bad row."""

    kind = models.CharField(_("file kind"), max_length=32)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    worker = models.CharField(
        _("process"), max_length=200, blank=True, default="", help_text=_("Host, process id and start of the process.")
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    status = models.CharField(_("outcome"), max_length=16, choices=ImportStatus.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    errors = models.JSONField(_("report"), default=list, help_text=_("Bad rows (the first 1,000), values masked."))

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"

    @property
    def summary(self) -> str:
        return f"imported {self.imported}, updated {self.updated}, unchanged {self.unchanged}, rejected {self.rejected}"


class RateCounter(models.Model):
    """Hits of one client key in one fixed time window, shared by every server process (peikao.core.ratelimit)."""

    client_key = models.CharField(max_length=100)
    window_start = models.BigIntegerField(help_text=_("Start of the window, seconds since the epoch."))
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client_key", "window_start"], name="ratecounter_key_window")]

    def __str__(self) -> str:
        return f"{self.client_key}@{self.window_start}: {self.hits}"


class ScheduledRunStatus(models.TextChoices):
    ENQUEUED = "enqueued", pgettext_lazy("scheduled run", "enqueued")
    RUNNING = "running", pgettext_lazy("scheduled run", "running")
    SUCCEEDED = "succeeded", pgettext_lazy("scheduled run", "succeeded")
    FAILED = "failed", pgettext_lazy("scheduled run", "failed")


class ScheduledRun(models.Model):
    """One attempt of a scheduled job (peikao.core.schedule) for one period, named by the instant it fell due and its
    attempt number (1, then 2, 3… when an attempt failed and the job allows retries). The unique constraint is the
    guard: two schedulers (or two workers) never enqueue the same attempt twice."""

    job = models.CharField(pgettext_lazy("scheduled run", "job"), max_length=64)
    due_at = models.DateTimeField(_("due at"))
    attempt = models.PositiveIntegerField(pgettext_lazy("scheduled run", "attempt"), default=1)
    enqueued_at = models.DateTimeField(_("enqueued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ScheduledRunStatus.choices, default=ScheduledRunStatus.ENQUEUED
    )
    summary = models.JSONField(pgettext_lazy("scheduled run", "result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True, default="")
    task_id = models.CharField(pgettext_lazy("scheduled run", "task"), max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-due_at", "-attempt", "job"]
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["job", "due_at", "attempt"], name="scheduledrun_once_per_attempt"),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="scheduledrun_attempt_from_one"),
        ]

    def __str__(self) -> str:
        """The job and its due time in Beijing time (the schedule's time), and the attempt after the first."""
        if self.due_at is None:
            return self.job
        due = timezone.localtime(self.due_at, timezone.get_default_timezone())
        return f"{self.job} {due:%Y-%m-%d %H:%M}" + (f" #{self.attempt}" if self.attempt > 1 else "")

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
