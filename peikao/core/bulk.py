"""Fast bulk inserts for imports: PostgreSQL COPY, or executemany elsewhere (SQLite).

Model instances cost more than the rows they carry at a million rows; these helpers take plain
tuples in column order. Callers validate beforehand (the database still enforces its constraints).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Sequence

from django.db import connection, models


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``, database column names) into ``model``'s table."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            batch = [tuple(_adapt(value) for value in row) for row in rows]
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", batch)
            count = len(batch)
    return count


def _adapt(value):
    """Values as the non-PostgreSQL backends store them (what Django's field adapters would do)."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def reserve_ids(model: type[models.Model], count: int) -> list[int] | None:
    """Primary keys for ``count`` new rows, taken from the sequence in one query (PostgreSQL), so that
    COPY can write them and nobody has to read them back. ``None`` where there is no sequence."""
    if connection.vendor != "postgresql" or count == 0:
        return None
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert_rows_ignoring_duplicates(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence], conflict: Sequence[str]
) -> int:
    """Insert rows, skipping those that would break the unique constraint on ``conflict`` columns; return
    how many were inserted. PostgreSQL: COPY into a temporary table, then INSERT … ON CONFLICT DO NOTHING."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            staging = connection.ops.quote_name(f"staging_{model._meta.db_table}")
            # Same column types, no defaults or constraints (a default would draw from the table's sequence).
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
                f"SELECT {names} FROM {table} WITH NO DATA"
            )
            cursor.execute(f"TRUNCATE {staging}")
            with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            targets = ", ".join(connection.ops.quote_name(column) for column in conflict)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} ON CONFLICT ({targets}) DO NOTHING"
            )
            return cursor.rowcount
        placeholders = ", ".join(["%s"] * len(columns))
        before = connection.connection.total_changes
        cursor.executemany(
            f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({placeholders})",
            [tuple(_adapt(value) for value in row) for row in rows],
        )
        return connection.connection.total_changes - before
