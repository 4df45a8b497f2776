"""Form fields of every page: dates a person can mean.

A browser's date input accepts years 1 to 275760; a date outside the platform's calendar (before 1900, after 2100)
is a typing slip, and arithmetic on it (a deadline, a validity, Beijing's day boundary) would overflow. Refused next
to the field, in the page's language."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)
OUT_OF_RANGE = _("Enter a date between 1900 and 2100.")


def _check(day: dt.date | None) -> None:
    if day is not None and not (EARLIEST <= day <= LATEST):
        raise ValidationError(OUT_OF_RANGE, code="out_of_range")


class DateField(forms.DateField):
    def to_python(self, value):
        day = super().to_python(value)
        _check(day)
        return day


class DateTimeField(forms.DateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        _check(moment.date() if moment is not None else None)
        return moment
