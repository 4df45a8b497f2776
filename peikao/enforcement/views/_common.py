"""Helpers of the enforcement views."""

from __future__ import annotations

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpRequest

from peikao.core.models import User


def regulator_only(user: User) -> None:
    """Pages of regulators (and system administrators): to anyone else they do not exist."""
    if not (user.is_regulator or user.is_system_admin):
        raise Http404


def errors(request: HttpRequest, form: Form) -> None:
    """A form's errors as one message, each field's under its label."""
    messages.error(
        request,
        "；".join(
            f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}".strip() for k, v in form.errors.items()
        ),
    )
