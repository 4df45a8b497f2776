"""Public lookups: by number and name, or by a scanned token; the answer holds masked data only.

What the register holds under a number (or at a status-list slot, for a QR) is read with one plain SQL query
and kept in a per-process cache (``RegisterCache``) that every certificate write invalidates within about a
second. This is the public service's hot path (bench/verify_load.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, models
from django.utils import timezone, translation

from peikao.certificates import publishing, rules
from peikao.certificates.choices import CertificateType, LookupOutcome, Standing
from peikao.certificates.models import Certificate
from peikao.certificates.signing import token_from_url
from peikao.certificates.verification.reference import reference
from peikao.core.conf import peikao
from peikao.core.models import authority_name
from peikao.core.privacy import mask_certificate_number
from peikao.lib import jws
from peikao.registry.choices import Sex
from peikao.registry.models import Person
from peikao.training.choices import TraineeCategory

# Best first: the overall outcome of a number with several items is its best item's.
STANDING_ORDER = [
    Standing.VALID,
    Standing.REVIEW_OVERDUE,
    Standing.EXPIRED,
    Standing.SUSPENDED,
    Standing.REVOKED,
    Standing.CANCELLED,
]
_NAME_DOTS = re.compile(r"[·•・‧∙⋅.．]")
_SPACES = re.compile(r"[\s\-－]+")
_WHITESPACE = re.compile(r"\s+")


def normalise_number(value: str) -> str:
    if value and value.isalnum():  # as typed or scanned, nearly always: no expression to run
        return value.upper()[:64]
    return _SPACES.sub("", value or "").upper()[:64]


def normalise_name(value: str) -> str:
    if value and value.isalpha():  # no spaces, no dots of any kind
        return value[:50]
    return _NAME_DOTS.sub("·", _WHITESPACE.sub("", value or ""))[:50]


@dataclass
class Answer:
    outcome: str
    certificates: list[dict] = field(default_factory=list)
    claims: dict | None = None
    kid: str = ""
    certificate_id: int | None = None
    certificates_json: list[str] | None = None  # the same certificates, serialised (shared: never edit them)
    asked: tuple[str, str] | None = None  # the number and name asked for, normalised (by_number)

    @property
    def outcome_label(self) -> str:
        return str(LookupOutcome(self.outcome).label)


class RegisterRow(NamedTuple):
    """One certificate under a number, as the hot lookup reads it (no model instances on the public path)."""

    id: int
    cert_no: str
    cert_type: str
    operation_item_id: int | None
    trainee_category: str
    industry_id: int | None
    issuer_region_id: str
    first_issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date
    next_review_due: dt.date | None
    last_reviewed_on: dt.date | None
    status: str
    status_index: int
    person_id: int
    name: str
    sex: str


_LABELS: dict[tuple[str, type], dict[str, str]] = {}


def _label(choices: type[models.TextChoices], value: str, language: str) -> str:
    """``choices(value).label`` in ``language`` (the active one), from a table made once per language."""
    key = (language, choices)
    table = _LABELS.get(key)
    if table is None:
        table = _LABELS[key] = {member.value: str(member.label) for member in choices}
    return table.get(value, "") if value else ""


def public_fields(certificate: RegisterRow, standing: str) -> dict:
    """The national query's fields, with the number and ID masked."""
    ref = reference()
    language = translation.get_language() or ""
    code, item_name, category = ref.items.get(certificate.operation_item_id, ("", "", ""))
    if certificate.operation_item_id:
        subject, category_label = item_name, category
    else:
        subject = _label(TraineeCategory, certificate.trainee_category, language)
        category_label = ref.industries.get(certificate.industry_id, "")
    region_name, level = ref.regions.get(certificate.issuer_region_id, (certificate.issuer_region_id, "city"))
    return {
        "name": certificate.name,
        "sex": _label(Sex, certificate.sex, language),
        "cert_no": mask_certificate_number(certificate.cert_no),
        "cert_type": certificate.cert_type,
        "cert_type_label": _label(CertificateType, certificate.cert_type, language),
        "category": category_label,
        "item": subject,
        "item_code": code,
        "first_issued_on": certificate.first_issued_on.isoformat(),
        "valid_from": certificate.valid_from.isoformat(),
        "valid_until": certificate.valid_until.isoformat(),
        "review_due": certificate.next_review_due.isoformat() if certificate.next_review_due else None,
        "review_held": rules.review_held(certificate.next_review_due),
        "last_reviewed_on": certificate.last_reviewed_on.isoformat() if certificate.last_reviewed_on else None,
        "issuer": authority_name(region_name, level),
        "issuer_code": certificate.issuer_region_id,
        "standing": standing,
        "standing_label": _label(Standing, standing, language),
    }


