"""Login throttling (issue 13, item 6): failed logins lock an account across addresses and an address across
accounts, with a Chinese message; the right password does not pass a lockout; an administrator unlocks, in the
change log."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.contenttypes.models import ContentType

from peikao.core.models import ChangeLog

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-password"
LOCKED = "登录失败次数过多"


@pytest.fixture
def fujian(world):
    for key in ("ti_clerk", "province_admin", "county_inspector"):
        world.users[key].set_password(PASSWORD)
        world.users[key].save()
    return world


def _login(client, username, password, address="198.51.100.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_lock_the_account_with_a_chinese_message(client, fujian, settings):
    assert settings.AXES_FAILURE_LIMIT == 10  # the default (PEIKAO_LOGIN_FAILURE_LIMIT)
    statuses = [_login(client, "ti-clerk", f"guess-{n}", address=f"203.0.113.{n}").status_code for n in range(30)]
    assert statuses == [200] * 9 + [429] * 21  # one account, thirty addresses: locked at the tenth failure
    locked = _login(client, "ti-clerk", PASSWORD, address="192.0.2.77")  # the right password, from a new address
    assert locked.status_code == 429 and not _logged_in(client)
    page = locked.content.decode()
    assert LOCKED in page and "15 分钟" in page and locked["Retry-After"] == "900"
    # Another account from the same addresses is not locked (each address failed only once).
    assert _login(client, "gl-inspector", PASSWORD, address="203.0.113.5").status_code == 302 and _logged_in(client)


def test_an_address_is_locked_across_accounts(client, fujian, settings):
    settings.PEIKAO = {**settings.PEIKAO, "LOGIN_ADDRESS_FAILURE_LIMIT": 50}
    statuses = [_login(client, f"user-{n}", "guess").status_code for n in range(50)]  # fifty names, one address
    assert statuses == [200] * 49 + [429]
    assert _login(client, "ti-clerk", PASSWORD).status_code == 429 and not _logged_in(client)
    assert _login(client, "ti-clerk", PASSWORD, address="192.0.2.8").status_code == 302  # elsewhere it passes


def test_the_address_is_the_one_the_proxy_saw_not_one_the_client_wrote(client, fujian, settings):
    settings.PEIKAO = {**settings.PEIKAO, "TRUSTED_PROXY_COUNT": 1, "LOGIN_ADDRESS_FAILURE_LIMIT": 12}
    for n in range(12):
        client.post(
            "/login/",
            {"username": f"user-{n}", "password": "guess"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.50",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.50"}
    refused = client.post(
        "/login/",
        {"username": "ti-clerk", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.1.1.1, 203.0.113.50",
    )
    assert refused.status_code == 429


def test_a_provincial_admin_unlocks_an_account_and_an_address_in_the_change_log(client, fujian):
    for n in range(10):
        _login(client, "ti-clerk", f"guess-{n}", address="203.0.113.9")
    assert _login(client, "ti-clerk", PASSWORD, address="203.0.113.10").status_code == 429
    admin = fujian.users["province_admin"]
    client.force_login(admin)
    page = client.get("/accounts/lockouts/").content.decode()
    assert "ti-clerk" in page and 'id="locked-accounts"' in page
    response = client.post("/accounts/lockouts/clear/", {"username": "ti-clerk"})
    assert response.status_code == 302 and not AccessAttempt.objects.filter(username="ti-clerk").exists()
    logged = ChangeLog.objects.filter(content_type=ContentType.objects.get_for_model(AccessAttempt))
    assert logged.count() == 2 and {entry.actor for entry in logged} == {admin}  # the two rows: two addresses
    assert {entry.action for entry in logged} == {"delete"} and {entry.before["username"] for entry in logged} == {
        "ti-clerk"
    }
    client.logout()
    assert _login(client, "ti-clerk", PASSWORD, address="203.0.113.10").status_code == 302 and _logged_in(client)


def test_who_may_unlock_what(client, fujian, settings):
    settings.PEIKAO = {**settings.PEIKAO, "LOGIN_ADDRESS_FAILURE_LIMIT": 10}
    for n in range(10):
        _login(client, "fj-admin", f"guess-{n}", address="203.0.113.20")
    # A county inspector may not manage accounts: no page, no unlock, nothing forgotten.
    client.force_login(fujian.users["county_inspector"])
    assert client.get("/accounts/lockouts/").status_code == 404
    client.post("/accounts/lockouts/clear/", {"ip_address": "203.0.113.20"})
    assert AccessAttempt.objects.count() == 1
    # An organisation's administrator sees neither the address nor an account it does not manage.
    client.force_login(fujian.users["ti_admin"])
    assert client.get("/accounts/lockouts/").status_code == 404
    # The provincial administrator sees both and lifts the address; a bad address is a reason, not a 500.
    client.force_login(fujian.users["province_admin"])
    page = client.get("/accounts/lockouts/").content.decode()
    assert "203.0.113.20" in page and "fj-admin" in page
    for bad in ({"ip_address": "not-an-address"}, {"username": "fj\x00admin"}, {}):
        assert client.post("/accounts/lockouts/clear/", bad).status_code == 302  # a reason shown, not a 500
    assert AccessAttempt.objects.count() == 1
    client.post("/accounts/lockouts/clear/", {"ip_address": "203.0.113.20"})
    assert AccessAttempt.objects.count() == 0


def test_a_city_admin_unlocks_only_accounts_of_its_city(client, world):
    from peikao.core.models import Region
    from peikao.testing.factories import UserFactory

    city_admin = UserFactory(username="fz-admin", role="regulator_admin", region=Region.objects.get(code="350100"))
    for name in ("gl-inspector", "fj-admin"):
        for n in range(10):
            _login(client, name, f"guess-{n}", address=f"203.0.113.{n}")
    client.force_login(city_admin)
    page = client.get("/accounts/lockouts/").content.decode()
    assert "gl-inspector" in page and "fj-admin" not in page and "203.0.113.1<" not in page
    client.post("/accounts/lockouts/clear/", {"username": "fj-admin"})
    assert AccessAttempt.objects.filter(username="fj-admin").count() == 10
    client.post("/accounts/lockouts/clear/", {"username": "gl-inspector"})
    assert not AccessAttempt.objects.filter(username="gl-inspector").exists()
