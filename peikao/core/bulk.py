"""Fast bulk writes for imports and recomputations: PostgreSQL COPY, or executemany elsewhere (SQLite).

Model instances cost more than the rows they carry at a million rows; these helpers take plain
tuples in column order. Callers validate beforehand (the database still enforces its constraints).
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import zlib
from collections.abc import Iterable, Iterator, Sequence

from django.db import connection, models, transaction


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


def update_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence], *, key: str | None = None
) -> int:
    """Set ``columns`` (database column names) of many rows of ``model``'s table, each row named by its ``key``
    column (the primary key's by default): ``rows`` are tuples of the key, then the values in the order of
    ``columns``, as ``insert_rows`` takes them (JSON as text). Returns how many rows were updated (a key that names
    no row is skipped). A key given twice is refused with ``ValueError``, as is a column the table lacks; nothing
    is written then.

    Set-based: PostgreSQL copies the rows into a temporary table and updates from it in one statement; SQLite runs
    one prepared UPDATE over them (executemany: no round trip per row in process, and no ``UPDATE … FROM``, which
    needs SQLite 3.33). The caller writes the change log (``record_bulk_rows``) and any ``updated_at``."""
    key = key or model._meta.pk.column
    known = {f.column for f in model._meta.concrete_fields}
    unknown = [column for column in (key, *columns) if column not in known]
    if unknown or not columns or key in columns:
        raise ValueError(f"update_rows: bad columns {list(columns)} (key {key}) for {model._meta.db_table}")
    table = connection.ops.quote_name(model._meta.db_table)
    quoted_key = connection.ops.quote_name(key)
    quoted = [connection.ops.quote_name(column) for column in columns]
    width = len(columns) + 1
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    rows = itertools.chain([first], rows)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One staging table per table and set of columns, emptied before each use (ON COMMIT DROP needs the
            # transaction: hence atomic). Same column types as the table, no defaults or constraints.
            shape = zlib.crc32(f"{model._meta.db_table}:{key}:{','.join(columns)}".encode())
            staging = connection.ops.quote_name(f"staged_update_{shape:08x}")
            names = ", ".join([quoted_key, *quoted])
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
                f"SELECT {names} FROM {table} WITH NO DATA"
            )
            cursor.execute(f"TRUNCATE {staging}")
            with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
                for row in _unique_keys(rows, width):
                    copy.write_row(row)
            sets = ", ".join(f"{column} = s.{column}" for column in quoted)
            cursor.execute(f"UPDATE {table} AS t SET {sets} FROM {staging} AS s WHERE t.{quoted_key} = s.{quoted_key}")
            return cursor.rowcount
        batch = [(*(_adapt(value) for value in row[1:]), row[0]) for row in _unique_keys(rows, width)]
        sets = ", ".join(f"{column} = %s" for column in quoted)
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE {quoted_key} = %s", batch)
        return cursor.rowcount


def _unique_keys(rows: Iterable[Sequence], width: int) -> Iterator[Sequence]:
    """``rows`` as they come, refused (``ValueError``) at a key seen before or a row of the wrong length (the
    message gives the row's position, never its values: a key may be an ID number)."""
    seen: set = set()
    for index, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"update_rows: row {index} has {len(row)} values, {width} expected (the key first)")
        if row[0] in seen:
            raise ValueError(f"update_rows: row {index} repeats the key of an earlier row")
        seen.add(row[0])
        yield row
