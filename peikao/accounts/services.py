"""Accounts write path: create and deactivate accounts, and tie an account to its organisation or person.

What an account belongs to follows from its role: an organisation member to one organisation and no person, a
candidate to one registered person and no organisation, anyone else (regulators, system administrators) to
neither. The user table's constraints held that rule while the links were columns of ``core.User``; now that they
are ``AccountLink`` rows, these services check it (with coded errors) and the link table's constraint keeps one
organisation or one person per link.
"""

from __future__ import annotations

import ipaddress

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from peikao.accounts.models import AccountLink
from peikao.accounts.selectors import may_clear_any_lockout
from peikao.core.audit import audited_create, audited_update, record_bulk_rows, snapshot
from peikao.core.choices import ORGANIZATION_ROLES, REGULATOR_ROLES, ChangeAction, Role
from peikao.core.errors import DomainError, PermissionDenied
from peikao.core.models import Region, User
from peikao.core.permissions import Perm, require_perm
from peikao.registry.models import Organization, Person


def _check_link(*, role: str, organization: Organization | None, person: Person | None) -> None:
    """Refuse an organisation or person that the role does not take, or the one it needs missing."""
    if role in ORGANIZATION_ROLES and organization is None:
        raise DomainError("organization_required", _("An organisation account needs an organisation."))
    if role == Role.CANDIDATE and person is None:
        raise DomainError("person_required", _("A candidate account belongs to a registered person."))
    if organization is not None and role not in ORGANIZATION_ROLES:
        raise DomainError("organization_not_allowed", _("Only an organisation account belongs to an organisation."))
    if person is not None and role != Role.CANDIDATE:
        raise DomainError("person_not_allowed", _("Only a candidate account belongs to a registered person."))


@transaction.atomic
def user_create(
    *,
    actor: User | None = None,
    username: str,
    password: str | None,
    role: str,
    full_name: str = "",
    region: Region | None = None,
    organization: Organization | None = None,
    person: Person | None = None,
) -> User:
    """Create an account, with its link to its organisation or person. ``actor`` None means a command (the demo, an
    operator); a regulator admin may create accounts only inside its own jurisdiction."""
    if actor is not None and actor.is_org_member:
        require_perm(actor, Perm.MANAGE_ORG_USERS)
        if organization is None or organization.pk != actor.organization_id or role not in ORGANIZATION_ROLES:
            raise PermissionDenied("outside_jurisdiction", _("You may create accounts only for your organisation."))
    elif actor is not None:
        require_perm(actor, Perm.MANAGE_USERS)
        if not actor.sees_everything:
            prefix = actor.region.prefix if actor.region is not None else None  # a regulator's jurisdiction
            inside = prefix is not None and (
                (region is not None and region.code.startswith(prefix))
                or (organization is not None and organization.region_id.startswith(prefix))
            )
            if not inside or role == Role.SYSTEM_ADMIN:
                raise PermissionDenied("outside_jurisdiction", _("The account lies outside your jurisdiction."))
    if role in REGULATOR_ROLES and region is None:
        raise DomainError("region_required", _("A regulator account needs a region."))
    _check_link(role=role, organization=organization, person=person)
    if User.objects.filter(username=username).exists():
        raise DomainError("username_taken", _("This user name is taken."))
    user = User(username=username, role=role, full_name=full_name, region=region, is_superuser=False, is_staff=False)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    audited_create(user)
    if organization is not None or person is not None:
        audited_create(AccountLink(user=user, organization=organization, person=person))  # also cached on user
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Close an account (accounts are deactivated, never deleted: the logs point at them)."""
    require_perm(actor, Perm.MANAGE_ORG_USERS if actor.is_org_member else Perm.MANAGE_USERS)
    if user.pk == actor.pk:
        raise DomainError("own_account", _("You cannot deactivate your own account."))
    before = snapshot(user)
    user.is_active = False
    audited_update(user, before)
    return user


@transaction.atomic
def account_link_set(
    *,
    user: User,
    organization: Organization | None = None,
    person: Person | None = None,
    full_name: str | None = None,
) -> AccountLink | None:
    """Tie an existing account to another organisation or person, as its role requires, and rename it if
    ``full_name`` is given (commands: the demo points its candidate account at the person who sits its open exam).
    Return the link (``None`` for a role without)."""
    _check_link(role=user.role, organization=organization, person=person)
    if full_name is not None and full_name != user.full_name:
        before = snapshot(user)
        user.full_name = full_name
        audited_update(user, before)
    if organization is None and person is None:
        return None  # a role without a link: the services never gave it one
    link = AccountLink.objects.select_for_update().filter(user=user).first()
    if link is None:
        return audited_create(AccountLink(user=user, organization=organization, person=person))
    before = snapshot(link)
    link.user = user  # the user's cached link is this one from now on
    link.organization, link.person = organization, person
    audited_update(link, before)
    return link


@transaction.atomic
def login_lockout_clear(*, actor: User, username: str = "", ip_address: str = "") -> int:
    """Lift a login lockout (peikao/accounts/throttle.py): forget the failed logins of an account (a candidate's exam
    login, a name) or of an address, each forgotten row in the change log. An account administrator lifts those of
    the accounts it manages; an administrator of a province or above any, addresses included. Return how many rows
    were forgotten."""
    from axes.models import AccessAttempt

    require_perm(actor, Perm.MANAGE_USERS)
    if bool(username) == bool(ip_address) or "\x00" in username:
        raise DomainError("lockout_target", _("Give either an account or an address to unlock."))
    if ip_address:
        try:
            ip_address = str(ipaddress.ip_address(ip_address))
        except ValueError:
            raise DomainError("lockout_target", _("Give either an account or an address to unlock.")) from None
    if not may_clear_any_lockout(actor):
        manages = username and User.objects.visible_to(actor).filter(username=username).exists()
        if not manages:
            raise PermissionDenied("outside_jurisdiction", _("You may unlock only the accounts you manage."))
    attempts = AccessAttempt.objects.select_for_update().filter(
        **({"username": username} if username else {"ip_address": ip_address})
    )
    rows = list(attempts.values("pk", "username", "ip_address", "failures_since_start", "attempt_time"))
    label = str(_("login lockout"))
    record_bulk_rows(
        AccessAttempt,
        (
            (
                ChangeAction.DELETE,
                row["pk"],
                f"{label} {row['username'] or '—'} @ {row['ip_address'] or '—'}",
                {
                    "username": row["username"],
                    "ip_address": row["ip_address"],
                    "failures": row["failures_since_start"],
                    "last_failure": row["attempt_time"].isoformat(),
                },
                None,
            )
            for row in rows
        ),
    )
    AccessAttempt.objects.filter(pk__in=[row["pk"] for row in rows]).delete()
    return len(rows)
