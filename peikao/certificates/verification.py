"""Public verification: answer a lookup by number and name or by a scanned token, with masked data only;
log every lookup; turn failed and suspicious ones into fake-certificate leads.

Lookups are logged through a small in-process buffer written in batches (every second, or every 200
lookups) by a background thread, so that a busy public page costs no write of its own. Leads are derived
from the log later, set-based (``derive_leads``: cron, and whenever the leads are listed). With
``PEIKAO["LOOKUP_LOG_FLUSH_SECONDS"] = 0`` every lookup is written at once (tests, single-process use).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import close_old_connections, models, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation

from peikao.certificates import publishing, rules, signing
from peikao.certificates.choices import (
    OUTCOME_LEADS,
    CertificateType,
    LeadStatus,
    LookupChannel,
    LookupOutcome,
    Standing,
)
from peikao.certificates.models import Certificate, Lead, Lookup
from peikao.core.audit import audit_context, record_bulk
from peikao.core.choices import ChangeAction
from peikao.core.conf import peikao
from peikao.core.models import Region
from peikao.core.privacy import mask_certificate_number

logger = logging.getLogger(__name__)

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


def number_pattern(cert_no: str) -> str:
    """What fake numbers from one source tend to share: the letters, the first four digits and the length."""
    if not cert_no:
        return ""
    match = re.match(r"^([A-Z]*)(\d{0,4})", cert_no)
    letters, digits = (match.group(1), match.group(2)) if match else ("", "")
    return f"{letters}{digits}…({len(cert_no)})"[:32]


def lead_region_code(cert_no: str, claimed_issuer: str = "") -> str | None:
    """The region whose regulators see a lead: the claimed issuer, else the place coded in a T number
    (or the nearest region above it that exists). Read from the in-memory reference tables."""
    regions = reference().regions
    candidates = []
    issuer = (claimed_issuer or "").strip()
    if re.fullmatch(r"\d{6}", issuer):
        candidates.append(issuer)
    if cert_no.startswith("T") and re.fullmatch(r"\d{6}", cert_no[1:7]):
        candidates.append(cert_no[1:7])
    for code in candidates:
        for attempt in (code, code[:4] + "00", code[:2] + "0000"):
            if attempt in regions:
                return attempt
    if issuer:
        short = issuer.replace("应急管理局", "").replace("应急管理厅", "")
        return next((code for code, (name, _level) in regions.items() if name in (issuer, short)), None)
    return None


def lead_region(cert_no: str, claimed_issuer: str = "") -> Region | None:
    code = lead_region_code(cert_no, claimed_issuer)
    return Region.objects.filter(code=code).first() if code else None


# ---------------------------------------------------------------------------------------------------
# Answers


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


def issuing_authority(region: Region) -> str:
    """福建省应急管理厅, 福州市应急管理局: the authority of a region as it is printed."""
    if region.level == "nation":
        return "应急管理部"
    return f"{region.name}应急管理{'厅' if region.level == 'province' else '局'}"


@dataclass(frozen=True)
class Reference:
    """The small reference tables a public answer names (items, categories, industries, regions), held in
    memory: the hot lookup then reads two tables (certificate, holder) instead of joining six."""

    items: dict[int, tuple[str, str, str]]  # id → (code, name, category name)
    industries: dict[int, str]
    regions: dict[str, tuple[str, str]]  # code → (name, level)
    loaded: float


_reference: Reference | None = None
REFERENCE_MAX_AGE = 300.0


def reference() -> Reference:
    global _reference
    import time

    from peikao.registry.models import Industry, OperationItem

    current = _reference
    if current is not None and time.monotonic() - current.loaded < REFERENCE_MAX_AGE:
        return current
    _reference = Reference(
        items={
            pk: (code, name, category)
            for pk, code, name, category in OperationItem.objects.values_list("pk", "code", "name", "category__name")
        },
        industries=dict(Industry.objects.values_list("pk", "name")),
        regions={code: (name, level) for code, name, level in Region.objects.values_list("code", "name", "level")},
        loaded=time.monotonic(),
    )
    return _reference


def reset_reference() -> None:
    global _reference
    _reference = None


def _authority(name: str, level: str) -> str:
    if level == "nation":
        return "应急管理部"
    return f"{name}应急管理{'厅' if level == 'province' else '局'}"


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
    from peikao.registry.choices import Sex
    from peikao.training.choices import TraineeCategory

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
        "issuer": _authority(region_name, level),
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
        from django.db import connection

        from peikao.registry.models import Person

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
    from django.db import connection

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
    token = signing.token_from_url(token or "")
    try:
        claims = _verified(token)
    except signing.InvalidToken:
        answer = Answer(LookupOutcome.SIGNATURE_INVALID)
        answer.claims = _unverified_claims(token)
        with contextlib.suppress(signing.InvalidToken):
            answer.kid = str(signing.token_header(token).get("kid", ""))[:64]
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
        return signing.verify_token(token, publishing.keyring().public_keys)
    except signing.InvalidToken as error:
        # A key rotated by another process: reload once (rate-limited), then decide.
        if error.code == signing.TokenErrorCode.UNKNOWN_KID and publishing.reload_keyring_for_unknown_kid():
            return signing.verify_token(token, publishing.keyring().public_keys)
        raise


def _unverified_claims(token: str) -> dict | None:
    """What a forged token claims (for the lead), read without trusting it."""
    import json

    try:
        payload = json.loads(signing.b64url_decode(token.split(".")[1]))
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


# ---------------------------------------------------------------------------------------------------
# The lookup log and leads


class LookupEntry(NamedTuple):
    """One lookup as the log stores it: the columns of ``Lookup`` in order (``LOOKUP_COLUMNS``), so that a
    batch goes to COPY as it is."""

    time: dt.datetime
    channel: str
    cert_no: str
    name: str
    client: str
    user_agent: str
    outcome: str
    certificate_id: int | None = None
    kid: str = ""
    claimed_issuer: str = ""


LOOKUP_COLUMNS = LookupEntry._fields


def entry_for(
    answer: Answer, *, channel: str, client: str, user_agent: str, cert_no: str = "", name: str = ""
) -> LookupEntry:
    claims = answer.claims or {}
    if answer.asked is not None:  # by_number normalised them already
        number, name = answer.asked
    else:
        number = normalise_number(cert_no or str(claims.get("no", "")))
        name = normalise_name(name or str(claims.get("name", "")))
    return LookupEntry(
        dt.datetime.now(dt.UTC),  # timezone.now() with USE_TZ, without reading the setting
        channel,
        number,
        name,
        client[:64],
        (user_agent or "")[:200],
        answer.outcome,
        answer.certificate_id,
        answer.kid,
        str(claims.get("issuer", ""))[:16],
    )


def write_entries(entries: list[LookupEntry]) -> int:
    """Append a batch of lookups (COPY on PostgreSQL); return how many. Leads are derived from them later,
    set-based, by ``derive_leads`` — nothing but an append happens on the public path."""
    if not entries:
        return 0
    from peikao.core.bulk import insert_rows

    with transaction.atomic():
        return insert_rows(Lookup, LOOKUP_COLUMNS, entries)


LEAD_WATERMARK = "lookup_leads"


def purge_lookups(*, older_than: dt.datetime, batch: int = 100_000) -> int:
    """Delete the lookups logged before ``older_than`` that ``derive_leads`` has already read (each lead keeps
    its counts, first and last sightings): what the public typed — names, numbers that may hold ID numbers —
    is not kept longer than it serves. Deletes by primary-key ranges, a batch per transaction, so that the
    public path's appends never wait long. Returns the number deleted."""
    from peikao.certificates.models import Counter

    derived = Counter.objects.filter(name=LEAD_WATERMARK).values_list("value", flat=True).first() or 0
    deleted = 0
    while True:
        window = Lookup.objects.filter(pk__lte=derived, time__lt=older_than)
        # The batch's last key (or the last of all when fewer are left): one index range per transaction.
        edges = list(window.order_by("pk").values_list("pk", flat=True)[batch - 1 : batch])
        edge = edges[0] if edges else window.aggregate(top=Max("pk"))["top"]
        if edge is None:
            return deleted
        with transaction.atomic():
            count, _detail = window.filter(pk__lte=edge).delete()
        deleted += count


