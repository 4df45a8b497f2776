"""What every public (no login) page and endpoint shares: its response headers and the client's address."""

from __future__ import annotations

import ipaddress

from django.http import HttpResponse

from peikao.core.conf import peikao

PUBLIC_HEADERS = {
    "Referrer-Policy": "same-origin",  # a /v/<token> URL must not leak to other sites (and forms keep their Origin)
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}


def public_response(response: HttpResponse, *, cache_control: str | None = None) -> HttpResponse:
    """``response`` with the public headers (not cached unless ``cache_control`` says otherwise)."""
    for header, value in PUBLIC_HEADERS.items():
        response[header] = value
    if cache_control:
        response["Cache-Control"] = cache_control
    return response


def client_address(request) -> str:
    """The client's address, as rate limits, login throttling and the lookup log know it.

    Without trusted proxies (``PEIKAO["TRUSTED_PROXY_COUNT"]`` 0) it is the socket's peer, REMOTE_ADDR, and
    X-Forwarded-For is ignored. Behind N proxies that each append the address they received the request from, the
    last N entries of X-Forwarded-For were written by them and the client is the N-th from the right; anything
    further left was sent by the client itself and is never trusted. A header with fewer entries than proxies (a
    hop skipped) or with something other than an address where a proxy writes falls back to the peer."""
    remote = request.META.get("REMOTE_ADDR", "")[:64] or "unknown"
    count = peikao().get("TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded:
        return remote
    entries = forwarded.rsplit(",", count)  # only the part the proxies wrote is split
    if len(entries) < count:
        return remote
    candidate = entries[-count].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
