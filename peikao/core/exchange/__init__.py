"""Import and export of the exchange files (../../spec/exchange.md)."""

from peikao.core.exchange.base import (  # noqa: F401
    ExchangeKind,
    ExportContext,
    ImportContext,
    StagedUpsert,
    WholeFileOutcome,
    WriteCounts,
    all_kinds,
    apply_upsert,
    bulk_upsert,
    fetch_by_key,
    get_kind,
    register,
    stage_upsert,
)
from peikao.core.exchange.rows import Column, Problem, Row  # noqa: F401
