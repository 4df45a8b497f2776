"""The frame of every detector: what a run asks (thresholds, region, dates), what a detector returns (one row per
alert: subject, period, evidence keys, evidence, explanation figures), the registry, and the SQL pieces that let
one statement run on PostgreSQL and SQLite alike.

A detector is one set-based statement (or a few) over the whole data; Python only shapes the rows it returns,
which are as many as the alerts, never as many as the events read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from peikao.core.scoping import region_code_range

BEIJING = ZoneInfo("Asia/Shanghai")
BEIJING_OFFSET = 8 * 3600  # China keeps no daylight-saving time: a Beijing day is [k·86400 − 8 h, (k+1)·86400 − 8 h)
FAR_DATE = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class RunScope:
    """What one run covers: the thresholds in force, the subjects' region (a code prefix, "" for all) and the
    Beijing calendar days of the activity (inclusive; None for open)."""

    thresholds: dict[str, Decimal]
    region_prefix: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def threshold(self, param: str) -> Decimal:
        return self.thresholds[param]

    @property
    def start(self) -> dt.datetime | None:
        if self.date_from is None:
            return None
        return dt.datetime.combine(self.date_from, dt.time(), tzinfo=BEIJING)

    @property
    def end(self) -> dt.datetime | None:
        """The first instant after ``date_to`` (exclusive bound)."""
        if self.date_to is None:
            return None
        return dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time(), tzinfo=BEIJING)

    def time_sql(self, column: str) -> tuple[str, list]:
        """A condition keeping ``column`` (a timestamp) within the run's days."""
        parts, params = [], []
        if self.start is not None:
            parts.append(f"{column} >= %s")
            params.append(timestamp_param(self.start))
        if self.end is not None:
            parts.append(f"{column} < %s")
            params.append(timestamp_param(self.end))
        return (" AND ".join(parts) or "1 = 1"), params

    def region_sql(self, column: str) -> tuple[str, list]:
        """A condition keeping ``column`` (a region code) within the run's region."""
        if not self.region_prefix:
            return "1 = 1", []
        low, high = region_code_range(self.region_prefix)
        return f"{column} BETWEEN %s AND %s", [low, high]

    def in_region(self, region_code: str) -> bool:
        return region_code.startswith(self.region_prefix)


@dataclass
class Found:
    """One alert as a detector found it. ``keys`` are the evidence keys of the fingerprint (lesson codes, a
    day, a sitting): the same case found again has the same keys; ``figures`` fill the explanation template."""

    organization_id: int
    person_id: int | None
    period_from: dt.date
    period_to: dt.date
    keys: tuple[str, ...]
    evidence: dict[str, Any]
    figures: dict[str, Any] = field(default_factory=dict)


Detect = Callable[[RunScope], list[Found]]

REGISTRY: dict[str, Detect] = {}


def detector(code: str) -> Callable[[Detect], Detect]:
    """Register the function that runs the detector ``code`` (the code of its row in oversight_detectors.yaml)."""

    def register(func: Detect) -> Detect:
        REGISTRY[code] = func
        return func

    return register


def fingerprint(code: str, organization_id: int, person_id: int | None, keys: Iterable[str]) -> str:
    text = "|".join([code, str(organization_id), str(person_id or ""), *map(str, keys)])
    return hashlib.sha256(text.encode()).hexdigest()


# -- SQL pieces for both databases -----------------------------------------------------------------------------


def postgres() -> bool:
    return connection.vendor == "postgresql"


def timestamp_param(value: dt.datetime) -> Any:
    """A timestamp as a raw query's parameter: SQLite compares the UTC text Django stores, not an aware value."""
    return value if postgres() else connection.ops.adapt_datetimefield_value(value)


def epoch(expression: str) -> str:
    """Whole seconds since 1970 of a timestamp (as training.hours counts them)."""
    if postgres():
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {expression})) AS BIGINT)"
    return f"CAST(strftime('%%s', {expression}) AS INTEGER)"


