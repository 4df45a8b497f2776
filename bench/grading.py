"""Benchmark of graded supervision (PostgreSQL): the risk grades of a generated province, set-based (issue 17).

Shape at scale 1.0: the compliance benchmark's province (100,000 enterprises with 10 posts each, their
certificates and training, and its stored compliance gaps) plus 2,400 training institutions and 2,400 exam
points (5,000 institutions and exam points with the compliance benchmark's 200), and an enforcement record: an
inspection of every 10th subject with 1–5 findings, a fine for every 40th, an overdue order to rectify for every
50th, a suspension for every 200th; an inspection priority raised from the injury analysis on every 100th. Grading
is widened to every enterprise (the platform's indicator set grades the high-risk industries' first), the worst
case. Set-up (not measured): the data, the compliance scan. Measured: ``manage.py grade`` for the province
(``grades_recompute``: every indicator, one aggregate query each over all subjects; the new grades, their events
and the change log written by COPY, changed grades by one UPDATE from a copied table), first from nothing, then
again on the same day (nothing changes: reads only) and on the next day (every streak lengthens, logged).
Target: under 120 s (the first, which writes every grade).

    python -m bench.run grading [--scale X]
    python -m bench.grading setup N     # (in the bench database) the institutions, exam points and record
    python -m bench.grading measure     # one recomputation, printing JSON
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time

from bench import compliance
from bench.harness import DATABASE_URL, PYTHON, fresh_database, measured, sql_scalar, write_result

NAME = "grading"
AS_OF = compliance.AS_OF
TARGET_SECONDS = 120


def _setup(institutions: int) -> dict:
    """Institutions, exam points and an enforcement record, through the ORM in bulk (set-up)."""
    from decimal import Decimal

    from peikao.core import synthetic
    from peikao.enforcement.models import Decision, Finding, Inspection, Rectification
    from peikao.oversight.grading.choices import EnterpriseScope
    from peikao.oversight.grading.models import IndicatorSet
    from peikao.oversight.injuries.models import InspectionPriority
    from peikao.registry.models import Organization

    counties = compliance.COUNTIES
    now = dt.datetime.now(dt.UTC)
    rng = random.Random(17)
    new = []
    for index in range(institutions):
        kind = "training_institution" if index % 2 == 0 else "exam_point"
        county = counties[index % len(counties)]
        code = synthetic.uscc(rng, county, "5", "2")
        new.append(
            Organization(
                org_code=code, uscc=code, kind=kind, name=f"基准{'培训机构' if index % 2 == 0 else '考点'}{index}",
                region_id=county, status="active", created_at=now, updated_at=now,
                practical_device=("simulated" if index % 3 == 0 else "real") if kind == "exam_point" else "",
            )
        )  # fmt: skip
    Organization.objects.bulk_create(new, batch_size=5000)
    subjects = list(
        Organization.objects.filter(kind__in=["enterprise", "training_institution", "exam_point"])
        .order_by("pk")
        .values_list("pk", "region_id")
    )
    inspections = [
        Inspection(
            code=f"BG-I-{n:07d}", organization_id=pk, region_id=region, kind="routine", status="completed",
            inspected_on=AS_OF - dt.timedelta(days=30 + n % 600), created_at=now, updated_at=now,
        )
        for n, (pk, region) in enumerate(subjects[::10])
    ]  # fmt: skip
    Inspection.objects.bulk_create(inspections, batch_size=5000)
    findings, decisions = [], []
    for n, inspection in enumerate(inspections):
        findings += [
            Finding(code=f"BG-F-{n:07d}-{k}", inspection=inspection, description="基准问题", created_at=now)
            for k in range(1 + n % 5)
        ]
        day, code = inspection.inspected_on, f"BG-D-{n:07d}"
        if n % 4 == 0:
            fine = Decimal(10000)
            decisions.append(Decision(code=code, inspection=inspection, measure="fine", fine_yuan=fine, decided_on=day))
        elif n % 5 == 1:
            due = day + dt.timedelta(days=15)
            decisions.append(
                Decision(code=code, inspection=inspection, measure="rectify_order", decided_on=day, due_on=due)
            )
        elif n % 20 == 2:
            decisions.append(Decision(code=code, inspection=inspection, measure="suspend", decided_on=day))
    Finding.objects.bulk_create(findings, batch_size=5000)
    Decision.objects.bulk_create(decisions, batch_size=5000)
    Rectification.objects.bulk_create(
        [Rectification(decision=d, due_on=d.due_on, status="open") for d in decisions if d.measure == "rectify_order"],
        batch_size=5000,
    )
    # Inspection priorities raised from the injury analysis (issue 18): every 100th enterprise or institution.
    noon = dt.datetime.combine(AS_OF, dt.time(4), tzinfo=dt.UTC)
    kinds = dict(Organization.objects.filter(pk__in=[pk for pk, _r in subjects[::100]]).values_list("pk", "kind"))
    priorities = [
        InspectionPriority(
            organization_id=pk, dimension=kind, reason="基准：工伤集中", raised_at=noon - dt.timedelta(days=n % 300)
        )
        for n, (pk, kind) in enumerate(kinds.items())
        if kind in ("enterprise", "training_institution")
    ]
    InspectionPriority.objects.bulk_create(priorities, batch_size=5000)
    # The worst case: a province that widened grading to every enterprise (the platform's set grades those of the
    # high-risk industries first, 6 in 10 of the generated ones).
    IndicatorSet.objects.update(enterprises=EnterpriseScope.ALL)
    high_risk = Organization.objects.filter(kind="enterprise", industry__high_risk=True).count()
    return {"institutions_added": institutions, "inspections": len(inspections), "findings": len(findings),
            "decisions": len(decisions), "priorities": len(priorities),
            "enterprises_of_high_risk_industries": high_risk}  # fmt: skip


def _measure(days_later: int = 0) -> dict:
    from peikao.core.models import Region
    from peikao.oversight.grading.services.grades import grades_recompute

    started = time.perf_counter()
    day = AS_OF + dt.timedelta(days=days_later)
    summary = grades_recompute(actor=None, region=Region.objects.get(code="350000"), as_of=day)
    return {"seconds": round(time.perf_counter() - started, 3), "as_of": day.isoformat(), "grades": summary}


def run(scale: float = 1.0) -> dict:
    enterprises = int(100_000 * scale)
    institutions = int(4_800 * scale)
    fresh_database()
    shape = compliance.load(DATABASE_URL, enterprises)
    measured([PYTHON, "-m", "bench.worker", "compliance_scan", "350000", AS_OF.isoformat()])
    record = measured([PYTHON, "-m", "bench.grading", "setup", str(institutions)])
    first = measured([PYTHON, "-m", "bench.grading", "measure"])
    again = measured([PYTHON, "-m", "bench.grading", "measure"])  # nothing changed: reads, writes nothing
    next_day = measured([PYTHON, "-m", "bench.grading", "measure", "1"])  # every streak lengthens, logged
    events = sql_scalar("SELECT count(*) FROM oversight_gradeevent")
    changes = sql_scalar(
        "SELECT count(*) FROM core_changelog WHERE content_type_id = "
        "(SELECT id FROM django_content_type WHERE app_label = 'oversight' AND model = 'grade')"
    )
    graded = sql_scalar("SELECT count(*) FROM oversight_grade")
    assert graded == sum(sum(counts.values()) for counts in first["grades"].values()) and graded > 0, graded
    checks = {
        "grade_seconds": {
            "value": round(first["process_seconds"], 1),
            "target": f"< {TARGET_SECONDS}",
            "ok": first["process_seconds"] < TARGET_SECONDS,
        },  # fmt: skip
    }
    return {
        "description": "risk grades of a generated province: one aggregate query per indicator, bulk writes",
        "scale": scale,
        **shape,
        **{k: v for k, v in record.items() if k not in ("process_cpu_seconds",)},
        "as_of": AS_OF.isoformat(),
        "grade": first,
        "grade_again": again,
        "grade_next_day": next_day,
        "grade_events": events,
        "grade_change_log_rows": changes,
        "checks": checks,
        "ok": all(check["ok"] for check in checks.values()),
    }


def main(scale: float = 1.0) -> dict:
    payload = run(scale)
    write_result(NAME, payload)
    return payload


def _worker() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peikao.settings")
    import django

    django.setup()
    from django.db import transaction

    from peikao.core.audit import audit_context

    with audit_context(label="bench"), transaction.atomic():
        if sys.argv[1] == "setup":
            result = _setup(int(sys.argv[2]))
        else:
            result = _measure(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    _worker()
