"""The public side: JWKS, status list, verification by number and name or by QR token, rate limits, logging,
leads — checked with independent JWS implementations (PyJWT, jwcrypto) and by decoding the list by hand."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import re

import jwt as pyjwt
import pytest
import time_machine
from django.test import override_settings
from jwcrypto import jwk, jws

from peikao.certificates import publishing, services, verification
from peikao.certificates.models import Lead, Lookup
from peikao.core.models import RateCounter
from peikao.testing.certificates import legacy
from peikao.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(db):
    return PersonFactory(name="陈建华")


@pytest.fixture
def certificate(holder):
    return legacy(holder, issued=dt.date(2024, 3, 1))


def _b64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def test_jwks_verifies_tokens_with_two_independent_implementations(client, certificate):
    keys = client.get("/.well-known/jwks.json").json()
    token = publishing.token_for(certificate)
    # PyJWT
    header = pyjwt.get_unverified_header(token)
    assert header == {"alg": "EdDSA", "kid": header["kid"], "typ": "JWT"}
    key = next(k for k in keys["keys"] if k["kid"] == header["kid"])
    claims = pyjwt.decode(token, pyjwt.PyJWK(key).key, algorithms=["EdDSA"])
    # The number as the public page shows it: a T-number carries the ID number, which the payload never does.
    assert claims["no"] == "T" + certificate.person.masked_id_number and claims["name"] == "陈建华"
    assert claims["id"] == certificate.person.id_number[:4] + "*" * 10 + certificate.person.id_number[-4:]
    assert claims["item"] == "1.2 低压电工作业" and claims["issuer"] == "350100"
    assert (claims["issued"], claims["valid_until"]) == ("2024-03-01", "2030-02-28")
    assert claims["status_index"] == certificate.status_index
    # jwcrypto
    keyset = jwk.JWKSet.from_json(json.dumps(keys))
    signed = jws.JWS()
    signed.deserialize(token)
    signed.verify(keyset.get_key(header["kid"]), alg="EdDSA")
    assert json.loads(signed.payload)["no"] == "T" + certificate.person.masked_id_number


def test_a_qr_names_its_certificate_by_slot_and_older_payloads_still_verify(certificate):
    """Payloads signed before the number was masked carry it in full; they verify the same. A payload whose
    number is not the one at its slot (a signing bug, or a slot reused) is not taken for that certificate."""
    from peikao.certificates.choices import LookupOutcome

    older = publishing.claims_for(certificate) | {"no": certificate.cert_no}
    assert verification.by_token(publishing.keyring().sign(older)).outcome == LookupOutcome.VALID
    assert verification.by_token(publishing.token_for(certificate)).outcome == LookupOutcome.VALID
    other = publishing.claims_for(certificate) | {"no": "T3501**********0000"}
    assert verification.by_token(publishing.keyring().sign(other)).outcome == LookupOutcome.NOT_FOUND


def test_keys_rotate_without_invalidating_older_certificates(client, certificate, settings):
    old_token = publishing.token_for(certificate)
    publishing.keyring().rotate()
    new_token = publishing.token_for(certificate)
    assert pyjwt.get_unverified_header(old_token)["kid"] != pyjwt.get_unverified_header(new_token)["kid"]
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 2
    for token in (old_token, new_token):
        response = client.post("/api/public/verify/token", {"token": token}, content_type="application/json")
        assert response.json()["outcome"] == "valid"
    # The private key never leaves its file: the retired one is gone, the directory holds no secret in clear.
    files = sorted(path.name for path in settings.PEIKAO["SIGNING_KEY_DIR"].iterdir() if not path.name.startswith("."))
    assert len(files) == 2 and sum(name.endswith(".pub.pem") for name in files) == 1


def test_a_rotation_by_another_process_is_picked_up(client, certificate, settings):
    from peikao.certificates.signing import KeyRing

    publishing.keyring()  # this process has loaded the ring
    other = KeyRing.load(settings.PEIKAO["SIGNING_KEY_DIR"])
    other.rotate()
    token = other.sign(publishing.claims_for(certificate))
    response = client.post("/api/public/verify/token", {"token": token}, content_type="application/json")
    assert response.json()["outcome"] == "valid"


def test_status_list_shape_and_revocation_seen_by_an_offline_verifier(client, certificate):
    def bit(purpose: str) -> bool:
        document = client.get("/status/certificates").json()
        subject = next(s for s in document["credentialSubject"] if s["statusPurpose"] == purpose)
        assert subject["encodedList"].startswith("u")
        bits = gzip.decompress(_b64(subject["encodedList"][1:]))
        index = certificate.status_index
        return bool(bits[index // 8] & (0x80 >> (index % 8)))

    document = client.get("/status/certificates").json()
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["id"].endswith("/status/certificates")
    assert not bit("revocation") and not bit("suspension")
    admin = _admin()
    services.suspend(actor=admin, certificate=certificate, ground="investigation")
    assert bit("suspension") and not bit("revocation")
    services.revoke(actor=admin, certificate=certificate, ground="false_information")
    assert bit("revocation") and not bit("suspension")
    # The signed copy, checked with PyJWT against the published keys.
    signed = client.get("/status/certificates.jwt")
    assert signed["Content-Type"] == "application/vc+jwt"
    header = pyjwt.get_unverified_header(signed.content.decode())
    assert header["typ"] == "vc+jwt"
    key = next(k for k in client.get("/.well-known/jwks.json").json()["keys"] if k["kid"] == header["kid"])
    payload = pyjwt.decode(signed.content.decode(), pyjwt.PyJWK(key).key, algorithms=["EdDSA"])
    assert payload["credentialSubject"] == client.get("/status/certificates").json()["credentialSubject"]
    assert client.get("/status/certificates", HTTP_ACCEPT="application/vc+jwt").content == signed.content
    etag = signed["ETag"]
    assert client.get("/status/certificates", HTTP_IF_NONE_MATCH=etag).status_code == 304


def _admin():
    from peikao.core.choices import Role
    from peikao.core.models import Region
    from peikao.testing.factories import UserFactory

    return UserFactory(role=Role.REGULATOR_ADMIN, region=Region.objects.get(code="350000"))


def test_lookup_by_number_and_name_shows_masked_data_and_is_logged(client, certificate, holder):
    response = client.post("/verify/", {"cert_no": certificate.cert_no.lower(), "name": "陈建华"})
    body = response.content.decode()
    assert response.status_code == 200 and 'data-outcome="valid"' in body
    assert holder.id_number not in body and certificate.cert_no not in body
    assert "T" + holder.id_number[:4] + "*" * 10 + holder.id_number[-4:] in body
    assert "低压电工作业" in body and "福州市" in body
    assert response["Referrer-Policy"] == "same-origin" and response["Cache-Control"] == "no-store"
    lookup = Lookup.objects.get()
    assert (lookup.channel, lookup.outcome, lookup.certificate_id) == ("page", "valid", certificate.pk)
    assert services.leads_derive() == 0 and not Lead.objects.exists()


def test_a_wrong_name_is_not_found_and_becomes_a_lead(client, certificate):
    response = client.post("/verify/", {"cert_no": certificate.cert_no, "name": "陈建"}, REMOTE_ADDR="9.9.9.9")
    assert 'data-outcome="not_found"' in response.content.decode()
    assert "低压电工作业" not in response.content.decode()  # nothing about the real certificate
    client.post("/verify/", {"cert_no": certificate.cert_no, "name": "陈建"}, REMOTE_ADDR="9.9.9.9")
    services.leads_derive()
    lead = Lead.objects.get()
    assert (lead.kind, lead.occurrences, lead.source) == ("failed_lookup", 2, "ip:9.9.9.9")
    assert lead.region.code == certificate.cert_no[1:7] or lead.region.code.startswith(certificate.cert_no[1:3])


def test_the_review_switch_is_shown_as_the_rules_say(client, holder):
    overdue = legacy(holder, issued=dt.date(2021, 3, 10))  # review 2024-03-10, held and missed
    response = client.post(
        "/api/public/verify", {"cert_no": overdue.cert_no, "name": holder.name}, content_type="application/json"
    )
    assert response.json()["outcome"] == "review_overdue"
    other = PersonFactory(name="林志强")
    not_held = legacy(other, issued=dt.date(2023, 7, 1))  # review 2026-07-01, not held under order No. 19
    answer = client.post(
        "/api/public/verify", {"cert_no": not_held.cert_no, "name": "林志强"}, content_type="application/json"
    )
    data = answer.json()
    assert data["outcome"] == "valid"
    assert data["certificates"][0]["review_due"] == "2026-07-01" and data["certificates"][0]["review_held"] is False
    shown = data["certificates"][0]
    assert shown["name"] == "林志强" and shown["sex"] == other.get_sex_display() and shown["sex"] in ("男", "女")
    assert shown["cert_type_label"] == "特种作业操作证" and shown["standing_label"] == "有效"
    assert shown["cert_no"].count("*") == 10 and shown["issuer"].endswith(("应急管理局", "应急管理厅"))
    assert shown["item"] and shown["item_code"] == not_held.operation_item.code


def test_a_qr_scan_of_a_revoked_certificate(client, certificate):
    token = publishing.token_for(certificate)
    services.revoke(actor=_admin(), certificate=certificate, ground="false_information")
    response = client.get(f"/v/{token}", REMOTE_ADDR="5.5.5.5")
    assert 'data-outcome="revoked"' in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    services.leads_derive()
    lead = Lead.objects.get()
    assert (lead.kind, lead.certificate, lead.source) == ("revoked_presented", certificate, "ip:5.5.5.5")


def test_a_forged_qr_code(client, certificate):
    from peikao.certificates.signing import KeyRing

    token = publishing.token_for(certificate)
    header, payload, signature = token.split(".")
    claims = json.loads(_b64(payload))
    claims["valid_until"] = "2099-12-31"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    tampered = f"{header}.{forged_payload}.{signature}"
    other_key = KeyRing.ephemeral().sign(claims)
    for forged in (tampered, other_key, "not-a-token", "a.b.c"):
        response = client.post("/api/public/verify/token", {"token": forged}, content_type="application/json")
        assert response.status_code == 200 and response.json()["outcome"] == "signature_invalid"
        assert response.json()["certificates"] == []
    # Grouped by kind, claimed number and source: the two forgeries of this number, and the two without one.
    services.leads_derive()
    leads = Lead.objects.filter(kind="invalid_signature")
    claimed, garbage = leads.get(cert_no="T" + certificate.person.masked_id_number), leads.get(cert_no="")
    assert claimed.occurrences == 2 and claimed.claimed_issuer == "350100" and claimed.region.code == "350100"
    assert garbage.occurrences == 2 and garbage.region is None and leads.count() == 2


@pytest.mark.parametrize("backend", ["local", "database"])
@time_machine.travel(dt.datetime(2026, 11, 27, 10, 0, 5, tzinfo=dt.UTC), tick=False)  # well inside one window
def test_rate_limited_per_client_with_a_reason(client, certificate, backend):
    with override_settings(PEIKAO={**_settings(), "VERIFY_RATE_PER_MINUTE": 3, "RATE_LIMIT_BACKEND": backend}):
        for _ in range(3):
            response = client.post(
                "/api/public/verify",
                {"cert_no": "X", "name": "Y"},
                content_type="application/json",
                REMOTE_ADDR="7.7.7.7",
            )
            assert response.status_code == 200
        limited = client.post(
            "/api/public/verify", {"cert_no": "X", "name": "Y"}, content_type="application/json",
            REMOTE_ADDR="7.7.7.7", HTTP_ACCEPT_LANGUAGE="en",
        )  # fmt: skip
        assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
        body = limited.json()  # the message in the request's language, and both beside it
        assert "Too many lookups" in body["message"] == body["message_en"] and "频繁" in body["message_zh"]
        page = client.post("/verify/", {"cert_no": "X", "name": "Y"}, REMOTE_ADDR="7.7.7.7")
        assert page.status_code == 429 and int(page["Retry-After"]) >= 1
        scanned = client.get(f"/v/{publishing.token_for(certificate)}", REMOTE_ADDR="7.7.7.7")
        assert scanned.status_code == 429
        other = client.post(
            "/api/public/verify", {"cert_no": "X", "name": "Y"}, content_type="application/json", REMOTE_ADDR="8.8.8.8"
        )
        assert other.status_code == 200
        from peikao.core import ratelimit

        assert ratelimit.hit("verify:7.7.7.7", limit=3, window=60).hits == 7
    assert RateCounter.objects.filter(client_key="verify:7.7.7.7").exists() == (backend == "database")
    limited_lookups = Lookup.objects.filter(outcome="rate_limited")
    assert sorted(limited_lookups.values_list("channel", "client")) == [
        ("api", "7.7.7.7"),
        ("page", "7.7.7.7"),
        ("qr", "7.7.7.7"),
    ]
    assert Lookup.objects.count() == 7  # every lookup logged, limited ones included


def _settings():
    from django.conf import settings

    return settings.PEIKAO


def test_bad_public_api_input_is_a_4xx_with_a_reason(client):
    response = client.post("/api/public/verify", "{", content_type="application/json")
    assert response.status_code in (400, 422) and "message" in response.json()
    response = client.post("/api/public/verify", {"cert_no": "x"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    assert client.get("/api/public/verify").status_code == 405
    huge = client.post("/api/public/verify", '{"cert_no": "' + "1" * 20_000 + '"}', content_type="application/json")
    assert huge.status_code == 413 and huge.json()["code"] == "too_large" and "16384" in huge.json()["message_en"]
    assert huge.json()["message_zh"] != huge.json()["message_en"]
    assert Lookup.objects.count() == 0  # none of these was a lookup
    encoded = client.post("/api/public/verify", '{"cert_no": "T1", "name": "\u674e"}', content_type="application/json")
    assert encoded.status_code == 200 and encoded.json()["outcome"] == "not_found"


def test_public_pages_link_to_nothing_of_the_platform(client, certificate):
    pages = [
        client.get("/verify/"),
        client.post("/verify/", {"cert_no": certificate.cert_no, "name": "陈建华"}),
        client.get(f"/v/{publishing.token_for(certificate)}"),
        client.get("/verify/report/"),
    ]
    allowed = {"/verify/", "/verify/report/", "/.well-known/jwks.json", "/status/certificates"}
    for page in pages:
        body = page.content.decode()
        links = set(re.findall(r'(?:href|action)="([^"]+)"', body))
        internal = {link for link in links if not link.startswith("/static/") and link not in allowed}
        assert not internal, internal
        assert "sessionid" not in page.cookies  # no session is started for the public


def test_a_public_report(client):
    response = client.post(
        "/verify/report/",
        {
            "cert_no": "T350102199001011234",
            "name": "王强",
            "claimed_issuer": "福州市应急管理局",
            "where": "仓山区某工地",
            "description": "出示的证件扫码显示签名无效",
            "contact": "",
        },
    )
    assert response.status_code == 200 and 'id="report-done"' in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.kind, lead.source, lead.claimed_issuer) == ("public_report", "report:仓山区某工地", "福州市应急管理局")
    assert lead.region.code.startswith("3501")


def test_buffered_lookups_are_written_in_batches(certificate):
    from peikao.certificates import verification
    from peikao.certificates.verification import LookupLog

    with override_settings(PEIKAO={**_settings(), "LOOKUP_LOG_FLUSH_SECONDS": 60}):
        log = LookupLog()
        answer = verification.by_number("T000", "无名")
        for _ in range(5):
            log._entries.append(
                verification.entry_for(answer, channel="api", client="4.4.4.4", user_agent="t", cert_no="T000")
            )
        assert Lookup.objects.count() == 0 and log.pending() == 5
        assert log.flush() == 5  # the five lookups, in one write
    assert Lookup.objects.count() == 5 and not Lead.objects.exists()
    assert services.leads_derive() == 1  # one lead for the five failed lookups of one number from one client
    assert Lead.objects.get().occurrences == 5
    log._entries.append(verification.entry_for(answer, channel="api", client="4.4.4.4", user_agent="t", cert_no="T000"))
    log.flush()
    assert services.leads_derive() == 0 and Lead.objects.get().occurrences == 6  # adds up on the open lead


def test_every_public_route_guards_its_posts_without_the_csrf_middleware(certificate):
    """The public service runs without CsrfViewMiddleware: a POST without a token is refused by every route
    but the JSON API's (csrf_exempt, no cookies, no session)."""
    from django.test import Client
    from django.urls import URLPattern

    from peikao import public_urls, settings_public

    client = Client(enforce_csrf_checks=True)
    exempt = {"public_api_verify", "public_api_verify_token"}
    with override_settings(ROOT_URLCONF="peikao.public_urls", MIDDLEWARE=settings_public.MIDDLEWARE):
        assert "django.middleware.csrf.CsrfViewMiddleware" not in settings_public.MIDDLEWARE
        for pattern in public_urls.urlpatterns:
            assert isinstance(pattern, URLPattern)
            path = "/" + str(pattern.pattern).replace("<str:token>", "x").replace("<str:decision_code>", "x")
            status = client.post(path, {"cert_no": certificate.cert_no, "name": "陈建华"}).status_code
            if pattern.name in exempt:
                assert getattr(pattern.callback, "csrf_exempt", False), pattern.name
            else:
                assert status in (403, 405), (path, status)
        form = client.get("/verify/")
        token = form.cookies["csrftoken"].value
        page = client.post("/verify/", {"cert_no": certificate.cert_no, "name": "陈建华", "csrfmiddlewaretoken": token})
        assert page.status_code == 200 and 'data-outcome="valid"' in page.content.decode()