def derive_leads(*, limit: int = 500_000) -> int:
    """Turn the suspicious lookups logged since the last run into leads: grouped in the database by outcome,
    number and client; a repeat adds up on the open lead of the same kind, number and source. Runs from
    ``manage.py derive_leads`` (cron), and before the leads are listed. Returns the number of leads created."""
    from django.db.models import Count, Max, Min

    from peikao.certificates.models import Counter

    with transaction.atomic(), audit_context(label="system:verification"):
        counter, _created = Counter.objects.select_for_update().get_or_create(name=LEAD_WATERMARK)
        start = counter.value
        top = Lookup.objects.filter(pk__gt=start).aggregate(top=Max("pk"))["top"]
        if top is None:
            return 0
        top = min(top, start + limit)
        rows = (
            Lookup.objects.filter(pk__gt=start, pk__lte=top, outcome__in=list(OUTCOME_LEADS))
            .values("outcome", "cert_no", "client")
            .annotate(
                n=Count("id"),
                first=Min("time"),
                last=Max("time"),
                name=Max("name"),
                issuer=Max("claimed_issuer"),
                certificate=Max("certificate_id"),
            )
            .order_by()
        )
        groups: dict[tuple[str, str, str], dict] = {}
        for row in rows:
            key = (OUTCOME_LEADS[LookupOutcome(row["outcome"])], row["cert_no"], f"ip:{row['client']}")
            group = groups.get(key)
            if group is None:
                groups[key] = dict(row)
            else:  # revoked and cancelled are one kind of lead
                group["n"] += row["n"]
                group["first"], group["last"] = min(group["first"], row["first"]), max(group["last"], row["last"])
        created = _merge_leads(groups) if groups else 0
        Counter.objects.filter(pk=counter.pk).update(value=top)
    return created


