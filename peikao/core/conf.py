"""The ``PEIKAO`` settings dict for hot paths.

Every ``settings.X`` goes through the lazy settings object's Python-level attribute lookup; the public
verification path would make a dozen of them per request. ``peikao()`` hands back the dict itself, kept in
step with ``override_settings`` and pytest-django's ``settings`` fixture through ``setting_changed``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

_current: dict[str, Any] | None = None


def peikao() -> dict[str, Any]:
    current = _current
    if current is None:
        current = _remember(settings.PEIKAO)
    return current


def _remember(value: dict[str, Any]) -> dict[str, Any]:
    global _current
    _current = value
    return value


def _forget(*, setting: str, **kwargs) -> None:
    global _current
    if setting == "PEIKAO":
        _current = None


setting_changed.connect(_forget, dispatch_uid="peikao.core.conf")
