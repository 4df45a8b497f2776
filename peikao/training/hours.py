"""Credited hours, computed from lessons and attendance events in set-based SQL (PostgreSQL and SQLite).

The rules (docs/exchange.md, class_hours):

- a person's events in one lesson, in time order, pair up as ``in`` → next ``out``; an ``in`` with no later
  ``out`` (or an ``out`` with no earlier ``in``) credits nothing;
- each pair's interval is clipped to the lesson's [starts_at, ends_at]; overlapping intervals count once;
  the attended time is their total length;
- a lesson credits attended minutes / 45 学时 (theory, practical) or / 30 学时 (online) — the lengths in force
  on the class's start date, fixed on the class (``offline_hour_minutes``, ``online_hour_minutes``);
- credited hours are the sum over the class's lessons, rounded down to one decimal.

Times are whole seconds; the sum is kept exact (integer arithmetic) until the final rounding down, so
that 45 minutes credit exactly 1.0 and never 0.9.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone


def _epoch(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {expression})) AS BIGINT)"
    return f"CAST(strftime('%%s', {expression}) AS INTEGER)"


def _greatest(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if connection.vendor == "postgresql" else f"MAX({a}, {b})"


def _least(a: str, b: str) -> str:
    return f"LEAST({a}, {b})" if connection.vendor == "postgresql" else f"MIN({a}, {b})"


def intervals_sql(lesson_filter: str) -> str:
    """CTEs ending in ``counted(lesson_id, person_id, s, f, prev_f)``: every clipped in→out interval with
    the latest end of the intervals before it (for the union). ``lesson_filter`` restricts ``l`` (lessons)."""
    return f"""
    ev AS (
        SELECT e.lesson_id, e.person_id, e.event, {_epoch("e.at")} AS t,
               {_epoch("l.starts_at")} AS ls, {_epoch("l.ends_at")} AS le
        FROM training_attendanceevent e
        JOIN training_lesson l ON l.id = e.lesson_id
        WHERE {lesson_filter}
    ),
    paired AS (
        SELECT lesson_id, person_id, event, t, ls, le,
               MIN(CASE WHEN event = 'out' THEN t END) OVER (
                   PARTITION BY lesson_id, person_id ORDER BY t, event
                   ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
               ) AS next_out
        FROM ev
    ),
    clipped AS (
        SELECT lesson_id, person_id, {_greatest("t", "ls")} AS s, {_least("next_out", "le")} AS f
        FROM paired
        WHERE event = 'in' AND next_out IS NOT NULL
    ),
    counted AS (
        SELECT lesson_id, person_id, s, f,
               MAX(f) OVER (
                   PARTITION BY lesson_id, person_id ORDER BY s, f
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
               ) AS prev_f
        FROM clipped
        WHERE f > s
    )"""


def per_lesson_sql(lesson_filter: str) -> str:
    """A query of (lesson_id, person_id, seconds): the union length of each person's intervals per lesson."""
    contribution = f"CASE WHEN prev_f IS NULL THEN f - s ELSE {_greatest('0', 'f - ' + _greatest('s', 'prev_f'))} END"
    return f"""
    WITH {intervals_sql(lesson_filter)},
    per_lesson AS (
        SELECT lesson_id, person_id, CAST(SUM({contribution}) AS BIGINT) AS seconds
        FROM counted GROUP BY lesson_id, person_id
    )
    SELECT lesson_id, person_id, seconds FROM per_lesson"""


