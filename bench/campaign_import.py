"""Benchmark: importing a national campaign's inspections, findings and decisions (PostgreSQL, issue 16).

Shape at scale 1.0: 290,000 organisations (training institutions, exam bodies and enterprises over two counties of
every province, as ``peikao.testing.campaign`` spreads them) and the persons who inspect them are written with COPY
(set-up, timed but not judged); then inspections.csv (325,000 rows, two inspectors each), findings.csv (140,000:
catalogue items and "other" problems) and decisions.csv (82,000: orders to rectify, some closed, some closed late;
warnings; fines inside the legal range of their findings, the last ones in the range for violations not corrected
in time; suspensions, closures) are imported as ``manage.py exchange import`` imports them (``run_import``), each in
its own process, by the national regulator administrator. Every row must be written, with its change-log entry.
Target: the three files in under 2 minutes altogether.

    python -m bench.campaign_import [SCALE]
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

NAME = "campaign_import"
TARGET_SECONDS = 120.0
SIZES = {"organizations": 290_000, "inspections": 325_000, "findings": 140_000, "decisions": 82_000}
KINDS = ("inspections", "findings", "decisions")
ADMIN = "bench-national-admin"
PERIOD_START = dt.date(2023, 1, 1)
# The ChangeLog rows each file writes per row, beside its own: an inspection's two inspectors; a closed or open
# order to rectify its rectification (counted separately below).
INSPECTORS_PER_INSPECTION = 2


def sizes(scale: float) -> dict[str, int]:
    return {name: max(20, int(count * scale)) for name, count in SIZES.items()}


# -- set-up and the files (run inside Django) ------------------------------------------------------------------------


def build(scale: float, directory: Path, *, seed: int = 16) -> dict:
    """Write the organisations, the inspectors (persons) and the national administrator, then the three exchange
    files of the campaign under ``directory``; return the expected counts."""
    from django.db import transaction
    from django.utils import timezone

    from peikao.core import synthetic
    from peikao.core.choices import Role
    from peikao.core.models import User
    from peikao.enforcement import rules
    from peikao.enforcement.choices import InspectionKind, Measure
    from peikao.enforcement.models import ViolationItem
    from peikao.registry.choices import OrganizationKind
    from peikao.registry.models import Organization, Person
    from peikao.testing.campaign import _insert, counties

    rng = random.Random(seed)
    n = sizes(scale)
    codes = counties(2)
    now = timezone.now()
    directory.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        # Organisations: the shares of the seed's notice (1.5 % training institutions, 0.8 % exam bodies).
        orgs: list[dict] = []
        ti_count = max(2, n["organizations"] * 4171 // 287_384)
        eb_count = max(2, n["organizations"] * 2213 // 287_384)
        for i in range(n["organizations"]):
            region = codes[i % len(codes)]
            if i < ti_count:
                kind = OrganizationKind.TRAINING_INSTITUTION
            elif i < ti_count + eb_count:
                kind = OrganizationKind.EXAM_POINT if i % 2 else OrganizationKind.EXAM_INSTITUTION
            else:
                kind = OrganizationKind.ENTERPRISE
            uscc = None if kind == OrganizationKind.EXAM_POINT else f"9B{region}{i:08d}X"
            orgs.append(
                {
                    "org_code": uscc or f"BENCH-EP{i:09d}",
                    "kind": kind,
                    "name": f"单位{i}",
                    "uscc": uscc,
                    "region_id": region,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        _insert(Organization, orgs)
        # Inspectors: four persons of each county.
        numbers: dict[str, list[str]] = {code: [] for code in codes}
        seen: set[str] = set()
        for code in codes:
            while len(numbers[code]) < 4:
                number = synthetic.id_number(rng, code, synthetic.birth_date(rng, 25, 55, dt.date(2023, 1, 1)))
                if number not in seen:
                    seen.add(number)
                    numbers[code].append(number)
        _insert(
            Person,
            [
                {
                    "id_number": number,
                    "name": synthetic.chinese_name(rng),
                    "sex": "M" if int(number[16]) % 2 else "F",
                    "birth_date": dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                    "created_at": now,
                    "updated_at": now,
                }
                for number in sorted(seen)
            ],
        )
        if not User.objects.filter(username=ADMIN).exists():
            User.objects.create(username=ADMIN, role=Role.REGULATOR_ADMIN, region_id="000000")

    # inspections.csv: every organisation once, the first ones twice.
    kinds = [InspectionKind.ROUTINE, InspectionKind.SPECIAL, InspectionKind.JOINT, InspectionKind.REMOTE]
    inspections = []  # (code, date)
    with open(directory / "inspections.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["inspection_code", "org_code", "region_code", "inspected_on", "kind", "inspectors", "basis_plan"])
        for i in range(n["inspections"]):
            org = orgs[i % len(orgs)]
            pool = numbers[org["region_id"]]
            pair = rng.sample(pool, 2)
            day = PERIOD_START + dt.timedelta(days=i % 300)
            code = f"JC{org['region_id']}-{i:07d}"
            inspections.append((code, day))
            out.writerow([code, org["org_code"], org["region_id"], day.isoformat(), kinds[i % 4], ";".join(pair), ""])

    # findings.csv: catalogue items (those with a fine first) and a few "other" problems, spread over inspections.
    items = list(ViolationItem.objects.filter(retired=False).order_by("code"))
    fined = [item for item in items if rules.applicable_range(item, overdue=False) is not None]
    with_overdue = [item for item in fined if item.overdue_fine_max is not None]
    findings = []  # (code, inspection code, inspection date, item or None)
    stride = max(1, n["inspections"] // n["findings"])
    with open(directory / "findings.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["finding_code", "inspection_code", "violation_code", "description", "evidence_sha256"])
        for i in range(n["findings"]):
            j = i - 1 if i % 10 == 1 else i  # every tenth inspection has two findings
            code_of, day = inspections[(j * stride + j // len(inspections)) % len(inspections)]
            roll = i % 20
            item = None if roll == 19 else with_overdue[i % len(with_overdue)] if roll < 10 else items[i % len(items)]
            description = "消防通道堵塞" if item is None else ("现场发现问题" if i % 3 else "")
            digest = f"{i:064x}" if i % 7 == 0 else ""
            findings.append((f"{code_of}-F{i}", code_of, day, item))
            out.writerow([f"{code_of}-F{i}", code_of, item.code if item else "other", description, digest])

    # decisions.csv: one decision per finding (two findings of one inspection now and then).
    late_orders = []  # findings whose order to rectify was closed late: fined at the end in the overdue range
    rows = []
    for i in range(n["decisions"]):
        code, inspection_code, day, item = findings[i % len(findings)]
        linked = [code]
        if i + 1 < len(findings) and findings[i + 1][1] == inspection_code and i % 5 == 0:
            linked.append(findings[i + 1][0])
        decided = day + dt.timedelta(days=10)
        measure, fine, due, closed = Measure.WARNING, "", "", ""
        roll = i % 10
        if roll < 4:
            measure, due = Measure.RECTIFY_ORDER, decided + dt.timedelta(days=30)
            if roll == 1:
                closed = due - dt.timedelta(days=3)
            elif roll == 2 and item is not None and item.overdue_fine_max is not None and len(linked) == 1:
                closed = due + dt.timedelta(days=5)
                late_orders.append((code, inspection_code, closed, item))
        elif roll < 7 and item is not None and len(linked) == 1 and item in fined:
            low, high = rules.applicable_range(item, overdue=False)
            measure, fine = Measure.FINE, str(max(low, Decimal(1000)) if high >= 1000 else high)
        elif roll == 7:
            measure = Measure.SUSPEND
        rows.append(
            [f"{code}-D", inspection_code, ";".join(linked), measure, fine, decided.isoformat(),
             due.isoformat() if due else "", closed.isoformat() if closed else "", "true" if i % 97 == 0 else "false"]
        )  # fmt: skip
    # The last rows: fines for violations whose order was closed late, in the range for those not corrected in time
    # (the orders are written by then: they are in earlier chunks of the file).
    overdue = late_orders[: max(1, n["decisions"] // 100)]
    del rows[len(rows) - len(overdue) :]
    for code, inspection_code, closed, item in overdue:
        low, high = rules.applicable_range(item, overdue=True)
        rows.append(
            [f"{code}-DO", inspection_code, code, Measure.FINE, str(high), (closed + dt.timedelta(days=1)).isoformat(),
             "", "", "false"]
        )  # fmt: skip
    expected = _recount(rows)
    with open(directory / "decisions.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["decision_code", "inspection_code", "finding_codes", "measure", "fine_yuan", "decided_on",
                      "due_on", "closed_on", "publicized"])  # fmt: skip
        out.writerows(rows)
    return {
        "organizations": len(orgs),
        "inspectors": len(seen),
        "inspections": n["inspections"],
        "findings": n["findings"],
        **expected,
    }


def _recount(rows: list[list[str]]) -> dict[str, int]:
    return {
        "decisions": len(rows),
        "rectifications": sum(row[3] == "rectify_order" for row in rows),
        "fines": sum(row[3] == "fine" for row in rows),
        "overdue_fines": sum(row[0].endswith("-DO") for row in rows),
        "decision_findings": sum(len(row[2].split(";")) for row in rows),
    }


def import_file(kind: str, path: Path):
    """The import as ``manage.py exchange import KIND FILE --user <the national administrator>`` runs it."""
    from peikao.core.audit import audit_context
    from peikao.core.exchange.runner import run_import
    from peikao.core.models import User

    user = User.objects.get(username=ADMIN)
    with audit_context(user=user, label=f"command:exchange import {kind}"):
        return run_import(kind_name=kind, source=path, filename=path.name, user=user)


def written() -> dict[str, int]:
    """What is in the database: the records and their change-log entries."""
    from django.contrib.contenttypes.models import ContentType

    from peikao.core.models import ChangeLog
    from peikao.enforcement.models import Decision, Finding, Inspection, Inspector, Rectification

    counts = {}
    for name, model in (
        ("inspections", Inspection),
        ("inspectors", Inspector),
        ("findings", Finding),
        ("decisions", Decision),
        ("rectifications", Rectification),
    ):
        counts[name] = model.objects.count()
        kind = ContentType.objects.get_for_model(model)
        counts[f"{name}_logged"] = ChangeLog.objects.filter(content_type=kind, action="create").count()
    counts["decision_findings"] = Decision.findings.through.objects.count()
    counts["fines"] = Decision.objects.filter(measure="fine").count()
    counts["overdue_fines"] = Decision.objects.filter(measure="fine", overdue_range=True).count()
    counts["closed_rectifications"] = Rectification.objects.filter(status="closed").count()
    return counts


def expected_written(expected: dict) -> dict[str, int]:
    return {
        "inspections": expected["inspections"],
        "inspections_logged": expected["inspections"],
        "inspectors": expected["inspections"] * INSPECTORS_PER_INSPECTION,
        "inspectors_logged": expected["inspections"] * INSPECTORS_PER_INSPECTION,
        "findings": expected["findings"],
        "findings_logged": expected["findings"],
        "decisions": expected["decisions"],
        "decisions_logged": expected["decisions"],
        "rectifications": expected["rectifications"],
        "rectifications_logged": expected["rectifications"],
        "decision_findings": expected["decision_findings"],
        "fines": expected["fines"],
        "overdue_fines": expected["overdue_fines"],
    }


def _backend_cpu() -> float | None:
    """CPU seconds the import's database connection (its PostgreSQL backend, on this machine) has used: beside the
    wall time, what the figures would be on a machine whose cores are not shared with other work."""
    from django.db import connection

    from bench.harness import cpu_seconds_of

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    seconds = cpu_seconds_of(pid)
    return None if seconds is None else round(seconds, 2)


def _worker() -> None:
    """python -m bench.campaign_import setup SCALE DIR | import KIND FILE | count: one step, its JSON last."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peikao.settings")
    import django

    django.setup()
    action = sys.argv[2]
    started = time.perf_counter()
    if action == "setup":
        result: dict = {"expected": build(float(sys.argv[3]), Path(sys.argv[4]))}
    elif action == "import":
        kind, path = sys.argv[3], Path(sys.argv[4])
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            outcome = profile.runcall(import_file, kind, path)
            profile.dump_stats(os.environ["BENCH_PROFILE"])
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        else:
            outcome = import_file(kind, path)
        result = {"ok": outcome.ok, "summary": outcome.summary, "rows": outcome.rows,
                  "problems": [str(p) for p in outcome.problems[:5]],
                  "database_cpu_seconds": _backend_cpu()}  # fmt: skip
    elif action == "count":
        result = {"written": written()}
    else:
        raise SystemExit(f"unknown action {action}")
    result["seconds"] = round(time.perf_counter() - started, 3)
    print(json.dumps(result, default=str))


