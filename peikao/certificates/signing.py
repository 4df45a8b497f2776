"""Signed certificate tokens: compact JWS with Ed25519 (EdDSA), a rotating key ring, JWKS and QR codes.

A certificate's QR code encodes ``<base URL>/v/<token>``. The token is a compact JWS (RFC 7515) whose
protected header is exactly ``{"alg":"EdDSA","kid":<kid>,"typ":"JWT"}`` and whose payload is the
certificate's public claims as compact UTF-8 JSON. Anybody holding the published JWKS can verify a
token offline with :func:`verify_token`; docs/verify-certificates.md shows how to do it without this
module.

Design points, each for a reason:

- Ed25519 (RFC 8037): short signatures (86 characters) keep the QR code small, signing is
  deterministic (no nonce to get wrong), and there are no parameters to choose or confuse.
- ``kid`` is the RFC 7638 thumbprint of the public key, so a key's name cannot drift from the key and
  a verifier can check the JWKS it was given (:class:`PublicKeySet` drops entries whose kid lies).
- Only ``EdDSA`` (and its fully-specified synonym ``Ed25519``, RFC 9864) is accepted, checked before
  any key is looked up: ``none`` and HMAC tokens made with the public key as secret are rejected.
- Parsed public keys are cached per kid, so verifying a stream of tokens costs one signature check
  each, not a JWKS parse.
- Private keys live in files (PKCS8 PEM, mode 0600, optionally encrypted with a passphrase taken from
  the environment) or in an environment variable, never in the repository or the database.

This module has no Django import: the verification half is what third parties run.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from peikao.core.privacy import mask_id_number

logger = logging.getLogger(__name__)

ALG = "EdDSA"
# RFC 9864 deprecates the polymorphic "EdDSA" in favour of "Ed25519"; accepting both on input lets
# verifiers keep working if we (or an independent signer) ever switch, without widening the algorithm.
ACCEPTED_ALGS = frozenset({"EdDSA", "Ed25519"})
CERTIFICATE_TYP = "JWT"
# The signed status list is a W3C credential secured with JOSE, whose media type is application/vc+jwt.
# A distinct typ stops a status-list JWS from being presented as a certificate token and vice versa.
STATUS_LIST_TYP = "vc+jwt"

KEY_ENV = "PEIKAO_SIGNING_KEY"
PASSPHRASE_ENV = "PEIKAO_SIGNING_KEY_PASSPHRASE"

# A QR code holds at most 2,953 bytes; anything much longer is garbage or an attempt to burn CPU.
MAX_TOKEN_LENGTH = 4096

REQUIRED_CLAIMS = ("no", "type", "name", "id", "item", "issuer", "issued", "valid_until", "status_index")

_KEY_FILE = re.compile(r"^ed25519-(?P<kid>[A-Za-z0-9_-]{43})(?P<pub>\.pub)?\.pem$")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_REGION_CODE = re.compile(r"^\d{6}$")


# ---------------------------------------------------------------------------------------------------
# Encoding helpers


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2), the only encoding used in tokens, JWKS and status lists."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strictly decode unpadded base64url: raise ``ValueError`` on padding, foreign characters or slack bits.

    The standard library silently drops unknown characters and ignores the unused low bits of the last
    character; accepting either would let one signature have several spellings (token malleability).
    """
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url_encode(raw) != text:
        raise ValueError("non-canonical base64url")
    return raw


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):  # datetime is a date too
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def compact_json(value: Any) -> bytes:
    """The contract's JSON: UTF-8, no spaces, Chinese kept as is (shorter than \\u escapes in a QR code)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default).encode(
        "utf-8"
    )


# ---------------------------------------------------------------------------------------------------
# Keys and JWK


def public_key_x(public_key: Ed25519PublicKey) -> str:
    """The JWK ``x`` member: the 32 raw public key bytes, base64url."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64url_encode(raw)


def jwk_thumbprint(x: str) -> str:
    """RFC 7638 thumbprint of an Ed25519 OKP key: base64url SHA-256 of its required members, sorted, no spaces."""
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
    return b64url_encode(hashlib.sha256(canonical.encode("ascii")).digest())


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """The public JWK served in the JWKS. It never has a ``d`` member: that would be the private key."""
    x = public_key_x(public_key)
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": jwk_thumbprint(x), "use": "sig", "alg": ALG}


