"""What every public (no login) page and endpoint shares: its response headers and the client's address."""

from __future__ import annotations

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
    """The client's address: REMOTE_ADDR, or the first X-Forwarded-For entry behind a trusted proxy."""
    if peikao().get("TRUST_X_FORWARDED_FOR"):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64] or "unknown"
