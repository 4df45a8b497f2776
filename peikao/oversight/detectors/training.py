"""Detectors of fake training: a trainee in two classes at once, more hours in a day than a day holds, a teacher in
two classes at once, sign-ins cloned to the second. Credited intervals are those of ``class_hours`` (in → next out,
clipped to the lesson), from training.hours itself (``grouped_intervals_sql``, ``grouped_lesson_seconds_sql``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from peikao.oversight.detectors import names
from peikao.oversight.detectors.base import (
    Found,
    RunScope,
    beijing_day,
    day_of,
    days_text,
    detector,
    epoch,
    fetch,
    greatest,
    least,
    local_time,
)
from peikao.training import hours

PAIR_COLUMNS = """
    la.training_class_id AS class_a, lb.training_class_id AS class_b,
    ca.organization_id AS org_a, cb.organization_id AS org_b,
    oa.region_id AS region_a, ob.region_id AS region_b"""

PAIR_JOINS = """
    JOIN training_lesson la ON la.id = p.lesson_a
    JOIN training_lesson lb ON lb.id = p.lesson_b
    JOIN training_trainingclass ca ON ca.id = la.training_class_id
    JOIN training_trainingclass cb ON cb.id = lb.training_class_id
    JOIN registry_organization oa ON oa.id = ca.organization_id
    JOIN registry_organization ob ON ob.id = cb.organization_id"""


SWAP = (
    ("class_a", "class_b"),
    ("org_a", "org_b"),
    ("region_a", "region_b"),
    ("lesson_a", "lesson_b"),
    ("sa", "sb"),
    ("fa", "fb"),
)


def _region_of_pair(scope: RunScope) -> tuple[str, list]:
    a, a_params = scope.region_sql("oa.region_id")
    b, b_params = scope.region_sql("ob.region_id")
    return f"({a} OR {b})", [*a_params, *b_params]


def _pair_alerts(scope: RunScope, rows: list[dict[str, Any]], person_role: str) -> list[Found]:
    """Overlapping lesson pairs of one person grouped per pair of classes: one alert for each organisation of the
    pair within the run's region (each names the other class)."""
    groups: dict[tuple[int, int, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["class_a"] > row["class_b"]:  # one order per pair of classes
            swapped = dict(row)
            for a, b in SWAP:
                swapped[a], swapped[b] = row[b], row[a]
            row = swapped
        groups[(row["person_id"], row["class_a"], row["class_b"])].append(row)
    persons = names.persons(person for person, _a, _b in groups)
    classes = names.classes({c for _p, a, b in groups for c in (a, b)})
    orgs = names.organizations({row[k] for rows_ in groups.values() for row in rows_ for k in ("org_a", "org_b")})
    lessons = names.lessons({row[k] for rows_ in groups.values() for row in rows_ for k in ("lesson_a", "lesson_b")})
    minimum = int(scope.threshold("min_overlap_minutes"))
    found = []
    for (person_id, class_a, class_b), pairs in groups.items():
        pairs.sort(key=lambda r: (r["sa"], r["sb"]))
        first, last = day_of(min(r["sa"] for r in pairs)), day_of(max(r["fa"] for r in pairs))
        overlap = sum(int(r["overlap"]) for r in pairs) // 60
        evidence = {
            "role": person_role,
            "person": persons.get(person_id, {}),
            "classes": [classes[class_a]["code"], classes[class_b]["code"]],
            "overlap_minutes": overlap,
            "pairs": [
                {
                    "lesson_a": lessons[r["lesson_a"]],
                    "from_a": local_time(r["sa"]),
                    "to_a": local_time(r["fa"]),
                    "lesson_b": lessons[r["lesson_b"]],
                    "from_b": local_time(r["sb"]),
                    "to_b": local_time(r["fb"]),
                    "overlap_minutes": int(r["overlap"]) // 60,
                }
                for r in pairs
            ],
        }
        sides = {(pairs[0]["org_a"], pairs[0]["region_a"], class_a, class_b, pairs[0]["org_b"])}
        sides.add((pairs[0]["org_b"], pairs[0]["region_b"], class_b, class_a, pairs[0]["org_a"]))
        for org, region, own_class, other_class, other_org in sorted(sides):
            if not scope.in_region(region):
                continue
            found.append(
                Found(
                    organization_id=org,
                    person_id=person_id,
                    period_from=first,
                    period_to=max(first, last),
                    keys=(classes[class_a]["code"], classes[class_b]["code"]),
                    evidence=evidence,
                    figures={
                        "person": persons.get(person_id, {}).get("name", ""),
                        "days": days_text(first, max(first, last)),
                        "org": orgs[org]["name"],
                        "class_a": classes[own_class]["label"],
                        "other_org": orgs[other_org]["name"],
                        "class_b": classes[other_class]["label"],
                        "pairs": len(pairs),
                        "overlap_minutes": overlap,
                        "min_overlap_minutes": minimum,
                    },
                )
            )
    return found


@detector("TRN-PERSON-TWO-PLACES")
def person_two_places(scope: RunScope) -> list[Found]:
    """Credited intervals of one person in lessons of two different classes overlapping by the threshold.

    Only the persons with two overlapping intervals at all are paired: one pass over everyone's intervals in
    time order (the latest end before each start) finds them, instead of pairing every interval of every person
    with all the others."""
    lesson_time, time_params = scope.time_sql("l.starts_at")
    region, region_params = _region_of_pair(scope)
    sql = f"""
    WITH {hours.grouped_intervals_sql(lesson_time)},
    overlapping AS (
        SELECT DISTINCT person_id
        FROM (
            SELECT person_id, s, MAX(f) OVER (
                PARTITION BY person_id ORDER BY s ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ) AS before
            FROM iv
        ) ordered
        WHERE before > s
    ),
    suspect AS (
        SELECT iv.lesson_id, iv.person_id, iv.s, iv.f FROM iv JOIN overlapping o ON o.person_id = iv.person_id
    ),
    pairs AS (
        SELECT a.person_id, a.lesson_id AS lesson_a, b.lesson_id AS lesson_b,
               SUM({least("a.f", "b.f")} - {greatest("a.s", "b.s")}) AS overlap,
               MIN(a.s) AS sa, MAX(a.f) AS fa, MIN(b.s) AS sb, MAX(b.f) AS fb
        FROM suspect a
        JOIN suspect b ON b.person_id = a.person_id AND b.lesson_id > a.lesson_id AND b.s < a.f AND a.s < b.f
        GROUP BY a.person_id, a.lesson_id, b.lesson_id
    )
    SELECT p.person_id, p.lesson_a, p.lesson_b, p.overlap, p.sa, p.fa, p.sb, p.fb, {PAIR_COLUMNS}
    FROM pairs p {PAIR_JOINS}
    WHERE la.training_class_id <> lb.training_class_id AND p.overlap >= %s AND {region}"""
    minimum = int(scope.threshold("min_overlap_minutes")) * 60
    rows = fetch(sql, [*time_params, minimum, *region_params], hours.GROUPED_SETTINGS)
    return _pair_alerts(scope, rows, "trainee")


@detector("TRN-TEACHER-TWO-PLACES")
def teacher_two_places(scope: RunScope) -> list[Found]:
    """A teacher's lessons in two different classes (neither a draft nor cancelled) overlapping by the threshold."""
    lesson_time, time_params = scope.time_sql("la.starts_at")
    region, region_params = _region_of_pair(scope)
    sa, fa, sb, fb = epoch("la.starts_at"), epoch("la.ends_at"), epoch("lb.starts_at"), epoch("lb.ends_at")
    sql = f"""
    WITH p AS (
        SELECT la.teacher_id AS person_id, la.id AS lesson_a, lb.id AS lesson_b,
               {sa} AS sa, {fa} AS fa, {sb} AS sb, {fb} AS fb
        FROM training_lesson la
        JOIN training_lesson lb ON lb.teacher_id = la.teacher_id AND lb.id > la.id
             AND lb.training_class_id <> la.training_class_id
             AND lb.starts_at < la.ends_at AND la.starts_at < lb.ends_at
        WHERE la.teacher_id IS NOT NULL AND {lesson_time}
    )
    SELECT p.person_id, p.lesson_a, p.lesson_b, p.sa, p.fa, p.sb, p.fb,
           {least("p.fa", "p.fb")} - {greatest("p.sa", "p.sb")} AS overlap, {PAIR_COLUMNS}
    FROM p {PAIR_JOINS}
    WHERE {least("p.fa", "p.fb")} - {greatest("p.sa", "p.sb")} >= %s
      AND ca.status NOT IN ('draft', 'cancelled') AND cb.status NOT IN ('draft', 'cancelled') AND {region}"""
    minimum = int(scope.threshold("min_overlap_minutes")) * 60
    rows = fetch(sql, [*time_params, minimum, *region_params])
    return _pair_alerts(scope, rows, "teacher")


@detector("TRN-DAY-OVERLOAD")
def day_overload(scope: RunScope) -> list[Found]:
    """One person's credited minutes on one Beijing calendar day, all lessons together, above the threshold:
    one alert for each organisation whose lessons credited part of that day."""
    lesson_time, time_params = scope.time_sql("l.starts_at")
    sql = f"""
    WITH {hours.grouped_lesson_seconds_sql(lesson_time)},
    lesson_day AS (
        SELECT lesson_id, person_id, seconds, {beijing_day("ls")} AS day FROM lesson_seconds
    ),
    per_day AS (
        SELECT person_id, day, SUM(seconds) AS seconds FROM lesson_day
        GROUP BY person_id, day HAVING SUM(seconds) > %s
    )
    SELECT d.person_id, d.day, d.seconds AS day_seconds, ld.lesson_id, ld.seconds,
           l.training_class_id AS class_id, c.organization_id AS org_id, o.region_id,
           {epoch("l.starts_at")} AS starts, {epoch("l.ends_at")} AS ends
    FROM per_day d
    JOIN lesson_day ld ON ld.person_id = d.person_id AND ld.day = d.day
    JOIN training_lesson l ON l.id = ld.lesson_id
    JOIN training_trainingclass c ON c.id = l.training_class_id
    JOIN registry_organization o ON o.id = c.organization_id"""
    maximum = int(scope.threshold("max_minutes_per_day"))
    rows = fetch(sql, [*time_params, maximum * 60], hours.GROUPED_SETTINGS)
    groups: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["person_id"], int(row["day"]))].append(row)
    persons = names.persons(person for person, _day in groups)
    orgs = names.organizations(row["org_id"] for row in rows)
    classes = names.classes(row["class_id"] for row in rows)
    lessons = names.lessons(row["lesson_id"] for row in rows)
    found = []
    for (person_id, _day), day_rows in groups.items():
        day_rows.sort(key=lambda r: (r["starts"], r["lesson_id"]))
        the_day = day_of(day_rows[0]["starts"])
        minutes = int(day_rows[0]["day_seconds"]) // 60
        evidence = {
            "person": persons.get(person_id, {}),
            "day": the_day.isoformat(),
            "minutes": minutes,
            "lessons": [
                {
                    "lesson": lessons[r["lesson_id"]],
                    "class": classes[r["class_id"]]["code"],
                    "organization": orgs[r["org_id"]]["org_code"],
                    "from": local_time(r["starts"]),
                    "to": local_time(r["ends"]),
                    "credited_minutes": int(r["seconds"]) // 60,
                }
                for r in day_rows
            ],
        }
        by_org: dict[int, int] = defaultdict(int)
        for r in day_rows:
            by_org[r["org_id"]] += int(r["seconds"])
        for org, seconds in sorted(by_org.items()):
            if not scope.in_region(orgs[org]["region"]):
                continue
            found.append(
                Found(
                    organization_id=org,
                    person_id=person_id,
                    period_from=the_day,
                    period_to=the_day,
                    keys=(the_day.isoformat(),),
                    evidence=evidence,
                    figures={
                        "person": persons.get(person_id, {}).get("name", ""),
                        "day": days_text(the_day, the_day),
                        "lessons": len(day_rows),
                        "minutes": minutes,
                        "hours": f"{minutes / 60:.1f}",
                        "max_minutes": maximum,
                        "org": orgs[org]["name"],
                        "org_minutes": seconds // 60,
                    },
                )
            )
    return found


