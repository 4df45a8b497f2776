"""Benchmark of the injury analysis (issue 18) on PostgreSQL: the analysis page of a province, its analysis alone and
its export (``injury_analysis``) over 10,000 linked injury cases against a roster of 1,000,000 special operators.

Shape at scale 1.0 (the injury linkage benchmark's, with the training and certification a roster has): 1,000,000
persons, each a special operator of one of 1,000 enterprises (900 in the counties of 福州, 100 in 厦门) for one of
six operation items, since a day of 2012–2021; 1 in 20 left in mid-2022 (before the period: not in the baseline),
1 in 20 holds a second assignment, 1 in 10 was sent by one of 30 labour-dispatch companies. 4,000 training classes
of 40 institutions (1 in 25 cancelled: not a training) with 960,000 enrolments (80 % of the persons, 20 % twice);
3,000 theory sittings of 20 exam points with 600,000 registrations; 600,000 certificates for the item (6 years from
a day of 2012–2024, so some expired by the day of a case; 1 in 97 revoked in 2024 and 1 in 89 suspended in 2023, with
their events). 10,000 linked cases (exact, automatic, confirmed) over 2023–2025, 70 % naming the item, and 500 not
linked (awaiting review, unlinked) that the analysis leaves out. Persons, organisations and cases scale; the
organisations do not. The set-up (COPY and INSERT … SELECT, then VACUUM ANALYZE as autovacuum would) is timed, not
judged.

Measured in a fresh process, for a provincial regulator (福建, 350000) over 2023-01-01 – 2025-12-31: the analysis page
(GET /oversight/injuries/ through Django's test client: the analysis of every dimension, the link counts, the open
priorities, the region choices, the rendering), then ``injury_analysis`` alone, then the ``injury_analysis`` export
(``run_export``), each with its query count and the database backend's CPU seconds; then the page of a city (福州,
350100). The province's page is loaded three times and its median wall time judged: the machine is shared. The
figures are checked against the data: the cases and the roster counted in SQL by the benchmark, and every dimension
covering every case. Target: the page under 10 s (and the export under 10 s).

    python -m bench.run injury_analysis [--scale X]
    python -m bench.injury_analysis measure       # measure again on the database built before (prints JSON)
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import sys
import time

import psycopg

from bench.generate import person_rows
from bench.harness import DATABASE_URL, PYTHON, cpu_seconds_of, fresh_database, measured, write_result
from peikao.core import synthetic
from peikao.core.validators import id_number_facts

NAME = "injury_analysis"
TARGET_SECONDS = 10.0
PROVINCE, CITY = "350000", "350100"
PERIOD = (dt.date(2023, 1, 1), dt.date(2025, 12, 31))
ITEMS = ("1.1", "1.2", "2.1", "3.1", "4.1", "8.1")
FUZHOU = ["350102", "350103", "350104", "350105", "350111", "350112", "350121", "350122", "350181"]
XIAMEN = ["350203", "350205", "350206", "350211"]
ENTERPRISES, INSTITUTIONS, EXAM_POINTS, DISPATCHERS = 1000, 40, 20, 30
REGULATOR = "bench-injury-analyst"


def _organizations(cur, rng: random.Random, now: dt.datetime) -> dict[str, int]:
    """Enterprises, training institutions, exam points and dispatch companies (ids 1…); the first id of each kind."""
    kinds = [
        ("enterprise", ENTERPRISES, "基准企业"),
        ("training_institution", INSTITUTIONS, "基准培训机构"),
        ("exam_point", EXAM_POINTS, "基准考点"),
        ("labor_dispatch", DISPATCHERS, "基准劳务派遣公司"),
    ]
    first: dict[str, int] = {}
    pk = 0
    with cur.copy(
        "COPY registry_organization (id, org_code, kind, name, uscc, region_id, industry_id, practical_device,"
        " capacity, status, address, contact_phone, created_at, updated_at) FROM STDIN"
    ) as copy:
        for kind, count, name in kinds:
            first[kind] = pk + 1
            for index in range(count):
                pk += 1
                county = XIAMEN[index % len(XIAMEN)] if index % 10 == 9 else FUZHOU[index % len(FUZHOU)]
                code = synthetic.uscc(rng, county, "9", "1")
                copy.write_row((pk, code, kind, f"{name}{index + 1}", code, county, None, "", None, "active", "", "",
                                now, now))  # fmt: skip
    return first


def load(url: str, persons: int, cases: int) -> dict:
    rng = random.Random(1818)
    now = dt.datetime.now(dt.UTC)
    classes, sittings = max(60, int(4000 * persons / 1_000_000)), max(60, int(3000 * persons / 1_000_000))
    with psycopg.connect(url) as conn:
        with conn.cursor() as cur:
            first = _organizations(cur, rng, now)
            with cur.copy(
                "COPY registry_person (id, id_number, name, sex, birth_date, phone, education, created_at,"
                " updated_at) FROM STDIN"
            ) as copy:
                for index, (number, name, _phone, _education) in enumerate(person_rows(persons, seed=1818)):
                    facts = id_number_facts(number)
                    copy.write_row((index + 1, number, name, facts.sex, facts.birth_date, "", "", now, now))
        ids = dict(conn.execute("SELECT code, id FROM registry_operationitem WHERE code = ANY(%s)", [list(ITEMS)]))
        item = "(ARRAY[{}])".format(", ".join(str(ids[code]) for code in ITEMS))  # item of person i: [1 + i % 6]
        kinds = ("enterprise", "training_institution", "exam_point", "labor_dispatch")
        ent, inst, point, disp = (first[kind] for kind in kinds)
        statements = [
            # The roster: every person a special operator of an enterprise; some left before the period, some hold
            # a second assignment, some were sent by a dispatch company.
            f"""INSERT INTO registry_assignment (person_id, organization_id, role, operation_item_id, start_date,
                    end_date, dispatched_by_id, created_at, updated_at)
                SELECT i, {ent} + (i - 1) % {ENTERPRISES}, 'special_operator', {item}[1 + i % 6],
                       DATE '2012-01-01' + i % 3650, CASE WHEN i % 20 = 0 THEN DATE '2022-06-30' END,
                       CASE WHEN i % 10 = 3 THEN {disp} + (i / 10) % {DISPATCHERS} END, now(), now()
                FROM generate_series(1, {persons}) AS i""",
            f"""INSERT INTO registry_assignment (person_id, organization_id, role, operation_item_id, start_date,
                    end_date, dispatched_by_id, created_at, updated_at)
                SELECT i, {ent} + i % {ENTERPRISES}, 'special_operator', {item}[1 + i % 6], DATE '2022-03-01',
                       NULL, NULL, now(), now()
                FROM generate_series(1, {persons}) AS i WHERE i % 20 = 1""",
            # Classes: class c teaches item [1 + (c - 1) % 6]; person i enrols in a class of its item.
            f"""INSERT INTO training_trainingclass (id, class_code, name, trainee_category, training_type,
                    syllabus_hours, start_date, end_date, status, required_tenths, required_basis,
                    offline_hour_minutes, online_hour_minutes, filed_at, hours_stale, created_at, updated_at,
                    hour_rule_id, industry_id, operation_item_id, organization_id)
                SELECT c, 'BK' || c, '基准培训班' || c, 'special_operator', 'initial', NULL,
                       DATE '2012-01-01' + (c * 997) % 4745, DATE '2012-01-15' + (c * 997) % 4745,
                       CASE WHEN c % 25 = 0 THEN 'cancelled' ELSE 'closed' END, 0, '', 45, 45, NULL, false,
                       now(), now(), NULL, NULL, {item}[1 + (c - 1) % 6], {inst} + c % {INSTITUTIONS}
                FROM generate_series(1, {classes}) AS c""",
            f"""INSERT INTO training_enrolment (enrolled_at, person_id, training_class_id)
                SELECT now(), i, 1 + i % 6 + 6 * ((i / 30) % {classes // 6})
                FROM generate_series(1, {persons}) AS i WHERE i % 5 <> 0
                UNION ALL
                SELECT now(), i, 1 + i % 6 + 6 * ((i / 30 + 7) % {classes // 6})
                FROM generate_series(1, {persons}) AS i WHERE i % 5 = 1""",
            f"""INSERT INTO exams_sitting (id, sitting_code, part, trainee_category, starts_at, ends_at, capacity,
                    status, created_at, updated_at, blueprint_id, exam_point_id, operation_item_id)
                SELECT s, 'KC' || s, 'theory', 'special_operator',
                       TIMESTAMPTZ '2012-02-01 09:00+08' + ((s * 991) % 4745) * INTERVAL '1 day',
                       TIMESTAMPTZ '2012-02-01 11:00+08' + ((s * 991) % 4745) * INTERVAL '1 day',
                       1000, 'closed', now(), now(), NULL, {point} + s % {EXAM_POINTS}, {item}[1 + (s - 1) % 6]
                FROM generate_series(1, {sittings}) AS s""",
            f"""INSERT INTO exams_registration (admission_code, attempt, eligibility, created_at, person_id,
                    training_class_id, sitting_id)
                SELECT lpad(i::text, 12, '0'), 1, '[]', now(), i, NULL, 1 + i % 6 + 6 * ((i / 30) % {sittings // 6})
                FROM generate_series(1, {persons}) AS i WHERE i % 5 IN (1, 2, 3)""",
            # Certificates for the item: 6 years from a day of 2012–2024; some revoked or suspended since.
            f"""INSERT INTO certificates_certificate (cert_no, cert_type, trainee_category, first_issued_on,
                    valid_from, valid_until, next_review_due, last_reviewed_on, status, status_reason, ban_until,
                    status_index, source, created_at, updated_at, enrolment_id, industry_id, issued_by_id,
                    issuer_region_id, operation_item_id, person_id, practical_result_id, theory_result_id)
                SELECT 'T' || p.id_number, 'special_operation', 'special_operator', d, d,
                       (d + INTERVAL '6 years' - INTERVAL '1 day')::date, NULL, NULL,
                       CASE WHEN p.id % 97 = 0 THEN 'revoked' WHEN p.id % 89 = 0 THEN 'suspended' ELSE 'valid' END,
                       '', NULL, p.id, 'imported', now(), now(), NULL, NULL, NULL, '{CITY}', {item}[1 + p.id % 6],
                       p.id, NULL, NULL
                FROM registry_person p, LATERAL (SELECT DATE '2012-01-01' + (p.id * 31 % 4745)::int AS d) AS day
                WHERE p.id % 10 BETWEEN 1 AND 6""",
            """INSERT INTO certificates_certificateevent (transition, old_status, new_status, reason, details,
                    actor_label, time, actor_id, certificate_id, request_id)
                SELECT CASE status WHEN 'revoked' THEN 'revoke' ELSE 'suspend' END, 'valid', status, '', '{}', '',
                       CASE status WHEN 'revoked' THEN TIMESTAMPTZ '2024-03-01 10:00+08'
                            ELSE TIMESTAMPTZ '2023-06-01 10:00+08' END, NULL, id, ''
                FROM certificates_certificate WHERE status <> 'valid'""",
            # The cases: person 1 + n · 99991 mod P (all distinct), at the employer of its first assignment.
            f"""INSERT INTO oversight_injurycase (case_no, id_number, name, organization_id, dispatched_by_id,
                    occurred_on, operation_item_id, severity, person_id, link_status, match_weight, linked_at,
                    created_at, updated_at)
                SELECT 'GS' || lpad(n::text, 6, '0'), p.id_number, p.name, a.organization_id, a.dispatched_by_id,
                       DATE '2023-01-01' + (n * 37) % 1095,
                       CASE WHEN n % 10 < 7 THEN a.operation_item_id END,
                       CASE WHEN n % 50 = 0 THEN 'serious' ELSE 'minor' END,
                       CASE WHEN n < {cases} OR n % 2 = 1 THEN p.id END,
                       CASE WHEN n >= {cases} THEN CASE WHEN n % 2 = 1 THEN 'review' ELSE 'unlinked' END
                            WHEN n % 10 < 5 THEN 'exact' WHEN n % 10 < 9 THEN 'automatic' ELSE 'confirmed' END,
                       CASE WHEN n >= {cases} AND n % 2 = 0 THEN NULL WHEN n >= {cases} THEN 9.5
                            WHEN n % 10 < 5 THEN NULL WHEN n % 10 < 9 THEN 14.2 ELSE 8.1 END,
                       now(), now(), now()
                FROM generate_series(0, {cases + cases // 20 - 1}) AS n
                JOIN registry_person p ON p.id = 1 + (n::bigint * 99991) % {persons}
                JOIN registry_assignment a
                  ON a.person_id = p.id AND a.organization_id = {ent} + (p.id - 1) % {ENTERPRISES}""",
        ]
        for statement in statements:
            conn.execute(statement)
        for table in ("registry_organization", "registry_person", "training_trainingclass", "exams_sitting"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in (
                "registry_person",
                "registry_assignment",
                "training_trainingclass",
                "training_enrolment",
                "exams_sitting",
                "exams_registration",
                "certificates_certificate",
                "certificates_certificateevent",
                "oversight_injurycase",
            )
        }
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return counts


def _expected(url: str) -> dict:
    """What the analysis must find, counted here in SQL: the linked cases of the period and the roster's workers."""
    start, end = PERIOD
    with psycopg.connect(url) as conn:
        cases = conn.execute(
            "SELECT count(*) FROM oversight_injurycase WHERE link_status IN ('exact', 'automatic', 'confirmed')"
            " AND occurred_on BETWEEN %s AND %s",
            [start, end],
        ).fetchone()[0]
        workers = conn.execute(
            "SELECT count(DISTINCT a.person_id) FROM registry_assignment a"
            " JOIN registry_organization o ON o.id = a.organization_id"
            " WHERE a.role = 'special_operator' AND o.kind = 'enterprise' AND a.start_date <= %s"
            " AND (a.end_date IS NULL OR a.end_date >= %s)",
            [end, start],
        ).fetchone()[0]
    return {"cases": cases, "workers": workers}


def worker() -> None:
    import django

    django.setup()
    import io

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from peikao.core.choices import Role
    from peikao.core.exchange.runner import run_export
    from peikao.core.models import Region, User
    from peikao.oversight.injuries.analysis import injury_analysis

    user, _created = User.objects.get_or_create(
        username=REGULATOR, defaults={"role": Role.REGULATOR_ADMIN, "region_id": PROVINCE}
    )
    start, end = PERIOD
    out: dict = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def timed(name: str, call, runs: int = 1):
        """Wall seconds (the median of ``runs``, each listed), the database backend's CPU seconds (a machine loaded by
        other work inflates the wall time, not these) and the queries of one run."""
        walls, cpus = [], []
        for _ in range(runs):
            cpu = cpu_seconds_of(backend)
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                value = call()
                walls.append(round(time.perf_counter() - started, 3))
            if cpu is not None:
                cpus.append(round(cpu_seconds_of(backend) - cpu, 2))
        out[name] = {"seconds": statistics.median(walls), "queries": len(queries)}
        if runs > 1:
            out[name]["runs"] = walls
        if cpus:
            out[name]["db_cpu_seconds"] = statistics.median(cpus)
        return value

    client = Client()
    client.force_login(user)
    query = f"from={start.isoformat()}&to={end.isoformat()}"
    page = timed("page", lambda: client.get(f"/oversight/injuries/?region={PROVINCE}&{query}"), runs=3)
    out["page"]["status"] = page.status_code
    out["page"]["bytes"] = len(page.content)
    province = Region.objects.get(code=PROVINCE)
    result = timed("analysis", lambda: injury_analysis(user=user, region=province, date_from=start, date_to=end))
    target = io.BytesIO()
    rows = timed(
        "export",
        lambda: run_export(
            kind_name="injury_analysis",
            target=target,
            filename="injury_analysis.csv",
            user=user,
            region=province,
            date_from=start,
            date_to=end,
        ),
    )
    out["export"] |= {"rows": rows, "bytes": len(target.getvalue())}
    city = timed("city_page", lambda: client.get(f"/oversight/injuries/?region={CITY}&{query}"))
    out["city_page"]["status"] = city.status_code
    out["figures"] = {
        "cases": result.cases,
        "workers": result.workers,
        "training_status": result.training_status,
        "groups": {dimension: len(rows) for dimension, rows in result.dimensions.items()},
        "cases_per_dimension": {
            dimension: sum(row.cases for row in rows) for dimension, rows in result.dimensions.items()
        },
        "ranked": sum(row.ranked for row in result.rows()),
    }
    print(json.dumps(out))


def main(scale: float = 1.0) -> dict:
    persons, cases = int(1_000_000 * scale), int(10_000 * scale)
    started = time.perf_counter()
    fresh_database()
    migrated = time.perf_counter() - started
    rows = load(DATABASE_URL, persons, cases)
    generated = time.perf_counter() - started - migrated
    expected = _expected(DATABASE_URL)
    result = measured([PYTHON, "-m", "bench.injury_analysis", "measure"])
    figures = result["figures"]
    right = (
        figures["cases"] == expected["cases"]
        and figures["workers"] == expected["workers"]
        and sum(figures["training_status"].values()) == expected["cases"]
        and all(n == expected["cases"] for n in figures["cases_per_dimension"].values())
        and result["page"]["status"] == 200
        and result["city_page"]["status"] == 200
    )
    checks = {
        "analysis page (province)": {
            "value": result["page"]["seconds"],
            "target": f"< {TARGET_SECONDS} s",
            "ok": result["page"]["seconds"] < TARGET_SECONDS,
        },
        "injury_analysis export": {
            "value": result["export"]["seconds"],
            "target": f"< {TARGET_SECONDS} s",
            "ok": result["export"]["seconds"] < TARGET_SECONDS,
        },
        "figures match the data": {"value": right, "target": "cases and roster as counted in SQL", "ok": right},
    }
    payload = {
        "description": "the injury analysis page, the analysis and its export of a province over 2023–2025",
        "scale": scale,
        "rows": rows,
        "expected": expected,
        "setup_seconds": {"migrate": round(migrated, 1), "generate": round(generated, 1)},
        "result": result,
        "checks": checks,
        "ok": all(check["ok"] for check in checks.values()),
    }
    write_result(NAME, payload)
    return payload


if __name__ == "__main__":
    if sys.argv[1:] == ["measure"]:
        worker()
    else:
        outcome = main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
        sys.exit(0 if outcome["ok"] else 1)
