"""What Peikao publishes for verifiers: signed certificate tokens, the JWKS and the status list.

The key ring comes from ``$PEIKAO_SIGNING_KEY`` or the key directory (``PEIKAO["SIGNING_KEY_DIR"]``,
default var/keys, created with a first key on first use); never from the database. The counters behind the
status list — slots, the register version — are written by services.publishing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from peikao.certificates import signing, status_list
from peikao.certificates.choices import CertificateStatus, CertificateType
from peikao.certificates.models import Certificate, StatusListVersion
from peikao.certificates.services.publishing import STATUS_LIST_SIZE, status_slots_allocate
from peikao.core.privacy import mask_certificate_number

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


def allocate_slots(count: int) -> list[int]:
    """``services.status_slots_allocate`` under its former name, kept for callers outside the app."""
    return status_slots_allocate(count=count)


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


def current_version() -> int:
    """The register version (services.status_version_bump counts every certificate write)."""
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
