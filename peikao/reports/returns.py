"""Provincial returns: a province's notice figures for a period, signed with its platform key (compact JWS,
Ed25519, the certificates' key ring) and carried to the ministry's platform.

A return is ``{"return": <compact JWS>}``; the JWS header is ``{"alg":"EdDSA","kid":…,"typ":"peikao-return"}``
and its payload ``{"region", "period": {"from","to"}, "figures": {…the notice's JSON…}, "iat"}``. It is signed by
``KeyRing.sign`` and verified by ``lib.jws.verify_token`` (the certificates' own signer and verifier), with a
limit of a return's size instead of a QR token's."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from peikao.certificates.publishing import keyring
from peikao.certificates.signing import KeyRingError
from peikao.lib.jws import InvalidToken, PublicKeySet, token_header, verify_token

RETURN_TYP = "peikao-return"
MAX_RETURN_BYTES = 5 * 1024 * 1024


class InvalidReturn(ValueError):
    """A return that is not a well-formed, authentic return; ``code`` says why (a ``lib.jws.TokenErrorCode``,
    ``too_large`` or ``no_signing_key``)."""

    def __init__(self, code: str, detail: str) -> None:
        self.code = code
        super().__init__(detail)


def sign_return(figures: dict[str, Any], *, now: dt.datetime) -> str:
    """The return of ``figures`` (``notice_figures`` of a province) as a file's text, signed with the platform
    key."""
    payload = {
        "region": figures["region"]["code"],
        "period": figures["period"],
        "figures": figures,
        "iat": int(now.timestamp()),
    }
    try:
        token = keyring().sign(payload, typ=RETURN_TYP)
    except KeyRingError as error:
        raise InvalidReturn("no_signing_key", str(error)) from None
    return json.dumps({"return": token}, ensure_ascii=False)


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


def return_kid(token: str) -> str | None:
    """The ``kid`` the header names, if any (not yet verified: it picks the province's key to verify with)."""
    try:
        kid = token_header(token).get("kid")
    except InvalidToken as error:
        raise InvalidReturn(str(error.code), error.message) from None
    return kid if isinstance(kid, str) else None


def verify_return(token: str, keys: PublicKeySet) -> dict[str, Any]:
    """The payload of an authentic return signed with one of ``keys``."""
    try:
        payload = verify_token(token, keys, typ=RETURN_TYP, max_length=MAX_RETURN_BYTES)
    except InvalidToken as error:
        raise InvalidReturn(str(error.code), error.message) from None
    for key in ("region", "period", "figures", "iat"):
        if key not in payload:
            raise InvalidReturn("malformed", f"the return has no {key}")
    return payload