@dataclass(frozen=True)
class Held:
    """One certificate as the public answer needs it, computed once per day and register version."""

    certificate_id: int
    status_index: int
    holder: str  # the normalised name
    standing: str
    sort_key: tuple
    fields: dict
    json: str  # ``fields`` serialised once, for the public API


class RegisterCache:
    """Recently looked-up numbers and what the register holds under them (an LRU per process).

    Every certificate write bumps the register version; each process reads the version at most once a
    second and drops its cache when it changed (and at midnight, when standings move). So a revocation is
    seen by the public within about a second, and a number looked up again costs no query."""

    def __init__(self) -> None:
        self._data: OrderedDict[str, list[Held]] = OrderedDict()
        self._lock = threading.Lock()
        self._version: int | None = None
        self._checked = float("-inf")
        self._day: dt.date | None = None

    @property
    def size(self) -> int:
        return int(peikao().get("VERIFY_CACHE_ENTRIES", 100_000))

    def _fresh(self, today: dt.date) -> None:
        now = time.monotonic()
        if now - self._checked < float(peikao().get("VERIFY_CACHE_SECONDS", 1.0)) and self._day == today:
            return
        version = publishing.current_version()
        with self._lock:
            if version != self._version or today != self._day:
                self._data.clear()
                self._version, self._day = version, today
            self._checked = now

    def get(self, number: str, today: dt.date) -> list[Held]:
        """The certificates under a number."""
        return self._get(number, today, _certificates_under, number)

    def at_slot(self, status_index: int, today: dt.date) -> list[Held]:
        """The certificate at a status-list slot (what a QR names), as a list of none or one."""
        return self._get(f"#{status_index}", today, _certificate_at, status_index)

    def _get(self, key: str, today: dt.date, load, value) -> list[Held]:
        if self.size <= 0:
            return _held(load(value), today)
        self._fresh(today)
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
                return found
        found = _held(load(value), today)
        with self._lock:
            self._data[key] = found
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return found

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._version = None


_REGISTER_SQL: dict[str, str] = {}


def _register_sql(column: str) -> str:
    """The lookup of a number (``cert_no``) or of a status-list slot (``status_index``, a scanned QR), as plain
    SQL: the hottest query of the platform, planned once per connection on the public service (settings_public
    prepares statements), with no ORM compilation per request."""
    sql = _REGISTER_SQL.get(column)
    if sql is None:
        quote = connection.ops.quote_name
        sql = _REGISTER_SQL[column] = (
            "SELECT c.id, c.cert_no, c.cert_type, c.operation_item_id, c.trainee_category, c.industry_id, "
            "c.issuer_region_id, c.first_issued_on, c.valid_from, c.valid_until, c.next_review_due, "
            "c.last_reviewed_on, c.status, c.status_index, c.person_id, p.name, p.sex "
            f"FROM {quote(Certificate._meta.db_table)} c "
            f"JOIN {quote(Person._meta.db_table)} p ON p.id = c.person_id WHERE c.{column} = %s"
        )
    return sql


def _day(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])  # SQLite hands raw dates back as text


def _register_rows(column: str, value) -> list[RegisterRow]:
    with connection.cursor() as cursor:
        cursor.execute(_register_sql(column), [value])
        rows = cursor.fetchall()
    return [
        RegisterRow(pk, number, cert_type, item, category or "", industry, issuer, _day(first), _day(start),
                    _day(until), _day(due), _day(reviewed), status, index, person_id, name, sex)
        for (pk, number, cert_type, item, category, industry, issuer, first, start, until, due, reviewed, status,
             index, person_id, name, sex) in rows
    ]  # fmt: skip


def _certificates_under(number: str) -> list[RegisterRow]:
    return _register_rows("cert_no", number)


