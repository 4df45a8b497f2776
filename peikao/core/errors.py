"""Coded domain errors raised by services and turned into 4xx responses or report rows."""

from __future__ import annotations

from django.utils.functional import Promise

from peikao.core.i18n import bilingual, both


def error_body(code: str, message: str | Promise, params: dict | None = None, **extra) -> dict:
    """The JSON body of every API error: ``{"code", "message" (中文 / English), "message_zh", "message_en"}`` and
    any ``extra`` (``errors``: a list of ``{"location", "message"}``)."""
    zh, en = both(message, params)
    return {"code": code, "message": zh if zh == en else f"{zh} / {en}", "message_zh": zh, "message_en": en, **extra}


class DomainError(Exception):
    """A rule of the domain refused an action. ``code`` is stable for machines; the message is bilingual."""

    status_code = 400

    def __init__(self, code: str, message: str | Promise, params: dict | None = None, *, status: int | None = None):
        self.code = code
        self.message = message
        self.params = params or {}
        if status is not None:
            self.status_code = status
        super().__init__(self.text)

    @property
    def zh(self) -> str:
        return both(self.message, self.params)[0]

    @property
    def en(self) -> str:
        return both(self.message, self.params)[1]

    @property
    def text(self) -> str:
        return bilingual(self.message, self.params)


class PermissionDenied(DomainError):
    """The user may see the object but their role may not do this to it."""

    status_code = 403


class Conflict(DomainError):
    """The action contradicts the current state (a transition not allowed, a duplicate key)."""

    status_code = 409
