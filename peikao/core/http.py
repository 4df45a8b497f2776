"""What every public (no login) page and endpoint shares: its response headers and the client's address; and the
file name of every download."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from pathlib import PurePath
from typing import TypeVar
from urllib.parse import quote

from django.http import HttpResponse, HttpResponseBase
from django.utils.http import content_disposition_header

from peikao.core.conf import peikao

R = TypeVar("R", bound=HttpResponseBase)

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


def ascii_file_name(filename: str) -> str:
    """An ASCII stand-in for ``filename`` (for clients that do not read RFC 6266's ``filename*``): the last part of
    a path, letters without their accents, anything else dropped, the extension kept; "download" when nothing is
    left of the name."""
    path = PurePath(base_name(filename))
    plain = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", plain).strip("-_. ") or "download"
    suffix = re.sub(r"[^A-Za-z0-9.]", "", path.suffix)
    return stem + suffix


def base_name(filename: str) -> str:
    """The file's name without any folder a client or an uploader put in front of it."""
    return re.split(r"[/\\]", filename)[-1] or "download"


def with_file_name(response: R, filename: str, *, attachment: bool = True, fallback: str | None = None) -> R:
    """``response`` with its Content-Disposition (RFC 6266): ``filename=`` an ASCII name every client reads, and
    ``filename*=UTF-8''…`` the real (Chinese) name, which browsers prefer. ``fallback`` names the ASCII file when
    the real name is not plain ASCII."""
    filename = base_name(filename)
    plain = ascii_file_name(filename)
    if plain != filename and fallback:
        plain = ascii_file_name(fallback)
    header = content_disposition_header(attachment, plain)  # quotes the ASCII name as RFC 9110 wants
    if plain != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    response["Content-Disposition"] = header
    return response
