"""The violation catalogue: read by everyone but candidates, extended and revised by its managers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peikao.core.errors import DomainError
from peikao.core.forms import add_domain_error
from peikao.core.permissions import Perm, has_perm, require_perm
from peikao.enforcement import selectors, services
from peikao.enforcement.forms import ViolationForm


@login_required
def catalogue(request):
    user = request.user
    if user.is_candidate:
        raise Http404
    form = ViolationForm(request.POST or None)
    if request.method == "POST":
        require_perm(user, Perm.CATALOGUE_MANAGE)
        if form.is_valid():
            data = dict(form.cleaned_data)
            code = data.pop("code")
            try:
                services.violation_save(actor=user, code=code, data=data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("enforcement:catalogue")
    context = {"items": selectors.catalogue(), "form": form, "can_manage": has_perm(user, Perm.CATALOGUE_MANAGE)}
    return render(request, "enforcement/catalogue.html", context)
