"""Public verification: answer a lookup by number and name or by a scanned token, with masked data only;
log every lookup; turn failed and suspicious ones into fake-certificate leads.

Lookups are logged through a small in-process buffer written in batches (every second, or every 200
lookups) by a background thread, so that a busy public page costs one read per lookup, not a write.
Leads are created (or counted up) from each batch with set-based queries. With
``PEIKAO["LOOKUP_LOG_FLUSH_SECONDS"] = 0`` every lookup is written at once (tests, single-process use).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import logging
import os
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from peikao.certificates import publishing, rules, signing
from peikao.certificates.choices import LeadKind, LeadStatus, LookupChannel, LookupOutcome, Standing
from peikao.certificates.models import Certificate, Lead, Lookup
from peikao.core.audit import audit_context, record_bulk
from peikao.core.choices import ChangeAction
from peikao.core.models import Region

logger = logging.getLogger(__name__)

OUTCOME_LEADS = {
    LookupOutcome.NOT_FOUND: LeadKind.FAILED_LOOKUP,
    LookupOutcome.SIGNATURE_INVALID: LeadKind.INVALID_SIGNATURE,
    LookupOutcome.REVOKED: LeadKind.REVOKED_PRESENTED,
    LookupOutcome.CANCELLED: LeadKind.REVOKED_PRESENTED,
    LookupOutcome.SUSPENDED: LeadKind.SUSPENDED_PRESENTED,
}
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


def normalise_number(value: str) -> str:
    return _SPACES.sub("", value or "").upper()[:64]


def normalise_name(value: str) -> str:
    return _NAME_DOTS.sub("·", re.sub(r"\s+", "", value or ""))[:50]


def mask_number(cert_no: str) -> str:
    """A certificate number for public display: T + masked ID number; other numbers are not personal."""
    if cert_no.startswith("T") and len(cert_no) == 19:
        return "T" + signing.mask_id_number(cert_no[1:])
    return cert_no


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧**明: enough to recognise, not enough to learn."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def number_pattern(cert_no: str) -> str:
    """What fake numbers from one source tend to share: the letters, the first four digits and the length."""
    if not cert_no:
        return ""
    match = re.match(r"^([A-Z]*)(\d{0,4})", cert_no)
    letters, digits = (match.group(1), match.group(2)) if match else ("", "")
    return f"{letters}{digits}…({len(cert_no)})"[:32]


def lead_region(cert_no: str, claimed_issuer: str = "") -> Region | None:
    """The region whose regulators see a lead: the claimed issuer, else the place coded in a T number."""
    candidates = []
    issuer = (claimed_issuer or "").strip()
    if re.fullmatch(r"\d{6}", issuer):
        candidates.append(issuer)
    if cert_no.startswith("T") and re.fullmatch(r"\d{6}", cert_no[1:7]):
        candidates.append(cert_no[1:7])
    for code in candidates:
        for attempt in (code, code[:4] + "00", code[:2] + "0000"):
            region = Region.objects.filter(code=attempt).first()
            if region is not None:
                return region
    if issuer:
        return Region.objects.filter(name=issuer).first()
    return None


# ---------------------------------------------------------------------------------------------------
# Answers


@dataclass
class Answer:
    outcome: str
    certificates: list[dict] = field(default_factory=list)
    claims: dict | None = None
    kid: str = ""
    certificate_id: int | None = None

    @property
    def outcome_label(self) -> str:
        return str(LookupOutcome(self.outcome).label)


def issuing_authority(region: Region) -> str:
    """福建省应急管理厅, 福州市应急管理局: the authority of a region as it is printed."""
    if region.level == "nation":
        return "应急管理部"
    return f"{region.name}应急管理{'厅' if region.level == 'province' else '局'}"


def public_fields(certificate: Certificate, standing: str) -> dict:
    """The national query's fields, with the number and ID masked."""
    review_held = rules.review_held(certificate.next_review_due)
    return {
        "name": certificate.person.name,
        "sex": certificate.person.get_sex_display(),
        "cert_no": mask_number(certificate.cert_no),
        "cert_type": certificate.cert_type,
        "cert_type_label": certificate.get_cert_type_display(),
        "category": certificate.category_label,
        "item": certificate.subject_label,
        "item_code": certificate.operation_item.code if certificate.operation_item_id else "",
        "first_issued_on": certificate.first_issued_on.isoformat(),
        "valid_from": certificate.valid_from.isoformat(),
        "valid_until": certificate.valid_until.isoformat(),
        "review_due": certificate.next_review_due.isoformat() if certificate.next_review_due else None,
        "review_held": review_held,
        "last_reviewed_on": certificate.last_reviewed_on.isoformat() if certificate.last_reviewed_on else None,
        "issuer": issuing_authority(certificate.issuer_region),
        "issuer_code": certificate.issuer_region.code,
        "standing": standing,
        "standing_label": str(Standing(standing).label),
    }


def _fetch(queryset, today: dt.date) -> list[Certificate]:
    return list(
        rules.with_standing(queryset, today).select_related(
            "person", "operation_item__category", "industry", "issuer_region"
        )
    )


def _overall(certificates: list[Certificate]) -> str:
    return min((c.standing for c in certificates), key=STANDING_ORDER.index)


def by_number(cert_no: str, name: str, *, today: dt.date | None = None) -> Answer:
    """Certificates under ``cert_no`` whose holder is ``name``; a wrong name is 'not found', never a hint."""
    today = today or timezone.localdate()
    number, wanted = normalise_number(cert_no), normalise_name(name)
    if not number or not wanted:
        return Answer(LookupOutcome.NOT_FOUND)
    found = [
        c for c in _fetch(Certificate.objects.filter(cert_no=number), today) if normalise_name(c.person.name) == wanted
    ]
    if not found:
        return Answer(LookupOutcome.NOT_FOUND)
    found.sort(key=lambda c: (STANDING_ORDER.index(c.standing), c.operation_item.code if c.operation_item_id else ""))
    return Answer(
        _overall(found),
        [public_fields(c, c.standing) for c in found],
        certificate_id=found[0].pk,
    )