@detector("TRN-CLONED-CHECKINS")
def cloned_checkins(scope: RunScope) -> list[Found]:
    """In one lesson, at least the threshold's number of trainees signing in at the same instant (to the second)."""
    lesson_time, time_params = scope.time_sql("l.starts_at")
    region, region_params = scope.region_sql("o.region_id")
    instant = epoch("e.at")
    sql = f"""
    SELECT e.lesson_id, {instant} AS t, COUNT(DISTINCT e.person_id) AS people,
           l.training_class_id AS class_id, c.organization_id AS org_id, {epoch("l.starts_at")} AS starts
    FROM training_attendanceevent e
    JOIN training_lesson l ON l.id = e.lesson_id
    JOIN training_trainingclass c ON c.id = l.training_class_id
    JOIN registry_organization o ON o.id = c.organization_id
    WHERE e.event = 'in' AND {lesson_time} AND {region}
    GROUP BY e.lesson_id, {instant}, l.training_class_id, c.organization_id, l.starts_at
    HAVING COUNT(DISTINCT e.person_id) >= %s"""
    minimum = int(scope.threshold("min_same_instant"))
    rows = fetch(sql, [*time_params, *region_params, minimum])
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["lesson_id"]].append(row)
    orgs = names.organizations(row["org_id"] for row in rows)
    classes = names.classes(row["class_id"] for row in rows)
    lessons = names.lessons(groups)
    found = []
    for lesson_id, instants in groups.items():
        instants.sort(key=lambda r: r["t"])
        top = max(instants, key=lambda r: (r["people"], -r["t"]))
        first = instants[0]
        day = day_of(first["starts"])
        found.append(
            Found(
                organization_id=first["org_id"],
                person_id=None,
                period_from=day,
                period_to=day,
                keys=(lessons[lesson_id],),
                evidence={
                    "lesson": lessons[lesson_id],
                    "class": classes[first["class_id"]]["code"],
                    "instants": [{"at": local_time(r["t"]), "people": int(r["people"])} for r in instants],
                },
                figures={
                    "org": orgs[first["org_id"]]["name"],
                    "class_name": classes[first["class_id"]]["label"],
                    "lesson": lessons[lesson_id],
                    "lesson_time": local_time(first["starts"])[:16],
                    "instants": len(instants),
                    "min_people": minimum,
                    "top_instant": local_time(top["t"]),
                    "top_count": int(top["people"]),
                    "people": sum(int(r["people"]) for r in instants),
                },
            )
        )
    return found