def _merge_leads(groups: dict[tuple[str, str, str], dict]) -> int:
    keys_q = Q()
    for kind, cert_no, source in groups:
        keys_q |= Q(kind=kind, cert_no=cert_no, source=source)
    open_leads = {
        (lead.kind, lead.cert_no, lead.source): lead
        for lead in Lead.objects.select_for_update().filter(keys_q, status__in=[LeadStatus.NEW, LeadStatus.REVIEWING])
    }
    created, changed = [], []
    now = timezone.now()
    for key, group in groups.items():
        lead = open_leads.get(key)
        if lead is not None:
            lead.occurrences += group["n"]
            lead.last_seen = max(lead.last_seen, group["last"])
            lead.updated_at = now
            changed.append(lead)
            continue
        kind, cert_no, source = key
        created.append(
            Lead(
                kind=kind,
                cert_no=cert_no,
                name=group["name"] or "",
                claimed_issuer=group["issuer"] or "",
                number_pattern=number_pattern(cert_no),
                source=source,
                region_id=lead_region_code(cert_no, group["issuer"] or ""),
                certificate_id=group["certificate"],
                occurrences=group["n"],
                first_seen=group["first"],
                last_seen=group["last"],
            )
        )
    Lead.objects.bulk_create(created, batch_size=2000)
    if changed:
        Lead.objects.bulk_update(changed, ["occurrences", "last_seen", "updated_at"], batch_size=2000)
    from peikao.core.audit import snapshot

    record_bulk([(ChangeAction.CREATE, lead, None, snapshot(lead)) for lead in created if lead.pk])
    return len(created)


BATCH = 1000  # lookups written in one COPY at most once a second, or as soon as this many wait


class LookupLog:
    """The per-process buffer of lookups, written by a daemon thread; started lazily after a fork."""

    def __init__(self) -> None:
        self._entries: list[LookupEntry] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._registered = False

    @property
    def interval(self) -> float:
        return float(peikao().get("LOOKUP_LOG_FLUSH_SECONDS", 1.0))

    def record(self, entry: LookupEntry) -> None:
        if self.interval <= 0:
            write_entries([entry])
            return
        with self._lock:
            self._entries.append(entry)
            size = len(self._entries)
            if self._thread is None:
                self._start()
        if size == BATCH:  # once per batch; the writer wakes up every interval anyway
            self._wake.set()

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="peikao-lookup-log", daemon=True)
        self._thread.start()
        if not self._registered:
            self._registered = True
            atexit.register(self.flush)
            os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        """A forked worker has none of the parent's threads: it starts its own writer on its first lookup."""
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._entries = []
        self._thread = None

    def _run(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.flush()
                close_old_connections()
            except Exception:  # never let the writer die: the entries are retried next time
                logger.exception("writing the lookup log failed")

    def flush(self) -> int:
        with self._lock:
            entries, self._entries = self._entries, []
        if not entries:
            return 0
        try:
            return write_entries(entries)
        except Exception:
            with self._lock:  # keep them for the next attempt, but never more than 10,000
                self._entries = (entries + self._entries)[-10_000:]
            raise

    def pending(self) -> int:
        with self._lock:
            return len(self._entries)


lookup_log = LookupLog()


def record(answer: Answer, *, channel: str, client: str, user_agent: str, cert_no: str = "", name: str = "") -> None:
    lookup_log.record(
        entry_for(answer, channel=channel, client=client, user_agent=user_agent, cert_no=cert_no, name=name)
    )


__all__ = ["Answer", "LookupChannel", "by_number", "by_token", "lookup_log", "record"]
