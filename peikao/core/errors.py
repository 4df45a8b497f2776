"""Coded domain errors raised by services and turned into 4xx responses or report rows."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import get_language

from peikao.core.i18n import bilingual, both, render


def error_body(
    code: str, message: str | Promise, params: dict | None = None, *, language: str | None = None, **extra
) -> dict:
    """The JSON body of every API error: ``{"code", "message" (in the request's language: ``language``, else the
    active one), "message_zh", "message_en"}`` and any ``extra`` (``errors``: a list of ``{"location", "message"}``)."""
    zh, en = both(message, params)
    chinese = (language or get_language() or "zh-hans").lower().startswith("zh")
    return {"code": code, "message": zh if chinese else en, "message_zh": zh, "message_en": en, **extra}


class DomainError(Exception):
    """A rule of the domain refused an action. ``code`` is stable for machines; the message is bilingual.

    ``field`` names the form field the refusal concerns, if any: a page shows ``text`` (the active language's
    sentence only) beside that field, or at the top of the form; CLI reports and logs read ``bilingual``."""

    status_code = 400

    def __init__(
        self,
        code: str,
        message: str | Promise,
        params: dict | None = None,
        *,
        status: int | None = None,
        field: str | None = None,
    ):
        self.code = code
        self.message = message
        self.params = params or {}
        self.field = field
        if status is not None:
            self.status_code = status
        super().__init__(self.bilingual)

    @property
    def zh(self) -> str:
        return both(self.message, self.params)[0]

    @property
    def en(self) -> str:
        return both(self.message, self.params)[1]

    @property
    def text(self) -> str:
        """The sentence in the active language, for a person on a page."""
        return render(self.message, get_language() or "zh-hans", self.params)

    @property
    def bilingual(self) -> str:
        """``中文 / English``: for CLI reports and logs, read by mixed audiences."""
        return bilingual(self.message, self.params)


class PermissionDenied(DomainError):
    """The user may see the object but their role may not do this to it."""

    status_code = 403


class Conflict(DomainError):
    """The action contradicts the current state (a transition not allowed, a duplicate key)."""

    status_code = 409
