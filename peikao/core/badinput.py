"""Bad input refused before any view: the NUL character.

PostgreSQL refuses NUL in text ("A string literal cannot contain NUL (0x00) characters"), so a NUL that
reaches a query is a 500 on PostgreSQL, and text no one can have meant on SQLite. No field of Peikao takes
one, so a request carrying a NUL in its path, its query string, a cookie, or a JSON or form body is answered
400 here, with the reason in Chinese and English (JSON under /api/, text elsewhere), on the platform and on
the public verification service alike. Uploaded files (multipart bodies) are binary and are read by their
importers, which check their own cells.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from peikao.core.errors import error_body
from peikao.core.i18n import bilingual

# A JSON escape of NUL: \u0000 after an even number of backslashes (\\u0000 is a backslash and "u0000").
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_SCANNED_BODIES = ("application/json", "application/x-www-form-urlencoded")
MESSAGE = _("The request contains a NUL character (\\0), which no field accepts.")


def nul_location(request: HttpRequest) -> str | None:
    """Where the request carries a NUL (``path``, ``query``, ``cookie``, ``body``), or None."""
    if "\x00" in request.path_info:
        return "path"
    query = request.META.get("QUERY_STRING", "")
    if "\x00" in query or "%00" in query:
        return "query"
    if "HTTP_COOKIE" in request.META and any("\x00" in value for value in request.COOKIES.values()):
        return "cookie"
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith(_SCANNED_BODIES):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        # A larger body is refused by Django when read (RequestDataTooBig): not read here.
        if 0 < length <= (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or length):
            body = request.body
            if b"\x00" in body or (b"%00" in body if "form" in content_type else _JSON_NUL.search(body)):
                return "body"
    return None


class RejectNulMiddleware:
    """A request with a NUL anywhere it could reach the database is a 400, before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        location = nul_location(request)
        if location is None:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            body = error_body("nul_character", MESSAGE, errors=[{"location": location, "message": bilingual(MESSAGE)}])
            return HttpResponse(
                json.dumps(body, ensure_ascii=False), status=400, content_type="application/json; charset=utf-8"
            )
        return HttpResponse(bilingual(MESSAGE), status=400, content_type="text/plain; charset=utf-8")
