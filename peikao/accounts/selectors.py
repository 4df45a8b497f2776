"""Accounts read path: the accounts a user may manage, and the organisation an account is created for."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from peikao.core.models import USER_LINK, Region, User
from peikao.core.scoping import region_code_range
from peikao.registry.models import Organization


def user_list(*, user: User) -> QuerySet[User]:
    return (
        User.objects.visible_to(user)
        .select_related("region", f"{USER_LINK}__organization", f"{USER_LINK}__person")
        .order_by("username")
    )


def user_get(*, user: User, pk: int) -> User:
    return get_object_or_404(user_list(user=user), pk=pk)


def account_regions(*, user: User) -> QuerySet[Region]:
    """The regions a regulator may give a new regulator account: those of its jurisdiction (all for who sees
    everything); none for an organisation's administrator, whose accounts belong to its organisation."""
    if user.sees_everything:
        return Region.objects.all()
    if user.is_regulator:
        return Region.objects.filter(code__range=region_code_range(user.jurisdiction.prefix))
    return Region.objects.none()


def organization_for_account(*, user: User, org_code: str) -> Organization | None:
    """The organisation with this code that ``user`` sees (an account is created only for one of those)."""
    return Organization.objects.visible_to(user).filter(org_code=org_code).first()