def test_the_public_service_serves_the_public_routes_and_nothing_else(client, certificate):
    from peikao import settings_public

    with override_settings(ROOT_URLCONF="peikao.public_urls", MIDDLEWARE=settings_public.MIDDLEWARE):
        for path in ("/certificates/", "/login/", "/api/docs", "/api/me", "/registry/persons/", "/"):
            assert client.get(path).status_code == 404, path
        assert client.get("/verify/").status_code == 200
        assert client.get("/.well-known/jwks.json").status_code == 200
        page = client.post("/verify/", {"cert_no": certificate.cert_no, "name": "陈建华"})
        assert 'data-outcome="valid"' in page.content.decode()
        answer = client.post(
            "/api/public/verify", {"cert_no": certificate.cert_no, "name": "陈建华"}, content_type="application/json"
        )
        assert answer.json()["outcome"] == "valid" and "sessionid" not in answer.cookies


def test_lookups_past_retention_are_deleted_once_they_are_leads(db):
    import io

    from django.core.management import CommandError, call_command
    from django.utils import timezone

    now = timezone.now()

    def logged(days_ago: int, number: str, outcome: str = "not_found") -> Lookup:
        return Lookup.objects.create(
            time=now - dt.timedelta(days=days_ago), channel="api", cert_no=number, client="9.9.9.9", outcome=outcome
        )

    old_fake = logged(400, "T350102199001015555")
    logged(390, "T350102199001016666", "valid")  # a valid lookup never becomes a lead, and goes too
    recent = logged(10, "T350102199001017777")
    services.leads_derive()
    not_yet_read = logged(380, "T350102199001018888")  # logged late (a writer's retry): no lead of it yet
    assert services.lookups_purge(older_than=now - dt.timedelta(days=365), batch=1) == 2  # one per batch
    assert set(Lookup.objects.values_list("pk", flat=True)) == {recent.pk, not_yet_read.pk}
    assert Lead.objects.filter(cert_no=old_fake.cert_no, occurrences=1).exists()  # the lead keeps what it saw
    # The command first turns what is left into leads, then deletes it.
    out = io.StringIO()
    call_command("purge_lookups", "--days", "365", stdout=out)
    assert out.getvalue().startswith("1 lookups before") and list(Lookup.objects.all()) == [recent]
    assert Lead.objects.filter(cert_no=not_yet_read.cert_no).exists()
    with pytest.raises(CommandError):
        call_command("purge_lookups", "--days", "0")
