"""The JWS core: known answers of RFC 8037 and every way a token must be refused.

Tokens are signed here with this module alone (:class:`Signer`); the key ring, the certificate claims and
their tests are in peikao/certificates/tests/test_signing.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

pytest.importorskip("cryptography", reason="cryptography is not installed: add it to requirements/base.in")

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from peikao.lib.jws import (
    ALG,
    JWT_TYP,
    InvalidToken,
    PublicKeySet,
    TokenErrorCode,
    b64url_decode,
    b64url_encode,
    compact_json,
    encode_jws,
    jwk_thumbprint,
    public_jwk,
    public_key_x,
    verify_token,
)

STATUS_LIST_TYP = "vc+jwt"  # another kind of JWS signed with the same keys (the certificates' status list)
CLAIMS = {
    "no": "FJ2025-000123",
    "type": "特种作业操作证",
    "name": "张三",
    "id": "3501**********123X",
    "item": "电工作业/低压电工作业",
    "issuer": "350100",
    "issued": "2025-03-01",
    "valid_until": "2031-02-28",
    "status_index": 94567,
}


def make_claims(**changes) -> dict:
    return {**CLAIMS, **changes}


class Signer:
    """Signing keys, newest first, and the JWKS a verifier holds of them."""

    def __init__(self) -> None:
        self.private_keys = [Ed25519PrivateKey.generate()]

    @property
    def private_key(self) -> Ed25519PrivateKey:
        return self.private_keys[0]

    @property
    def signing_kid(self) -> str:
        return jwk_thumbprint(public_key_x(self.private_key.public_key()))

    def sign(self, payload: dict, *, typ: str = JWT_TYP) -> str:
        header = {"alg": ALG, "kid": self.signing_kid, "typ": typ}
        return encode_jws(header, compact_json(payload), self.private_key)

    def jwks(self) -> dict:
        return {"keys": [public_jwk(key.public_key()) for key in self.private_keys]}

    def rotate(self) -> None:
        self.private_keys.insert(0, Ed25519PrivateKey.generate())


@pytest.fixture
def ring() -> Signer:
    return Signer()


def forge(header: dict, payload: dict | bytes, signature: bytes = b"") -> str:
    """A token assembled by hand, the way an attacker would."""
    body = payload if isinstance(payload, bytes) else compact_json(payload)
    return ".".join([b64url_encode(compact_json(header)), b64url_encode(body), b64url_encode(signature)])


def refused(token: str, jwks, code: TokenErrorCode, **kwargs) -> None:
    with pytest.raises(InvalidToken) as caught:
        verify_token(token, jwks, **kwargs)
    assert caught.value.code == code, caught.value


# -- known answers ---------------------------------------------------------------------------------------


def test_rfc8037_known_answers():
    """RFC 8037 appendix A: the thumbprint of its key and its EdDSA JWS, reproduced byte for byte."""
    key = Ed25519PrivateKey.from_private_bytes(b64url_decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"))
    x = public_key_x(key.public_key())
    assert x == "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    assert jwk_thumbprint(x) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    token = encode_jws({"alg": "EdDSA"}, b"Example of Ed25519 signing", key)
    assert token == (
        "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    )


# -- refusals -------------------------------------------------------------------------------------------


def test_tampered_payload_is_refused(ring):
    header, _payload, signature = ring.sign(make_claims()).split(".")
    changed = b64url_encode(compact_json(make_claims(valid_until="2099-12-31")))
    refused(f"{header}.{changed}.{signature}", ring.jwks(), TokenErrorCode.BAD_SIGNATURE)


def test_tampered_signature_is_refused(ring):
    header, payload, signature = ring.sign(make_claims()).split(".")
    flipped = bytearray(b64url_decode(signature))
    flipped[10] ^= 0x01
    refused(f"{header}.{payload}.{b64url_encode(bytes(flipped))}", ring.jwks(), TokenErrorCode.BAD_SIGNATURE)


def test_signature_spelt_non_canonically_is_refused(ring):
    """86 base64url characters carry 516 bits for 512: the 4 slack bits must be zero, or tokens are malleable."""
    header, payload, signature = ring.sign(make_claims()).split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = signature[:-1] + alphabet[alphabet.index(signature[-1]) ^ 0x01]
    assert base64.urlsafe_b64decode(twin + "==") == base64.urlsafe_b64decode(signature + "==")
    refused(f"{header}.{payload}.{twin}", ring.jwks(), TokenErrorCode.MALFORMED)


def test_unknown_kid_is_refused(ring):
    other = Signer()
    refused(other.sign(make_claims()), ring.jwks(), TokenErrorCode.UNKNOWN_KID)
    header, payload, signature = ring.sign(make_claims()).split(".")
    renamed = forge({"alg": "EdDSA", "kid": "no-such-key", "typ": "JWT"}, b64url_decode(payload))
    refused(renamed.rsplit(".", 1)[0] + "." + signature, ring.jwks(), TokenErrorCode.UNKNOWN_KID)
    refused(forge({"alg": "EdDSA", "typ": "JWT"}, make_claims(), bytes(64)), ring.jwks(), TokenErrorCode.UNKNOWN_KID)


def test_token_naming_the_wrong_key_of_the_set_is_refused(ring):
    old_token = ring.sign(make_claims())
    old_kid = ring.signing_kid
    ring.rotate()
    _header, payload, signature = old_token.split(".")
    relabelled = forge({"alg": "EdDSA", "kid": ring.signing_kid, "typ": "JWT"}, b64url_decode(payload))
    refused(relabelled.rsplit(".", 1)[0] + "." + signature, ring.jwks(), TokenErrorCode.BAD_SIGNATURE)
    assert old_kid in PublicKeySet.from_jwks(ring.jwks()).kids()


def test_jwks_entry_whose_kid_is_not_its_thumbprint_is_ignored(ring):
    token = ring.sign(make_claims())
    jwks = ring.jwks()
    other = Signer().jwks()["keys"][0]
    jwks["keys"][0]["x"] = other["x"]  # an attacker-edited JWKS keeps the kid but swaps the key
    refused(token, jwks, TokenErrorCode.UNKNOWN_KID)


def test_alg_none_is_refused(ring):
    token = forge({"alg": "none", "kid": ring.signing_kid, "typ": "JWT"}, make_claims())
    refused(token, ring.jwks(), TokenErrorCode.BAD_ALG)
    refused(token + "AAAA", ring.jwks(), TokenErrorCode.BAD_ALG)
    refused(forge({"kid": ring.signing_kid, "typ": "JWT"}, make_claims()), ring.jwks(), TokenErrorCode.BAD_ALG)


def test_hs256_with_the_public_key_as_secret_is_refused(ring):
    """The classic confusion: an HMAC keyed with the public key bytes (or the JWK x string)."""
    jwk = ring.jwks()["keys"][0]
    for secret in (b64url_decode(jwk["x"]), jwk["x"].encode(), json.dumps(jwk).encode()):
        header = {"alg": "HS256", "kid": ring.signing_kid, "typ": "JWT"}
        signing_input = ".".join([b64url_encode(compact_json(header)), b64url_encode(compact_json(make_claims()))])
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        refused(f"{signing_input}.{b64url_encode(mac)}", ring.jwks(), TokenErrorCode.BAD_ALG)
    for alg in ("RS256", "ES256", "EDDSA", "eddsa", None, 1):
        token = forge({"alg": alg, "kid": ring.signing_kid, "typ": "JWT"}, make_claims(), bytes(64))
        refused(token, ring.jwks(), TokenErrorCode.BAD_ALG)


def test_typ_and_crit_are_enforced(ring):
    status_like = ring.sign({"type": ["VerifiableCredential"]}, typ=STATUS_LIST_TYP)
    refused(status_like, ring.jwks(), TokenErrorCode.BAD_TYP)
    assert verify_token(status_like, ring.jwks(), typ=STATUS_LIST_TYP)["type"] == ["VerifiableCredential"]
    critical = {"alg": "EdDSA", "kid": ring.signing_kid, "typ": "JWT", "crit": ["exp"], "exp": 1}
    token = encode_jws(critical, compact_json(make_claims()), ring.private_key)
    refused(token, ring.jwks(), TokenErrorCode.MALFORMED)


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", "a.b.c.d", "!!!.b.c", "W10.e30.AAAA", "eyJhbGciOiJFZERTQSJ9=.e30.AA", "x" * 5000],
)
def test_malformed_tokens_are_refused(ring, token):
    refused(token, ring.jwks(), TokenErrorCode.MALFORMED)


def test_non_string_token_is_refused(ring):
    refused(b"a.b.c", ring.jwks(), TokenErrorCode.MALFORMED)


def test_signed_payload_that_is_not_an_object_is_refused(ring):
    header = {"alg": "EdDSA", "kid": ring.signing_kid, "typ": "JWT"}
    for body in (b"[1,2]", b"not json", b"\xff\xfe"):
        token = encode_jws(header, body, ring.private_key)
        refused(token, ring.jwks(), TokenErrorCode.MALFORMED)


def test_short_signature_is_malformed(ring):
    header, payload, signature = ring.sign(make_claims()).split(".")
    refused(f"{header}.{payload}.{signature[:40]}", ring.jwks(), TokenErrorCode.MALFORMED)


def test_ed25519_synonym_alg_is_accepted(ring):
    """RFC 9864's fully-specified name for the same algorithm: the same key, no wider acceptance."""
    header = {"alg": "Ed25519", "kid": ring.signing_kid, "typ": "JWT"}
    token = encode_jws(header, compact_json(make_claims()), ring.private_key)
    assert verify_token(token, ring.jwks()) == make_claims()


def test_error_carries_a_code_and_a_message(ring):
    with pytest.raises(InvalidToken) as caught:
        verify_token("a.b", ring.jwks())
    assert caught.value.code == "malformed" and caught.value.message
    assert isinstance(caught.value, ValueError)
