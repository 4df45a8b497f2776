"""What Peikao publishes for verifiers: signed certificate tokens, the JWKS and the status list.

The key ring comes from ``$PEIKAO_SIGNING_KEY`` or the key directory (``PEIKAO["SIGNING_KEY_DIR"]``,
default var/keys, created with a first key on first use); never from the database. Status-list slots
are a keyed permutation of a counter, so a slot says nothing about issue order or volume (W3C asks for
random assignment) and two certificates never collide.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from peikao.certificates import signing, status_list
from peikao.certificates.choices import CertificateStatus, CertificateType
from peikao.certificates.models import Certificate, Counter, StatusListVersion
from peikao.core.privacy import mask_certificate_number

SLOT_BITS = 22  # 4,194,304 slots: four times a province-year of certificates, 512 KiB before gzip
STATUS_LIST_SIZE = 1 << SLOT_BITS
_HALF = SLOT_BITS // 2
_MASK = (1 << _HALF) - 1
SLOT_COUNTER = "status_slot"
STATUS_LIST_PATH = "/status/certificates"
# A published list is rebuilt at least this often, so that its validFrom/validUntil stay fresh.
STATUS_LIST_MAX_AGE = dt.timedelta(minutes=10)


# Each process reloads its key ring this often, and at most this often when a token names an unknown kid,
# so that a rotation made by another process (manage.py signing_keys --rotate) reaches every worker.
KEYRING_MAX_AGE = 300.0
KEYRING_MIN_RELOAD = 10.0
_ring: tuple[float, signing.KeyRing] | None = None
_ring_lock = threading.Lock()
_last_forced_reload = float("-inf")


def keyring(*, max_age: float = KEYRING_MAX_AGE) -> signing.KeyRing:
    global _ring
    current = _ring
    if current is not None and time.monotonic() - current[0] < max_age:
        return current[1]
    with _ring_lock:
        if _ring is None or time.monotonic() - _ring[0] >= max_age:
            _ring = (time.monotonic(), signing.KeyRing.configured(settings.PEIKAO["SIGNING_KEY_DIR"]))
        return _ring[1]


def reload_keyring_for_unknown_kid() -> bool:
    """Reload the ring because a token named a kid this process does not know; at most once every
    KEYRING_MIN_RELOAD seconds, so that tokens with made-up kids cannot make every request read the keys."""
    global _last_forced_reload
    now = time.monotonic()
    if now - _last_forced_reload < KEYRING_MIN_RELOAD:
        return False
    _last_forced_reload = now
    keyring(max_age=0)
    return True


def reset_keyring() -> None:
    global _ring, _last_forced_reload
    _ring = None
    _last_forced_reload = float("-inf")


def jwks() -> dict:
    return keyring().jwks()


# ---------------------------------------------------------------------------------------------------
# Status-list slots


def _permute(value: int, key: bytes) -> int:
    """A four-round Feistel permutation of SLOT_BITS-bit integers keyed with ``key``."""
    left, right = value >> _HALF, value & _MASK
    for round_number in range(4):
        digest = hmac.new(key, f"{round_number}:{right}".encode(), hashlib.sha256).digest()
        left, right = right, left ^ (int.from_bytes(digest[:4], "big") & _MASK)
    return (left << _HALF) | right


def allocate_slots(count: int) -> list[int]:
    """``count`` unused status-list slots, reserved in the caller's transaction."""
    if count <= 0:
        return []
    with transaction.atomic():
        counter, _created = Counter.objects.select_for_update().get_or_create(
            name=SLOT_COUNTER, defaults={"secret": secrets.token_hex(32)}
        )
        start = counter.value
        if start + count > STATUS_LIST_SIZE:
            raise status_list.StatusListError(status_list.StatusListErrorCode.RANGE, "the status list is full")
        Counter.objects.filter(pk=counter.pk).update(value=F("value") + count)
    key = bytes.fromhex(counter.secret)
    return [_permute(sequence, key) for sequence in range(start, start + count)]


