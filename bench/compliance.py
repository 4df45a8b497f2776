"""Benchmark of enterprise compliance (PostgreSQL): the gaps of a generated province, set-based.

Shape at scale 1.0: 100,000 enterprises with 10 posts each → 1,000,000 roster assignments (principal,
safety manager, three special operators, five employees; some dispatched; some special operators back
from a long absence), 1,000,000 certificates (operators' certificates in every state, competency
certificates of principals and safety managers, and certificates of people who work in other posts),
and 1,000,000 enrolments with credited hours (pre-job and refresher classes). The data is loaded with
set-based SQL (set-up, not measured); the measured step is ``compliance.services.scan`` for the province,
which stores every gap with one INSERT … SELECT. Target: under 60 s.
"""

from __future__ import annotations

import datetime as dt
import random

import psycopg

from bench.generate import person_rows
from bench.harness import DATABASE_URL, PYTHON, fresh_database, measured, sql_scalar, write_result
from peikao.core import synthetic

NAME = "compliance"
COUNTIES = ["350102", "350103", "350104", "350105", "350111", "350112", "350121", "350203", "350205", "350206",
            "350211", "350212", "350502", "350503", "350582", "350602", "350702", "350802", "350902"]  # fmt: skip
POSTS_PER_ENTERPRISE = 10
ENROLMENTS_PER_CLASS = 20
INSTITUTIONS = 200
DISPATCHERS = 100
AS_OF = dt.date(2026, 11, 27)


