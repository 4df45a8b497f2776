"""Dates a person can mean: a year outside 1900–2100 is refused next to its field, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from peikao.core import formfields


class DayForm(forms.Form):
    day = formfields.DateField()
    moment = formfields.DateTimeField(input_formats=["%Y-%m-%dT%H:%M"], required=False)


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_a_date_outside_the_calendar_is_refused_beside_its_field(day):
    with translation.override("zh-hans"):
        form = DayForm({"day": day})
        assert not form.is_valid()
        assert form.errors["day"] == ["请输入1900年至2100年之间的日期。"]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_time_outside_the_calendar_is_refused_beside_its_field(moment):
    form = DayForm({"day": "2026-12-05", "moment": moment})
    assert not form.is_valid() and list(form.errors) == ["moment"]


def test_the_calendars_edges_are_taken():
    form = DayForm({"day": "1900-01-01", "moment": "2100-12-31T23:59"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == dt.date(1900, 1, 1)