def by_token(token: str, *, today: dt.date | None = None) -> Answer:
    """A scanned QR: the signature first, then the certificate's current state in the register."""
    today = today or timezone.localdate()
    token = signing.token_from_url(token or "")
    try:
        claims = _verified(token)
    except signing.InvalidToken:
        answer = Answer(LookupOutcome.SIGNATURE_INVALID)
        answer.claims = _unverified_claims(token)
        with contextlib.suppress(signing.InvalidToken):
            answer.kid = str(signing.token_header(token).get("kid", ""))[:64]
        return answer
    index = claims.get("status_index")
    found = _fetch(Certificate.objects.filter(status_index=index, cert_no=claims.get("no")), today)
    if not found:
        return Answer(LookupOutcome.NOT_FOUND, claims=claims)
    certificate = found[0]
    return Answer(
        certificate.standing,
        [public_fields(certificate, certificate.standing)],
        claims=claims,
        certificate_id=certificate.pk,
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


@dataclass
class LookupEntry:
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


def entry_for(
    answer: Answer, *, channel: str, client: str, user_agent: str, cert_no: str = "", name: str = ""
) -> LookupEntry:
    claims = answer.claims or {}
    number = normalise_number(cert_no or str(claims.get("no", "")))
    return LookupEntry(
        time=timezone.now(),
        channel=channel,
        cert_no=number,
        name=normalise_name(name or str(claims.get("name", ""))),
        client=client[:64],
        user_agent=(user_agent or "")[:200],
        outcome=answer.outcome,
        certificate_id=answer.certificate_id,
        kid=answer.kid,
        claimed_issuer=str(claims.get("issuer", ""))[:16],
    )


def write_entries(entries: list[LookupEntry]) -> int:
    """Write a batch of lookups and the leads they make; return the number of leads created."""
    if not entries:
        return 0
    with transaction.atomic():
        Lookup.objects.bulk_create(
            [
                Lookup(
                    time=e.time,
                    channel=e.channel,
                    cert_no=e.cert_no,
                    name=e.name,
                    client=e.client,
                    user_agent=e.user_agent,
                    outcome=e.outcome,
                    certificate_id=e.certificate_id,
                    kid=e.kid,
                    claimed_issuer=e.claimed_issuer,
                )
                for e in entries
            ],
            batch_size=500,
        )
    suspicious = [e for e in entries if e.outcome in OUTCOME_LEADS]
    if not suspicious:
        return 0
    for attempt in range(3):  # two processes adding the same new lead at once: the second one retries
        try:
            return _merge_leads(suspicious)
        except IntegrityError:
            if attempt == 2:
                raise
    return 0


def _merge_leads(entries: list[LookupEntry]) -> int:
    groups: dict[tuple[str, str, str], list[LookupEntry]] = defaultdict(list)
    for entry in entries:
        kind = OUTCOME_LEADS[LookupOutcome(entry.outcome)]
        groups[(kind, entry.cert_no, f"ip:{entry.client}")].append(entry)
    with transaction.atomic(), audit_context(label="system:verification"):
        keys_q = Q()
        for kind, cert_no, source in groups:
            keys_q |= Q(kind=kind, cert_no=cert_no, source=source)
        open_leads = {
            (lead.kind, lead.cert_no, lead.source): lead
            for lead in Lead.objects.select_for_update().filter(
                keys_q, status__in=[LeadStatus.NEW, LeadStatus.REVIEWING]
            )
        }
        created, changed = [], []
        for key, group in groups.items():
            first, last = min(e.time for e in group), max(e.time for e in group)
            lead = open_leads.get(key)
            if lead is not None:
                lead.occurrences += len(group)
                lead.last_seen = max(lead.last_seen, last)
                lead.updated_at = timezone.now()
                changed.append(lead)
                continue
            kind, cert_no, source = key
            sample = group[-1]
            created.append(
                Lead(
                    kind=kind,
                    cert_no=cert_no,
                    name=sample.name,
                    claimed_issuer=sample.claimed_issuer,
                    number_pattern=number_pattern(cert_no),
                    source=source,
                    region=lead_region(cert_no, sample.claimed_issuer),
                    certificate_id=sample.certificate_id,
                    occurrences=len(group),
                    first_seen=first,
                    last_seen=last,
                )
            )
        Lead.objects.bulk_create(created)
        if changed:
            Lead.objects.bulk_update(changed, ["occurrences", "last_seen", "updated_at"])
        from peikao.core.audit import snapshot

        record_bulk([(ChangeAction.CREATE, lead, None, snapshot(lead)) for lead in created if lead.pk])
    return len(created)


class LookupLog:
    """The per-process buffer of lookups, written by a daemon thread; started lazily after a fork."""

    def __init__(self) -> None:
        self._entries: list[LookupEntry] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pid: int | None = None
        self._thread: threading.Thread | None = None

    @property
    def interval(self) -> float:
        return float(settings.PEIKAO.get("LOOKUP_LOG_FLUSH_SECONDS", 1.0))

    def record(self, entry: LookupEntry) -> None:
        if self.interval <= 0:
            write_entries([entry])
            return
        with self._lock:
            self._entries.append(entry)
            size = len(self._entries)
            if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                self._start()
        if size >= 200:
            self._wake.set()

    def _start(self) -> None:
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._run, name="peikao-lookup-log", daemon=True)
        self._thread.start()
        atexit.register(self.flush)

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
