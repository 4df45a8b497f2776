"""The lookup log: every public lookup, appended through a small in-process buffer that a background thread
writes in batches (every second, or every ``BATCH`` lookups), so that a busy public page costs no write of its
own. With ``PEIKAO["LOOKUP_LOG_FLUSH_SECONDS"] = 0`` every lookup is written at once (tests, single-process
use). The writes are services.lookups_record_bulk's."""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import threading

from django.db import close_old_connections

from peikao.certificates.services.lookups import LookupEntry, lookups_record_bulk
from peikao.certificates.verification.lookups import Answer, normalise_name, normalise_number
from peikao.core.conf import peikao

logger = logging.getLogger(__name__)


def entry_for(
    answer: Answer, *, channel: str, client: str, user_agent: str, cert_no: str = "", name: str = ""
) -> LookupEntry:
    claims = answer.claims or {}
    if answer.asked is not None:  # by_number normalised them already
        number, name = answer.asked
    else:
        number = normalise_number(cert_no or str(claims.get("no", "")))
        name = normalise_name(name or str(claims.get("name", "")))
    return LookupEntry(
        dt.datetime.now(dt.UTC),  # timezone.now() with USE_TZ, without reading the setting
        channel,
        number,
        name,
        client[:64],
        (user_agent or "")[:200],
        answer.outcome,
        answer.certificate_id,
        answer.kid,
        str(claims.get("issuer", ""))[:16],
    )


BATCH = 1000  # lookups written in one COPY at most once a second, or as soon as this many wait


class LookupLog:
    """The per-process buffer of lookups, written by a daemon thread; started lazily after a fork."""

    def __init__(self) -> None:
        self._entries: list[LookupEntry] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._registered = False

    @property
    def interval(self) -> float:
        return float(peikao().get("LOOKUP_LOG_FLUSH_SECONDS", 1.0))

    def record(self, entry: LookupEntry) -> None:
        if self.interval <= 0:
            lookups_record_bulk(entries=[entry])
            return
        with self._lock:
            self._entries.append(entry)
            size = len(self._entries)
            if self._thread is None:
                self._start()
        if size == BATCH:  # once per batch; the writer wakes up every interval anyway
            self._wake.set()

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="peikao-lookup-log", daemon=True)
        self._thread.start()
        if not self._registered:
            self._registered = True
            atexit.register(self.flush)
            os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        """A forked worker has none of the parent's threads: it starts its own writer on its first lookup."""
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._entries = []
        self._thread = None

    def _run(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.flush()
                close_old_connections()
            except Exception:  # never let the writer die: the entries are retried next time
                logger.exception("writing the lookup log failed")

    def flush(self) -> int:
        with self._lock:
            entries, self._entries = self._entries, []
        if not entries:
            return 0
        try:
            return lookups_record_bulk(entries=entries)
        except Exception:
            with self._lock:  # keep them for the next attempt, but never more than 10,000
                self._entries = (entries + self._entries)[-10_000:]
            raise

    def pending(self) -> int:
        with self._lock:
            return len(self._entries)


lookup_log = LookupLog()


def record(answer: Answer, *, channel: str, client: str, user_agent: str, cert_no: str = "", name: str = "") -> None:
    lookup_log.record(
        entry_for(answer, channel=channel, client=client, user_agent=user_agent, cert_no=cert_no, name=name)
    )
