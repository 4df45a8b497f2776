"""Validators for the identifiers Peikao trusts: resident ID numbers and unified social credit codes.

Both return the normalised value or raise Django's ``ValidationError`` whose message gives the
reason (translatable, rendered in the reader's language) and whose ``code`` names the rule that failed.

Resident ID numbers (GB 11643-1999): 18 characters, the 18th a check character; characters 7-14 a
real birth date not in the future; characters 1-6 a division code that exists in the current or
any historical GB/T 2260 table (an ID keeps the code of the place it was first issued, which may
have been renamed, retired or even reused since: any period counts), or the prefix 81/82/83 of
the residence permits for Hong Kong, Macao and Taiwan residents.

Unified social credit codes (GB 32100-2015): 18 characters over the alphabet without I, O, Z, S, V;
first character 1-9, A, N or Y; characters 9-17 are an organisation code (GB 11714-1997) with its
own check character; the 18th character is the GB 32100 check character.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REGION_HISTORY_FILE = Path(__file__).resolve().parent / "data" / "regions" / "gbt2260_history.csv"

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
RESIDENCE_PERMIT_PREFIXES = ("81", "82", "83")
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_WHITESPACE = re.compile(r"\s+")

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUES = {char: index for index, char in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_FIRST_CHARS = frozenset("123456789ANY")
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _error(message, code: str, params: dict | None = None) -> ValidationError:
    """Rendered when read: a form shows the page's language only; an import report reads both (``both``)."""
    return ValidationError(message, code=code, params=params)


@lru_cache(maxsize=1)
def gbt2260_codes() -> frozenset[str]:
    """Every division code that has ever been a GB/T 2260 code (current and historical)."""
    with open(REGION_HISTORY_FILE, encoding="utf-8") as fh:
        return frozenset(row["code"] for row in csv.DictReader(fh))


@lru_cache(maxsize=1)
def gbt2260_names() -> dict[str, str]:
    """Code → the names it has carried, newest last, joined with '/' (for display only)."""
    names: dict[str, list[str]] = {}
    with open(REGION_HISTORY_FILE, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            names.setdefault(row["code"], []).append(row["name"])
    return {code: "/".join(values) for code, values in names.items()}


# The weighted sum of GB 11643 taken three digits at a time from tables (a million imports a minute need it fast):
# _CHUNK_SUMS[k][n] is the weighted sum of the digits of n (zero-padded) at positions 3k, 3k+1, 3k+2.
_CHUNKS = [(start, min(start + 3, 17)) for start in range(0, 17, 3)]
_CHUNK_SUMS = [
    [
        sum(int(digit) * ID_WEIGHTS[start + i] for i, digit in enumerate(str(n).zfill(end - start)))
        for n in range(10 ** (end - start))
    ]
    for start, end in _CHUNKS
]


def id_check_char(first17: str) -> str:
    total = 0
    for (start, end), sums in zip(_CHUNKS, _CHUNK_SUMS, strict=True):
        total += sums[int(first17[start:end])]
    return ID_CHECK_CHARS[total % 11]


_today_cache: list = [None, None]


def _today() -> dt.date:
    """Today in Beijing, recomputed at most once a second (validators run a million times an import)."""
    second = int(time.time())
    if _today_cache[0] != second:
        _today_cache[0], _today_cache[1] = second, timezone.localdate()
    return _today_cache[1]


def normalise_id_number(value: object) -> str:
    return _WHITESPACE.sub("", str(value if value is not None else "")).upper()


def validate_id_number(value: object) -> str:
    """Return the normalised 18-character ID number or raise ``ValidationError`` with the reason."""
    number = normalise_id_number(value)
    if not number:
        raise _error(_("ID number is empty."), "id_empty")
    if len(number) == 15 and number.isdigit():
        raise _error(
            _("This is a 15-digit ID number issued before 1999; please give the 18-digit number."),
            "id_legacy_15",
        )
    if len(number) != 18:
        raise _error(
            _("An ID number has 18 characters, this one has %(length)d."), "id_length", {"length": len(number)}
        )
    if not _ID_SHAPE.match(number):
        raise _error(
            _("An ID number is 17 digits followed by a digit or X."),
            "id_format",
        )
    if id_check_char(number[:17]) != number[17]:
        raise _error(_("The check character of the ID number is wrong."), "id_checksum")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise _error(
            _("The birth date %(date)s in the ID number is not a real date."), "id_birth_date", {"date": number[6:14]}
        ) from None
    if birth > _today():
        raise _error(_("The birth date in the ID number is in the future."), "id_birth_future")
    if not number.startswith(RESIDENCE_PERMIT_PREFIXES) and number[:6] not in gbt2260_codes():
        raise _error(
            _("The region code %(code)s of the ID number has never existed."), "id_region", {"code": number[:6]}
        )
    return number


@dataclass(frozen=True)
class IdNumberFacts:
    """What an ID number says about its holder."""

    birth_date: dt.date
    sex: str  # "M" or "F": the 17th digit is odd for men
    region_code: str


def id_number_facts(number: str) -> IdNumberFacts:
    """Facts derived from an already validated ID number."""
    return IdNumberFacts(
        birth_date=dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        sex="M" if int(number[16]) % 2 else "F",
        region_code=number[:6],
    )


def _org_code_value(char: str) -> int:
    """GB 11714 values: digits as themselves, letters A=10 … Z=35 (the full Latin alphabet)."""
    return int(char) if char.isdigit() else ord(char) - 55


def _org_code_check_char(body: str) -> str:
    total = sum(_org_code_value(char) * weight for char, weight in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_VALUES[char] * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: object) -> str:
    return re.sub(r"[\s\-]+", "", str(value if value is not None else "")).upper()


def validate_uscc(value: object) -> str:
    """Return the normalised unified social credit code or raise ``ValidationError`` with the reason."""
    code = normalise_uscc(value)
    if not code:
        raise _error(_("Unified social credit code is empty."), "uscc_empty")
    if len(code) != 18:
        raise _error(
            _("A unified social credit code has 18 characters, this one has %(length)d."),
            "uscc_length",
            {"length": len(code)},
        )
    bad = sorted({char for char in code if char not in USCC_VALUES})
    if bad:
        raise _error(
            _("The unified social credit code contains characters that are not allowed: %(chars)s."),
            "uscc_alphabet",
            {"chars": " ".join(bad)},
        )
    if code[0] not in USCC_FIRST_CHARS:
        raise _error(_("The first character of a unified social credit code must be 1-9, A, N or Y."), "uscc_authority")
    if _org_code_check_char(code[8:16]) != code[16]:
        raise _error(
            _(
                "The organisation code inside the unified social credit code (characters 9-17) "
                "has a wrong check character."
            ),
            "uscc_org_code_checksum",
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise _error(_("The check character of the unified social credit code is wrong."), "uscc_checksum")
    return code


def within_calendar(moment: dt.datetime) -> bool:
    """Whether ``moment`` falls on a day in every zone the platform converts it to (UTC, where it is stored, and
    the platform's zone, where it is shown and judged): a time on 0001-01-01 east of Beijing, or on 9999-12-31
    west of UTC, has no such day (an OverflowError in the conversion). A naive time is the platform's."""
    zone = timezone.get_default_timezone()
    aware = moment if timezone.is_aware(moment) else moment.replace(tzinfo=zone)
    try:
        aware.astimezone(dt.UTC)
        aware.astimezone(zone)
    except OverflowError:
        return False
    return True
