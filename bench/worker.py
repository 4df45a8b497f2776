"""Runs one measured operation in its own process (so its peak memory is its own) and prints JSON.

python -m bench.worker import KIND FILE
python -m bench.worker hours            # recompute credited hours of every class (Peikao's path)
python -m bench.worker bare_hours       # the bare SQL computing the same result
python -m bench.worker seal_all         # close and seal every class (set-up for verify)
python -m bench.worker verify           # verify every sealed archive
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peikao.settings")
    import django

    django.setup()
    from peikao.core.audit import audit_context

    action = sys.argv[1]
    started = time.perf_counter()
    result: dict = {}
    with audit_context(label="bench"):
        if action == "import":
            from peikao.core.exchange.runner import run_import

            kind, path = sys.argv[2:4]
            outcome = run_import(kind_name=kind, source=path, filename=os.path.basename(path))
            result = {"summary": outcome.summary, "rows": outcome.rows, "ok": outcome.ok}
        elif action == "hours":
            from peikao.training.services import refresh_hours

            result = {"enrolments": refresh_hours(None, force=True)}
        elif action == "bare_hours":
            result = bare_hours()
        elif action == "seal_all":
            result = {"sealed": seal_all()}
        elif action == "cert_setup":
            result = {"pairs": cert_setup(int(sys.argv[2]))}
        elif action == "lookup_costs":
            result = lookup_costs(sys.argv[2])
        elif action == "exam_setup":
            result = {"pairs": exam_setup(int(sys.argv[2]))}
        elif action == "compliance_scan":
            import datetime as dt

            from peikao.compliance import services as compliance_services
            from peikao.core.models import Region

            region, day = sys.argv[2], dt.date.fromisoformat(sys.argv[3])
            scan = compliance_services.scan(actor=None, region=Region.objects.get(code=region), as_of=day)
            result = {"gaps": scan.gap_count, "enterprises_with_gaps": scan.enterprise_count}
        elif action == "verify":
            from peikao.training import archive

            checked = broken = 0
            for _pk, mismatch in archive.verify():
                checked += 1
                broken += mismatch is not None
            result = {"checked": checked, "mismatches": broken}
        else:
            raise SystemExit(f"unknown action {action}")
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result))


def bare_hours() -> dict:
    """The same computation as Peikao's, as one bare SELECT materialised into a temporary table."""
    from django.db import connection

    from peikao.training.hours import credited_sql

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE bare_hours AS {credited_sql('1 = 1')}", [])
        cursor.execute("SELECT count(*), sum(credited_tenths) FROM bare_hours")
        rows, total = cursor.fetchone()
    return {"enrolments": rows, "sum_tenths": int(total or 0)}


def seal_all() -> int:
    """Close every class and seal its archive (hours computed first), in batches, as class_close would."""
    from django.db import transaction
    from django.utils import timezone

    from peikao.training import archive
    from peikao.training.models import ArchiveSeal, TrainingClass
    from peikao.training.services import refresh_hours

    refresh_hours(None, force=True)
    ids = list(TrainingClass.objects.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    for start in range(0, len(ids), 1000):
        batch = ids[start : start + 1000]
        with transaction.atomic():
            TrainingClass.objects.filter(pk__in=batch).update(status="closed", hours_stale=False)
            results = archive.compute(batch)
            ArchiveSeal.objects.bulk_create(
                ArchiveSeal(training_class_id=pk, sequence=1, head=r.head, record_count=r.count,
                            section_heads=r.section_heads, reason="bench", sealed_at=now, actor_label="bench")
                for pk, r in results.items()
            )  # fmt: skip
    return len(ids)


def lookup_costs(bodies_path: str) -> dict:
    """What one public lookup costs in the service's process, for a number not yet in the register cache (a
    query) and for one already there: wall and CPU microseconds, over 2,000 lookups each."""
    from peikao.certificates import verification

    with open(bodies_path, encoding="utf-8") as handle:
        bodies = [json.loads(line) for _, line in zip(range(2000), handle, strict=False)]
    verification.register_cache.clear()
    figures = {}
    for label in ("uncached", "cached"):
        wall, cpu = time.perf_counter(), time.process_time()
        for body in bodies:
            verification.by_number(body["cert_no"], body["name"])
        figures[f"{label}_wall_us"] = round((time.perf_counter() - wall) / len(bodies) * 1e6, 1)
        figures[f"{label}_cpu_us"] = round((time.process_time() - cpu) / len(bodies) * 1e6, 1)
    return figures


def cert_setup(count: int) -> list[tuple[str, str]]:
    """``count`` holders with a legacy certificate each (a few suspended or revoked); (number, name) pairs."""
    import datetime as dt
    import random

    from peikao.certificates import publishing
    from peikao.certificates.models import Certificate
    from peikao.certificates.rules import years_later
    from peikao.core import synthetic
    from peikao.core.models import Region
    from peikao.registry.models import OperationItem, Person

    rng = random.Random(7)
    items = list(OperationItem.objects.all()[:20])
    issuers = list(Region.objects.filter(code__in=["350100", "350200", "350300", "350500"]))
    persons, seen = [], set()
    while len(persons) < count:
        birth = synthetic.birth_date(rng, 20, 58, dt.date(2026, 1, 1))
        number = synthetic.id_number(rng, rng.choice(["350102", "350203", "350104", "350121"]), birth)
        if number in seen:
            continue
        seen.add(number)
        sex = "M" if int(number[16]) % 2 else "F"
        persons.append(Person(id_number=number, name=synthetic.chinese_name(rng), sex=sex, birth_date=birth))
    Person.objects.bulk_create(persons, batch_size=5000)
    slots = publishing.allocate_slots(count)
    certificates = []
    for person, slot in zip(persons, slots, strict=True):
        issued = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 1800))
        roll = rng.random()
        status = "revoked" if roll < 0.01 else "suspended" if roll < 0.02 else "valid"
        certificates.append(
            Certificate(
                cert_no="T" + person.id_number,
                cert_type="special_operation",
                person=person,
                operation_item=rng.choice(items),
                issuer_region=rng.choice(issuers),
                first_issued_on=issued,
                valid_from=issued,
                valid_until=years_later(issued, 6) - dt.timedelta(days=1),
                next_review_due=years_later(issued, 3),
                status=status,
                status_index=slot,
                source="imported",
            )
        )
    Certificate.objects.bulk_create(certificates, batch_size=5000)
    return [(c.cert_no, c.person.name) for c in certificates]


