"""Login throttling (django-axes): failed logins counted per account and per client address, then a lockout.

Every login goes through it: the web login (Django's ``authenticate``, with ``AxesStandaloneBackend`` first in
``AUTHENTICATION_BACKENDS``) and the candidates' exam login by ID number and admission code (``exam_login_guard``,
through axes' handler API: the exam login is not an account). Failures are rows of ``axes.AccessAttempt`` (one per
account, address and browser); a login is refused while, within the cool-off (``AXES_COOLOFF_TIME``, counted from the
last failure), its account has ``AXES_FAILURE_LIMIT`` failures from any addresses, or its address has
``PEIKAO["LOGIN_ADDRESS_FAILURE_LIMIT"]`` failures across any accounts (higher: an exam room or an office shares one
address). A locked login is refused even with the right password, and each try extends the lockout. The address is
``core.http.client_address`` (right of X-Forwarded-For, past the trusted proxies); an administrator lifts a lockout
on the accounts page (``services.login_lockout_clear``, change-logged).
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language_from_request
from django.utils.translation import gettext_lazy as _

from peikao.core.errors import DomainError
from peikao.core.http import client_address
from peikao.core.i18n import both
from peikao.core.privacy import mask_id_number
from peikao.core.validators import normalise_id_number

_NOT_ID_CHARACTER = re.compile(r"[^0-9A-Z]")
CANDIDATE_PREFIX = "exam:"  # the "account" of an exam login: exam:<masked ID number>:<keyed digest of the number>
LOCKED_MESSAGE = _(
    "Too many failed logins: logging in is locked for %(minutes)s minutes. Try again later, or ask an administrator "
    "to unlock it."
)


def address_limit() -> int:
    return settings.PEIKAO.get("LOGIN_ADDRESS_FAILURE_LIMIT", settings.AXES_FAILURE_LIMIT)


def cool_off_minutes() -> int:
    cool_off = get_cool_off()
    return math.ceil(cool_off.total_seconds() / 60) if cool_off else 0


def login_ip(request) -> str | None:
    """The client address axes records (``AXES_CLIENT_IP_CALLABLE``): ours, or None when it is not an address (its
    column is an inet on PostgreSQL)."""
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own per address (``AXES_LOCKOUT_PARAMETERS`` is
    ``["username", "ip_address"]``: the account's failures from anywhere, the address's for any account).

    Axes compares one count with one limit: the address's failures are given to it scaled to the account limit, so
    that the address reaches the lockout at exactly its own limit."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        per_account, per_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = settings.AXES_FAILURE_LIMIT
        return max(per_account, per_address * limit // max(address_limit(), 1))


def locked_text() -> tuple[str, str]:
    """The lockout message, (Chinese, English)."""
    return both(LOCKED_MESSAGE, {"minutes": cool_off_minutes()})


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """What a locked login answers (``AXES_LOCKOUT_CALLABLE``): 429 with the reason, JSON for the API."""
    zh, en = locked_text()
    if request.path.startswith("/api/"):
        chinese = get_language_from_request(request).startswith("zh")
        body = {"code": "login_locked", "message": zh if chinese else en, "message_zh": zh, "message_en": en}
        response: HttpResponse = JsonResponse(body, status=429, json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, "accounts/locked_out.html", {"message": zh}, status=429)
    response["Retry-After"] = str(cool_off_minutes() * 60)
    return response


# -- the exam login ------------------------------------------------------------------------------------------------


def candidate_key(id_number: str) -> str:
    """The throttled "account" of an exam login: the ID number as typed (normalised), kept masked, with a keyed digest
    that tells two numbers with the same mask apart and cannot be turned back into the number."""
    number = _NOT_ID_CHARACTER.sub("", normalise_id_number(id_number))[:32]  # nothing a database refuses (NUL)
    digest = salted_hmac("peikao.accounts.throttle.candidate", number).hexdigest()[:16]
    return f"{CANDIDATE_PREFIX}{mask_id_number(number)}:{digest}"


def locked_error() -> DomainError:
    return DomainError("login_locked", LOCKED_MESSAGE, {"minutes": cool_off_minutes()}, status=429)


@contextmanager
def exam_login_guard(request, *, id_number: str) -> Iterator[None]:
    """Guard an exam login by ID number and admission code: refuse it (``login_locked``, 429) while the number or
    the address is locked out, and count a failed login (the ``login_failed`` error) against both."""
    credentials = {settings.AXES_USERNAME_FORM_FIELD: candidate_key(id_number)}
    if not AxesProxyHandler.is_allowed(request, credentials):
        AxesProxyHandler.user_login_failed(sender=exam_login_guard, credentials=credentials, request=request)
        raise locked_error()
    try:
        yield
    except DomainError as error:
        if error.code == "login_failed":
            AxesProxyHandler.user_login_failed(sender=exam_login_guard, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                raise locked_error() from error
        raise
