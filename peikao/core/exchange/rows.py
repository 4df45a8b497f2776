"""Rows of an exchange file being cleaned: the columns of a kind, typed accessors that record every problem of a
row instead of raising at the first, and the problems as reported (both languages, ID numbers masked)."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peikao.core.i18n import both
from peikao.core.privacy import mask_id_number
from peikao.core.validators import validate_id_number, validate_uscc, within_calendar

if TYPE_CHECKING:
    from peikao.core.exchange.base import ExchangeKind

BEIJING = dt.timezone(dt.timedelta(hours=8))
TRUE_WORDS = {"true", "t", "1", "yes", "y", "是", "对", "√"}
FALSE_WORDS = {"false", "f", "0", "no", "n", "否", "错", "×"}


@dataclass(frozen=True)
class Column:
    """A column of an exchange file: its English key and its Chinese label (both accepted as headers)."""

    key: str
    label: str
    required: bool = False
    id_number: bool = False  # masked in reports


@dataclass(frozen=True)
class Problem:
    """One reason a row (or the file) was rejected."""

    row: int
    column: str
    value: str
    code: str
    zh: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "code": self.code,
            "reason_zh": self.zh,
            "reason_en": self.en,
        }


_RENDERED: dict[tuple, tuple] = {}
# Attendance files repeat each trainee's number at every lesson: remember the numbers already validated.
_VALID_ID_NUMBERS: dict[str, str] = {}


def _rendered(message, params: dict | None) -> tuple[str, str]:
    """Both renderings of a report message, cached: a file of a million bad rows repeats a few reasons.
    The cache holds the message object itself, so an id is never mistaken for a later object's."""
    try:
        key = (id(message), tuple(sorted(params.items())) if params else ())
        hash(key)
    except TypeError:
        return both(message, params)
    found = _RENDERED.get(key)
    if found is None or found[0] is not message:
        if len(_RENDERED) > 10_000:
            _RENDERED.clear()
        found = _RENDERED[key] = (message, *both(message, params))
    return found[1], found[2]