def main(scale: float = 1.0) -> dict:
    from bench.harness import DATA, PYTHON, fresh_database, measured, write_result

    directory = DATA / f"campaign-import-{scale:g}"
    fresh_database()
    setup = measured([PYTHON, "-m", "bench.campaign_import", "worker", "setup", str(scale), directory])
    expected = setup["expected"]
    files = {}
    for kind in KINDS:
        path = directory / f"{kind}.csv"
        result = measured([PYTHON, "-m", "bench.campaign_import", "worker", "import", kind, path])
        if not result["ok"]:
            raise RuntimeError(f"{kind}: {result['summary']} {result['problems']}")
        result["rows_per_second"] = round(result["rows"] / result["seconds"])
        result["file_mib"] = round(path.stat().st_size / 2**20, 1)
        files[kind] = result
    counted = measured([PYTHON, "-m", "bench.campaign_import", "worker", "count"])["written"]
    wanted = expected_written(expected)
    mismatches = {key: {"written": counted.get(key), "expected": value} for key, value in wanted.items()
                  if counted.get(key) != value}  # fmt: skip
    rows_match = all(files[kind]["rows"] == expected[kind] for kind in KINDS) and not mismatches
    total = round(sum(files[kind]["seconds"] for kind in KINDS), 2)
    peak = max(files[kind]["peak_rss_mib"] for kind in KINDS)
    checks = {
        "three files imported": {"value": total, "target": f"< {TARGET_SECONDS:g} s", "ok": total < TARGET_SECONDS},
        "rows written = rows in the files": {"value": rows_match, "target": "True", "ok": rows_match},
    }
    payload = {
        "description": "inspections.csv, findings.csv and decisions.csv of a national campaign imported into "
        "PostgreSQL by the national administrator (run_import, all-or-nothing, change log, legal fine ranges)",
        "scale": scale,
        "setup": {key: setup[key] for key in ("seconds", "process_seconds", "peak_rss_mib")} | {"rows": expected},
        "files": files,
        "total_seconds": total,
        "peak_rss_mib": peak,
        "written": counted,
        "mismatches": mismatches,
        "checks": checks,
        "ok": all(check["ok"] for check in checks.values()),
    }
    write_result(NAME, payload)
    return payload


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        _worker()
    else:
        outcome = main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
        print(json.dumps({k: outcome[k] for k in ("total_seconds", "peak_rss_mib", "checks")}, indent=2))
        sys.exit(0 if outcome["ok"] else 1)
