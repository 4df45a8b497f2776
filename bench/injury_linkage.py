"""Benchmark of the injury linkage (issue 18, ADR 0010) on PostgreSQL: 10,000 injury cases against 1,000,000
registered persons, with recall and precision on planted typos.

Shape at scale 1.0: 1,000,000 persons (valid, unique numbers), each a special operator of one of 1,000 enterprises.
10,000 injury cases drawn from them: 50 % with the number as registered, 15 % two neighbouring digits swapped, 15 %
one digit wrong, 10 % a wrong check character, 5 % two errors (with the name), 5 % a valid number of nobody
registered; half of the files give the name. Set-up is not measured; the measured step is the import of
injuries.csv (``run_import``: cleaning, linkage, bulk write) in a fresh process. Target: under 60 s;
goal on automatic links: recall ≥ 0.98 of the planted one-error typos (linked automatically to the right person)
and precision ≥ 0.995 (automatic links that name the right person).

    python -m bench.run injury_linkage [--scale X]       (the worker: python -m bench.injury_linkage FILE)
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import sys
import time

import psycopg

from bench.generate import person_rows
from bench.harness import DATA, DATABASE_URL, PYTHON, fresh_database, measured, write_result
from peikao.core import synthetic
from peikao.core.validators import ID_CHECK_CHARS, id_number_facts

NAME = "injury_linkage"
COUNTY = "350102"
ENTERPRISES = 1000


def _typo(rng: random.Random, number: str, kind: str) -> str:
    body, check = number[:17], number[17]
    if kind == "swap":
        while True:
            i = rng.randrange(16)
            if body[i] != body[i + 1]:
                return body[:i] + body[i + 1] + body[i] + body[i + 2 :] + check
    if kind == "digit":
        i = rng.randrange(17)
        digit = rng.choice([d for d in "0123456789" if d != body[i]])
        return body[:i] + digit + body[i + 1 :] + check
    if kind == "check":
        return body + rng.choice([c for c in ID_CHECK_CHARS if c != check])
    if kind == "two":
        return _typo(rng, _typo(rng, number, "digit"), "swap")
    return number


def load(url: str, persons: int, cases: int, path) -> dict:
    rng = random.Random(18)
    now = dt.datetime.now(dt.UTC)
    people = list(person_rows(persons, seed=1818))
    registered = {number for number, *_rest in people}
    with psycopg.connect(url) as conn:
        with conn.cursor() as cur:
            with cur.copy(
                "COPY registry_organization (id, org_code, kind, name, uscc, region_id, industry_id, practical_device,"
                " capacity, status, address, contact_phone, created_at, updated_at) FROM STDIN"
            ) as copy:
                codes = []
                for index in range(ENTERPRISES):
                    code = synthetic.uscc(rng, COUNTY, "9", "1")
                    codes.append(code)
                    copy.write_row((index + 1, code, "enterprise", f"基准企业{index + 1}", code, COUNTY, None, "",
                                    None, "active", "", "", now, now))  # fmt: skip
            with cur.copy(
                "COPY registry_person (id, id_number, name, sex, birth_date, phone, education, created_at, updated_at)"
                " FROM STDIN"
            ) as copy:
                for index, (number, name, _phone, _education) in enumerate(people):
                    facts = id_number_facts(number)
                    copy.write_row((index + 1, number, name, facts.sex, facts.birth_date, "", "", now, now))
        item = conn.execute("SELECT id FROM registry_operationitem WHERE code = '1.2'").fetchone()[0]
        conn.execute(f"""
            INSERT INTO registry_assignment (person_id, organization_id, role, operation_item_id, start_date,
                                             end_date, dispatched_by_id, created_at, updated_at)
            SELECT i, 1 + (i - 1) % {ENTERPRISES}, 'special_operator', {item}, DATE '2020-01-01', NULL, NULL,
                   now(), now()
            FROM generate_series(1, {persons}) AS i
        """)
        for table in ("registry_organization", "registry_person"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.execute("ANALYZE")
    kinds = ["exact"] * 50 + ["swap"] * 15 + ["digit"] * 15 + ["check"] * 10 + ["two"] * 5 + ["stranger"] * 5
    truth = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["case_no", "id_number", "org_code", "dispatched_by", "occurred_on", "operation_item",
                         "severity", "name"])  # fmt: skip
        for n, index in enumerate(rng.sample(range(persons), cases)):
            kind = kinds[n % len(kinds)]
            number, name, *_rest = people[index]
            given = _typo(rng, number, kind)
            if kind == "stranger":
                attempt = 0
                while (given := next(person_rows(1, seed=900_000 + n * 31 + attempt))[0]) in registered:
                    attempt += 1
            elif given in registered and given != number:  # a typo that is someone else's number: not a typo test
                kind = "collision"
            case_no = f"GS{n:06d}"
            truth[case_no] = (kind, index + 1 if kind != "stranger" else None)
            writer.writerow([case_no, given, codes[index % ENTERPRISES], "", "2025-06-01", "1.2", "minor",
                             name if (kind == "two" or n % 2) else ""])  # fmt: skip
    return {"persons": persons, "cases": cases, "truth": truth}


def worker(path: str) -> None:
    import django

    django.setup()
    from peikao.core.exchange.runner import run_import

    started = time.perf_counter()
    with open(path, "rb") as handle:
        result = run_import(kind_name="injuries", source=handle, filename="injuries.csv")
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "ok": result.ok, "imported": result.counts.imported}))


def run(scale: float = 1.0) -> dict:
    persons, cases = int(1_000_000 * scale), int(10_000 * scale)
    fresh_database()
    path = DATA / "injuries_bench.csv"
    shape = load(DATABASE_URL, persons, cases, path)
    truth = shape.pop("truth")
    linked = measured([PYTHON, "-m", "bench.injury_linkage", str(path)])
    with psycopg.connect(DATABASE_URL) as conn:
        rows = conn.execute("SELECT case_no, link_status, person_id FROM oversight_injurycase").fetchall()
    outcome = {case_no: (status, person) for case_no, status, person in rows}
    by_kind: dict[str, dict[str, int]] = {}
    for case_no, (kind, person) in truth.items():
        status, found = outcome[case_no]
        tally = by_kind.setdefault(kind, {})
        key = f"{status}_{'right' if found == person else 'wrong' if found else 'none'}"
        tally[key] = tally.get(key, 0) + 1
    typos = [(c, p) for c, (k, p) in truth.items() if k in ("swap", "digit", "check")]
    recalled = sum(1 for c, p in typos if outcome[c] == ("automatic", p))
    automatic = [(c, p) for c, (k, p) in truth.items() if outcome[c][0] == "automatic"]
    right = sum(1 for c, p in automatic if outcome[c][1] == p)
    recall = recalled / len(typos) if typos else 1.0
    precision = right / len(automatic) if automatic else 1.0
    checks = {
        "link_seconds": {"value": round(linked["seconds"], 1), "target": "< 60", "ok": linked["seconds"] < 60},
        "recall_on_one_error_typos": {"value": round(recall, 4), "target": ">= 0.98", "ok": recall >= 0.98},
        "precision_of_automatic_links": {
            "value": round(precision, 4),
            "target": ">= 0.995",
            "ok": precision >= 0.995,
        },
    }
    return {
        "description": "injuries.csv imported and linked against the registry (exact, Fellegi–Sunter, review)",
        "scale": scale,
        **shape,
        "import": linked,
        "outcomes_by_planted_kind": by_kind,
        "checks": checks,
        "ok": all(check["ok"] for check in checks.values()),
    }


def main(scale: float = 1.0) -> dict:
    payload = run(scale)
    write_result(NAME, payload)
    return payload


if __name__ == "__main__":
    worker(sys.argv[1])