def greatest(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if postgres() else f"MAX({a}, {b})"


def least(a: str, b: str) -> str:
    return f"LEAST({a}, {b})" if postgres() else f"MIN({a}, {b})"


def beijing_day(epoch_seconds: str) -> str:
    """The Beijing calendar day of an epoch-seconds expression, as a day number (days since 1970-01-01)."""
    return f"(({epoch_seconds} + {BEIJING_OFFSET}) / 86400)"


def beijing_date(expression: str) -> str:
    """The Beijing calendar date of a timestamp, comparable with a DateField column."""
    if postgres():
        return f"CAST(({expression} AT TIME ZONE 'Asia/Shanghai') AS DATE)"
    return f"date({expression}, '+8 hours')"


def beijing_quarter(expression: str) -> str:
    """The Beijing calendar quarter of a timestamp as year·10 + quarter (20261 … 20264)."""
    if postgres():
        local = f"({expression} AT TIME ZONE 'Asia/Shanghai')"
        return f"(CAST(EXTRACT(YEAR FROM {local}) AS INTEGER) * 10 + CAST(EXTRACT(QUARTER FROM {local}) AS INTEGER))"
    return (
        f"(CAST(strftime('%%Y', {expression}, '+8 hours') AS INTEGER) * 10"
        f" + (CAST(strftime('%%m', {expression}, '+8 hours') AS INTEGER) + 2) / 3)"
    )


def json_entries(column: str) -> str:
    """A table function of a JSON object's (key, value) text pairs, for a lateral join."""
    if postgres():
        return f"jsonb_each_text({column})"
    return f"json_each({column})"


def json_value(column: str, key: str) -> str:
    """The text value under the key ``key`` (an SQL expression) of a JSON object column."""
    if postgres():
        return f"({column} ->> {key})"
    return f"json_extract({column}, '$.\"' || {key} || '\"')"


def json_object_size(column: str) -> str:
    """The number of members of a JSON object (on PostgreSQL a path query, a few times faster than counting the
    rows of jsonb_object_keys)."""
    if postgres():
        return f"jsonb_array_length(jsonb_path_query_array({column}, '$.*'))"
    return f"(SELECT COUNT(*) FROM json_each({column}))"


def json_array_size(column: str) -> str:
    return f"jsonb_array_length({column})" if postgres() else f"json_array_length({column})"


# A detector's statement reads the whole province-year once: on PostgreSQL it runs without JIT (compiling the plan
# costs seconds and saves nothing on these statements) and with the memory to hash and sort its groups in memory
# (the default 4 MB spills them to disk in batches).
SCAN_SETTINGS = {"jit": "off", "work_mem": "256MB"}


@contextmanager
def planner(settings: dict[str, str] | None = None) -> Iterator[None]:
    """Planner settings for the statements inside, on PostgreSQL, in a savepoint, put back after them (an error
    rolls the savepoint back, which puts them back too). Nothing on SQLite."""
    if not postgres():
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        before = {}
        for name, value in {**SCAN_SETTINGS, **(settings or {})}.items():
            cursor.execute("SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value])
            before[name] = cursor.fetchone()[0]
        yield
        for name, value in before.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def fetch(sql: str, params: Sequence[Any], settings: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The rows of one detector statement as dicts, run with the planner settings of a scan (``planner``)."""
    with planner(settings), connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def day_of(epoch_seconds: int) -> dt.date:
    return dt.datetime.fromtimestamp(int(epoch_seconds), tz=BEIJING).date()


def local_time(epoch_seconds: int) -> str:
    return dt.datetime.fromtimestamp(int(epoch_seconds), tz=BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def as_aware(value: Any) -> dt.datetime:
    """A timestamp from a raw query (SQLite gives text or a naive UTC datetime) as an aware datetime."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def days_text(first: dt.date, last: dt.date) -> str:
    """A period in Chinese: one day, or from … to …."""
    if first == last:
        return f"{first.year}年{first.month}月{first.day}日"
    return f"{first.year}年{first.month}月{first.day}日至{last.year}年{last.month}月{last.day}日"
