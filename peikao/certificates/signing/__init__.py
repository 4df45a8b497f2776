"""Signed certificate tokens: compact JWS with Ed25519 (EdDSA), a rotating key ring, JWKS and QR codes.

A certificate's QR code encodes ``<base URL>/v/<token>``. The token is a compact JWS (RFC 7515) whose
protected header is exactly ``{"alg":"EdDSA","kid":<kid>,"typ":"JWT"}`` and whose payload is the
certificate's public claims as compact UTF-8 JSON. Anybody holding the published JWKS can verify a
token offline with :func:`verify_token`; docs/verify-certificates.md shows how to do it without this
package.

- :mod:`peikao.lib.jws` — the Django-free JWS core: base64url, JWK thumbprints, :class:`PublicKeySet`,
  :func:`verify_token` (what third parties run, and the public service's hot path).
- :mod:`.claims` — the certificate claims (the ID number masked), the ``/v/`` URL and the QR image.
- :mod:`.keys` — the key ring: key files or ``$PEIKAO_SIGNING_KEY``, rotation, the JWKS.
"""

from peikao.certificates.signing.claims import (
    CERTIFICATE_TYP,
    REQUIRED_CLAIMS,
    STATUS_LIST_TYP,
    certificate_claims,
    certificate_url,
    qr_png,
    token_from_url,
    validate_certificate_claims,
)
from peikao.certificates.signing.keys import (
    KEY_ENV,
    PASSPHRASE_ENV,
    KeyEntry,
    KeyRing,
    KeyRingError,
    generate_private_pem,
    write_public_key,
)
from peikao.lib.jws import (
    ACCEPTED_ALGS,
    ALG,
    MAX_TOKEN_LENGTH,
    InvalidToken,
    PublicKeySet,
    TokenErrorCode,
    b64url_decode,
    b64url_encode,
    compact_json,
    jwk_thumbprint,
    public_jwk,
    public_key_x,
    token_header,
    verify_token,
)

__all__ = [
    "ACCEPTED_ALGS",
    "ALG",
    "CERTIFICATE_TYP",
    "KEY_ENV",
    "MAX_TOKEN_LENGTH",
    "PASSPHRASE_ENV",
    "REQUIRED_CLAIMS",
    "STATUS_LIST_TYP",
    "InvalidToken",
    "KeyEntry",
    "KeyRing",
    "KeyRingError",
    "PublicKeySet",
    "TokenErrorCode",
    "b64url_decode",
    "b64url_encode",
    "certificate_claims",
    "certificate_url",
    "compact_json",
    "generate_private_pem",
    "jwk_thumbprint",
    "public_jwk",
    "public_key_x",
    "qr_png",
    "token_from_url",
    "token_header",
    "validate_certificate_claims",
    "verify_token",
    "write_public_key",
]
