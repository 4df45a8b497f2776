"""A video-analytics feed's key can be revoked: by a regulator of its region, at once, on the command line."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from peikao.core.errors import PermissionDenied
from peikao.core.models import ChangeLog, Region
from peikao.exams import services
from peikao.exams.models import PatrolFeed

pytestmark = pytest.mark.django_db


def _post(client, key, sitting_code="NONE"):
    body = {"external_id": "e", "sitting_code": sitting_code, "observed_at": "2026-09-15T09:40:00+08:00",
            "observation": "x"}  # fmt: skip
    return client.post(
        "/api/patrol/events", data=json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )  # fmt: skip


def test_a_revoked_feed_key_stops_working_and_the_revocation_is_logged(client, exam_world):
    out = io.StringIO()
    call_command("patrol_feeds", "register", "--as", "fj-adm", "--region", "350000", "--name", "视频分析", stdout=out)
    key = out.getvalue().strip()
    feed = PatrolFeed.objects.get()
    assert key.startswith("va_") and feed.key_prefix == key[:10] and feed.is_active
    assert _post(client, key).status_code == 404  # authenticated; no such sitting
    with pytest.raises(PermissionDenied):  # a county regulator of another place
        services.feed_deactivate(actor=exam_world["regulator"], feed=feed)
    call_command("patrol_feeds", "revoke", "--as", "fj-adm", "--key-prefix", feed.key_prefix, stdout=io.StringIO())
    feed.refresh_from_db()
    assert not feed.is_active
    assert _post(client, key).status_code == 401
    change = ChangeLog.objects.get(object_id=str(feed.pk), action="update")
    assert change.after["is_active"] is False and "patrol_feeds" in change.actor_label + change.request_id
    with pytest.raises(CommandError, match="已撤销"):
        call_command("patrol_feeds", "revoke", "--as", "fj-adm", "--key-prefix", feed.key_prefix)
    listing = io.StringIO()
    call_command("patrol_feeds", "list", stdout=listing)
    assert feed.key_prefix in listing.getvalue() and "已撤销" in listing.getvalue()
    assert key not in listing.getvalue()


def test_a_feed_outside_the_regulators_region_is_not_theirs(exam_world):
    feed, _key = services.feed_register(actor=exam_world["admin"], name="x", region=Region.objects.get(code="350000"))
    with pytest.raises(CommandError, match="another region"):
        call_command("patrol_feeds", "revoke", "--as", "gl-reg", "--key-prefix", feed.key_prefix)
