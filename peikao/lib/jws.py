"""Compact JWS signed with Ed25519 (EdDSA, RFC 7515 / RFC 8037): base64url, JWK and JWKS, verification.

The Django-free core of Peikao's certificate tokens and signed status list (peikao.certificates.signing adds
the key ring, the certificate claims, URLs and QR codes). A token's protected header is exactly
``{"alg":"EdDSA","kid":<kid>,"typ":<typ>}``; anybody holding the published JWKS can verify one offline with
:func:`verify_token`; docs/verify-certificates.md shows how to do it without this module.

Design points, each for a reason:

- Ed25519 (RFC 8037): short signatures (86 characters) keep the QR code small, signing is
  deterministic (no nonce to get wrong), and there are no parameters to choose or confuse.
- ``kid`` is the RFC 7638 thumbprint of the public key, so a key's name cannot drift from the key and
  a verifier can check the JWKS it was given (:class:`PublicKeySet` drops entries whose kid lies).
- Only ``EdDSA`` (and its fully-specified synonym ``Ed25519``, RFC 9864) is accepted, checked before
  any key is looked up: ``none`` and HMAC tokens made with the public key as secret are rejected.
- Parsed public keys are cached per kid, so verifying a stream of tokens costs one signature check
  each, not a JWKS parse.

This module imports neither Django nor any other part of Peikao: it is what third parties run.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG = "EdDSA"
# RFC 9864 deprecates the polymorphic "EdDSA" in favour of "Ed25519"; accepting both on input lets
# verifiers keep working if we (or an independent signer) ever switch, without widening the algorithm.
ACCEPTED_ALGS = frozenset({"EdDSA", "Ed25519"})
JWT_TYP = "JWT"

# A QR code holds at most 2,953 bytes; anything much longer is garbage or an attempt to burn CPU.
MAX_TOKEN_LENGTH = 4096

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


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


def encode_jws(header: Mapping[str, Any], payload: bytes, private_key: Ed25519PrivateKey) -> str:
    """The compact JWS of ``payload`` (the bytes as signed) under the protected ``header``."""
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
    token: str,
    jwks: Mapping[str, Any] | PublicKeySet,
    *,
    typ: str | None = JWT_TYP,
    max_length: int = MAX_TOKEN_LENGTH,
) -> dict[str, Any]:
    """Verify a compact JWS against a JWKS (dict as published, or a :class:`PublicKeySet`) and return its payload.

    Checks, in order: a string of at most ``max_length`` characters (a QR code's token by default; a larger
    signed document, such as a provincial return, passes its own limit); three segments; a JSON-object header;
    ``alg`` in {EdDSA, Ed25519}; no ``crit``; ``typ`` equal to ``typ`` (pass None to skip); a ``kid`` found in
    the JWKS; the Ed25519 signature; a JSON-object payload. Raises :class:`InvalidToken` with a ``code`` on the
    first failure.

    It checks authenticity only: whether what the payload states still holds (a certificate expired,
    revoked or suspended since) is the caller's next step.
    """
    if not isinstance(token, str) or len(token) > max_length:
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
