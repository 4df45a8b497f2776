"""The lookup log's writes: a batch of public lookups appended at once (COPY on PostgreSQL), and lookups past
their retention deleted once leads were derived from them."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import transaction
from django.db.models import Max

from peikao.certificates.models import Counter, Lookup
from peikao.core.bulk import insert_rows

# The counter holding the last lookup that leads were derived from (services.leads_derive).
LEAD_WATERMARK = "lookup_leads"


class LookupEntry(NamedTuple):
    """One lookup as the log stores it: the columns of ``Lookup`` in order (``LOOKUP_COLUMNS``), so that a
    batch goes to COPY as it is."""

    time: dt.datetime
    channel: str
    cert_no: str
    name: str
    client: str
    user_agent: str
    outcome: str
    certificate_id: int | None = None
    kid: str = ""
    claimed_issuer: str = ""


LOOKUP_COLUMNS = LookupEntry._fields


def lookups_record_bulk(*, entries: list[LookupEntry]) -> int:
    """Append a batch of lookups (COPY on PostgreSQL); return how many. Leads are derived from them later,
    set-based, by ``leads_derive`` — nothing but an append happens on the public path."""
    if not entries:
        return 0
    with transaction.atomic():
        return insert_rows(Lookup, LOOKUP_COLUMNS, entries)


def lookups_purge(*, older_than: dt.datetime, batch: int = 100_000) -> int:
    """Delete the lookups logged before ``older_than`` that ``leads_derive`` has already read (each lead keeps
    its counts, first and last sightings): what the public typed — names, numbers that may hold ID numbers —
    is not kept longer than it serves. Deletes by primary-key ranges, a batch per transaction, so that the
    public path's appends never wait long. Returns the number deleted."""
    derived = Counter.objects.filter(name=LEAD_WATERMARK).values_list("value", flat=True).first() or 0
    deleted = 0
    while True:
        window = Lookup.objects.filter(pk__lte=derived, time__lt=older_than)
        # The batch's last key (or the last of all when fewer are left): one index range per transaction.
        edges = list(window.order_by("pk").values_list("pk", flat=True)[batch - 1 : batch])
        edge = edges[0] if edges else window.aggregate(top=Max("pk"))["top"]
        if edge is None:
            return deleted
        with transaction.atomic():
            count, _detail = window.filter(pk__lte=edge).delete()
        deleted += count
