"""Enumerations of the core app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    NATION = "nation", _("Nation")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    REGULATOR_ADMIN = "regulator_admin", _("Regulator administrator")
    INSPECTOR = "inspector", _("Inspector")
    ANALYST = "analyst", _("Analyst")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    ORG_CLERK = "org_clerk", _("Organisation clerk")
    CANDIDATE = "candidate", _("Candidate")


REGULATOR_ROLES = frozenset({Role.REGULATOR_ADMIN, Role.INSPECTOR, Role.ANALYST})
ORGANIZATION_ROLES = frozenset({Role.ORG_ADMIN, Role.ORG_CLERK})


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    IMPORTED = "imported", _("Imported")
    REJECTED = "rejected", _("Rejected")
    DRY_RUN = "dry_run", _("Checked (dry run)")
    FAILED = "failed", _("Failed (interrupted)")
