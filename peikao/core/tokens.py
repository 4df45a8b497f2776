"""API tokens: issued once in clear, stored as a SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from peikao.core.audit import audited_create, audited_update, snapshot
from peikao.core.models import ApiToken

TOKEN_PREFIX = "pk_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; the clear secret is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name[:64] or "token", prefix=raw[:10], key_hash=hash_token(raw), expires_at=expires_at
    )
    audited_create(token)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    before = snapshot(token)
    token.revoked_at = timezone.now()
    audited_update(token, before)
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__region", "user__organization")
        .filter(key_hash=hash_token(raw))
        .first()
    )
    if token is None or not token.is_usable():
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        # Usage bookkeeping, not a data change: not in the change log.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
