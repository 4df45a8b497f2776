"""Import runs whose process died (``kill -9``, a restart mid-import) do not stay ``running`` forever.

An import is one transaction: when its process dies the database rolls it back, and only the ``ImportRun``
(written outside that transaction) is left saying ``running``. Each run records the process that runs it
(``worker``: host, process id and the process's start time, so a later process with the same id is not mistaken
for it). The sweep marks a running run ``failed``, with the reason in its report, when

- its process is gone (seen from the same host: at once, e.g. on the first page view after a restart), or
- it started more than ``IMPORT_STALE_MINUTES`` ago (wherever it ran: another host, or a host renamed).

It runs when an import starts (from the command line too) and when the import page, a run's page or the API read
runs. A run still alive but marked failed by age gets its real outcome when it ends.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.choices import ImportStatus
from peikao.core.i18n import both
from peikao.core.models import ImportRun

logger = logging.getLogger(__name__)
SEPARATOR = "|"  # not in host names


def _start_ticks(pid: int) -> str:
    """When the process started (clock ticks since boot, Linux), or "" where that cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat.rpartition(")")[2].split()  # after the command name, which may hold spaces
    return fields[19] if len(fields) > 19 else ""


@cache
def _host() -> str:
    return socket.gethostname()[:100]


def process_token() -> str:
    """This process, as recorded on the runs it starts."""
    pid = os.getpid()
    return SEPARATOR.join((_host(), str(pid), _start_ticks(pid)))


def process_gone(token: str) -> bool:
    """Whether the process of ``token`` has certainly ended (False when it runs or cannot be seen from here)."""
    host, _sep, rest = token.partition(SEPARATOR)
    pid_text, _sep, ticks = rest.partition(SEPARATOR)
    if host != _host() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        pass  # alive (another user's process), or no way to tell
    return bool(ticks) and _start_ticks(pid) not in ("", ticks)


def interrupted_problem() -> dict:
    zh, en = both(
        _(
            "The import was interrupted: its process ended before the file was read to the end. Nothing of it was "
            "written; import the file again."
        )
    )
    return {"row": 1, "column": "", "value": "", "code": "interrupted", "reason_zh": zh, "reason_en": en}


def import_runs_sweep(*, now: dt.datetime | None = None) -> int:
    """Mark failed every running import whose process is gone or which started too long ago; return how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.PEIKAO["IMPORT_STALE_MINUTES"])
    stale = [
        run.pk
        for run in ImportRun.objects.filter(status=ImportStatus.RUNNING).only("pk", "worker", "started_at")
        if run.started_at < cutoff or process_gone(run.worker)
    ]
    if not stale:
        return 0
    count = ImportRun.objects.filter(pk__in=stale, status=ImportStatus.RUNNING).update(
        status=ImportStatus.FAILED, finished_at=now, errors=[interrupted_problem()]
    )
    logger.warning("marked %d interrupted import runs failed: %s", count, stale)
    return count
