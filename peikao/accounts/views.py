"""Accounts UI: the accounts a user manages, creating and deactivating one; login lockouts and lifting them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peikao.accounts.forms import UserCreateForm
from peikao.accounts.selectors import account_regions, login_lockouts, organization_for_account, user_get
from peikao.accounts.selectors import user_list as user_list_selector
from peikao.accounts.services import login_lockout_clear
from peikao.accounts.services import user_create as user_create_service
from peikao.accounts.services import user_deactivate as user_deactivate_service
from peikao.core.choices import ORGANIZATION_ROLES, REGULATOR_ROLES, Role
from peikao.core.errors import DomainError
from peikao.core.forms import add_domain_error
from peikao.core.paging import paginate
from peikao.core.permissions import Perm, has_perm


@login_required
def user_list(request):
    if not (has_perm(request.user, Perm.MANAGE_USERS) or has_perm(request.user, Perm.MANAGE_ORG_USERS)):
        raise Http404
    context = paginate(request, user_list_selector(user=request.user))
    context["may_unlock"] = has_perm(request.user, Perm.MANAGE_USERS)
    return render(request, "accounts/user_list.html", context)


def _role_choices(user):
    if user.is_org_member:
        return [(role, label) for role, label in Role.choices if role in ORGANIZATION_ROLES]
    return [(role, label) for role, label in Role.choices if role not in {Role.SYSTEM_ADMIN, Role.CANDIDATE}]


@login_required
def user_create(request):
    actor = request.user
    if not (has_perm(actor, Perm.MANAGE_USERS) or has_perm(actor, Perm.MANAGE_ORG_USERS)):
        raise Http404
    form = UserCreateForm(request.POST or None, roles=_role_choices(actor), regions=account_regions(user=actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organization = None
        if data["organization"]:
            organization = organization_for_account(user=actor, org_code=data["organization"])
            if organization is None:
                form.add_error("organization", _("No such organisation in your jurisdiction."))
        if actor.is_org_member:
            organization = actor.organization
        if form.is_valid():
            try:
                user_create_service(
                    actor=actor,
                    username=data["username"],
                    password=data["password"],
                    role=data["role"],
                    full_name=data["full_name"],
                    region=data["region"] if data["role"] in REGULATOR_ROLES else None,
                    organization=organization if data["role"] in ORGANIZATION_ROLES else None,
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The account was created."))
                return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
@require_POST
def user_deactivate(request, user_id: int):
    account = user_get(user=request.user, pk=user_id)
    user_deactivate_service(actor=request.user, user=account)
    messages.success(request, _("The account was deactivated."))
    return redirect("accounts:user_list")


@login_required
def lockout_list(request):
    if not has_perm(request.user, Perm.MANAGE_USERS):
        raise Http404
    return render(request, "accounts/lockout_list.html", login_lockouts(user=request.user))


@login_required
@require_POST
def lockout_clear(request):
    try:
        cleared = login_lockout_clear(
            actor=request.user,
            username=request.POST.get("username", "")[:255],
            ip_address=request.POST.get("ip_address", "")[:64],
        )
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("Unlocked (%(count)s failed logins forgotten).") % {"count": cleared})
    return redirect("accounts:lockout_list")
