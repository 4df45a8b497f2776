"""Uploaded exchange files: at most ``MAX_UPLOAD_BYTES``, refused with 413 before the body is read.

The cap is an upload handler put first on the request before anything reads the body: it refuses a request whose
declared length is over the cap before a byte is read, and a body that turns out longer than declared (or was sent
without a length) as soon as it passes the cap. The web page reads the CSRF token only after that (the CSRF
middleware would otherwise read the whole body first); the API reads the body only after authentication.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from peikao.core.errors import DomainError


class UploadTooLarge(DomainError):
    """The upload is larger than the import cap."""

    status_code = 413


def upload_too_large(limit: int | None = None) -> UploadTooLarge:
    limit = limit or settings.PEIKAO["MAX_UPLOAD_BYTES"]
    return UploadTooLarge(
        "upload_too_large",
        _("The file is larger than %(mb)s MB, the most an upload may be; split it, or import it on the command line."),
        {"mb": f"{limit / (1 << 20):.3g}"},
    )


class LimitedUploadHandler(FileUploadHandler):
    """The first upload handler of a request: counts what arrives and stops at the cap (see the module doc)."""

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = limit or settings.PEIKAO["MAX_UPLOAD_BYTES"]
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.limit:
            raise upload_too_large(self.limit)
        return None  # the other handlers parse the body

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise upload_too_large(self.limit)
        return raw_data  # handed on to the next handler

    def file_complete(self, file_size):
        return None


def check_upload_size(upload) -> None:
    """After parsing, once more: the upload itself is within the cap."""
    if upload is not None and (upload.size or 0) > settings.PEIKAO["MAX_UPLOAD_BYTES"]:
        raise upload_too_large()


def _install(request, limit: int | None = None) -> None:
    request.upload_handlers.insert(0, LimitedUploadHandler(request, limit))


def upload_limited_view(view=None, *, limit_setting: str = "MAX_UPLOAD_BYTES"):
    """A page that takes an upload: the cap first, then CSRF (which may read the form), then the view.

    ``@upload_limited_view`` caps at ``MAX_UPLOAD_BYTES`` (exchange files);
    ``@upload_limited_view(limit_setting="MAX_EVIDENCE_BYTES")`` at another of the ``PEIKAO`` settings."""

    def decorate(view):
        protected = csrf_protect(view)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            _install(request, settings.PEIKAO[limit_setting])
            return protected(request, *args, **kwargs)

        return csrf_exempt(wrapped)  # checked by csrf_protect above, after the cap

    return decorate(view) if view is not None else decorate


def upload_limited_operation(run):
    """For ``ninja.decorators.decorate_view``: the API operation parses its upload with the cap in place."""

    @wraps(run)
    def wrapped(request, *args, **kwargs):
        _install(request)
        return run(request, *args, **kwargs)

    return wrapped
