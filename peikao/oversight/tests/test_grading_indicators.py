"""Each grading indicator on both sides of its threshold (or window, or cap), as the set-based measure computes it
over all subjects at once (issue 17)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from peikao.compliance.models import ComplianceGap, ComplianceScan
from peikao.oversight.grading import indicators
from peikao.oversight.grading.models import Indicator
from peikao.oversight.models import Alert
from peikao.oversight.tests import grading_records as rec
from peikao.oversight.tests.helpers import exam_point, institution, region, result, sitting
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import Organization
from peikao.testing.factories import AssignmentFactory, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db
AS_OF = rec.AS_OF


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(indicator_set_id="2026.1", code=code)


def points_of(code: str, org, as_of: dt.date = AS_OF) -> Decimal:
    """The points ``org`` earns for ``code``, measured over all organisations of its kind at once."""
    ind = indicator(code)
    measured = indicators.measure(ind, Organization.objects.filter(kind=org.kind), as_of)
    return indicators.points(ind, measured.get(org.pk))


def test_findings_two_points_each_up_to_the_cap_of_ten():
    few, many, none = institution(), institution(), institution()
    rec.findings(few, 4)
    rec.findings(many, 6)
    assert points_of("FINDINGS", few) == 8
    assert points_of("FINDINGS", many) == 10
    assert points_of("FINDINGS", none) == 0


def test_findings_only_within_24_months_and_up_to_the_as_of_day():
    org = institution()
    rec.findings(org, 1, day=dt.date(2024, 9, 30))  # exactly 24 months before: outside
    rec.findings(org, 1, day=dt.date(2024, 10, 1))  # inside
    rec.findings(org, 1, day=AS_OF + dt.timedelta(days=1))  # after the as-of day: not yet on the record
    assert points_of("FINDINGS", org) == 2


def test_serious_decisions_ten_each_capped_at_twenty_and_orders_do_not_count():
    one, three, order = institution(), institution(), institution()
    rec.decision(one, "suspend")
    for measure in ("suspend", "close", "suspend_exam"):
        rec.decision(three, measure)
    rec.decision(order, "rectify_order", due=AS_OF)
    assert points_of("SERIOUS_DECISIONS", one) == 10
    assert points_of("SERIOUS_DECISIONS", three) == 20
    assert points_of("SERIOUS_DECISIONS", order) == 0


def test_fines_three_each():
    org, other = institution(), institution()
    rec.decision(org, "fine")
    rec.decision(other, "warning")
    assert points_of("FINES", org) == 3
    assert points_of("FINES", other) == 0


def test_rectification_overdue_until_verified_before_the_as_of_day():
    late, not_due, closed_in_time, closed_after = institution(), institution(), institution(), institution()
    rec.rectification(late, due=AS_OF - dt.timedelta(days=1))
    rec.rectification(not_due, due=AS_OF + dt.timedelta(days=1))
    rec.rectification(closed_in_time, due=AS_OF - dt.timedelta(days=5), status="closed", closed=AS_OF - dt.timedelta(3))
    rec.rectification(closed_after, due=AS_OF - dt.timedelta(days=5), status="closed", closed=AS_OF + dt.timedelta(3))
    assert points_of("RECTIFICATION_OVERDUE", late) == 5
    assert points_of("RECTIFICATION_OVERDUE", not_due) == 0
    assert points_of("RECTIFICATION_OVERDUE", closed_in_time) == 0
    assert points_of("RECTIFICATION_OVERDUE", closed_after) == 5  # on the as-of day it was still open


def test_spot_exam_failure_rate_from_twenty_percent_over_at_least_five():
    at_rate, below, too_few = [OrganizationFactory(kind=OrganizationKind.ENTERPRISE) for _ in range(3)]
    rec.spot_exams(at_rate, passed=4, failed=1)  # 20 %, 5 exams
    rec.spot_exams(below, passed=5, failed=1)  # 16.7 %
    rec.spot_exams(too_few, passed=3, failed=1)  # 25 % of 4
    assert points_of("SPOT_EXAM_FAILURES", at_rate) == 8
    assert points_of("SPOT_EXAM_FAILURES", below) == 0
    assert points_of("SPOT_EXAM_FAILURES", too_few) == 0


def _alert(org, state: str, *, day: dt.date = AS_OF - dt.timedelta(days=10)):
    the = rec.inspection(org, day=day)
    return Alert.objects.create(
        fingerprint=f"{org.pk:032d}{the.pk:032d}",
        detector_id="TRN-DAY-OVERLOAD",
        organization=org,
        period_from=day,
        period_to=day,
        severity="high",
        state=state,
        explanation="说明",
        inspection=the if state == "confirmed" else None,
    )


def test_confirmed_alerts_count_and_open_or_dismissed_ones_do_not():
    confirmed, other = institution(), institution()
    _alert(confirmed, "confirmed")
    _alert(other, "new")
    assert points_of("CONFIRMED_ALERTS", confirmed) == 5
    assert points_of("CONFIRMED_ALERTS", other) == 0


def _gaps(org, *, workers: int, gaps: int):
    people = [PersonFactory() for _ in range(workers)]
    for person in people:
        AssignmentFactory(person=person, organization=org, role="employee", start_date=dt.date(2025, 1, 1))
    scan = ComplianceScan.objects.create(as_of=AS_OF - dt.timedelta(days=5), finished_at=timezone.now())
    for person in people[:gaps]:
        ComplianceGap.objects.create(scan=scan, organization=org, person=person, gap="specops_no_certificate")


def test_compliance_gaps_from_ten_per_hundred_workers():
    at_rate = OrganizationFactory(kind=OrganizationKind.ENTERPRISE, region=region("350102"))
    below = OrganizationFactory(kind=OrganizationKind.ENTERPRISE, region=region("350102"))
    _gaps(at_rate, workers=10, gaps=1)  # 10 per 100
    _gaps(below, workers=11, gaps=1)  # 9.1 per 100
    assert points_of("COMPLIANCE_GAPS", at_rate) == 6
    assert points_of("COMPLIANCE_GAPS", below) == 0


def test_simulated_practical_equipment_costs_points_real_does_not():
    simulated, real = exam_point(), exam_point()
    Organization.objects.filter(pk=simulated.pk).update(practical_device="simulated")
    Organization.objects.filter(pk=real.pk).update(practical_device="real")
    assert points_of("SIMULATED_DEVICE", simulated) == 4
    assert points_of("SIMULATED_DEVICE", real) == 0


def _results(point, *, passed: int, failed: int):
    the = sitting(point, day=AS_OF - dt.timedelta(days=20))
    for ok in [True] * passed + [False] * failed:
        result(the, passed=ok, score="90" if ok else "40")


def test_pass_rate_fifteen_points_above_the_province_over_at_least_twenty():
    high, low, few = exam_point(), exam_point(), exam_point()
    _results(high, passed=20, failed=0)  # 100 %
    _results(low, passed=10, failed=10)  # 50 %
    _results(few, passed=19, failed=0)  # 100 % of 19
    # the province: 49 of 59 passed = 83.1 %; high is 16.9 points above it, few too but over 19 results only
    assert points_of("PASS_RATE_ABOVE_PEERS", high) == 5
    assert points_of("PASS_RATE_ABOVE_PEERS", low) == 0
    assert points_of("PASS_RATE_ABOVE_PEERS", few) == 0


def test_pass_rate_just_under_fifteen_points_above_peers_earns_nothing():
    near, base = exam_point(), exam_point()
    _results(near, passed=20, failed=0)  # 100 %
    _results(base, passed=28, failed=2)  # the province: 48 of 50 = 96 %: near is only 4 points above
    assert points_of("PASS_RATE_ABOVE_PEERS", near) == 0


def test_a_commitment_in_force_takes_three_points_off_and_a_breach_adds_ten():
    kept, expired, breached = institution(), institution(), institution()
    rec.commitment(kept, start=AS_OF - dt.timedelta(days=100), end=AS_OF + dt.timedelta(days=100))
    rec.commitment(expired, start=AS_OF - dt.timedelta(days=400), end=AS_OF - dt.timedelta(days=1))
    finding = rec.findings(breached, 1, violation="TI-ARCHIVE")[0]
    rec.commitment(
        breached,
        start=AS_OF - dt.timedelta(days=100),
        end=AS_OF + dt.timedelta(days=100),
        status="breached",
        finding=finding,
    )
    assert points_of("COMMITMENT_KEPT", kept) == -3
    assert points_of("COMMITMENT_KEPT", expired) == 0
    assert points_of("COMMITMENT_KEPT", breached) == 0
    assert points_of("COMMITMENT_BREACHED", breached) == 10
    assert points_of("COMMITMENT_BREACHED", kept) == 0


def test_every_indicator_of_the_reference_data_has_its_sql():
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert codes and codes <= indicators.INDICATOR_CODES


def test_inspection_priority_five_points_each_up_to_ten_within_twelve_months():
    once, twice, thrice, old, later, never = (institution() for _ in range(6))
    rec.priority(once)
    for _ in range(2):
        rec.priority(twice)
    for _ in range(3):
        rec.priority(thrice)
    rec.priority(old, day=AS_OF - dt.timedelta(days=370))  # raised 13 months before: out of the window
    rec.priority(later, day=AS_OF + dt.timedelta(days=1))  # after the as-of day: not yet
    assert points_of("INSPECTION_PRIORITY", once) == 5
    assert points_of("INSPECTION_PRIORITY", twice) == 10
    assert points_of("INSPECTION_PRIORITY", thrice) == 10  # the cap
    assert points_of("INSPECTION_PRIORITY", old) == 0
    assert points_of("INSPECTION_PRIORITY", later) == 0
    assert points_of("INSPECTION_PRIORITY", never) == 0
    assert points_of("INSPECTION_PRIORITY", old, as_of=AS_OF - dt.timedelta(days=300)) == 5  # in its window then


def test_inspection_priority_counts_for_enterprises_and_institutions_not_exam_points():
    ind = indicator("INSPECTION_PRIORITY")
    assert set(ind.kinds) == {"training_institution", "enterprise"}
    assert ind.description.startswith("近12个月工伤事故与培训关联分析") and (ind.points, ind.cap) == (5, 10)
    enterprise = OrganizationFactory(kind=OrganizationKind.ENTERPRISE, region=region("350102"))
    rec.priority(enterprise)
    assert points_of("INSPECTION_PRIORITY", enterprise) == 5