def load(url: str, enterprises: int) -> dict:
    rng = random.Random(5)
    people = enterprises * POSTS_PER_ENTERPRISE
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(url) as conn:
        counties = [c for (c,) in conn.execute("SELECT code FROM core_region WHERE code = ANY(%s)", [COUNTIES])]
        industries = [pk for (pk,) in conn.execute("SELECT id FROM registry_industry ORDER BY code")]
        items = [pk for (pk,) in conn.execute("SELECT id FROM registry_operationitem ORDER BY code")][:12]
        with conn.cursor() as cur:
            with cur.copy(
                "COPY registry_organization (id, org_code, kind, name, uscc, region_id, industry_id, practical_device,"
                " capacity, status, address, contact_phone, created_at, updated_at) FROM STDIN"
            ) as copy:
                total = INSTITUTIONS + DISPATCHERS + enterprises
                for index in range(total):
                    county = counties[index % len(counties)]
                    code = synthetic.uscc(rng, county, "9", "1")
                    if index < INSTITUTIONS:
                        kind, industry, name = "training_institution", None, f"基准培训机构{index + 1}"
                    elif index < INSTITUTIONS + DISPATCHERS:
                        kind, industry, name = "labor_dispatch", None, f"基准劳务派遣公司{index + 1}"
                    else:
                        kind, industry = "enterprise", industries[index % len(industries)]
                        name = f"基准企业{index + 1}有限公司"
                    copy.write_row((index + 1, code, kind, name, code, county, industry, "", None, "active", "", "",
                                    now, now))  # fmt: skip
            with cur.copy(
                "COPY registry_person (id, id_number, name, sex, birth_date, phone, education, created_at, updated_at)"
                " FROM STDIN"
            ) as copy:
                for index, (number, name, phone, _education) in enumerate(person_rows(people, seed=77)):
                    birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
                    copy.write_row((index + 1, number, name, "M" if int(number[16]) % 2 else "F", birth, phone, "",
                                    now, now))  # fmt: skip
        first_enterprise = INSTITUTIONS + DISPATCHERS + 1
        item_array = "ARRAY[" + ",".join(str(pk) for pk in items) + "]::bigint[]"
        # Posts: slot 0 principal, 1 safety manager, 2-4 special operators, 5-9 employees; every 20th employee
        # dispatched; start dates spread over ten years (some new this year).
        conn.execute(f"""
            INSERT INTO registry_assignment (person_id, organization_id, role, operation_item_id, start_date,
                                             end_date, dispatched_by_id, created_at, updated_at)
            SELECT i, {first_enterprise} + (i - 1) / {POSTS_PER_ENTERPRISE},
                   CASE (i - 1) % 10 WHEN 0 THEN 'principal' WHEN 1 THEN 'safety_manager'
                        WHEN 2 THEN 'special_operator' WHEN 3 THEN 'special_operator' WHEN 4 THEN 'special_operator'
                        ELSE 'employee' END,
                   CASE WHEN (i - 1) % 10 BETWEEN 2 AND 4 THEN ({item_array})[1 + (i * 7) % {len(items)}] END,
                   DATE '2016-01-01' + ((i * 37) % 3980),
                   NULL,
                   CASE WHEN (i - 1) % 10 >= 5 AND i % 20 = 7 THEN {INSTITUTIONS} + 1 + i % {DISPATCHERS} END,
                   now(), now()
            FROM generate_series(1, {people}) AS i
        """)
        # 1 % of special operators had the same post before, ending 7 months before they came back.
        conn.execute("""
            INSERT INTO registry_assignment (person_id, organization_id, role, operation_item_id, start_date,
                                             end_date, dispatched_by_id, created_at, updated_at)
            SELECT a.person_id, a.organization_id, a.role, a.operation_item_id, a.start_date - 2000,
                   a.start_date - 210, NULL, now(), now()
            FROM registry_assignment a WHERE a.role = 'special_operator' AND a.person_id % 100 = 3
        """)
        # Certificates: operators (90 % hold one for their item, in every state), managers (80 % hold the
        # competency certificate), and the rest of the million for people in other posts.
        conn.execute("""
            INSERT INTO certificates_certificate (cert_no, cert_type, person_id, operation_item_id, trainee_category,
                industry_id, issuer_region_id, first_issued_on, valid_from, valid_until, next_review_due, status,
                status_reason, status_index, source, created_at, updated_at)
            SELECT 'T' || p.id_number, 'special_operation', p.id, a.operation_item_id, '', NULL, '350100',
                   DATE '2019-01-01' + ((p.id * 13) % 2500)::int, DATE '2019-01-01' + ((p.id * 13) % 2500)::int,
                   DATE '2019-01-01' + ((p.id * 13) % 2500)::int + 2190,
                   DATE '2019-01-01' + ((p.id * 13) % 2500)::int + 1095,
                   CASE WHEN p.id % 97 = 0 THEN 'revoked' WHEN p.id % 89 = 0 THEN 'suspended' ELSE 'valid' END,
                   '', p.id, 'imported', now(), now()
            FROM registry_assignment a JOIN registry_person p ON p.id = a.person_id
            WHERE a.role = 'special_operator' AND a.end_date IS NULL AND p.id % 11 <> 0
        """)
        conn.execute("""
            INSERT INTO certificates_certificate (cert_no, cert_type, person_id, operation_item_id, trainee_category,
                industry_id, issuer_region_id, first_issued_on, valid_from, valid_until, next_review_due, status,
                status_reason, status_index, source, created_at, updated_at)
            SELECT 'C' || lpad(p.id::text, 17, '0'), 'competency', p.id, NULL, a.role, NULL, '350100',
                   DATE '2022-01-01' + ((p.id * 17) % 1700)::int, DATE '2022-01-01' + ((p.id * 17) % 1700)::int,
                   DATE '2022-01-01' + ((p.id * 17) % 1700)::int + 1094, NULL, 'valid', '', p.id, 'imported',
                   now(), now()
            FROM registry_assignment a JOIN registry_person p ON p.id = a.person_id
            WHERE a.role IN ('principal', 'safety_manager') AND p.id % 5 <> 4
        """)
        have = sql_count(conn, "certificates_certificate")
        conn.execute(f"""
            INSERT INTO certificates_certificate (cert_no, cert_type, person_id, operation_item_id, trainee_category,
                industry_id, issuer_region_id, first_issued_on, valid_from, valid_until, next_review_due, status,
                status_reason, status_index, source, created_at, updated_at)
            SELECT 'T' || p.id_number, 'special_operation', p.id, ({item_array})[1 + (p.id * 3) % {len(items)}], '',
                   NULL, '350200', DATE '2018-06-01' + (p.id % 2900)::int, DATE '2018-06-01' + (p.id % 2900)::int,
                   DATE '2018-06-01' + (p.id % 2900)::int + 2190, NULL, 'valid', '', {people} + p.id, 'imported',
                   now(), now()
            FROM registry_person p
            WHERE (p.id - 1) % 10 NOT BETWEEN 2 AND 4
            ORDER BY p.id LIMIT {max(0, people - have)}
        """)
        # Training: a refresher class for every principal, safety manager and employee, a pre-job class for
        # employees hired in the last two years, a second refresher for some employees (up to the million);
        # classes of 20 by category; credited hours spread around the requirement (some short).
        conn.execute(f"""
            CREATE TEMP TABLE intent AS
            SELECT person_id, category, training_type, pass,
                   (row_number() OVER (PARTITION BY category, training_type, pass ORDER BY person_id) - 1)
                       / {ENROLMENTS_PER_CLASS} AS batch
            FROM (
                SELECT person_id, role AS category, 'refresher' AS training_type, 1 AS pass FROM registry_assignment
                WHERE role IN ('principal', 'safety_manager', 'employee') AND end_date IS NULL
                UNION ALL
                SELECT person_id, 'employee', 'initial', 2 FROM registry_assignment
                WHERE role = 'employee' AND start_date > DATE '2024-11-27'
                UNION ALL
                SELECT person_id, 'employee', 'refresher', 3 FROM registry_assignment
                WHERE role = 'employee' AND person_id % 2 = 0
                ORDER BY pass, person_id LIMIT {people}
            ) wanted
        """)
        conn.execute(f"""
            INSERT INTO training_trainingclass (class_code, name, organization_id, trainee_category, training_type,
                start_date, end_date, status, required_tenths, required_basis, offline_hour_minutes,
                online_hour_minutes, hours_stale, created_at, updated_at)
            SELECT 'K-' || pass || '-' || category || '-' || training_type || '-' || batch, '',
                   1 + batch % {INSTITUTIONS},
                   category, training_type, DATE '2025-12-01' + (batch % 340)::int - 3,
                   DATE '2025-12-01' + (batch % 340)::int, 'accepted',
                   CASE WHEN training_type = 'initial' THEN 240 ELSE 200 END, 'order_3', 45, 30, false, now(), now()
            FROM (SELECT DISTINCT pass, category, training_type, batch FROM intent) k
        """)
        conn.execute("""
            INSERT INTO training_enrolment (training_class_id, person_id, enrolled_at)
            SELECT c.id, i.person_id, now() FROM intent i
            JOIN training_trainingclass c
              ON c.class_code = 'K-' || i.pass || '-' || i.category || '-' || i.training_type || '-' || i.batch
        """)
        conn.execute("""
            INSERT INTO training_creditedhours (enrolment_id, offline_seconds, online_seconds, credited_tenths,
                                                required_tenths, completed, computed_at)
            SELECT e.id, 0, 0, 100 + (e.id * 53) % 700, 200, 100 + (e.id * 53) % 700 >= 200, now()
            FROM training_enrolment e
        """)
        for table in ("registry_organization", "registry_person"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.execute("ANALYZE")
    return {
        "enterprises": enterprises,
        "assignments": sql_scalar("SELECT count(*) FROM registry_assignment"),
        "certificates": sql_scalar("SELECT count(*) FROM certificates_certificate"),
        "enrolments": sql_scalar("SELECT count(*) FROM training_enrolment"),
    }


def sql_count(conn, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def run(scale: float = 1.0) -> dict:
    enterprises = int(100_000 * scale)
    fresh_database()
    shape = load(DATABASE_URL, enterprises)
    scan = measured([PYTHON, "-m", "bench.worker", "compliance_scan", "350000", AS_OF.isoformat()])
    stored = sql_scalar("SELECT count(*) FROM compliance_compliancegap")
    assert stored == scan["gaps"] and stored > 0, (stored, scan)
    by_gap = dict(_rows("SELECT gap, count(*) FROM compliance_compliancegap GROUP BY gap ORDER BY gap"))
    checks = {
        "scan_seconds": {"value": round(scan["seconds"], 1), "target": "< 60", "ok": scan["seconds"] < 60},
    }
    return {
        "description": "gaps of a generated province: rosters against the rules, one INSERT … SELECT",
        "scale": scale,
        **shape,
        "as_of": AS_OF.isoformat(),
        "scan": scan,
        "gaps_by_type": by_gap,
        "checks": checks,
        "ok": all(check["ok"] for check in checks.values()),
    }


def _rows(sql: str) -> list[tuple]:
    with psycopg.connect(DATABASE_URL) as connection:
        return connection.execute(sql).fetchall()


def main(scale: float = 1.0) -> dict:
    payload = run(scale)
    write_result(NAME, payload)
    return payload