# Parsed keys by every member that matters, so a JWKS edited in place can never serve a stale key.
_JWK_CACHE: dict[tuple[Any, ...], Ed25519PublicKey | None] = {}
_JWK_CACHE_MAX = 1024


def _jwk_to_key(jwk: Mapping[str, Any]) -> Ed25519PublicKey | None:
    """The Ed25519 key of a JWK, or None when it is not a usable Ed25519 signature key whose kid is its thumbprint."""
    cache_key = (jwk.get("kid"), jwk.get("kty"), jwk.get("crv"), jwk.get("x"), jwk.get("use"), jwk.get("alg"))
    try:
        return _JWK_CACHE[cache_key]
    except KeyError:
        pass
    except TypeError:  # an unhashable member such as a list: not one of ours
        return None
    key = _parse_jwk(jwk)
    if len(_JWK_CACHE) >= _JWK_CACHE_MAX:  # bounded: a verifier may be fed many JWKS over its lifetime
        _JWK_CACHE.clear()
    _JWK_CACHE[cache_key] = key
    return key


def _parse_jwk(jwk: Mapping[str, Any]) -> Ed25519PublicKey | None:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or "d" in jwk:
        return None
    if jwk.get("use", "sig") != "sig" or jwk.get("alg", ALG) not in ACCEPTED_ALGS:
        return None
    x, kid = jwk.get("x"), jwk.get("kid")
    if not isinstance(x, str) or not isinstance(kid, str):
        return None
    try:
        raw = b64url_decode(x)
    except ValueError:
        return None
    if len(raw) != 32 or jwk_thumbprint(x) != kid:
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return None


