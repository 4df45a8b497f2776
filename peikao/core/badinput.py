"""Bad input refused before any view (the NUL character), and a value the database refuses answered as bad input.

PostgreSQL refuses NUL in text ("PostgreSQL text fields cannot contain NUL (0x00) bytes"), so a NUL that
reaches a query is a 500 on PostgreSQL, and text no one can have meant on SQLite. No field of Peikao takes
one, so a request carrying a NUL in its path, its query string, a cookie, or a JSON or form body is answered
400 here, with the reason in Chinese and English (JSON under /api/, text elsewhere), on the platform and on
the public verification service alike. Uploaded files (multipart bodies) are binary and are read by their
importers, which check their own cells; the fields of a multipart form are checked by their form.

What still reaches the database and is refused there (a DataError: a NUL in a multipart field a view read
itself, a value too long for its column or out of its range — which SQLite, where the API fuzz runs, does not
check) is answered 400 ``invalid_data`` too, and logged: the input was bad, the page or API did not break.
"""

from __future__ import annotations

import json
import logging
import re

from django.conf import settings
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language_from_request
from django.utils.translation import gettext_lazy as _

from peikao.core.errors import error_body
from peikao.core.i18n import render

# A JSON escape of NUL: \u0000 after an even number of backslashes (\\u0000 is a backslash and "u0000").
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_SCANNED_BODIES = ("application/json", "application/x-www-form-urlencoded")
MESSAGE = _("The request contains a NUL character (\\0), which no field accepts.")
DATA_MESSAGE = _("A value was refused by the database (too long, out of range, or a character it does not take).")

logger = logging.getLogger("peikao.badinput")


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


def refusal(request: HttpRequest, code: str, message, location: str | None = None) -> HttpResponse:
    """A 400 with the reason: the API's error body under /api/ (both languages, ``message`` in the request's),
    the request's language only elsewhere."""
    language = get_language_from_request(request)
    if request.path_info.startswith("/api/"):
        errors = [{"location": location, "message": render(message, language)}] if location else None
        body = error_body(code, message, language=language, **({"errors": errors} if errors else {}))
        return HttpResponse(
            json.dumps(body, ensure_ascii=False), status=400, content_type="application/json; charset=utf-8"
        )
    return HttpResponse(render(message, language), status=400, content_type="text/plain; charset=utf-8")


class BadInputMiddleware:
    """A request with a NUL anywhere it could reach the database is a 400 before any view runs; a value the
    database refuses while a view runs is a 400 too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        location = nul_location(request)
        if location is not None:
            return refusal(request, "nul_character", MESSAGE, location)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DataError):
            logger.warning(
                "The database refused a value of %s %s: %s",
                request.method,
                request.resolver_match and request.resolver_match.view_name,
                exception.__cause__.__class__.__name__,
            )
            return refusal(request, "invalid_data", DATA_MESSAGE)
        return None
