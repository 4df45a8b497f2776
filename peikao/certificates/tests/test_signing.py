"""Certificate tokens: round trip, claims, key rotation and storage, interop, QR (the refusals of the JWS core:
peikao/lib/tests/test_jws.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import stat
import subprocess
import threading
from pathlib import Path

import pytest

pytest.importorskip(
    "cryptography", reason="cryptography is not installed: add it to requirements/base.in (certificate signing)"
)

from cryptography.exceptions import InvalidSignature

from peikao.certificates import signing
from peikao.certificates.signing import (
    CERTIFICATE_TYP,
    KeyEntry,
    KeyRing,
    KeyRingError,
    PublicKeySet,
    b64url_decode,
    b64url_encode,
    verify_token,
)
from peikao.core.privacy import mask_id_number

DOCS = Path(__file__).resolve().parents[3] / "docs" / "verify-certificates.md"


def make_claims(**changes) -> dict:
    claims = signing.certificate_claims(
        no="FJ2025-000123",
        type="特种作业操作证",
        name="张三",
        id_number="35010219900101123X",
        item="电工作业/低压电工作业",
        issuer="350100",
        issued=dt.date(2025, 3, 1),
        valid_until=dt.date(2031, 2, 28),
        status_index=94567,
    )
    claims.update(changes)
    return claims


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing.ephemeral()


# -- round trip and format ----------------------------------------------------------------------------


def test_sign_verify_round_trip(ring):
    claims = make_claims()
    token = ring.sign(claims)
    assert ring.verify(token) == claims
    assert verify_token(token, ring.jwks()) == claims
    assert verify_token(token, PublicKeySet.from_jwks(ring.jwks())) == claims


def test_header_is_exactly_the_documented_one(ring):
    token = ring.sign(make_claims())
    raw_header = b64url_decode(token.split(".")[0])
    assert raw_header == b'{"alg":"EdDSA","kid":"' + ring.signing_kid.encode() + b'","typ":"JWT"}'


def test_payload_is_compact_utf8_json_and_everything_is_unpadded_base64url(ring):
    token = ring.sign(make_claims())
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}", token)
    raw_payload = b64url_decode(token.split(".")[1])
    assert "张三".encode() in raw_payload and b"\\u" not in raw_payload
    assert b": " not in raw_payload and b", " not in raw_payload
    assert json.loads(raw_payload)["id"] == "3501**********123X"


def test_jwks_has_public_members_only(ring):
    jwks = ring.jwks()
    (jwk,) = jwks["keys"]
    assert set(jwk) == {"kty", "crv", "x", "kid", "use", "alg"}
    assert jwk == {"kty": "OKP", "crv": "Ed25519", "x": jwk["x"], "kid": ring.signing_kid, "use": "sig", "alg": "EdDSA"}
    private_raw = ring.entries[0].private_key.private_bytes_raw()
    dumped = json.dumps(jwks)
    assert b64url_encode(private_raw) not in dumped and '"d"' not in dumped


def test_sign_refuses_claims_that_break_the_contract(ring):
    with pytest.raises(ValueError, match="id must be masked"):
        ring.sign(make_claims(id="35010219900101123X"))
    with pytest.raises(ValueError, match="status_index"):
        ring.sign(make_claims(status_index=-1))
    with pytest.raises(ValueError, match="valid_until is before issued"):
        ring.sign(make_claims(valid_until="2020-01-01"))
    incomplete = make_claims()
    del incomplete["issuer"]
    with pytest.raises(ValueError, match="issuer is missing"):
        ring.sign(incomplete)


def test_mask_id_number():
    assert mask_id_number("35010219900101123x") == "3501**********123X"
    assert mask_id_number("3501**********123X") == "3501**********123X"


def test_url_helpers(ring):
    token = ring.sign(make_claims())
    url = signing.certificate_url("https://peikao.example.cn/", token)
    assert url == f"https://peikao.example.cn/v/{token}"
    assert signing.token_from_url(url) == token
    assert signing.token_from_url(url + "?from=qr") == token


# -- rotation and key storage ---------------------------------------------------------------------------


def test_rotation_keeps_old_tokens_valid_and_signs_with_the_new_kid(tmp_path):
    directory = tmp_path / "keys"
    ring = KeyRing.load(directory, create=True)
    first_kid = ring.signing_kid
    old = ring.sign(make_claims())
    new_entry = ring.rotate()
    assert new_entry.kid == ring.signing_kid != first_kid
    new = ring.sign(make_claims(no="FJ2025-000124"))
    assert signing.token_header(new)["kid"] == ring.signing_kid
    assert signing.token_header(old)["kid"] == first_kid
    jwks = ring.jwks()
    assert [key["kid"] for key in jwks["keys"]] == [ring.signing_kid, first_kid]
    assert verify_token(old, jwks)["no"] == "FJ2025-000123"
    assert verify_token(new, jwks)["no"] == "FJ2025-000124"
    # On disk: the old key is public only now, the new one signs; a fresh load agrees.
    assert not (directory / f"ed25519-{first_kid}.pem").exists()
    assert (directory / f"ed25519-{first_kid}.pub.pem").exists()
    reloaded = KeyRing.load(directory)
    assert reloaded.signing_kid == ring.signing_kid
    assert reloaded.verify(old)["no"] == "FJ2025-000123"
    assert reloaded.jwks() == jwks
    # Twice more: every older certificate still verifies.
    reloaded.rotate()
    reloaded.rotate()
    assert len(reloaded.jwks()["keys"]) == 4
    assert verify_token(old, reloaded.jwks())["no"] == "FJ2025-000123"


def test_rotation_in_memory(ring):
    old = ring.sign(make_claims())
    ring.rotate()
    assert ring.verify(old) == make_claims()
    assert sum(entry.can_sign for entry in ring.entries) == 1


def test_key_files_are_private(tmp_path):
    directory = tmp_path / "var" / "keys"
    ring = KeyRing.load(directory, create=True)
    (private,) = directory.glob("ed25519-*.pem")
    assert private.name == f"ed25519-{ring.signing_kid}.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert private.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS8
    ring.rotate()
    for path in directory.glob("ed25519-*.pem"):
        expected = 0o644 if path.name.endswith(".pub.pem") else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
    assert not list(directory.glob("*.tmp"))


def test_key_files_are_private_whatever_the_umask(tmp_path):
    previous = os.umask(0)
    try:
        KeyRing.load(tmp_path / "keys", create=True)
    finally:
        os.umask(previous)
    (private,) = (tmp_path / "keys").glob("ed25519-*.pem")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_first_use_generates_once_and_loading_is_stable(tmp_path):
    directory = tmp_path / "keys"
    kid = KeyRing.load(directory, create=True).signing_kid
    assert KeyRing.load(directory, create=True).signing_kid == kid
    assert KeyRing.configured(directory, environ={}).signing_kid == kid
    assert len(list(directory.glob("ed25519-*.pem"))) == 1


def test_workers_starting_together_make_one_key(tmp_path):
    directory = tmp_path / "keys"
    directory.mkdir(mode=0o700)
    barrier = threading.Barrier(6)
    kids, errors = [], []

    def start():
        try:
            barrier.wait()
            kids.append(KeyRing.load(directory, create=True).signing_kid)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(kids)) == 1
    assert len(list(directory.glob("ed25519-*.pem"))) == 1


def test_missing_directory_without_create_is_an_error(tmp_path):
    with pytest.raises(KeyRingError, match="does not exist"):
        KeyRing.load(tmp_path / "nowhere")


def test_encrypted_keys_need_the_passphrase(tmp_path):
    directory = tmp_path / "keys"
    environ = {signing.PASSPHRASE_ENV: "correct horse battery staple"}
    ring = KeyRing.load(directory, create=True, environ=environ)
    (private,) = directory.glob("ed25519-*.pem")
    assert private.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    token = ring.sign(make_claims())
    with pytest.raises(KeyRingError, match=signing.PASSPHRASE_ENV):
        KeyRing.load(directory, environ={})
    with pytest.raises(KeyRingError, match="cannot be read"):
        KeyRing.load(directory, environ={signing.PASSPHRASE_ENV: "wrong"})
    assert KeyRing.load(directory, environ=environ).verify(token) == make_claims()
    ring.rotate()
    assert KeyRing.load(directory, environ=environ).signing_kid == ring.signing_kid


def test_renamed_key_file_is_refused(tmp_path):
    directory = tmp_path / "keys"
    KeyRing.load(directory, create=True)
    (private,) = directory.glob("ed25519-*.pem")
    private.rename(directory / f"ed25519-{'A' * 43}.pem")
    with pytest.raises(KeyRingError, match="named after its kid"):
        KeyRing.load(directory)


def test_interrupted_rotation_never_lets_a_retired_key_sign(tmp_path):
    directory = tmp_path / "keys"
    ring = KeyRing.load(directory, create=True)
    old = ring.entries[0]
    ring.rotate(keep_retired_private=True)
    assert (directory / f"ed25519-{old.kid}.pem").exists()
    os.utime(directory / f"ed25519-{old.kid}.pem")  # even if it looks newer
    assert KeyRing.load(directory).signing_kid == ring.signing_kid


def test_key_from_the_environment(tmp_path):
    pem = signing.generate_private_pem()
    environ = {signing.KEY_ENV: pem.decode().replace("\n", "\\n")}  # as written in a .env file
    ring = KeyRing.configured(tmp_path / "keys", environ=environ)
    assert not (tmp_path / "keys").exists()  # nothing written: the key lives in the environment only
    token = ring.sign(make_claims())
    assert KeyRing.from_env(environ).signing_kid == ring.signing_kid
    with pytest.raises(KeyRingError, match=signing.KEY_ENV):
        ring.rotate()
    # Moving to a new key: keep the public half of the old one in the directory.
    ring.export_public_key(tmp_path / "keys")
    replaced = KeyRing.from_env({signing.KEY_ENV: signing.generate_private_pem().decode()}, directory=tmp_path / "keys")
    assert replaced.signing_kid != ring.signing_kid
    assert replaced.verify(token) == make_claims()
    with pytest.raises(KeyRingError, match="not set"):
        KeyRing.from_env({})


def test_encrypted_key_in_the_environment():
    pem = signing.generate_private_pem(b"s3cret")
    ring = KeyRing.from_env({signing.KEY_ENV: pem.decode(), signing.PASSPHRASE_ENV: "s3cret"})
    assert ring.verify(ring.sign(make_claims())) == make_claims()


def test_verify_only_ring_cannot_sign(ring):
    verify_only = KeyRing([entry.retired() for entry in ring.entries])
    assert verify_only.signing_kid is None
    token = ring.sign(make_claims())
    assert verify_only.verify(token) == make_claims()
    with pytest.raises(KeyRingError, match="no signing key"):
        verify_only.sign(make_claims())


def test_private_key_is_not_in_the_repr(ring):
    entry: KeyEntry = ring.entries[0]
    assert "private" not in repr(entry)


# -- independent implementations ------------------------------------------------------------------------


def test_pyjwt_verifies_our_tokens_and_we_verify_its_tokens(ring):
    jwt = pytest.importorskip("jwt", reason="PyJWT is not installed")
    token = ring.sign(make_claims())
    key = jwt.PyJWKSet.from_dict(ring.jwks())[ring.signing_kid].key
    assert jwt.decode(token, key, algorithms=["EdDSA"]) == make_claims()
    theirs = jwt.encode(
        make_claims(no="PYJWT-1"),
        ring.entries[0].private_key,
        algorithm="EdDSA",
        headers={"kid": ring.signing_kid, "typ": "JWT"},
    )
    assert verify_token(theirs, ring.jwks())["no"] == "PYJWT-1"


def test_jwcrypto_verifies_our_tokens_and_we_verify_its_tokens(ring):
    pytest.importorskip("jwcrypto", reason="jwcrypto is not installed")
    from jwcrypto import jwk, jws

    token = ring.sign(make_claims())
    keyset = jwk.JWKSet.from_json(json.dumps(ring.jwks()))
    parsed = jws.JWS()
    parsed.deserialize(token)
    parsed.verify(keyset.get_key(ring.signing_kid), alg="EdDSA")
    assert json.loads(parsed.payload) == make_claims()
    # A key made by jwcrypto: its own RFC 7638 thumbprint must be our kid, and we must verify its JWS.
    theirs = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    public = json.loads(theirs.export_public())
    assert theirs.thumbprint() == signing.jwk_thumbprint(public["x"])
    public["kid"] = theirs.thumbprint()
    signed = jws.JWS(signing.compact_json(make_claims(no="JWCRYPTO-1")))
    signed.add_signature(theirs, None, json.dumps({"alg": "EdDSA", "kid": public["kid"], "typ": "JWT"}))
    assert verify_token(signed.serialize(compact=True), {"keys": [public]})["no"] == "JWCRYPTO-1"


def _doc_blocks() -> list[str]:
    if not DOCS.exists():
        pytest.skip(f"{DOCS} is missing")
    return re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)


def test_documented_standalone_verifier_works(ring):
    """The snippet third parties copy from docs/verify-certificates.md must verify our real output."""
    from peikao.certificates import status_list

    standalone = _doc_blocks()[0]
    namespace: dict = {"__name__": "peikao_verify"}
    exec(compile(standalone, str(DOCS), "exec"), namespace)
    claims = make_claims()
    token = ring.sign(claims)
    lists = {"revocation": status_list.encode([]), "suspension": status_list.encode([])}
    url = "https://peikao.example.cn/status/certificates"
    document = status_list.status_list_credential(lists, url=url, issuer="https://peikao.example.cn")
    status_jws = status_list.sign_status_list(ring, document)
    today = dt.date(2026, 1, 1)
    assert namespace["check"](token, ring.jwks(), status_jws, today=today) == "valid"
    assert namespace["check"](token, ring.jwks(), status_jws, today=dt.date(2031, 3, 1)) == "expired"
    lists["revocation"] = status_list.encode([claims["status_index"]])
    revoked = status_list.sign_status_list(ring, status_list.status_list_credential(lists, url=url, issuer="x"))
    assert namespace["check"](token, ring.jwks(), revoked, today=today) == "revoked"
    header, _payload, signature = token.split(".")
    with pytest.raises(InvalidSignature):
        namespace["verify"](f"{header}.{b64url_encode(b'{}')}.{signature}", namespace["load_keys"](ring.jwks()))
    with pytest.raises(ValueError, match="unexpected header"):
        namespace["verify"](status_jws, namespace["load_keys"](ring.jwks()))


@pytest.mark.parametrize("library", ["jwt", "jwcrypto"])
def test_documented_library_snippets_work(ring, library):
    pytest.importorskip(library, reason=f"{library} is not installed")
    blocks = _doc_blocks()
    block = next(block for block in blocks[1:] if f"import {library}" in block or f"from {library}" in block)
    namespace = {"token": ring.sign(make_claims()), "jwks": ring.jwks()}
    exec(compile(block, str(DOCS), "exec"), namespace)
    assert namespace["claims"] == make_claims()


# -- QR code ---------------------------------------------------------------------------------------------


def test_qr_png_decodes_back_to_the_url(ring, tmp_path):
    pytest.importorskip("qrcode", reason="qrcode is not installed")
    url = signing.certificate_url("https://peikao.example.cn", ring.sign(make_claims()))
    for level in ("M", "Q"):
        png = signing.qr_png(url, error_correction=level)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        zbarimg = shutil.which("zbarimg")
        if zbarimg is None:
            pytest.skip("zbarimg is not installed (apt-get install -y zbar-tools): PNG made but not decoded")
        path = tmp_path / f"qr-{level}.png"
        path.write_bytes(png)
        decoded = subprocess.run(
            [zbarimg, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(path)],
            capture_output=True,
            check=True,
            timeout=60,
        )
        assert decoded.stdout.decode().strip() == url


def test_qr_png_refuses_unknown_error_correction():
    pytest.importorskip("qrcode", reason="qrcode is not installed")
    with pytest.raises(ValueError):
        signing.qr_png("https://example.cn", error_correction="L")  # type: ignore[arg-type]


def test_certificate_typ_is_jwt():
    assert CERTIFICATE_TYP == "JWT"
