"""Request middleware: a request id and the audit context for every request."""

from __future__ import annotations

import itertools
import os
import re

from peikao.core.audit import audit_context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIds:
    """Request ids as unique as uuid4's 32 hex digits, without a system call per request: 64 random bits
    drawn once per process, then a counter."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._prefix = os.urandom(8).hex()
        self._counter = itertools.count(1)

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


request_ids = RequestIds()
os.register_at_fork(after_in_child=request_ids.reset)  # each worker draws its own


class AuditContextMiddleware:
    """Give each request an id (or accept a sane X-Request-ID) and make it the audit context."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")  # not request.headers: that copies every header
        request.request_id = incoming if _REQUEST_ID.match(incoming) else request_ids.next()
        with audit_context(request=request, request_id=request.request_id, label=""):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class DomainErrorMiddleware:
    """A domain rule refusing a UI action is a 4xx page with the bilingual reason, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from peikao.core.errors import DomainError

        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(request, "web/error.html", {"error": exception}, status=exception.status_code)
        return None
