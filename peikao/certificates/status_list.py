"""Certificate revocation and suspension as W3C Bitstring Status Lists, published as a signed document.

Each certificate token carries a ``status_index``. Two bitstrings of at least 131,072 bits (16 KiB, the
W3C minimum, so one index hides among many: herd privacy) hold one bit per index: in the
``revocation`` list 1 means revoked for good, in the ``suspension`` list 1 means suspended for now.
Both use the same index, so a certificate has one ``status_index`` for both.

Encoding, as W3C Bitstring Status List v1.0 §2.2 and §3.3-3.4 require:

- index 0 is the left-most bit of the bitstring, i.e. the most significant bit of the first byte;
  index ``i`` is bit ``0x80 >> (i % 8)`` of byte ``i // 8``;
- ``encodedList`` is the Multibase base64url form (prefix ``u``, no padding) of the GZIP-compressed
  bitstring. :func:`decode` also accepts the value without the ``u``, as older StatusList2021 lists had.

The document served at ``/status/certificates`` is a ``BitstringStatusListCredential``-like JSON object
with both lists as two ``BitstringStatusList`` subjects. It is also signed as a compact JWS
(``typ`` ``vc+jwt``, same key ring as the certificates) so that an offline verifier can keep a copy and
still trust it; ``validUntil`` bounds how long such a copy may be used, so that a holder cannot staple
an old list from before their revocation.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import secrets
import zlib
from collections.abc import Container, Iterable, Iterator, Mapping
from enum import StrEnum
from typing import Any

from peikao.certificates.signing import STATUS_LIST_TYP, KeyRing
from peikao.lib.jws import PublicKeySet, b64url_decode, b64url_encode, verify_token

DEFAULT_SIZE = 131_072  # bits; W3C's minimum and default, 16 KiB uncompressed
MIN_SIZE = 131_072
# A verifier decompresses data it did not produce: cap the output (128 Mi entries) against gzip bombs.
MAX_DECODED_BYTES = 16 * 1024 * 1024
DEFAULT_VALIDITY = dt.timedelta(days=1)
CLOCK_LEEWAY = dt.timedelta(minutes=5)
CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

CONTEXT_V2 = "https://www.w3.org/ns/credentials/v2"
CREDENTIAL_TYPE = "BitstringStatusListCredential"
SUBJECT_TYPE = "BitstringStatusList"


class StatusPurpose(StrEnum):
    REVOCATION = "revocation"  # final: the certificate was withdrawn
    SUSPENSION = "suspension"  # reversible: the certificate is on hold


class StatusListErrorCode(StrEnum):
    """Named after the W3C processing errors where one applies."""

    MALFORMED = "malformed"  # MALFORMED_VALUE_ERROR: not base64url, not gzip, wrong shape
    LENGTH = "length"  # STATUS_LIST_LENGTH_ERROR: shorter than the minimum, or absurdly long
    RANGE = "range"  # RANGE_ERROR: index outside the list
    VERIFICATION = "verification"  # STATUS_VERIFICATION_ERROR: not a status list credential, purpose absent
    EXPIRED = "expired"  # outside validFrom..validUntil: a stale or future copy


class StatusListError(ValueError):
    """A status list that cannot be used; ``code`` is a :class:`StatusListErrorCode`."""

    def __init__(self, code: StatusListErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _check_size(size: int) -> None:
    if not isinstance(size, int) or isinstance(size, bool) or size % 8:
        raise StatusListError(StatusListErrorCode.LENGTH, "the size is a whole number of bytes, in bits")
    if size < MIN_SIZE:
        raise StatusListError(StatusListErrorCode.LENGTH, f"at least {MIN_SIZE} entries are needed for herd privacy")
    if size > MAX_DECODED_BYTES * 8:
        raise StatusListError(StatusListErrorCode.LENGTH, f"at most {MAX_DECODED_BYTES * 8} entries")


class StatusList:
    """A mutable bitstring of statuses, for building a list or checking many indices against one."""

    __slots__ = ("_bits",)

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        _check_size(size)
        self._bits = bytearray(size // 8)

    @classmethod
    def from_indices(cls, indices: Iterable[int], size: int = DEFAULT_SIZE) -> StatusList:
        status_list = cls(size)
        for index in indices:
            status_list.set(index)
        return status_list

    @classmethod
    def from_bytes(cls, data: bytes, *, min_size: int = MIN_SIZE) -> StatusList:
        if len(data) * 8 < min_size:
            raise StatusListError(StatusListErrorCode.LENGTH, f"{len(data) * 8} entries, fewer than {min_size}")
        status_list = cls.__new__(cls)
        status_list._bits = bytearray(data)
        return status_list

    @classmethod
    def decode(cls, encoded: str, *, min_size: int = MIN_SIZE) -> StatusList:
        return cls.from_bytes(decode(encoded, min_size=min_size), min_size=min_size)

    @property
    def size(self) -> int:
        """Number of entries (bits)."""
        return len(self._bits) * 8

    def _locate(self, index: int) -> tuple[int, int]:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < self.size:
            raise StatusListError(StatusListErrorCode.RANGE, f"index {index!r} is outside 0..{self.size - 1}")
        return index >> 3, 0x80 >> (index & 7)  # most significant bit first

    def is_set(self, index: int) -> bool:
        byte, mask = self._locate(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        byte, mask = self._locate(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def indices(self) -> Iterator[int]:
        """The indices whose bit is 1, in order."""
        for byte_index, byte in enumerate(self._bits):
            if byte:
                for bit in range(8):
                    if byte & (0x80 >> bit):
                        yield byte_index * 8 + bit

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def encode(self) -> str:
        """The ``encodedList`` value: ``u`` + base64url(gzip(bitstring)), no padding."""
        # mtime=0: the same list always encodes to the same string (stable ETags and signatures).
        return "u" + b64url_encode(gzip.compress(bytes(self._bits), compresslevel=9, mtime=0))


def encode(bits_set: Iterable[int], size: int = DEFAULT_SIZE) -> str:
    """The ``encodedList`` of a list of ``size`` bits in which exactly the indices in ``bits_set`` are 1."""
    return StatusList.from_indices(bits_set, size).encode()


def _gunzip(data: bytes, limit: int) -> bytes:
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # 16+: expect a gzip header and trailer
    try:
        output = decompressor.decompress(data, limit + 1)
    except zlib.error as error:
        raise StatusListError(StatusListErrorCode.MALFORMED, f"not GZIP data ({error})") from None
    if len(output) > limit:
        raise StatusListError(StatusListErrorCode.LENGTH, f"the list expands beyond {limit} bytes")
    if not decompressor.eof or decompressor.unused_data:
        raise StatusListError(StatusListErrorCode.MALFORMED, "truncated GZIP data, or data after it")
    return output


@functools.lru_cache(maxsize=8)
def _decode_cached(encoded: str) -> bytes:
    # A verifier checks many tokens against the same list: expand each distinct list once.
    text = encoded[1:] if encoded.startswith("u") else encoded
    try:
        compressed = b64url_decode(text)
    except ValueError as error:
        raise StatusListError(StatusListErrorCode.MALFORMED, f"encodedList is not base64url ({error})") from None
    return _gunzip(compressed, MAX_DECODED_BYTES)


def decode(encoded: str, *, min_size: int = MIN_SIZE) -> bytes:
    """The uncompressed bitstring of an ``encodedList`` (with or without the Multibase ``u``)."""
    if not isinstance(encoded, str):
        raise StatusListError(StatusListErrorCode.MALFORMED, "encodedList is a string")
    bits = _decode_cached(encoded)
    if len(bits) * 8 < min_size:
        raise StatusListError(StatusListErrorCode.LENGTH, f"{len(bits) * 8} entries, fewer than {min_size}")
    return bits


def is_set(encoded: str, index: int) -> bool:
    """Whether bit ``index`` of an ``encodedList`` is 1 (revoked or suspended, depending on the list)."""
    bits = decode(encoded)
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(bits) * 8:
        raise StatusListError(StatusListErrorCode.RANGE, f"index {index!r} is outside the list")
    return bool(bits[index >> 3] & (0x80 >> (index & 7)))


def allocate_index(taken: Container[int], size: int = DEFAULT_SIZE, *, attempts: int = 64) -> int:
    """A random free index: W3C asks for random assignment so an index does not reveal issue order or volume."""
    for _ in range(attempts):
        index = secrets.randbelow(size)
        if index not in taken:
            return index
    # Random probing keeps failing only when the list is nearly full: find any hole, else give up.
    start = secrets.randbelow(size)
    for offset in range(size):
        index = (start + offset) % size
        if index not in taken:
            return index
    raise StatusListError(StatusListErrorCode.RANGE, "the status list is full: start a larger one")


# ---------------------------------------------------------------------------------------------------
# The published document


def _timestamp(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("use an aware datetime: the document is read in other time zones")
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def status_list_credential(
    lists: Mapping[str, str],
    *,
    url: str,
    issuer: str,
    valid_from: dt.datetime | None = None,
    valid_for: dt.timedelta | None = DEFAULT_VALIDITY,
) -> dict[str, Any]:
    """The JSON document served at ``url`` (e.g. ``https://…/status/certificates``).

    ``lists`` maps a purpose (``revocation``, ``suspension``) to its ``encodedList``. With one purpose the
    result is a standard ``BitstringStatusListCredential``; with two, ``credentialSubject`` is a list of
    two ``BitstringStatusList`` subjects (ids ``<url>#revocation``, ``<url>#suspension``) sharing the index
    space, so one fetch and one signature give a consistent snapshot of both.
    """
    if not lists:
        raise ValueError("at least one list is needed")
    subjects = []
    for purpose, encoded in lists.items():
        purpose = StatusPurpose(purpose)
        decode(encoded)  # refuse to publish a list that verifiers would reject
        subjects.append(
            {"id": f"{url}#{purpose}", "type": SUBJECT_TYPE, "statusPurpose": str(purpose), "encodedList": encoded}
        )
    valid_from = valid_from or dt.datetime.now(dt.UTC)
    document: dict[str, Any] = {
        "@context": [CONTEXT_V2],
        "id": url,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": _timestamp(valid_from),
    }
    if valid_for is not None:
        document["validUntil"] = _timestamp(valid_from + valid_for)
    document["credentialSubject"] = subjects[0] if len(subjects) == 1 else subjects
    return document


def sign_status_list(keyring: KeyRing, credential: Mapping[str, Any]) -> str:
    """The credential as a compact JWS (``typ`` ``vc+jwt``): what offline verifiers download and cache."""
    return keyring.sign(credential, typ=STATUS_LIST_TYP)


def _parse_timestamp(value: Any, name: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise StatusListError(StatusListErrorCode.MALFORMED, f"{name} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise StatusListError(StatusListErrorCode.MALFORMED, f"{name} has no time zone")
    return parsed


def check_credential(
    credential: Mapping[str, Any], *, now: dt.datetime | None = None, url: str | None = None
) -> Mapping[str, Any]:
    """Check the shape and validity period of a status list credential (already authenticated) and return it."""
    types = credential.get("type")
    if not isinstance(types, list) or CREDENTIAL_TYPE not in types:
        raise StatusListError(StatusListErrorCode.VERIFICATION, f"not a {CREDENTIAL_TYPE}")
    if url is not None and credential.get("id") != url:
        raise StatusListError(StatusListErrorCode.VERIFICATION, f"the list is {credential.get('id')!r}, not {url!r}")
    now = now or dt.datetime.now(dt.UTC)
    if _parse_timestamp(credential.get("validFrom"), "validFrom") > now + CLOCK_LEEWAY:
        raise StatusListError(StatusListErrorCode.EXPIRED, "the list is not valid yet (validFrom)")
    if "validUntil" in credential and _parse_timestamp(credential["validUntil"], "validUntil") + CLOCK_LEEWAY < now:
        raise StatusListError(StatusListErrorCode.EXPIRED, "the list is past its validUntil: fetch a fresh one")
    _subjects(credential)
    return credential


def verify_status_list(
    token: str,
    jwks: Mapping[str, Any] | PublicKeySet,
    *,
    now: dt.datetime | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """Verify a signed status list (signature, typ, type, validity period) and return the credential.

    Raises :class:`~peikao.lib.jws.InvalidToken` for a bad JWS and :class:`StatusListError`
    for a well-signed document that is not a current status list.
    """
    credential = verify_token(token, jwks, typ=STATUS_LIST_TYP)
    check_credential(credential, now=now, url=url)
    return credential


def _subjects(credential: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    if not subjects or not all(isinstance(item, Mapping) and item.get("type") == SUBJECT_TYPE for item in subjects):
        raise StatusListError(StatusListErrorCode.MALFORMED, f"credentialSubject is not {SUBJECT_TYPE}")
    return subjects


def encoded_list(credential: Mapping[str, Any], purpose: str) -> str:
    """The ``encodedList`` for ``purpose`` in a status list credential."""
    for subject in _subjects(credential):
        purposes = subject.get("statusPurpose")
        if purpose == purposes or (isinstance(purposes, list) and purpose in purposes):
            value = subject.get("encodedList")
            if not isinstance(value, str):
                raise StatusListError(StatusListErrorCode.MALFORMED, "encodedList is missing")
            return value
    raise StatusListError(StatusListErrorCode.VERIFICATION, f"the credential has no {purpose!r} list")


class CertificateStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"


def certificate_status(
    claims: Mapping[str, Any], credential: Mapping[str, Any] | None, *, today: dt.date | None = None
) -> CertificateStatus:
    """The state of a certificate whose token verified: revoked > suspended > expired > not yet valid > valid.

    ``credential`` is a verified status list credential holding both lists; ``None`` checks dates only.
    Dates are calendar days in Beijing time, ``valid_until`` included.
    """
    if credential is not None:
        index = claims["status_index"]
        if is_set(encoded_list(credential, StatusPurpose.REVOCATION), index):
            return CertificateStatus.REVOKED
        if is_set(encoded_list(credential, StatusPurpose.SUSPENSION), index):
            return CertificateStatus.SUSPENDED
    today = today or dt.datetime.now(CHINA_TIME).date()
    if dt.date.fromisoformat(claims["valid_until"]) < today:
        return CertificateStatus.EXPIRED
    if dt.date.fromisoformat(claims["issued"]) > today:
        return CertificateStatus.NOT_YET_VALID
    return CertificateStatus.VALID