def credited_sql(class_filter: str) -> str:
    """A query of (enrolment_id, offline_seconds, online_seconds, credited_tenths, required_tenths) for the
    enrolments of the classes ``c`` selected by ``class_filter``."""
    contribution = f"CASE WHEN prev_f IS NULL THEN f - s ELSE {_greatest('0', 'f - ' + _greatest('s', 'prev_f'))} END"
    lesson_filter = f"l.training_class_id IN (SELECT c.id FROM training_trainingclass c WHERE {class_filter})"
    # tenths = floor(10 × (offline_s / (60·off) + online_s / (60·on))), in integers:
    #        = (10·(offline_s·on + online_s·off)) // (60·off·on)
    return f"""
    WITH {intervals_sql(lesson_filter)},
    per_lesson AS (
        SELECT lesson_id, person_id, CAST(SUM({contribution}) AS BIGINT) AS seconds
        FROM counted GROUP BY lesson_id, person_id
    ),
    per_enrolment AS (
        SELECT en.id AS enrolment_id,
               CAST(COALESCE(SUM(CASE WHEN l.mode = 'online' THEN 0 ELSE pl.seconds END), 0) AS BIGINT)
                   AS offline_seconds,
               CAST(COALESCE(SUM(CASE WHEN l.mode = 'online' THEN pl.seconds ELSE 0 END), 0) AS BIGINT)
                   AS online_seconds,
               c.required_tenths, c.offline_hour_minutes AS off_m, c.online_hour_minutes AS on_m
        FROM training_enrolment en
        JOIN training_trainingclass c ON c.id = en.training_class_id
        LEFT JOIN training_lesson l ON l.training_class_id = c.id
        LEFT JOIN per_lesson pl ON pl.lesson_id = l.id AND pl.person_id = en.person_id
        WHERE {class_filter}
        GROUP BY en.id, c.required_tenths, c.offline_hour_minutes, c.online_hour_minutes
    )
    SELECT enrolment_id, offline_seconds, online_seconds,
           (10 * (offline_seconds * on_m + online_seconds * off_m)) / (60 * off_m * on_m) AS credited_tenths,
           required_tenths
    FROM per_enrolment"""


def _class_filter(class_ids: Sequence[int] | None) -> tuple[str, list]:
    if class_ids is None:
        return "1 = 1", []
    if not class_ids:
        return "1 = 0", []
    if connection.vendor == "postgresql":
        return "c.id = ANY(%s)", [list(class_ids)]
    return f"c.id IN ({', '.join(['%s'] * len(class_ids))})", list(class_ids)


def recompute(class_ids: Sequence[int] | None = None) -> int:
    """Recompute the credited hours of every enrolment of these classes (all classes when ``None``), in one
    statement; return the number of enrolments computed."""
    where, params = _class_filter(class_ids)
    now = timezone.now()
    select = credited_sql(where)
    with transaction.atomic(), connection.cursor() as cursor:
        scope = (
            "SELECT en.id FROM training_enrolment en JOIN training_trainingclass c ON c.id = en.training_class_id "
            f"WHERE {where}"
        )
        cursor.execute(f"DELETE FROM training_creditedhours WHERE enrolment_id IN ({scope})", params)
        cursor.execute(
            f"""INSERT INTO training_creditedhours (enrolment_id, offline_seconds, online_seconds,
                    credited_tenths, required_tenths, completed, computed_at)
                SELECT enrolment_id, offline_seconds, online_seconds, credited_tenths, required_tenths,
                       credited_tenths >= required_tenths, %s
                FROM ({select}) AS computed""",
            [now, *params, *params],
        )
        return cursor.rowcount


def lesson_seconds(*, class_id: int, person_id: int) -> dict[int, int]:
    """Attended seconds per lesson for one trainee of one class (the trainee's page)."""
    with connection.cursor() as cursor:
        cursor.execute(
            per_lesson_sql("l.training_class_id = %s") + " WHERE person_id = %s",
            [class_id, person_id],
        )
        return {lesson_id: int(seconds) for lesson_id, _person_id, seconds in cursor.fetchall()}


def counted_intervals(*, class_id: int, person_id: int) -> dict[int, list[tuple[int, int]]]:
    """The clipped in→out intervals of one trainee per lesson, as epoch seconds (evidence on the page)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {intervals_sql('l.training_class_id = %s')} "
            "SELECT lesson_id, s, f FROM counted WHERE person_id = %s ORDER BY lesson_id, s, f",
            [class_id, person_id],
        )
        out: dict[int, list[tuple[int, int]]] = {}
        for lesson_id, start, end in cursor.fetchall():
            out.setdefault(lesson_id, []).append((int(start), int(end)))
        return out
