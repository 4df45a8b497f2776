"""Accounts write path: create and deactivate accounts."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, snapshot
from peikao.core.choices import ORGANIZATION_ROLES, REGULATOR_ROLES, Role
from peikao.core.errors import DomainError, PermissionDenied
from peikao.core.models import Region, User
from peikao.core.permissions import Perm, require_perm
from peikao.registry.models import Organization, Person


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
    """Create an account. ``actor`` None means a command (the demo, an operator); a regulator admin may
    create accounts only inside its own jurisdiction."""
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
    if role in ORGANIZATION_ROLES and organization is None:
        raise DomainError("organization_required", _("An organisation account needs an organisation."))
    if User.objects.filter(username=username).exists():
        raise DomainError("username_taken", _("This user name is taken."))
    user = User(
        username=username,
        role=role,
        full_name=full_name,
        region=region,
        organization=organization,
        person=person,
        is_superuser=False,
        is_staff=False,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    audited_create(user)
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
