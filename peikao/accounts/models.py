"""What an account belongs to besides its region: the organisation of a member, the person of a candidate.

The user table stays in core (``AUTH_USER_MODEL`` is ``core.User``); its links to the registry live here, above
registry, so that core, the lowest layer, points at no registry table (docs/adr/0008).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peikao.core.models import USER_LINK


class AccountLink(models.Model):
    """The organisation an organisation member's account belongs to, or the registered person a candidate's
    account is.

    Exactly one of the two is set; an account without a link (a regulator, a system administrator) has no row.
    Which one a role needs is checked by the accounts services (``peikao.accounts.services``); the user reads its
    link through ``User.organization`` / ``User.person`` (reverse relation ``USER_LINK``, ``"link"``).
    """

    # Ids only: nothing to mask in the change log and nothing to leave out of it (core/audit.py).
    AUDIT_MASKED_FIELDS: tuple[str, ...] = ()
    AUDIT_EXCLUDED_FIELDS: tuple[str, ...] = ()

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        primary_key=True,
        related_name=USER_LINK,
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        "registry.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    person = models.OneToOneField(
        "registry.Person", models.PROTECT, null=True, blank=True, related_name="account", verbose_name=_("person")
    )

    class Meta:
        verbose_name = _("account link")
        verbose_name_plural = _("account links")
        constraints = [
            models.CheckConstraint(
                name="accountlink_organization_or_person",
                condition=Q(organization__isnull=False, person__isnull=True)
                | Q(organization__isnull=True, person__isnull=False),
                violation_error_message=_("An account belongs to one organisation or to one person, not both."),
            ),
        ]

    str_related = ("user", "organization", "person")  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.user} → {self.organization or self.person}"
