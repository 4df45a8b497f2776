"""Core write path: API tokens and the reference data (accounts are written by peikao.accounts.services)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from peikao.core.audit import audited_create, audited_update, record_bulk, snapshot
from peikao.core.choices import ChangeAction
from peikao.core.models import USER_LINK, ApiToken, User

# -- API tokens: issued once in clear, stored as a SHA-256 -------------------------------------------------

TOKEN_PREFIX = "pk_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; the clear secret is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name[:64] or "token", prefix=raw[:10], key_hash=hash_token(raw), expires_at=expires_at
    )
    audited_create(token)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token from now on (tokens are revoked, never deleted)."""
    before = snapshot(token)
    token.revoked_at = timezone.now()
    audited_update(token, before)
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The usable token with this secret, or ``None``; its last use is noted (at most every five minutes)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    # The user comes with what every request reads: its region and its link (organisation or person, accounts).
    token = (
        ApiToken.objects.select_related("user__region", f"user__{USER_LINK}__organization")
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


# -- reference data ---------------------------------------------------------------------------------------


def reference_rows_sync(*, model: type[models.Model], key: str, rows: list[dict[str, Any]]) -> str:
    """Create or update reference ``rows`` of ``model`` matched on ``key`` (the loaders of ``load_reference``);
    only changes are written, each to the change log. Return a summary."""
    existing = {
        getattr(obj, key): obj for obj in model._default_manager.filter(**{f"{key}__in": [r[key] for r in rows]})
    }
    created: list[models.Model] = []
    changed: list[models.Model] = []
    log: list[tuple] = []
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            obj = model(**row)
            obj.clean_fields(exclude=[f.name for f in model._meta.concrete_fields if f.is_relation])
            created.append(obj)
            continue
        before = snapshot(obj)
        for field, value in row.items():
            setattr(obj, field, value)
        after = snapshot(obj)
        if after != before:
            changed.append(obj)
            log.append((ChangeAction.UPDATE, obj, before, after))
    model._default_manager.bulk_create(created, batch_size=1000)
    if changed:
        fields = [f for f in rows[0] if f != key and f != model._meta.pk.name]
        model._default_manager.bulk_update(changed, fields, batch_size=1000)
    log.extend((ChangeAction.CREATE, obj, None, snapshot(obj)) for obj in created)
    record_bulk(log)
    return f"{model._meta.verbose_name_plural}: {len(created)} created, {len(changed)} updated, {len(rows)} in all"