class PublicKeySet:
    """Verification keys by kid, parsed once from a JWKS; pass one to :func:`verify_token` for bulk checks.

    Entries that are not Ed25519 signature keys, or whose ``kid`` is not the RFC 7638 thumbprint of
    their ``x``, are left out: a token naming such a kid fails with ``unknown_kid``.
    """

    __slots__ = ("_keys",)

    def __init__(self, keys: Mapping[str, Ed25519PublicKey]) -> None:
        self._keys = dict(keys)

    @classmethod
    def from_jwks(cls, jwks: Mapping[str, Any]) -> PublicKeySet:
        keys: dict[str, Ed25519PublicKey] = {}
        for jwk in _jwks_entries(jwks):
            key = _jwk_to_key(jwk)
            if key is not None:
                keys.setdefault(jwk["kid"], key)
        return cls(keys)

    def get(self, kid: str) -> Ed25519PublicKey | None:
        return self._keys.get(kid)

    def kids(self) -> list[str]:
        return list(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def _jwks_entries(jwks: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        raise TypeError('a JWKS is a mapping with a "keys" list')
    return [jwk for jwk in keys if isinstance(jwk, Mapping)]


def _key_for_kid(jwks: Mapping[str, Any] | PublicKeySet, kid: str) -> Ed25519PublicKey | None:
    if isinstance(jwks, PublicKeySet):
        return jwks.get(kid)
    # A JWKS has a handful of keys: scanning for the kid is cheaper than fingerprinting the whole document,
    # and the parsed key itself comes from the cache.
    for jwk in _jwks_entries(jwks):
        if jwk.get("kid") == kid:
            key = _jwk_to_key(jwk)
            if key is not None:
                return key
    return None


# ---------------------------------------------------------------------------------------------------
# Tokens


class TokenErrorCode(StrEnum):
    """Why a token was refused; stable strings for logs, API responses and translations."""

    MALFORMED = "malformed"  # not a compact JWS we can read, or a header/payload that breaks the profile
    UNKNOWN_KID = "unknown_kid"  # no (valid) key in the JWKS has the header's kid
    BAD_SIGNATURE = "bad_signature"  # the signature does not match: tampered or forged
    BAD_ALG = "bad_alg"  # alg is not EdDSA (none, HS256, RS256, ...)
    BAD_TYP = "bad_typ"  # a JWS of another kind, e.g. the status list presented as a certificate


class InvalidToken(ValueError):
    """A token that must not be trusted. ``code`` is a :class:`TokenErrorCode`."""

    def __init__(self, code: TokenErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _encode_jws(header: Mapping[str, Any], payload: bytes, private_key: Ed25519PrivateKey) -> str:
    signing_input = f"{b64url_encode(compact_json(header))}.{b64url_encode(payload)}"
    signature = private_key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def _decode_header(segment: str) -> dict[str, Any]:
    try:
        header = json.loads(b64url_decode(segment).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidToken(TokenErrorCode.MALFORMED, f"unreadable header ({error})") from None
    if not isinstance(header, dict):
        raise InvalidToken(TokenErrorCode.MALFORMED, "the header is not a JSON object")
    return header


def token_header(token: str) -> dict[str, Any]:
    """The protected header of a token, NOT verified: for diagnostics only (e.g. logging the kid)."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise InvalidToken(TokenErrorCode.MALFORMED, "not a compact JWS")
    return _decode_header(token.split(".", 1)[0])


def verify_token(
    token: str, jwks: Mapping[str, Any] | PublicKeySet, *, typ: str | None = CERTIFICATE_TYP
) -> dict[str, Any]:
    """Verify a compact JWS against a JWKS (dict as published, or a :class:`PublicKeySet`) and return its payload.

    Checks, in order: three segments; a JSON-object header; ``alg`` in {EdDSA, Ed25519}; no ``crit``;
    ``typ`` equal to ``typ`` (pass None to skip); a ``kid`` found in the JWKS; the Ed25519 signature;
    a JSON-object payload. Raises :class:`InvalidToken` with a ``code`` on the first failure.

    It checks authenticity only: whether the certificate is expired, revoked or suspended is the
    caller's next step (see :func:`peikao.certificates.status_list.certificate_status`).
    """
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken(TokenErrorCode.MALFORMED, "not a token string of acceptable length")
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken(TokenErrorCode.MALFORMED, "a compact JWS has three dot-separated segments")
    header_segment, payload_segment, signature_segment = parts
    header = _decode_header(header_segment)
    alg = header.get("alg")
    if alg not in ACCEPTED_ALGS:
        raise InvalidToken(TokenErrorCode.BAD_ALG, f"alg {alg!r} is not accepted, only EdDSA")
    if "crit" in header:  # RFC 7515 §4.1.11: we understand no extension, so we must refuse any that is critical
        raise InvalidToken(TokenErrorCode.MALFORMED, "critical header extensions are not supported")
    if typ is not None and header.get("typ") != typ:
        raise InvalidToken(TokenErrorCode.BAD_TYP, f"typ {header.get('typ')!r} where {typ!r} was expected")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise InvalidToken(TokenErrorCode.UNKNOWN_KID, "the header has no kid")
    public_key = _key_for_kid(jwks, kid)
    if public_key is None:
        raise InvalidToken(TokenErrorCode.UNKNOWN_KID, f"no Ed25519 key {kid!r} in the JWKS")
    try:
        signature = b64url_decode(signature_segment)
    except ValueError as error:
        raise InvalidToken(TokenErrorCode.MALFORMED, f"unreadable signature ({error})") from None
    if len(signature) != 64:
        raise InvalidToken(TokenErrorCode.MALFORMED, "an Ed25519 signature is 64 bytes")
    try:
        public_key.verify(signature, f"{header_segment}.{payload_segment}".encode("ascii"))
    except InvalidSignature:
        raise InvalidToken(TokenErrorCode.BAD_SIGNATURE, "the signature does not match") from None
    # Only now, with the bytes authenticated, is the payload parsed.
    try:
        payload = json.loads(b64url_decode(payload_segment).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidToken(TokenErrorCode.MALFORMED, f"unreadable payload ({error})") from None
    if not isinstance(payload, dict):
        raise InvalidToken(TokenErrorCode.MALFORMED, "the payload is not a JSON object")
    return payload


# ---------------------------------------------------------------------------------------------------
# Certificate claims, URLs and QR codes


def validate_certificate_claims(claims: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` naming every problem if ``claims`` do not meet the certificate token contract.

    Run before signing: a QR code is public, so an unmasked ID number must never get into one.
    """
    problems = [f"{name} is missing" for name in REQUIRED_CLAIMS if name not in claims]
    for name in ("no", "type", "name", "id", "item", "issuer"):
        if name in claims and (not isinstance(claims[name], str) or not claims[name].strip()):
            problems.append(f"{name} must be a non-empty string")
    id_value = claims.get("id")
    if isinstance(id_value, str) and id_value.count("*") < 4:
        problems.append("id must be masked (see mask_id_number)")
    issuer = claims.get("issuer")
    if isinstance(issuer, str) and not _REGION_CODE.match(issuer):
        problems.append("issuer must be a 6-digit region code")
    dates = {}
    for name in ("issued", "valid_until"):
        value = claims.get(name)
        if name not in claims:
            continue
        if not isinstance(value, str) or not _ISO_DATE.match(value):
            problems.append(f"{name} must be an ISO date YYYY-MM-DD")
            continue
        try:
            dates[name] = dt.date.fromisoformat(value)
        except ValueError:
            problems.append(f"{name} is not a real date")
    if len(dates) == 2 and dates["valid_until"] < dates["issued"]:
        problems.append("valid_until is before issued")
    index = claims.get("status_index")
    if "status_index" in claims and (not isinstance(index, int) or isinstance(index, bool) or index < 0):
        problems.append("status_index must be a non-negative integer")
    if problems:
        raise ValueError("; ".join(problems))


def certificate_claims(
    *,
    no: str,
    type: str,  # the contract's claim name, kept so that call sites read like the payload
    name: str,
    id_number: str,
    item: str,
    issuer: str,
    issued: dt.date | str,
    valid_until: dt.date | str,
    status_index: int,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build and validate a certificate payload; ``id_number`` is masked here if it is not already."""
    claims: dict[str, Any] = {
        "no": no,
        "type": type,
        "name": name,
        "id": mask_id_number(id_number),
        "item": item,
        "issuer": issuer,
        "issued": issued.isoformat() if isinstance(issued, dt.date) else issued,
        "valid_until": valid_until.isoformat() if isinstance(valid_until, dt.date) else valid_until,
        "status_index": status_index,
    }
    for key, value in (extra or {}).items():
        if key in claims:
            raise ValueError(f"extra claim {key!r} would overwrite a contract claim")
        claims[key] = value
    validate_certificate_claims(claims)
    return claims


def certificate_url(base_url: str, token: str) -> str:
    """The URL a certificate's QR code encodes: ``<base URL>/v/<token>``."""
    return f"{base_url.rstrip('/')}/v/{token}"


def token_from_url(url: str) -> str:
    """The token in a scanned ``…/v/<token>`` URL (a bare token is returned as is)."""
    text = url.strip()
    if "/v/" in text:
        text = text.rsplit("/v/", 1)[1]
    return re.split(r"[/?#]", text, maxsplit=1)[0]


def qr_png(url: str, box_size: int = 8, *, border: int = 4, error_correction: Literal["M", "Q"] = "M") -> bytes:
    """A PNG of a QR code for ``url``; ``border`` 4 is the quiet zone the standard asks for.

    M (15 % recovery) keeps a ~600-character certificate URL at a printable size; Q (25 %) suits
    certificates that get folded or laminated, at the cost of a denser code. qrcode and Pillow are
    imported here so that verification-only installations need neither.
    """
    import io

    import qrcode
    from qrcode.constants import ERROR_CORRECT_M, ERROR_CORRECT_Q

    levels = {"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q}
    if error_correction not in levels:
        raise ValueError("error_correction is M or Q")
    code = qrcode.QRCode(error_correction=levels[error_correction], box_size=box_size, border=border)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------
# Key ring


class KeyRingError(RuntimeError):
    """The key ring cannot be loaded, written or used as asked (message says what to do)."""


@dataclasses.dataclass(frozen=True)
class KeyEntry:
    """One key of the ring. ``private_key`` is None for a retired, verify-only key."""

    kid: str
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None = dataclasses.field(default=None, repr=False)
    created: float = 0.0  # seconds since the epoch; the newest key able to sign is the signer
    path: Path | None = None

    @property
    def can_sign(self) -> bool:
        return self.private_key is not None

    @classmethod
    def generate(cls) -> KeyEntry:
        private_key = Ed25519PrivateKey.generate()
        public_key = private_key.public_key()
        return cls(jwk_thumbprint(public_key_x(public_key)), public_key, private_key, time.time())

    @classmethod
    def from_private_key(
        cls, private_key: Ed25519PrivateKey, *, created: float = 0.0, path: Path | None = None
    ) -> KeyEntry:
        public_key = private_key.public_key()
        return cls(jwk_thumbprint(public_key_x(public_key)), public_key, private_key, created, path)

    def jwk(self) -> dict[str, str]:
        return public_jwk(self.public_key)

    def retired(self) -> KeyEntry:
        return dataclasses.replace(self, private_key=None)


def _passphrase_from(environ: Mapping[str, str] | None) -> bytes | None:
    value = (os.environ if environ is None else environ).get(PASSPHRASE_ENV)
    return value.encode("utf-8") if value else None


def _load_private_pem(pem: bytes, passphrase: bytes | None, source: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, passphrase)
    except TypeError as error:
        if passphrase is not None and "not encrypted" in str(error):
            # An unencrypted key next to a configured passphrase still works, but should be re-encrypted.
            logger.warning("%s is not encrypted although %s is set", source, PASSPHRASE_ENV)
            key = serialization.load_pem_private_key(pem, None)
        else:
            raise KeyRingError(f"{source} is encrypted: set {PASSPHRASE_ENV}") from None
    except ValueError as error:
        raise KeyRingError(f"{source} cannot be read as a PKCS8 PEM private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyRingError(f"{source} is not an Ed25519 key")
    return key


def _private_pem(key: Ed25519PrivateKey, passphrase: bytes | None) -> bytes:
    encryption = serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def generate_private_pem(passphrase: bytes | None = None) -> bytes:
    """A new Ed25519 private key as PKCS8 PEM, e.g. for the ``PEIKAO_SIGNING_KEY`` environment variable."""
    return _private_pem(Ed25519PrivateKey.generate(), passphrase)


def _atomic_write(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` with ``mode`` from the first byte: no moment where a key is world-readable."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(descriptor, mode)  # os.open's mode is filtered by the umask; set it exactly
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
    except BaseException:
        os.close(descriptor)
        temporary.unlink(missing_ok=True)
        raise
    os.close(descriptor)
    os.replace(temporary, path)
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be opened for fsync
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@contextlib.contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    """An exclusive lock on the key directory, so that workers starting together generate one key, not three."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: single-process use only
        yield
        return
    descriptor = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _read_directory(directory: Path, passphrase: bytes | None) -> list[KeyEntry]:
    """Every key in ``directory``: ``ed25519-<kid>.pem`` (private) and ``ed25519-<kid>.pub.pem`` (retired).

    A ``.pub.pem`` marks its kid as retired even if the private file is still there (a rotation that
    was interrupted before deleting it), so a retired key can never sign again by accident.
    """
    private: dict[str, Path] = {}
    public: dict[str, Path] = {}
    for path in sorted(directory.iterdir()):
        match = _KEY_FILE.match(path.name)
        if match and path.is_file():
            (public if match["pub"] else private)[match["kid"]] = path
    entries = []
    for kid, path in private.items():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            logger.warning("%s is readable by others (mode %o): chmod 600 it", path, mode)
        key = _load_private_pem(path.read_bytes(), passphrase, str(path))
        entry = KeyEntry.from_private_key(key, created=path.stat().st_mtime, path=path)
        if entry.kid != kid:
            raise KeyRingError(f"{path} holds key {entry.kid}: a key file is named after its kid")
        if kid in public:
            logger.warning("%s is retired (%s exists) and is used to verify only", path, public[kid].name)
            entry = entry.retired()
        entries.append(entry)
    for kid, path in public.items():
        if kid in private:
            continue
        try:
            key = serialization.load_pem_public_key(path.read_bytes())
        except ValueError as error:
            raise KeyRingError(f"{path} cannot be read as a PEM public key ({error})") from None
        if not isinstance(key, Ed25519PublicKey):
            raise KeyRingError(f"{path} is not an Ed25519 public key")
        entry = KeyEntry(jwk_thumbprint(public_key_x(key)), key, None, path.stat().st_mtime, path)
        if entry.kid != kid:
            raise KeyRingError(f"{path} holds key {entry.kid}: a key file is named after its kid")
        entries.append(entry)
    return entries


class KeyRing:
    """The platform's signing keys: one signs, older ones stay in the JWKS so older certificates still verify.

    Build one with :meth:`configured` (what the Django side calls), :meth:`load` (a directory such as
    ``var/keys``), :meth:`from_env` (the key in ``PEIKAO_SIGNING_KEY``) or :meth:`ephemeral` (tests,
    benchmarks). Files: ``ed25519-<kid>.pem`` is a private key (PKCS8 PEM, mode 0600, encrypted when
    ``PEIKAO_SIGNING_KEY_PASSPHRASE`` is set); ``ed25519-<kid>.pub.pem`` is a retired key, public part only.
    """

    def __init__(
        self,
        entries: Iterable[KeyEntry],
        *,
        directory: Path | None = None,
        passphrase: bytes | None = None,
        source: Literal["memory", "directory", "environment"] = "memory",
    ) -> None:
        self._lock = threading.RLock()
        self._directory = directory
        self._passphrase = passphrase
        self._source = source
        self._install(list(entries))

    def _install(self, entries: list[KeyEntry]) -> None:
        unique: dict[str, KeyEntry] = {}
        for entry in entries:  # the same key twice (env + directory): the one that can sign wins
            if entry.kid not in unique or (entry.can_sign and not unique[entry.kid].can_sign):
                unique[entry.kid] = entry
        ordered = sorted(unique.values(), key=lambda e: (e.can_sign, e.created, e.kid), reverse=True)
        signers = [entry for entry in ordered if entry.can_sign]
        if len(signers) > 1:
            logger.warning("%d keys can sign; the newest, %s, does", len(signers), signers[0].kid)
        # Swapped in one assignment each, so a concurrent sign() or verify() sees the old or the new ring.
        self._entries = tuple(ordered)
        self._signer = signers[0] if signers else None
        self._public = PublicKeySet({entry.kid: entry.public_key for entry in ordered})

    # -- construction -------------------------------------------------------------------------------

    @classmethod
    def ephemeral(cls) -> KeyRing:
        """A ring with one fresh key in memory only."""
        return cls([KeyEntry.generate()])

    @classmethod
    def load(
        cls,
        directory: str | os.PathLike[str],
        *,
        create: bool = False,
        passphrase: bytes | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> KeyRing:
        """Load the keys in ``directory``; with ``create``, make the directory (0700) and a first key if none signs.

        ``passphrase`` defaults to ``$PEIKAO_SIGNING_KEY_PASSPHRASE``; when set, keys written here are encrypted.
        """
        directory = Path(directory)
        if passphrase is None:
            passphrase = _passphrase_from(environ)
        if create:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        elif not directory.is_dir():
            raise KeyRingError(f"{directory} does not exist: create it, or load with create=True")
        with _directory_lock(directory) if create else contextlib.nullcontext():
            entries = _read_directory(directory, passphrase)
            if create and not any(entry.can_sign for entry in entries):
                entry = KeyEntry.generate()
                entries.append(_write_private_key(directory, entry, passphrase))
                logger.info("generated signing key %s in %s", entry.kid, directory)
        if not entries:
            raise KeyRingError(f"no key in {directory}")
        return cls(entries, directory=directory, passphrase=passphrase, source="directory")

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        directory: str | os.PathLike[str] | None = None,
        passphrase: bytes | None = None,
    ) -> KeyRing:
        """The signing key from ``$PEIKAO_SIGNING_KEY`` (PKCS8 PEM; ``\\n`` escapes allowed, as in .env files).

        Keys found in ``directory``, if it exists, are added as verify-only: that is where the public
        halves of keys retired from the environment are kept.
        """
        environ = os.environ if environ is None else environ
        text = environ.get(KEY_ENV, "").strip()
        if not text:
            raise KeyRingError(f"{KEY_ENV} is not set")
        if passphrase is None:
            passphrase = _passphrase_from(environ)
        key = _load_private_pem(text.replace("\\n", "\n").encode("ascii"), passphrase, f"${KEY_ENV}")
        entries = [KeyEntry.from_private_key(key, created=time.time())]
        path = Path(directory) if directory is not None else None
        if path is not None and path.is_dir():
            entries += [entry.retired() for entry in _read_directory(path, passphrase)]
        return cls(entries, directory=path, passphrase=passphrase, source="environment")

    @classmethod
    def configured(cls, directory: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> KeyRing:
        """The ring for this installation: ``$PEIKAO_SIGNING_KEY`` if set, else ``directory`` (created on first use)."""
        environ = os.environ if environ is None else environ
        if environ.get(KEY_ENV, "").strip():
            return cls.from_env(environ, directory=directory)
        return cls.load(directory, create=True, environ=environ)

    # -- use ----------------------------------------------------------------------------------------

    @property
    def signing_kid(self) -> str | None:
        return self._signer.kid if self._signer else None

    @property
    def entries(self) -> tuple[KeyEntry, ...]:
        return self._entries

    @property
    def public_keys(self) -> PublicKeySet:
        return self._public

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public JWKS to serve: the signing key first, then retired keys, newest first."""
        return {"keys": [entry.jwk() for entry in self._entries]}

    def sign(self, payload: Mapping[str, Any], *, typ: str = CERTIFICATE_TYP) -> str:
        """Sign ``payload`` as a compact JWS with the current key.

        A certificate payload (``typ`` "JWT") is validated first (:func:`validate_certificate_claims`).
        """
        signer = self._signer
        if signer is None or signer.private_key is None:
            raise KeyRingError("this key ring has no signing key")
        if typ == CERTIFICATE_TYP:
            validate_certificate_claims(payload)
        header = {"alg": ALG, "kid": signer.kid, "typ": typ}
        return _encode_jws(header, compact_json(dict(payload)), signer.private_key)

    def verify(
        self, token: str, jwks: Mapping[str, Any] | PublicKeySet | None = None, *, typ: str | None = CERTIFICATE_TYP
    ) -> dict[str, Any]:
        """:func:`verify_token` against ``jwks``, or this ring's own public keys when it is None."""
        return verify_token(token, self._public if jwks is None else jwks, typ=typ)

    def rotate(self, *, keep_retired_private: bool = False) -> KeyEntry:
        """Generate a new signing key; the previous signers become verify-only and stay in the JWKS.

        In a directory, the retired key's public half is written as ``ed25519-<kid>.pub.pem`` and its
        private file is deleted (unless ``keep_retired_private``): a key that may no longer sign has no
        reason to exist where a leaked backup could expose it. Other processes see the new key when
        they load the ring again.
        """
        if self._source == "environment":
            raise KeyRingError(
                f"the signing key comes from {KEY_ENV}: save its public half with export_public_key() into the "
                f"key directory, then set {KEY_ENV} to a new key (generate_private_pem())"
            )
        with self._lock:
            new = KeyEntry.generate()
            if self._directory is None:
                self._install([new, *(entry.retired() for entry in self._entries)])
                return new
            with _directory_lock(self._directory):
                # Re-read under the lock: another process may have rotated since this ring was loaded.
                current = _read_directory(self._directory, self._passphrase)
                new = _write_private_key(self._directory, new, self._passphrase)
                retired = []
                for entry in current:
                    if entry.can_sign:
                        write_public_key(self._directory, entry)
                        if not keep_retired_private and entry.path is not None:
                            entry.path.unlink(missing_ok=True)
                            _fsync_directory(self._directory)
                        entry = entry.retired()
                    retired.append(entry)
                self._install([new, *retired])
            logger.info("rotated signing key to %s", new.kid)
            return new

    def export_public_key(self, directory: str | os.PathLike[str] | None = None) -> Path:
        """Write the signing key's public half as ``ed25519-<kid>.pub.pem`` (to keep it in the JWKS once retired)."""
        target = Path(directory) if directory is not None else self._directory
        if target is None or self._signer is None:
            raise KeyRingError("no directory or no signing key to export")
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
        return write_public_key(target, self._signer)


def _write_private_key(directory: Path, entry: KeyEntry, passphrase: bytes | None) -> KeyEntry:
    assert entry.private_key is not None
    path = directory / f"ed25519-{entry.kid}.pem"
    _atomic_write(path, _private_pem(entry.private_key, passphrase), 0o600)
    return dataclasses.replace(entry, path=path, created=path.stat().st_mtime)


def write_public_key(directory: Path, entry: KeyEntry) -> Path:
    """Write ``ed25519-<kid>.pub.pem`` (mode 0644: it is public, and its presence retires the kid)."""
    path = Path(directory) / f"ed25519-{entry.kid}.pub.pem"
    _atomic_write(path, _public_pem(entry.public_key), 0o644)
    return path
