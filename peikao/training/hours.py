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


# Every credited interval is computed from the same pieces: a person's events in a lesson as ``ev(lesson_id,
# person_id, event, t, ls, le)`` (epoch seconds; ls, le the lesson's bounds), each ``in`` paired with the next
# ``out`` after it (``paired``), clipped to the lesson (``_clip``); then the union of a person's intervals in a
# lesson, each counting only past the latest end before it (``_counted``, ``_union_seconds``).


def _clip(start: str, end: str) -> str:
    """The columns ``s, f`` of the interval [start, end] clipped to the lesson [ls, le] (empty when f <= s)."""
    return f"{_greatest(start, 'ls')} AS s, {_least(end, 'le')} AS f"


def _paired() -> str:
    """The CTE ``paired``: the events of ``ev`` with the time of the next ``out`` after each (``next_out``)."""
    return """
    paired AS (
        SELECT lesson_id, person_id, event, t, ls, le,
               MIN(CASE WHEN event = 'out' THEN t END) OVER (
                   PARTITION BY lesson_id, person_id ORDER BY t, event
                   ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
               ) AS next_out
        FROM ev
    )"""


def _paired_intervals(carry: str = "") -> str:
    """A query of ``(lesson_id, person_id, s, f{carry})``: each ``in`` of ``paired`` with a later ``out``, the
    pair clipped to the lesson (``f <= s`` when nothing of it is credited)."""
    return f"""SELECT lesson_id, person_id, {_clip("t", "next_out")}{carry}
        FROM paired
        WHERE event = 'in' AND next_out IS NOT NULL"""


def _counted(source: str, where: str, carry: str = "") -> str:
    """The CTE ``counted(lesson_id, person_id, s, f{carry}, prev_f)``: the intervals of ``source`` (those
    ``where`` selects) with the latest end of the person's intervals in the lesson before each (for the union)."""
    return f"""
    counted AS (
        SELECT lesson_id, person_id, s, f{carry},
               MAX(f) OVER (
                   PARTITION BY lesson_id, person_id ORDER BY s, f
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
               ) AS prev_f
        FROM {source}
        WHERE {where}
    )"""


def _union_seconds() -> str:
    """Summed over a (lesson, person)'s rows of ``counted``: the length of the union of its intervals."""
    return f"SUM(CASE WHEN prev_f IS NULL THEN f - s ELSE {_greatest('0', 'f - ' + _greatest('s', 'prev_f'))} END)"


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
    ),{_paired()},
    clipped AS (
        {_paired_intervals()}
    ),{_counted("clipped", "f > s")}"""


def _per_lesson() -> str:
    """The CTE ``per_lesson(lesson_id, person_id, seconds)`` over ``counted`` of ``intervals_sql``."""
    return f"""
    per_lesson AS (
        SELECT lesson_id, person_id, CAST({_union_seconds()} AS BIGINT) AS seconds
        FROM counted GROUP BY lesson_id, person_id
    )"""


def per_lesson_sql(lesson_filter: str) -> str:
    """A query of (lesson_id, person_id, seconds): the union length of each person's intervals per lesson."""
    return f"""
    WITH {intervals_sql(lesson_filter)},{_per_lesson()}
    SELECT lesson_id, person_id, seconds FROM per_lesson"""


# The same intervals over a whole province-year (the oversight detectors): nearly every (lesson, person) has one
# ``in`` and one ``out``, and its interval is [in, out] clipped to the lesson, computed from the group's aggregates
# in one streaming pass over the events in the order of their unique key (lesson, person, event, at) — no sort of
# the ten million events, no window over them. Only the other groups (a second ``in``, a missing ``out`` …) take
# the window path above (in → next out, union of overlaps). On PostgreSQL the grouping must stream
# (GroupAggregate): its planner, which cannot know that nearly every (lesson, person) is its own group, would
# otherwise hash the events and spill the table to disk; run these statements with ``GROUPED_SETTINGS``.
GROUPED_SETTINGS = {"enable_hashagg": "off"}


def grouped_intervals_sql(lesson_filter: str) -> str:
    """CTEs ending in ``iv(lesson_id, person_id, s, f, ls, simple)``: every credited interval (f > s) of
    ``intervals_sql`` — in → next out, clipped to the lesson [ls, le] — in epoch seconds; ``simple`` is 1 for
    the interval of a (lesson, person) with just one in and one out, which is then that pair's only interval
    (its length is the pair's credited time), 0 for the intervals of the others. ``lesson_filter`` restricts
    ``l`` (lessons)."""
    t_in = _epoch("MIN(CASE WHEN e.event = 'in' THEN e.at END)")
    t_out = _epoch("MAX(CASE WHEN e.event = 'out' THEN e.at END)")
    return f"""
    grouped AS (
        SELECT l.id AS lesson_id, e.person_id, COUNT(*) AS n, SUM(CASE WHEN e.event = 'in' THEN 1 ELSE 0 END) AS ins,
               {t_in} AS t_in, {t_out} AS t_out, {_epoch("l.starts_at")} AS ls, {_epoch("l.ends_at")} AS le
        FROM training_attendanceevent e
        JOIN training_lesson l ON l.id = e.lesson_id
        WHERE {lesson_filter}
        GROUP BY l.id, e.person_id, l.starts_at, l.ends_at
    ),
    ev AS (
        SELECT e.lesson_id, e.person_id, e.event, {_epoch("e.at")} AS t, g.ls, g.le
        FROM grouped g
        JOIN training_attendanceevent e ON e.lesson_id = g.lesson_id AND e.person_id = g.person_id
        WHERE NOT (g.n = 2 AND g.ins = 1)
    ),{_paired()},
    iv AS (
        SELECT lesson_id, person_id, s, f, ls, 1 AS simple
        FROM (
            SELECT lesson_id, person_id, {_clip("t_in", "t_out")}, ls
            FROM grouped WHERE n = 2 AND ins = 1
        ) one
        WHERE f > s
        UNION ALL
        SELECT lesson_id, person_id, s, f, ls, 0 AS simple
        FROM (
            {_paired_intervals(", ls")}
        ) other
        WHERE f > s
    )"""


def grouped_lesson_seconds_sql(lesson_filter: str) -> str:
    """CTEs ending in ``lesson_seconds(lesson_id, person_id, ls, seconds)``: each person's credited seconds in
    each lesson (the union of its intervals) of ``per_lesson_sql``, from ``grouped_intervals_sql``."""
    return f"""{grouped_intervals_sql(lesson_filter)},{_counted("iv", "simple = 0", ", ls")},
    lesson_seconds AS (
        SELECT lesson_id, person_id, ls, f - s AS seconds FROM iv WHERE simple = 1
        UNION ALL
        SELECT lesson_id, person_id, MIN(ls), {_union_seconds()} FROM counted GROUP BY lesson_id, person_id
    )"""


def credited_sql(class_filter: str) -> str:
    """A query of (enrolment_id, offline_seconds, online_seconds, credited_tenths, required_tenths) for the
    enrolments of the classes ``c`` selected by ``class_filter``."""
    lesson_filter = f"l.training_class_id IN (SELECT c.id FROM training_trainingclass c WHERE {class_filter})"
    # tenths = floor(10 × (offline_s / (60·off) + online_s / (60·on))), in integers:
    #        = (10·(offline_s·on + online_s·off)) // (60·off·on)
    return f"""
    WITH {intervals_sql(lesson_filter)},{_per_lesson()},
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
