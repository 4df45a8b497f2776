"""Import and export of the exchange files (../../spec/exchange.md)."""

from peikao.core.exchange.base import (  # noqa: F401
    Column,
    ExchangeKind,
    ExportContext,
    ImportContext,
    Problem,
    Row,
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
