"""Provincial returns: a province's notice figures for a period, signed with its platform key (compact JWS,
Ed25519, the certificates' key ring) and carried to the ministry's platform.

A return is ``{"return": <compact JWS>}``; the JWS header is ``{"alg":"EdDSA","kid":…,"typ":"peikao-return"}``
and its payload ``{"region", "period": {"from","to"}, "figures": {…the notice's JSON…}, "iat"}``. Returns are
larger than a certificate token, so they are verified here with the same checks as ``lib.jws.verify_token``
(EdDSA only, no ``crit``, the ``typ``, a known ``kid``, the signature, then the payload) without its length
limit for QR tokens."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from cryptography.exceptions import InvalidSignature

from peikao.certificates.publishing import keyring
from peikao.lib.jws import ACCEPTED_ALGS, ALG, PublicKeySet, b64url_decode, b64url_encode, compact_json

RETURN_TYP = "peikao-return"
MAX_RETURN_BYTES = 5 * 1024 * 1024


class InvalidReturn(ValueError):
    """A return that is not a well-formed, authentic return; ``code`` says why."""

    def __init__(self, code: str, detail: str) -> None:
        self.code = code
        super().__init__(detail)


def sign_return(figures: dict[str, Any], *, now: dt.datetime) -> str:
    """The return of ``figures`` (``notice_figures`` of a province) as a file's text, signed with the platform
    key."""
    ring = keyring()
    signer = next((entry for entry in ring.entries if entry.can_sign), None)
    if signer is None or signer.private_key is None:
        raise InvalidReturn("no_signing_key", "this platform has no signing key")
    payload = {
        "region": figures["region"]["code"],
        "period": figures["period"],
        "figures": figures,
        "iat": int(now.timestamp()),
    }
    header = {"alg": ALG, "kid": signer.kid, "typ": RETURN_TYP}
    signing_input = f"{b64url_encode(compact_json(header))}.{b64url_encode(compact_json(payload))}"
    signature = signer.private_key.sign(signing_input.encode("ascii"))
    return json.dumps({"return": f"{signing_input}.{b64url_encode(signature)}"}, ensure_ascii=False)


def read_return(text: str | bytes) -> str:
    """The compact JWS inside a return file."""
    if len(text) > MAX_RETURN_BYTES:
        raise InvalidReturn("too_large", "a return is at most 5 MB")
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise InvalidReturn("malformed", "a return file is JSON") from None
    token = document.get("return") if isinstance(document, dict) else None
    if not isinstance(token, str) or token.count(".") != 2:
        raise InvalidReturn("malformed", 'a return file is {"return": <compact JWS>}')
    return token


def return_kid(token: str) -> str:
    """The ``kid`` the header names (not yet verified: it picks the key to verify with)."""
    header = _json_segment(token.split(".", 1)[0], "header")
    if header.get("alg") not in ACCEPTED_ALGS:
        raise InvalidReturn("bad_alg", f"alg {header.get('alg')!r} is not accepted, only EdDSA")
    if "crit" in header:
        raise InvalidReturn("malformed", "critical header extensions are not supported")
    if header.get("typ") != RETURN_TYP:
        raise InvalidReturn("bad_typ", f"typ {header.get('typ')!r} is not a return")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise InvalidReturn("unknown_kid", "the header has no kid")
    return kid


def verify_return(token: str, keys: PublicKeySet) -> dict[str, Any]:
    """The payload of an authentic return signed with one of ``keys``."""
    kid = return_kid(token)
    public_key = keys.get(kid)
    if public_key is None:
        raise InvalidReturn("unknown_kid", f"no key {kid!r} of this province")
    header_segment, payload_segment, signature_segment = token.split(".")
    try:
        signature = b64url_decode(signature_segment)
        public_key.verify(signature, f"{header_segment}.{payload_segment}".encode("ascii"))
    except (ValueError, InvalidSignature):
        raise InvalidReturn("bad_signature", "the signature does not match") from None
    payload = _json_segment(payload_segment, "payload")
    for key in ("region", "period", "figures", "iat"):
        if key not in payload:
            raise InvalidReturn("malformed", f"the return has no {key}")
    return payload


def _json_segment(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(segment).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise InvalidReturn("malformed", f"unreadable {what}") from None
    if not isinstance(value, dict):
        raise InvalidReturn("malformed", f"the {what} is not a JSON object")
    return value
