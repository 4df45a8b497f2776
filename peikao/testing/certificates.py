"""Candidates who passed theory and practical after completed training; legacy certificates in any state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from peikao.certificates import publishing
from peikao.certificates.models import Certificate
from peikao.certificates.rules import years_later
from peikao.core.models import Region
from peikao.exams import services as exam_services
from peikao.exams.models import Registration, Result
from peikao.registry.models import OperationItem
from peikao.testing.exams import make_exam_world, sitting_at


def passed(registration: Registration, score: str = "90") -> Result:
    return Result.objects.create(registration=registration, score=Decimal(score), passed=Decimal(score) >= 80)


def make_passed_world():
    """make_exam_world + a theory on 2026-09-15 and a practical on 2026-09-16 that the first three passed."""
    world = make_exam_world()
    theory = sitting_at(world, "TH-1", "theory", dt.date(2026, 9, 15))
    practical = sitting_at(world, "PR-1", "practical", dt.date(2026, 9, 16))
    world["theory_results"], world["practical_results"] = [], []
    for index, person in enumerate(world["candidates"][:4]):
        registration = exam_services.register(actor=world["staff"], sitting=theory, person=person)
        world["theory_results"].append(passed(registration, "92" if index < 3 else "60"))
    for person in world["candidates"][:3]:
        registration = exam_services.register(actor=world["staff"], sitting=practical, person=person)
        world["practical_results"].append(passed(registration, "85"))
    world["theory"], world["practical"] = theory, practical
    return world


def legacy(person, *, item="1.2", issued=dt.date(2021, 3, 10), issuer="350100", review_due="auto", **fields):
    """A legacy (imported) special-operations certificate, dates as order No. 30 sets them unless given."""
    valid_until = fields.pop("valid_until", years_later(issued, 6) - dt.timedelta(days=1))
    if review_due == "auto":
        review_due = years_later(issued, 3)
    return Certificate.objects.create(
        cert_no="T" + person.id_number,
        cert_type="special_operation",
        person=person,
        operation_item=OperationItem.objects.get(code=item),
        issuer_region=Region.objects.get(code=issuer),
        first_issued_on=issued,
        valid_from=issued,
        valid_until=valid_until,
        next_review_due=review_due,
        status_index=publishing.allocate_slots(1)[0],
        source="imported",
        **fields,
    )