def exam_setup(candidates: int) -> list[tuple[str, str]]:
    """An exam point, a bank of 500, a blueprint of 100, an open sitting and ``candidates`` registered candidates."""
    import datetime as dt

    from django.utils import timezone

    from peikao.core.models import Region
    from peikao.exams import services
    from peikao.exams.models import Blueprint
    from peikao.registry.models import OperationItem
    from peikao.testing.exams import make_bank
    from peikao.testing.factories import (
        AssignmentFactory,
        EnrolmentFactory,
        OrganizationFactory,
        PersonFactory,
        TrainingClassFactory,
        UserFactory,
    )
    from peikao.training.models import CreditedHours

    region, item = Region.objects.get(code="350102"), OperationItem.objects.get(code="1.2")
    centre = OrganizationFactory(kind="exam_institution", region=region)
    point = OrganizationFactory(kind="exam_point", region=region, parent=centre, items=["1.2"], capacity=candidates)
    school = OrganizationFactory(kind="training_institution", region=region, items=["1.2"])
    proctor = PersonFactory()
    AssignmentFactory(person=proctor, organization=point, role="proctor")
    staff = UserFactory(username="bench-ep", role="org_clerk", organization=point)
    today = timezone.localdate()
    training = TrainingClassFactory(
        organization=school, trainee_category="special_operator", operation_item=item,
        start_date=today - dt.timedelta(days=30), end_date=today - dt.timedelta(days=20),
    )  # fmt: skip
    make_bank(item, judge=250, single=250)
    sections = [{"qtype": "judge", "count": 50, "points": 1}, {"qtype": "single", "count": 50, "points": 1}]
    Blueprint.objects.create(operation_item=item, name="bench", sections=sections)
    now = timezone.now()
    sitting = services.sitting_create(
        actor=staff, exam_point=point, sitting_code="LOAD-1", part="theory", operation_item=item,
        starts_at=now - dt.timedelta(minutes=5), ends_at=now + dt.timedelta(hours=2),
    )  # fmt: skip
    services.staff_assign(actor=staff, sitting=sitting, person=proctor, role="proctor")
    pairs = []
    for index in range(candidates):
        person = PersonFactory(birth=dt.date(1985, 1, 1) + dt.timedelta(days=index))
        person.education = "senior_high"
        person.save()
        enrolment = EnrolmentFactory(training_class=training, person=person)
        CreditedHours.objects.create(enrolment=enrolment, credited_tenths=800, required_tenths=800, completed=True)
        registration = services.register(actor=staff, sitting=sitting, person=person)
        pairs.append((person.id_number, registration.admission_code))
    services.sitting_open(actor=staff, sitting=sitting)
    return pairs


if __name__ == "__main__":
    main()
