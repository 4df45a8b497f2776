"""The UI shell: home, login, profile and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peikao.core.models import ApiToken
from peikao.core.paging import paginate
from peikao.core.permissions import Perm, has_perm
from peikao.core.selectors import import_run_list
from peikao.core.services import api_token_create, api_token_revoke
from peikao.enforcement import selectors as enforcement_selectors
from peikao.reports import dashboards
from peikao.reports.dashboards import charts as dashboard_charts
from peikao.web.worklist import REGION, WORK, cards_for


@login_required
def home(request):
    """The viewer's work list: counts of what waits for them, each linking to its rows; a regulator's region in
    figures and the key panels of its dashboard; the viewer's recent imports."""
    user = request.user
    cards = cards_for(user)
    context: dict[str, Any] = {"work_cards": cards[WORK], "region_cards": cards[REGION]}
    if user.is_regulator:  # its region's dashboard, the key panels (a system administrator opens the page)
        summary = dashboards.summary(user=user, today=timezone.localdate())
        context |= {"dashboard": summary, "dashboard_charts": dashboard_charts.summary(summary)}
    if has_perm(user, Perm.IMPORT):
        context["recent_imports"] = import_run_list(user=user)[:5]
    return render(request, "web/home.html", context)


@login_required
def subjects_to_inspect(request):
    """The rows behind the planner's card: subjects drawn and not inspected yet, each with its plan (where the
    inspection is opened with the inspectors drawn for it)."""
    if not (request.user.is_regulator or request.user.is_system_admin):
        raise Http404
    rows = enforcement_selectors.subjects_to_inspect(user=request.user).prefetch_related("inspectors__region")
    return render(request, "web/subjects_to_inspect.html", paginate(request, rows))


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
