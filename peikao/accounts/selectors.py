"""Accounts read path: the accounts a user may manage, and the organisation an account is created for."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from peikao.core.models import USER_LINK, User
from peikao.registry.models import Organization


def user_list(*, user: User) -> QuerySet[User]:
    return (
        User.objects.visible_to(user)
        .select_related("region", f"{USER_LINK}__organization", f"{USER_LINK}__person")
        .order_by("username")
    )


def user_get(*, user: User, pk: int) -> User:
    return get_object_or_404(user_list(user=user), pk=pk)


def organization_for_account(*, user: User, org_code: str) -> Organization | None:
    """The organisation with this code that ``user`` sees (an account is created only for one of those)."""
    return Organization.objects.visible_to(user).filter(org_code=org_code).first()
