"""Fixed-window rate limits per client, shared by every server process.

``hit(key, limit=60, window=60)`` counts a hit for ``key`` in the current window and says whether it is
within the limit. Two backends (``PEIKAO["RATE_LIMIT_BACKEND"]``):

- ``local`` (default): a table of counters in memory shared by the processes of this host (a memory-mapped
  file under /dev/shm). A hit is a read-modify-write of one slot under a lock of the process, with no system
  call: two processes updating the same client's slot at the same instant may lose one hit (a client hammering
  every worker at once gets a few percent more than its limit). It costs a microsecond, which matters on the
  public verification service; several hosts behind a load balancer limit at the proxy as well (nginx
  ``limit_req``), or use the exact ``database`` backend.
- ``database``: one ``INSERT … ON CONFLICT … DO UPDATE … RETURNING`` per hit (PostgreSQL, and SQLite
  3.35+), exact across hosts; old windows are purged now and then by the same call.

The local table hashes keys into slots; two clients whose keys share a slot in the same window share a
count (with 262,144 slots that needs tens of thousands of active clients a minute, and errs on the side of
limiting).
"""

from __future__ import annotations

import hashlib
import mmap
import os
import random
import struct
import threading
import time
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction

from peikao.core.conf import peikao

PURGE_PROBABILITY = 0.001
SLOTS = 1 << 18
_SLOT = struct.Struct("<QII")  # key hash, window start, hits


class RateDecision(NamedTuple):
    allowed: bool
    hits: int
    limit: int
    retry_after: int  # seconds until the window ends


def hit(key: str, *, limit: int, window: int, now: float | None = None) -> RateDecision:
    now = time.time() if now is None else now
    start = int(now) - int(now) % window
    if peikao().get("RATE_LIMIT_BACKEND", "local") == "database":
        hits = _database_hit(key, start, window, now)
    else:
        hits = _local_table().hit(key, start)
    return RateDecision(allowed=hits <= limit, hits=hits, limit=limit, retry_after=max(1, start + window - int(now)))


# -- database ------------------------------------------------------------------------------------------


def _upsert_sql() -> str:
    from peikao.core.models import RateCounter

    table = connection.ops.quote_name(RateCounter._meta.db_table)
    return (
        f"INSERT INTO {table} (client_key, window_start, hits) VALUES (%s, %s, 1) "
        f"ON CONFLICT (client_key, window_start) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits"
    )


def _database_hit(key: str, start: int, window: int, now: float) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [key[:100], start])
        hits = cursor.fetchone()[0]
    if random.random() < PURGE_PROBABILITY:
        purge(older_than=now - 2 * window)
    return hits


def purge(*, older_than: float) -> int:
    from peikao.core.models import RateCounter

    deleted, _detail = RateCounter.objects.filter(window_start__lt=int(older_than)).delete()
    return deleted


# -- local shared memory ----------------------------------------------------------------------------------


class LocalTable:
    """Counters in a memory-mapped file that every process of this host maps (MAP_SHARED)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        size = SLOTS * _SLOT.size
        if os.fstat(self._fd).st_size < size:
            os.ftruncate(self._fd, size)
        self._map = mmap.mmap(self._fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        self._threads = threading.Lock()

    @staticmethod
    def _hash(key: str) -> int:
        return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little") or 1

    def hit(self, key: str, start: int) -> int:
        digest = self._hash(key)
        offset = (digest % SLOTS) * _SLOT.size
        with self._threads:
            _stored, window, hits = _SLOT.unpack_from(self._map, offset)
            hits = hits + 1 if window == start else 1
            _SLOT.pack_into(self._map, offset, digest, start, min(hits, 0xFFFFFFFF))
        return hits


_table: LocalTable | None = None
_table_lock = threading.Lock()


def _table_path() -> Path:
    configured = settings.PEIKAO.get("RATE_LIMIT_FILE")
    if configured:
        return Path(configured)
    name = "peikao-ratelimit-" + hashlib.sha256(str(settings.VAR_DIR).encode()).hexdigest()[:12]
    shm = Path("/dev/shm")
    return shm / name if shm.is_dir() and os.access(shm, os.W_OK) else Path(settings.VAR_DIR) / name


def _local_table() -> LocalTable:
    global _table
    table = _table
    if table is None:
        with _table_lock:
            if _table is None:
                _table = LocalTable(_table_path())
            table = _table
    return table


def reset_local_table() -> None:
    """Forget this process's mapping (tests point RATE_LIMIT_FILE somewhere fresh)."""
    global _table
    _table = None


def _after_fork() -> None:
    """Each process maps the table itself, with locks of its own (a thread of the parent may have held one)."""
    global _table_lock
    _table_lock = threading.Lock()
    reset_local_table()


os.register_at_fork(after_in_child=_after_fork)