def _certificate_at(status_index: int) -> list[RegisterRow]:
    """The certificate a QR names by its status-list slot (unique, never reused)."""
    return _register_rows("status_index", status_index)


def _held(certificates: list[RegisterRow], today: dt.date) -> list[Held]:
    items = reference().items
    out = []
    for certificate in certificates:
        standing = rules.standing(
            status=certificate.status,
            valid_until=certificate.valid_until,
            next_review_due=certificate.next_review_due,
            today=today,
        )
        out.append(
            Held(
                certificate_id=certificate.id,
                status_index=certificate.status_index,
                holder=normalise_name(certificate.name),
                standing=standing,
                sort_key=(STANDING_ORDER.index(standing), items.get(certificate.operation_item_id, ("",))[0]),
                fields=(fields := public_fields(certificate, standing)),
                json=json.dumps(fields, ensure_ascii=False, separators=(",", ":")),
            )
        )
    return out


register_cache = RegisterCache()


_today: tuple[float, float, dt.date] = (0.0, 0.0, dt.date.min)


def local_today() -> dt.date:
    """``timezone.localdate()``, computed once per local day (the public path asks thousands of times a second)."""
    global _today
    since, until, day = _today
    now = time.time()
    if since <= now < until:
        return day
    local = timezone.localtime()
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    following = (start + dt.timedelta(days=1, hours=2)).replace(hour=0)  # the next midnight, whatever the day's length
    _today = (start.timestamp(), following.timestamp(), local.date())
    return local.date()


def by_number(cert_no: str, name: str, *, today: dt.date | None = None) -> Answer:
    """Certificates under ``cert_no`` whose holder is ``name``; a wrong name is 'not found', never a hint."""
    today = today or local_today()
    number, wanted = normalise_number(cert_no), normalise_name(name)
    asked = (number, wanted)
    if not number or not wanted:
        return Answer(LookupOutcome.NOT_FOUND, asked=asked)
    found = [held for held in register_cache.get(number, today) if held.holder == wanted]
    if len(found) > 1:
        found.sort(key=lambda h: h.sort_key)
    if not found:
        return Answer(LookupOutcome.NOT_FOUND, asked=asked)
    return Answer(
        found[0].standing,
        [held.fields for held in found],
        certificate_id=found[0].certificate_id,
        certificates_json=[held.json for held in found],
        asked=asked,
    )


def by_token(token: str, *, today: dt.date | None = None) -> Answer:
    """A scanned QR: the signature first, then the certificate's current state in the register."""
    today = today or local_today()
    token = token_from_url(token or "")
    try:
        claims = _verified(token)
    except jws.InvalidToken:
        answer = Answer(LookupOutcome.SIGNATURE_INVALID)
        answer.claims = _unverified_claims(token)
        with contextlib.suppress(jws.InvalidToken):
            answer.kid = str(jws.token_header(token).get("kid", ""))[:64]
        return answer
    # The QR names its certificate by the status-list slot; its number is masked in the payload (a T-number
    # carries the ID number), older payloads have it in full: either way it must be the slot's number.
    index = claims.get("status_index")
    found = register_cache.at_slot(index, today) if type(index) is int else []  # not a bool, nor a string
    held = found[0] if found else None
    if held is None or held.fields["cert_no"] != mask_certificate_number(str(claims.get("no", ""))):
        return Answer(LookupOutcome.NOT_FOUND, claims=claims)
    return Answer(
        held.standing, [held.fields], claims=claims, certificate_id=held.certificate_id, certificates_json=[held.json]
    )


def _verified(token: str) -> dict:
    try:
        return jws.verify_token(token, publishing.keyring().public_keys)
    except jws.InvalidToken as error:
        # A key rotated by another process: reload once (rate-limited), then decide.
        if error.code == jws.TokenErrorCode.UNKNOWN_KID and publishing.reload_keyring_for_unknown_kid():
            return jws.verify_token(token, publishing.keyring().public_keys)
        raise


def _unverified_claims(token: str) -> dict | None:
    """What a forged token claims (for the lead), read without trusting it."""
    try:
        payload = json.loads(jws.b64url_decode(token.split(".")[1]))
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None
