"""Fixed-window rate limits shared by every server process: one upsert per hit, in the database.

``hit(key, limit=60, window=60)`` counts a hit for ``key`` in the current window and says whether it is
within the limit. The counter row is written with ``INSERT … ON CONFLICT … DO UPDATE … RETURNING``, which
PostgreSQL and SQLite (3.35+) both run atomically, so concurrent workers never lose a hit. Old windows
are removed now and then by the same call, so the table stays as small as the number of active clients.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from django.db import connection, transaction

from peikao.core.models import RateCounter

PURGE_PROBABILITY = 0.001


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    hits: int
    limit: int
    retry_after: int  # seconds until the window ends


def _upsert_sql() -> str:
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    return (
        f"INSERT INTO {table} (client_key, window_start, hits) VALUES (%s, %s, 1) "
        f"ON CONFLICT (client_key, window_start) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits"
    )


def hit(key: str, *, limit: int, window: int, now: float | None = None) -> RateDecision:
    now = time.time() if now is None else now
    start = int(now) - int(now) % window
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [key[:100], start])
        hits = cursor.fetchone()[0]
    if random.random() < PURGE_PROBABILITY:
        purge(older_than=now - 2 * window)
    return RateDecision(allowed=hits <= limit, hits=hits, limit=limit, retry_after=max(1, start + window - int(now)))


def purge(*, older_than: float) -> int:
    deleted, _detail = RateCounter.objects.filter(window_start__lt=int(older_than)).delete()
    return deleted