class RowRejected(Exception):
    """Raised by ``Row.done()`` when a row has problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problems")


class Row:
    """One data row being cleaned: typed accessors that record problems instead of raising at once."""

    def __init__(self, number: int, values: dict[str, str], kind: ExchangeKind):
        self.number = number
        self.values = values
        self.kind = kind
        self.problems: list[Problem] = []

    # -- problems -------------------------------------------------------------------------------
    def fail(self, key: str, message: str | Promise, params: dict | None = None, *, code: str = "invalid") -> None:
        zh, en = _rendered(message, params)
        value = self.values.get(key, "")
        if key in self.kind.id_number_keys:
            value = mask_id_number(value)
        self.problems.append(Problem(self.number, key, value[:200], code, zh, en))

    def fail_validation(self, key: str, error: ValidationError) -> None:
        for each in error.error_list:
            zh, en = _rendered(each.message, each.params)
            value = self.values.get(key, "")
            if key in self.kind.id_number_keys:
                value = mask_id_number(value)
            self.problems.append(
                Problem(self.number, key, value[:200], each.code or getattr(error, "code", None) or "invalid", zh, en)
            )

    def done(self) -> None:
        if self.problems:
            raise RowRejected(self.problems)

    @property
    def ok(self) -> bool:
        return not self.problems

    # -- typed accessors ------------------------------------------------------------------------
    def raw(self, key: str) -> str:
        return self.values.get(key, "")

    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.values.get(key, "")
        if required and not value:
            self.fail(key, _("This value is required."), code="required")
        elif max_length and len(value) > max_length:
            self.fail(key, _("At most %(n)d characters."), {"n": max_length}, code="too_long")
        return value

    def choice(
        self, key: str, choices: type[models.TextChoices], *, required: bool = False, aliases: dict | None = None
    ) -> str:
        """A value of ``choices``: its code, or its label in Chinese or English, or one of ``aliases``."""
        value = self.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."), code="required")
            return ""
        lookup = choice_lookup(choices)
        found = lookup.get(value) or lookup.get(value.lower()) or (aliases or {}).get(value)
        if found:
            return found
        self.fail(key, _("Unknown value; allowed: %(allowed)s."), {"allowed": ", ".join(choices.values)}, code="choice")
        return ""

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."), code="required")
            return None
        parsed = parse_date_text(value)
        if parsed is None:
            self.fail(key, _("Not a date of the form YYYY-MM-DD."), code="date")
        return parsed

    def datetime(self, key: str, *, required: bool = False) -> dt.datetime | None:
        value = self.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."), code="required")
            return None
        try:
            parsed = parse_datetime(value.replace(" ", "T", 1) if "T" not in value else value)
        except ValueError:
            parsed = None
        if parsed is None:
            self.fail(key, _("Not a date and time in ISO 8601 (YYYY-MM-DDTHH:MM:SS)."), code="datetime")
            return None
        if timezone.is_naive(parsed):
            parsed = parsed.replace(tzinfo=BEIJING)
        if not within_calendar(parsed):  # 0001-01-01 in Beijing time is still year 0 in UTC
            self.fail(key, _("The date and time is out of range."), code="datetime")
            return None
        return parsed

    def integer(self, key: str, *, required: bool = False, min_value: int | None = None, max_value: int | None = None):
        value = self.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."), code="required")
            return None
        try:
            number = int(value)
        except ValueError:
            self.fail(key, _("Not a whole number."), code="integer")
            return None
        if (min_value is not None and number < min_value) or (max_value is not None and number > max_value):
            self.fail(
                key,
                _("Must lie between %(min)s and %(max)s."),
                {
                    "min": min_value if min_value is not None else "-∞",
                    "max": max_value if max_value is not None else "∞",
                },
                code="range",
            )
            return None
        return number

    def decimal(self, key: str, *, required: bool = False, min_value=None, max_value=None) -> decimal.Decimal | None:
        value = self.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."), code="required")
            return None
        try:
            number = decimal.Decimal(value)
            if not number.is_finite():
                raise decimal.InvalidOperation
        except decimal.InvalidOperation:
            self.fail(key, _("Not a number."), code="decimal")
            return None
        if (min_value is not None and number < min_value) or (max_value is not None and number > max_value):
            self.fail(
                key, _("Must lie between %(min)s and %(max)s."), {"min": min_value, "max": max_value}, code="range"
            )
            return None
        return number

    def boolean(self, key: str, *, default: bool = False) -> bool:
        value = self.values.get(key, "").lower()
        if not value:
            return default
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        self.fail(key, _("Not a yes/no value (true/false)."), code="boolean")
        return default

    def id_number(self, key: str = "id_number", *, required: bool = True) -> str:
        value = self.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."), code="required")
            return ""
        valid = _VALID_ID_NUMBERS.get(value)
        if valid is not None:
            return valid
        try:
            valid = validate_id_number(value)
            if len(_VALID_ID_NUMBERS) > 200_000:
                _VALID_ID_NUMBERS.clear()
            _VALID_ID_NUMBERS[value] = valid  # valid stays valid: only successes are remembered
            return valid
        except ValidationError as error:
            self.fail_validation(key, error)
            return ""

    def uscc(self, key: str = "uscc", *, required: bool = False) -> str:
        value = self.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."), code="required")
            return ""
        try:
            return validate_uscc(value)
        except ValidationError as error:
            self.fail_validation(key, error)
            return ""

    def items(self, key: str) -> list[str]:
        """A ``;``-separated list (full-width ``；`` and ``,`` tolerated)."""
        value = self.values.get(key, "").replace("；", ";").replace("，", ";").replace(",", ";")
        return [part.strip() for part in value.split(";") if part.strip()]


@cache
def choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Every accepted spelling of each choice (code, Chinese label, English label) → its code."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        zh, en = both(label)
        lookup |= {value: value, value.lower(): value, zh: value, en: value, en.lower(): value}
    return lookup


_DATE_TEXT = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


def parse_date_text(value: str) -> dt.date | None:
    """YYYY-MM-DD (also YYYY/M/D, as spreadsheets write it); a midnight timestamp from XLSX is a date."""
    if len(value) == 19 and value.endswith("T00:00:00"):
        value = value[:10]
    match = _DATE_TEXT.match(value)
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
