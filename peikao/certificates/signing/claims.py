"""A certificate's token: its claims (the contract of docs/verify-certificates.md, the ID number masked), the URL
its QR code encodes and the QR image itself."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from typing import Any, Literal

from peikao.core.privacy import mask_id_number
from peikao.lib.jws import JWT_TYP

CERTIFICATE_TYP = JWT_TYP
# The signed status list is a W3C credential secured with JOSE, whose media type is application/vc+jwt.
# A distinct typ stops a status-list JWS from being presented as a certificate token and vice versa.
STATUS_LIST_TYP = "vc+jwt"

REQUIRED_CLAIMS = ("no", "type", "name", "id", "item", "issuer", "issued", "valid_until", "status_index")

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_REGION_CODE = re.compile(r"^\d{6}$")


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
