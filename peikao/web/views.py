"""The UI shell: home, login, profile and API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peikao.core.models import ApiToken
from peikao.core.selectors import import_run_list
from peikao.core.services import api_token_create, api_token_revoke
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import Organization, Person


@login_required
def home(request):
    user = request.user
    context = {}
    if not user.is_candidate:
        counts = dict(
            Organization.objects.visible_to(user).values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
        )
        context["org_counts"] = [
            {"kind": kind, "label": label, "n": counts.get(kind, 0)} for kind, label in OrganizationKind.choices
        ]
        context["person_count"] = Person.objects.visible_to(user).count()
        context["recent_imports"] = import_run_list(user=user)[:5]
    return render(request, "web/home.html", context)


@login_required
def profile(request):
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request, "web/profile.html", {"tokens": tokens, "new_token": request.session.pop("new_api_token", None)}
    )


@login_required
@require_POST
def token_create(request):
    name = (request.POST.get("name") or "").strip()
    if not name:
        messages.error(request, _("A token needs a name."))
        return redirect("web:profile")
    _token, raw = api_token_create(user=request.user, name=name)
    request.session["new_api_token"] = raw
    return redirect("web:profile")


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    api_token_revoke(token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("web:profile")
