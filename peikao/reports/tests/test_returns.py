"""Provincial returns: exported signed by a province's platform, received by the ministry's (signature, region and
period checked; a later return replaces the earlier one), and the national notice built from them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command

from peikao.certificates import publishing
from peikao.certificates.signing import KeyRing
from peikao.core.errors import DomainError, PermissionDenied
from peikao.core.models import Region
from peikao.enforcement.models import Decision, Finding, Inspection
from peikao.lib.jws import MAX_TOKEN_LENGTH, b64url_decode, b64url_encode, compact_json, encode_jws
from peikao.reports import services
from peikao.reports.models import ProvincialReturn
from peikao.reports.returns import RETURN_TYP, sign_return
from peikao.reports.selectors import Period, notice_figures, returns_figures

YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.fixture(autouse=True)
def _keys(tmp_path, settings):
    settings.PEIKAO = {**settings.PEIKAO, "SIGNING_KEY_DIR": tmp_path / "keys"}
    publishing.reset_keyring()
    yield
    publishing.reset_keyring()


@pytest.fixture
def fujian(world):
    """福建's records of 2025 (an institution in 鼓楼 inspected, two problems, closed), and its platform's key
    trusted by the ministry."""
    inspection = Inspection.objects.create(
        code="RET-1", organization=world.orgs["ti_a"], region_id="350102", kind="routine",
        inspected_on=dt.date(2025, 4, 1), status="completed",
    )  # fmt: skip
    for n in range(2):
        Finding.objects.create(code=f"RET-F{n}", inspection=inspection, description="问题")
    Decision.objects.create(code="RET-D", inspection=inspection, measure="close", decided_on=dt.date(2025, 4, 2))
    province = Region.objects.get(code="350000")
    services.return_key_add(actor=None, region=province, jwks=publishing.keyring().jwks())
    return province


def _return(region_code="350000"):
    figures = notice_figures(user=None, region=Region.objects.get(code=region_code), period=YEAR)
    return sign_return(figures, now=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))


def test_a_return_round_trips_and_the_national_notice_is_built_from_returns(fujian, world, tmp_path):
    out = tmp_path / "fujian-2025.json"
    call_command("returns", "export", "--from", "2025-01-01", "--to", "2025-12-31", "--region", "350000",
                 "--out", str(out))  # fmt: skip

    call_command("returns", "import", str(out))
    call_command("returns", "import", str(out))  # the same return again: nothing changes

    received = ProvincialReturn.objects.get()
    assert received.current and received.region_id == "350000"
    national = returns_figures(user=None, period=YEAR)
    assert national["training_institutions"] == {
        "inspected": 1, "problems": 2, "closed": 1, "suspended": 0, "ordered_to_rectify": 0,
    }  # fmt: skip
    assert [row["region"]["code"] for row in national["by_subregion"]] == ["350000"]
    assert national["practices"]["regions_with_exit_decision"] == 1  # 福建 shows an exit decision
    notice = tmp_path / "nation.json"
    call_command("notice", "--from", "2025-01-01", "--to", "2025-12-31", "--from-returns", "--format", "json",
                 "--out", str(notice))  # fmt: skip
    assert json.loads(notice.read_text())["training_institutions"]["problems"] == 2


def test_a_later_return_of_the_period_replaces_the_earlier(fujian, world):
    services.return_import(actor=None, text=_return())
    Finding.objects.create(code="RET-F9", inspection=Inspection.objects.get(code="RET-1"), description="又一个问题")

    services.return_import(actor=None, text=_return())

    assert ProvincialReturn.objects.count() == 2
    current = ProvincialReturn.objects.get(current=True)
    assert current.figures["training_institutions"]["problems"] == 3
    assert returns_figures(user=None, period=YEAR)["training_institutions"]["problems"] == 3


def test_a_return_longer_than_a_qr_token_is_verified_all_the_same(fujian):
    figures = notice_figures(user=None, region=Region.objects.get(code="350000"), period=YEAR)
    figures["by_subregion"] = figures["by_subregion"] * 30  # a province of many cities
    text = sign_return(figures, now=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    assert len(json.loads(text)["return"]) > MAX_TOKEN_LENGTH

    received = services.return_import(actor=None, text=text)

    assert received.current and len(received.figures["by_subregion"]) == len(figures["by_subregion"])


def test_a_tampered_return_is_refused(fujian):
    token = json.loads(_return())["return"]
    header, payload, signature = token.split(".")
    data = json.loads(b64url_decode(payload))
    data["figures"]["training_institutions"]["closed"] = 0  # a closure made to disappear
    tampered = json.dumps({"return": f"{header}.{b64url_encode(compact_json(data))}.{signature}"})

    with pytest.raises(DomainError) as refused:
        services.return_import(actor=None, text=tampered)

    assert refused.value.code == "return_bad_signature"
    assert not ProvincialReturn.objects.exists()


def test_a_return_whose_region_or_key_does_not_match_is_refused(fujian):
    figures = notice_figures(user=None, region=Region.objects.get(code="360000"), period=YEAR)
    payload = {"region": "360000", "period": figures["period"], "figures": figures, "iat": 1_767_000_000}
    signer = next(entry for entry in publishing.keyring().entries if entry.can_sign)
    header = {"alg": "EdDSA", "kid": signer.kid, "typ": RETURN_TYP}
    as_jiangxi = json.dumps({"return": encode_jws(header, compact_json(payload), signer.private_key)})
    stranger = KeyRing.ephemeral().entries[0]
    unknown = json.dumps(
        {"return": encode_jws({**header, "kid": stranger.kid}, compact_json(payload), stranger.private_key)}
    )

    with pytest.raises(DomainError) as mismatch:
        services.return_import(actor=None, text=as_jiangxi)  # 福建's key, 江西's figures
    with pytest.raises(DomainError) as foreign:
        services.return_import(actor=None, text=unknown)
    with pytest.raises(DomainError) as garbage:
        services.return_import(actor=None, text="not json")

    assert mismatch.value.code == "return_region_mismatch"
    assert foreign.value.code == "return_unknown_kid"
    assert garbage.value.code == "return_malformed"
    assert not ProvincialReturn.objects.exists()


def test_only_the_ministry_receives_returns(fujian, world):
    with pytest.raises(PermissionDenied):
        services.return_import(actor=world.users["province_admin"], text=_return())
    with pytest.raises(PermissionDenied):
        returns_figures(user=world.users["province_admin"], period=YEAR)
    received = services.return_import(actor=world.users["ministry_admin"], text=_return())
    assert received.received_by == world.users["ministry_admin"]


def _bearer(user):
    from peikao.core.services import api_token_create

    _token, raw = api_token_create(user=user, name="returns")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_api_uploads_returns_to_the_ministry_and_refuses_a_tampered_one(fujian, world, client):
    token = json.loads(_return())["return"]
    ministry = _bearer(world.users["ministry_admin"])

    def upload(body, auth):
        return client.post("/api/reports/returns", json.dumps(body), content_type="application/json", **auth)

    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    refused = upload({"return": tampered}, ministry)
    by_province = upload({"return": token}, _bearer(world.users["province_admin"]))
    accepted = upload({"return": token}, ministry)

    assert refused.status_code == 400 and refused.json()["code"] == "return_bad_signature"
    assert refused.json()["message_zh"] == "报送数据被拒绝：签名不符，数据已被改动或由其他密钥签名。"  # no English
    assert refused.json()["message_en"] == (
        "The return is refused: its signature does not match: it was altered, or signed by another key."
    )
    assert by_province.status_code == 403
    assert accepted.status_code == 201 and accepted.json()["region"] == "350000"
    national = client.get("/api/reports/returns/notice", {"from": "2025-01-01", "to": "2025-12-31"}, **ministry)
    assert national.json()["training_institutions"]["closed"] == 1


def test_the_api_gives_the_notice_of_the_users_jurisdiction_only(fujian, world, client):
    county = _bearer(world.users["county_inspector"])
    period = {"from": "2025-01-01", "to": "2025-12-31"}

    own = client.get("/api/reports/notice", period, **county)
    province = client.get("/api/reports/notice", {**period, "region": "350000"}, **county)
    reversed_ = client.get("/api/reports/notice", {"from": "2025-12-31", "to": "2025-01-01"}, **county)

    assert own.status_code == 200 and own.json()["region"]["code"] == "350102"
    assert own.json()["training_institutions"]["problems"] == 2
    assert province.status_code == 403
    assert reversed_.status_code == 400
