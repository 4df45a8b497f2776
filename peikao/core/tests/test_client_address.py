"""The client's address behind reverse proxies (issue 13, item 5): taken from the right of X-Forwarded-For, past
the configured number of trusted proxies, never from the left, where the client writes what it likes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import RequestFactory

from peikao.core.http import client_address


def _request(remote: str = "10.0.0.1", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/verify/", **extra)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, None, "10.0.0.1"),
        (0, "6.6.6.6", "10.0.0.1"),  # no proxy trusted: the header is the client's own words
        (1, None, "10.0.0.1"),  # past the proxy without a header: its peer
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client wrote 6.6.6.6; the proxy appended its peer
        (1, "6.6.6.6,203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.1.1.1", "203.0.113.7"),  # two proxies: the second from the right
        (2, "203.0.113.7", "10.0.0.1"),  # fewer entries than proxies: a hop was skipped, trust only the peer
        (1, "6.6.6.6, not-an-address", "10.0.0.1"),  # garbage where the proxy writes: the peer
        (1, "6.6.6.6, 2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_taken_from_the_right_past_the_trusted_proxies(settings, count, forwarded, expected):
    settings.PEIKAO = {**settings.PEIKAO, "TRUSTED_PROXY_COUNT": count}
    assert client_address(_request(forwarded=forwarded)) == expected


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 11, 27, 10, 0, 5, tzinfo=dt.UTC), tick=False)
def test_rotating_leftmost_entries_do_not_escape_the_public_rate_limit(client, settings):
    from peikao.certificates.models import Lookup

    settings.PEIKAO = {
        **settings.PEIKAO,
        "TRUSTED_PROXY_COUNT": 1,
        "TRUST_X_FORWARDED_FOR": True,  # the switch of the README's old setup: now without effect
        "VERIFY_RATE_PER_MINUTE": 3,
        "LOOKUP_LOG_FLUSH_SECONDS": 0,
    }
    statuses = []
    for n in range(6):  # the attacker's own X-Forwarded-For, a new address each time; nginx appends the real one
        response = client.post(
            "/api/public/verify",
            {"cert_no": "X", "name": "Y"},
            content_type="application/json",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9",
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert set(Lookup.objects.values_list("client", flat=True)) == {"203.0.113.9"}