def next_numbers(name: str, count: int = 1) -> list[int]:
    """``count`` consecutive values of the counter ``name`` (starting at 1), reserved in this transaction."""
    with transaction.atomic():
        counter, _created = Counter.objects.select_for_update().get_or_create(name=name)
        start = counter.value
        Counter.objects.filter(pk=counter.pk).update(value=F("value") + count)
    return list(range(start + 1, start + count + 1))


# ---------------------------------------------------------------------------------------------------
# Certificate tokens


def claims_for(certificate: Certificate) -> dict:
    if certificate.cert_type == CertificateType.SPECIAL_OPERATION:
        item = f"{certificate.operation_item.code} {certificate.operation_item.name}"
    else:
        item = "／".join(part for part in (certificate.subject_label, certificate.category_label) if part)
    extra = {"sex": certificate.person.sex}
    if certificate.next_review_due:
        extra["review_due"] = certificate.next_review_due.isoformat()
    return signing.certificate_claims(
        no=mask_certificate_number(certificate.cert_no),  # as the public page shows it: T + the masked ID number
        type=certificate.cert_type,
        name=certificate.person.name,
        id_number=certificate.person.id_number,
        item=item,
        issuer=certificate.issuer_region.code,
        issued=certificate.first_issued_on,
        valid_until=certificate.valid_until,
        status_index=certificate.status_index,
        extra=extra,
    )


def token_for(certificate: Certificate) -> str:
    """The signed token of a certificate's current data (Ed25519 is deterministic: same data, same token)."""
    return keyring().sign(claims_for(certificate))


def url_for(certificate: Certificate) -> str:
    return signing.certificate_url(settings.PUBLIC_BASE_URL, token_for(certificate))


# ---------------------------------------------------------------------------------------------------
# The status list


def bump_status_version() -> None:
    """Call in the transaction of every certificate write: the status list and the answer caches of the public
    verification (verification.RegisterCache) are rebuilt from the next version."""
    updated = StatusListVersion.objects.filter(name="certificates").update(
        version=F("version") + 1, changed_at=timezone.now()
    )
    if not updated:
        StatusListVersion.objects.get_or_create(name="certificates", defaults={"version": 1})


def current_version() -> int:
    return StatusListVersion.objects.filter(name="certificates").values_list("version", flat=True).first() or 0


@dataclass(frozen=True)
class PublishedList:
    version: int
    built: float
    credential: dict
    jwt: str
    etag: str


_published: PublishedList | None = None
_lock = threading.Lock()


def _build(version: int) -> PublishedList:
    revoked = Certificate.objects.filter(
        status__in=[CertificateStatus.REVOKED, CertificateStatus.CANCELLED]
    ).values_list("status_index", flat=True)
    suspended = Certificate.objects.filter(status=CertificateStatus.SUSPENDED).values_list("status_index", flat=True)
    url = settings.PUBLIC_BASE_URL + STATUS_LIST_PATH
    credential = status_list.status_list_credential(
        {
            status_list.StatusPurpose.REVOCATION: status_list.encode(revoked.iterator(), STATUS_LIST_SIZE),
            status_list.StatusPurpose.SUSPENSION: status_list.encode(suspended.iterator(), STATUS_LIST_SIZE),
        },
        url=url,
        issuer=settings.PUBLIC_BASE_URL,
    )
    jwt = status_list.sign_status_list(keyring(), credential)
    etag = '"' + hashlib.sha256(jwt.encode()).hexdigest()[:32] + '"'
    return PublishedList(version=version, built=time.monotonic(), credential=credential, jwt=jwt, etag=etag)


def _fresh(current: PublishedList | None, version: int) -> bool:
    return (
        current is not None
        and current.version == version
        and time.monotonic() - current.built < STATUS_LIST_MAX_AGE.total_seconds()
    )


def published_status_list() -> PublishedList:
    """The current status list, rebuilt when a status changed or the copy is older than STATUS_LIST_MAX_AGE."""
    global _published
    version = current_version()
    if _fresh(_published, version):
        return _published
    with _lock:
        if not _fresh(_published, version):
            _published = _build(version)
        return _published


def forget_published_list() -> None:
    global _published
    _published = None
