"""Bilingual messages.

User-facing text is written in English and translated to Simplified Chinese through Django's
translation machinery. Error reasons (import reports, API errors, validation errors) carry both
languages, so a report is read the same way by a clerk and by an outside system.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import override


@dataclass(frozen=True)
class Bilingual:
    """A parameter that is itself already in both languages (e.g. a list of reasons)."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.zh


def render(message: str | Promise, language: str, params: dict | None = None) -> str:
    with override(language):
        text = str(message)
        if params:
            chinese = language.startswith("zh")
            values = {
                key: (value.zh if chinese else value.en) if isinstance(value, Bilingual) else value
                for key, value in params.items()
            }
            text = text % values
    return text


def both(message: str | Promise, params: dict | None = None) -> tuple[str, str]:
    """Return (Chinese, English) renderings of a translatable message."""
    return render(message, "zh-hans", params), render(message, "en", params)


def bilingual(message: str | Promise, params: dict | None = None) -> str:
    """One string with both languages: ``中文 / English`` (just one when they are the same)."""
    zh, en = both(message, params)
    return zh if zh == en else f"{zh} / {en}"
