"""Public verification: answer a lookup by number and name or by a scanned token, with masked data only;
log every lookup; turn failed and suspicious ones into fake-certificate leads.

- :mod:`.lookups` — the answer of a lookup (``by_number``, ``by_token``) from the register cache: the hot path.
- :mod:`.reference` — the reference tables an answer names, held in memory; issuing authorities' names.
- :mod:`.log` — the lookup log: a per-process buffer written in batches by a background thread.
- :mod:`.leads` — what a lead is made of: number patterns, regions, the suspicious lookups grouped.

Leads are derived from the log later, set-based (``services.leads_derive``: cron, and whenever the leads are
listed). The writes — the log's batches, leads, purges — are the services' (``services.lookups``,
``services.leads``).
"""

from peikao.certificates.choices import LookupChannel
from peikao.certificates.services.lookups import (
    LEAD_WATERMARK,
    LOOKUP_COLUMNS,
    LookupEntry,
    lookups_purge,
    lookups_record_bulk,
)
from peikao.certificates.verification.leads import lead_region, lead_region_code, number_pattern
from peikao.certificates.verification.log import BATCH, LookupLog, entry_for, lookup_log, record
from peikao.certificates.verification.lookups import (
    STANDING_ORDER,
    Answer,
    Held,
    RegisterCache,
    RegisterRow,
    by_number,
    by_token,
    local_today,
    normalise_name,
    normalise_number,
    public_fields,
    register_cache,
)
from peikao.certificates.verification.reference import (
    REFERENCE_MAX_AGE,
    Reference,
    issuing_authority,
    reference,
    reset_reference,
)

# The former names of the services that write for verification, kept for callers outside the app (the demo).
purge_lookups = lookups_purge


def write_entries(entries: list[LookupEntry]) -> int:
    """``services.lookups_record_bulk`` under its former name."""
    return lookups_record_bulk(entries=entries)


def derive_leads(*, limit: int = 500_000) -> int:
    """``services.leads_derive`` under its former name."""
    # Imported here: services.leads imports this package's modules, so this package cannot import it first.
    from peikao.certificates.services.leads import leads_derive

    return leads_derive(limit=limit)


__all__ = [
    "BATCH",
    "LEAD_WATERMARK",
    "LOOKUP_COLUMNS",
    "REFERENCE_MAX_AGE",
    "STANDING_ORDER",
    "Answer",
    "Held",
    "LookupChannel",
    "LookupEntry",
    "LookupLog",
    "Reference",
    "RegisterCache",
    "RegisterRow",
    "by_number",
    "by_token",
    "derive_leads",
    "entry_for",
    "issuing_authority",
    "lead_region",
    "lead_region_code",
    "local_today",
    "lookup_log",
    "normalise_name",
    "normalise_number",
    "number_pattern",
    "public_fields",
    "purge_lookups",
    "record",
    "reference",
    "register_cache",
    "reset_reference",
    "write_entries",
]
