"""Accounts read path: the accounts a user may manage, the organisation an account is created for, and the logins
locked out that the user may lift."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peikao.accounts.throttle import CANDIDATE_PREFIX, address_limit
from peikao.core.choices import RegionLevel
from peikao.core.models import USER_LINK, Region, User
from peikao.core.permissions import Perm, has_perm
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


# -- login lockouts (peikao/accounts/throttle.py) ----------------------------------------------------------------


def may_clear_any_lockout(user: User) -> bool:
    """Who sees and lifts every lockout — of addresses, of candidates' exam logins, of names that are no account: an
    administrator of a province or above. Any other account administrator, those of the accounts it manages."""
    if not has_perm(user, Perm.MANAGE_USERS):
        return False
    return user.sees_everything or (user.is_regulator and user.jurisdiction.level == RegionLevel.PROVINCE)


def _recent_attempts():
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - get_cool_off())


def login_lockouts(*, user: User) -> dict[str, list[dict[str, Any]]]:
    """The logins locked out now that ``user`` may lift: ``accounts`` (an account, a candidate's exam login or a name
    that is no account: each with its failures, the last one and when the lockout ends) and ``addresses``."""
    if not has_perm(user, Perm.MANAGE_USERS):
        return {"accounts": [], "addresses": []}
    cool_off = get_cool_off()
    everything = may_clear_any_lockout(user)
    by_account = (
        _recent_attempts()
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    names = [row["username"] for row in by_account]
    accounts = {account.username: account for account in user_list(user=user).filter(username__in=names)}
    known = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    rows = []
    for row in by_account:
        name = row["username"] or ""
        account = accounts.get(name)
        if account is None and (name in known or not everything):
            continue  # an account of another jurisdiction, or any name beyond this administrator's
        candidate = name.startswith(CANDIDATE_PREFIX)
        rows.append(
            {
                **row,
                "account": account,
                "candidate": candidate,
                "shown": name.split(":")[1] if candidate else name,
                "until": row["last"] + cool_off,
            }
        )
    addresses = []
    if everything:
        addresses = [
            {**row, "until": row["last"] + cool_off}
            for row in _recent_attempts()
            .exclude(ip_address=None)
            .values("ip_address")
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=address_limit())
            .order_by("-last")
        ]
    return {"accounts": rows, "addresses": addresses}
