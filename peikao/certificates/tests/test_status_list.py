"""Status lists: W3C bit order, gzip/base64url round trips, limits, the signed document, certificate status."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import random

import pytest

pytest.importorskip(
    "cryptography", reason="cryptography is not installed: add it to requirements/base.in (certificate signing)"
)

from peikao.certificates import signing, status_list
from peikao.certificates.signing import InvalidToken, KeyRing, TokenErrorCode
from peikao.certificates.status_list import (
    DEFAULT_SIZE,
    CertificateStatus,
    StatusList,
    StatusListError,
    StatusListErrorCode,
    decode,
    encode,
    is_set,
)

# The encodedList of the W3C spec's example BitstringStatusListCredential (§2.2): 131,072 zero bits.
W3C_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
URL = "https://peikao.example.cn/status/certificates"
NOW = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)


def raw(encoded: str) -> bytes:
    """Expand an encodedList with the standard library only, independently of the module under test."""
    text = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def test_default_size_is_the_w3c_minimum():
    assert DEFAULT_SIZE == 131_072
    assert len(raw(encode([]))) == 16 * 1024
    assert StatusList().size == 131_072


def test_w3c_example_decodes_to_an_empty_list_of_the_minimum_size():
    bits = decode(W3C_EXAMPLE)
    assert len(bits) == 16_384 and not any(bits)
    assert not is_set(W3C_EXAMPLE, 94567)
    assert decode(encode([])) == bits


def test_bit_order_matches_a_hand_computed_example():
    """W3C §2.2/§7.1: index 0 is the left-most bit, so index i is bit 0x80 >> (i % 8) of byte i // 8.

    {0, 7, 8, 94567, 131071}: byte 0 = 1000_0001 = 0x81 (indices 0 and 7), byte 1 = 1000_0000 = 0x80
    (index 8), byte 11820 = 0000_0001 (94567 = 8 * 11820 + 7), byte 16383 = 0000_0001 (the last index).
    """
    encoded = encode([0, 7, 8, 94567, 131071])
    bits = raw(encoded)
    expected = bytearray(16_384)
    expected[0], expected[1], expected[11820], expected[16383] = 0x81, 0x80, 0x01, 0x01
    assert bits == bytes(expected)
    assert decode(encoded) == bytes(expected)
    assert [index for index in range(16) if is_set(encoded, index)] == [0, 7, 8]
    assert list(StatusList.decode(encoded).indices()) == [0, 7, 8, 94567, 131071]


def test_revoked_index_reads_revoked_after_a_round_trip():
    rng = random.Random(7)
    revoked = set(rng.sample(range(DEFAULT_SIZE), 300))
    encoded = encode(revoked)
    assert all(is_set(encoded, index) for index in revoked)
    assert not any(is_set(encoded, index) for index in rng.sample(sorted(set(range(DEFAULT_SIZE)) - revoked), 300))
    assert set(StatusList.decode(encoded).indices()) == revoked


def test_encoding_is_multibase_unpadded_base64url_of_gzip():
    encoded = encode([5, 1000])
    assert encoded.startswith("uH4sI")  # "u" + base64url of the gzip magic 1f 8b 08
    assert not set(encoded) & set("=+/")
    assert gzip.decompress(signing.b64url_decode(encoded[1:]))[0] == 0x04
    assert decode(encoded[1:]) == decode(encoded)  # accepted without the multibase prefix too
    assert encode([5, 1000]) == encoded  # deterministic (gzip mtime 0)
    assert len(encoded) < 200  # a sparse list compresses to almost nothing


def test_bigger_lists_and_set_clear():
    status = StatusList(DEFAULT_SIZE * 2)
    status.set(262_143)
    status.set(3)
    status.set(3, False)
    encoded = status.encode()
    assert len(decode(encoded)) * 8 == 262_144
    assert is_set(encoded, 262_143) and not is_set(encoded, 3)


@pytest.mark.parametrize("size", [131_071, 65_536, 0, 131_072 + 4])
def test_sizes_that_break_the_rules_are_refused(size):
    with pytest.raises(StatusListError) as caught:
        encode([], size)
    assert caught.value.code == StatusListErrorCode.LENGTH


@pytest.mark.parametrize("index", [-1, DEFAULT_SIZE, True, "5"])
def test_indices_outside_the_list_are_refused(index):
    with pytest.raises(StatusListError) as caught:
        encode([index])
    assert caught.value.code == StatusListErrorCode.RANGE
    with pytest.raises(StatusListError):
        is_set(encode([]), index)


def test_short_lists_are_refused_for_herd_privacy():
    short = "u" + signing.b64url_encode(gzip.compress(bytes(1024)))
    with pytest.raises(StatusListError) as caught:
        decode(short)
    assert caught.value.code == StatusListErrorCode.LENGTH
    assert len(decode(short, min_size=8192)) == 1024


TRUNCATED = "u" + signing.b64url_encode(gzip.compress(bytes(16_384), mtime=0))[:-8]


@pytest.mark.parametrize(
    "encoded",
    ["u!!!", "uAAAA", "u" + signing.b64url_encode(b"not gzip at all"), TRUNCATED],
    ids=["bad-base64", "short", "not-gzip", "truncated"],
)
def test_malformed_lists_are_refused(encoded):
    with pytest.raises(StatusListError) as caught:
        decode(encoded)
    assert caught.value.code == StatusListErrorCode.MALFORMED


def test_gzip_bomb_is_cut_short():
    bomb = "u" + signing.b64url_encode(gzip.compress(bytes(status_list.MAX_DECODED_BYTES + 1), compresslevel=9))
    assert len(bomb) < 40_000
    with pytest.raises(StatusListError) as caught:
        decode(bomb)
    assert caught.value.code == StatusListErrorCode.LENGTH


def test_allocate_index_is_random_and_free():
    taken = set(range(0, DEFAULT_SIZE, 2))
    picks = {status_list.allocate_index(taken) for _ in range(50)}
    assert all(index % 2 == 1 for index in picks) and len(picks) > 40
    with pytest.raises(StatusListError):
        status_list.allocate_index(range(DEFAULT_SIZE))


# -- the published document ------------------------------------------------------------------------------


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing.ephemeral()


def document(revoked=(), suspended=(), **kwargs) -> dict:
    lists = {"revocation": encode(revoked), "suspension": encode(suspended)}
    kwargs.setdefault("valid_from", NOW)
    return status_list.status_list_credential(lists, url=URL, issuer="https://peikao.example.cn", **kwargs)


def test_document_shape():
    doc = document(revoked=[94567])
    assert doc["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert doc["id"] == URL
    assert doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert doc["validFrom"] == "2025-03-01T08:00:00Z" and doc["validUntil"] == "2025-03-02T08:00:00Z"
    revocation, suspension = doc["credentialSubject"]
    assert revocation == {
        "id": URL + "#revocation",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": encode([94567]),
    }
    assert suspension["statusPurpose"] == "suspension" and suspension["id"] == URL + "#suspension"


def test_single_purpose_document_is_a_plain_w3c_credential():
    doc = status_list.status_list_credential({"revocation": W3C_EXAMPLE}, url=URL, issuer="x", valid_from=NOW)
    assert doc["credentialSubject"]["statusPurpose"] == "revocation"
    assert status_list.encoded_list(doc, "revocation") == W3C_EXAMPLE
    with pytest.raises(StatusListError):
        status_list.encoded_list(doc, "suspension")


def test_document_refuses_bad_input():
    with pytest.raises(ValueError):
        status_list.status_list_credential({"message": encode([])}, url=URL, issuer="x")
    with pytest.raises(StatusListError):
        status_list.status_list_credential({"revocation": "uAAAA"}, url=URL, issuer="x")
    with pytest.raises(ValueError, match="aware"):
        status_list.status_list_credential(
            {"revocation": encode([])}, url=URL, issuer="x", valid_from=dt.datetime(2025, 1, 1)
        )


def test_signed_document_round_trip(ring):
    token = status_list.sign_status_list(ring, document(revoked=[5]))
    assert signing.token_header(token) == {"alg": "EdDSA", "kid": ring.signing_kid, "typ": "vc+jwt"}
    verified = status_list.verify_status_list(token, ring.jwks(), now=NOW + dt.timedelta(hours=3), url=URL)
    assert verified == document(revoked=[5])
    assert is_set(status_list.encoded_list(verified, "revocation"), 5)


def test_signed_document_is_refused_when_stale_premature_or_foreign(ring):
    token = status_list.sign_status_list(ring, document())
    for when in (NOW + dt.timedelta(days=1, minutes=6), NOW - dt.timedelta(minutes=6)):
        with pytest.raises(StatusListError) as caught:
            status_list.verify_status_list(token, ring.jwks(), now=when)
        assert caught.value.code == StatusListErrorCode.EXPIRED
    with pytest.raises(StatusListError) as caught:
        status_list.verify_status_list(token, ring.jwks(), now=NOW, url="https://elsewhere/status")
    assert caught.value.code == StatusListErrorCode.VERIFICATION
    with pytest.raises(InvalidToken) as refused:
        status_list.verify_status_list(token, KeyRing.ephemeral().jwks(), now=NOW)
    assert refused.value.code == TokenErrorCode.UNKNOWN_KID
    header, _payload, signature = token.split(".")
    forged = signing.b64url_encode(signing.compact_json(document(revoked=[1])))
    with pytest.raises(InvalidToken) as refused:
        status_list.verify_status_list(f"{header}.{forged}.{signature}", ring.jwks(), now=NOW)
    assert refused.value.code == TokenErrorCode.BAD_SIGNATURE


def test_status_list_token_and_certificate_token_cannot_stand_in_for_each_other(ring):
    status_token = status_list.sign_status_list(ring, document())
    with pytest.raises(InvalidToken) as refused:
        signing.verify_token(status_token, ring.jwks())
    assert refused.value.code == TokenErrorCode.BAD_TYP
    certificate = ring.sign(_claims())
    with pytest.raises(InvalidToken) as refused:
        status_list.verify_status_list(certificate, ring.jwks(), now=NOW)
    assert refused.value.code == TokenErrorCode.BAD_TYP


def test_well_signed_document_that_is_not_a_status_list_is_refused(ring):
    token = ring.sign({"type": ["VerifiableCredential"], "validFrom": "2025-03-01T00:00:00Z"}, typ="vc+jwt")
    with pytest.raises(StatusListError) as caught:
        status_list.verify_status_list(token, ring.jwks(), now=NOW)
    assert caught.value.code == StatusListErrorCode.VERIFICATION


# -- certificate status -------------------------------------------------------------------------------------


def _claims(**changes) -> dict:
    claims = {
        "no": "FJ2025-000123",
        "type": "特种作业操作证",
        "name": "张三",
        "id": "3501**********123X",
        "item": "低压电工作业",
        "issuer": "350100",
        "issued": "2025-03-01",
        "valid_until": "2031-02-28",
        "status_index": 94567,
    }
    claims.update(changes)
    return claims


@pytest.mark.parametrize(
    ("revoked", "suspended", "today", "expected"),
    [
        ((), (), dt.date(2026, 1, 1), CertificateStatus.VALID),
        ((), (), dt.date(2031, 2, 28), CertificateStatus.VALID),  # the last day is included
        ((), (), dt.date(2031, 3, 1), CertificateStatus.EXPIRED),
        ((), (), dt.date(2025, 2, 28), CertificateStatus.NOT_YET_VALID),
        ((94567,), (), dt.date(2026, 1, 1), CertificateStatus.REVOKED),
        ((), (94567,), dt.date(2026, 1, 1), CertificateStatus.SUSPENDED),
        ((94567,), (94567,), dt.date(2040, 1, 1), CertificateStatus.REVOKED),
        ((94566, 94568), (), dt.date(2026, 1, 1), CertificateStatus.VALID),  # neighbours do not leak
    ],
)
def test_certificate_status(revoked, suspended, today, expected):
    assert status_list.certificate_status(_claims(), document(revoked, suspended), today=today) == expected


def test_certificate_status_without_a_list_checks_dates_only():
    assert status_list.certificate_status(_claims(), None, today=dt.date(2026, 1, 1)) == CertificateStatus.VALID
