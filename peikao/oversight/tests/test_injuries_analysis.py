"""The injury analysis (issue 18): rates and relative risks with their 95 % interval checked against values computed
by hand; training status at the time of each case; groups with too few cases shown but not ranked."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from peikao.core.models import Region
from peikao.oversight.injuries import rates
from peikao.oversight.injuries.analysis import injury_analysis
from peikao.oversight.injuries.choices import LinkStatus
from peikao.oversight.injuries.models import InjuryCase
from peikao.registry.models import OperationItem, Person
from peikao.testing.certificates import legacy
from peikao.testing.factories import AssignmentFactory, EnrolmentFactory, OrganizationFactory, TrainingClassFactory


def test_relative_risk_and_interval_by_hand():
    # a = 20 of n1 = 1000 against c = 30 of n2 = 4000: RR = 0.02 / 0.0075 = 2.6667;
    # SE = √(1/20 − 1/1000 + 1/30 − 1/4000) = √0.0820833 = 0.286502; ln RR = 0.980829;
    # 95 % CI = exp(0.980829 ∓ 1.959964 × 0.286502) = exp(0.419297), exp(1.542362) = 1.52089, 4.67562.
    risk = rates.relative_risk(20, 1000, 30, 4000)
    assert risk is not None
    assert round(risk.ratio, 4) == 2.6667
    assert round(risk.low, 4) == 1.5209 and round(risk.high, 4) == 4.6756
    assert rates.rate_per_1000(20, 1000) == 20.0


def test_relative_risk_undefined_without_cases_or_baseline():
    assert rates.relative_risk(0, 100, 5, 100) is None  # no case in the group
    assert rates.relative_risk(5, 100, 0, 100) is None  # none in the rest
    assert rates.relative_risk(5, 0, 5, 100) is None  # no baseline
    assert rates.rate_per_1000(3, 0) is None


@pytest.mark.django_db
def test_analysis_of_a_hand_built_city():
    """Enterprise E1: 10 low-voltage electricians (1.2), 4 injured; E2: 40 welders (4.1), 2 injured."""
    low_voltage, welding = OperationItem.objects.get(code="1.2"), OperationItem.objects.get(code="4.1")
    e1, e2 = OrganizationFactory(), OrganizationFactory()
    institute = OrganizationFactory(kind="training_institution")
    start = dt.date(2022, 1, 1)
    electricians = [
        AssignmentFactory(organization=e1, role="special_operator", operation_item=low_voltage, start_date=start).person
        for _ in range(10)
    ]
    welders = [
        AssignmentFactory(organization=e2, role="special_operator", operation_item=welding, start_date=start).person
        for _ in range(40)
    ]
    day = dt.date(2025, 5, 10)
    legacy(electricians[0], item="1.2", issued=dt.date(2022, 3, 1))  # valid on the day
    legacy(electricians[1], item="1.2", issued=dt.date(2018, 3, 1))  # valid until 2024-02-29: expired
    klass = TrainingClassFactory(
        organization=institute,
        trainee_category="special_operator",
        operation_item=low_voltage,
        start_date=dt.date(2024, 9, 2),
        end_date=dt.date(2024, 9, 20),
        status="closed",
    )
    EnrolmentFactory(training_class=klass, person=electricians[2])  # trained, no certificate
    EnrolmentFactory(training_class=klass, person=electricians[5])  # trained, not injured
    injured = [*electricians[:4], *welders[:2]]
    for n, person in enumerate(injured):
        InjuryCase.objects.create(
            case_no=f"C{n}",
            id_number=person.id_number,
            organization=e1 if person in electricians else e2,
            occurred_on=day,
            severity="minor",
            person=person,
            link_status=LinkStatus.EXACT,
        )
    # Not counted: unlinked, awaiting review, outside the period.
    InjuryCase.objects.create(case_no="X1", id_number="1", organization=e1, occurred_on=day, severity="minor")
    InjuryCase.objects.create(
        case_no="X2",
        id_number="2",
        organization=e1,
        occurred_on=day,
        severity="minor",
        person=electricians[9],
        link_status=LinkStatus.REVIEW,
        match_weight=9,
    )
    InjuryCase.objects.create(
        case_no="X3",
        id_number=welders[5].id_number,
        organization=e2,
        occurred_on=dt.date(2023, 1, 1),
        severity="minor",
        person=welders[5],
        link_status=LinkStatus.EXACT,
    )

    # Ages in 2025 (the year of the cases and of the period's end) on the edges of the bands; everyone else 30.
    Person.objects.filter(pk__in=[p.pk for p in [*electricians, *welders]]).update(birth_date=dt.date(1995, 7, 1))
    for person, born in zip(injured, (2001, 2000, 1970, 1981, 1971, 1990), strict=True):  # 24, 25, 55, 44, 54, 35
        Person.objects.filter(pk=person.pk).update(birth_date=dt.date(born, 12, 31))

    result = injury_analysis(
        user=None,
        region=Region.objects.get(code="350100"),
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 12, 31),
        min_cases=3,
    )
    assert (result.cases, result.workers) == (6, 50)
    assert result.training_status == {"valid": 1, "expired": 1, "trained": 1, "none": 3}
    by_item = {row.group: row for row in result.dimensions["operation_item"]}
    # 1.2: a = 4 of 10 against c = 2 of 40: RR = 0.4 / 0.05 = 8; SE = √(1/4 − 1/10 + 1/2 − 1/40) = √0.625;
    # CI = exp(ln 8 ∓ 1.959964 × 0.790569) = 1.6988, 37.674.
    low = by_item["1.2"]
    assert (low.cases, low.workers, low.rate_per_1000, low.ranked) == (4, 10, 400.0, True)
    assert round(low.relative_risk, 4) == 8.0
    assert round(low.ci_low, 3) == round(math.exp(math.log(8) - 1.959964 * math.sqrt(0.625)), 3) == 1.699
    assert round(low.ci_high, 2) == 37.67
    weld = by_item["4.1"]
    assert (weld.cases, weld.workers, weld.rate_per_1000, weld.ranked) == (2, 40, 50.0, False)  # shown, not ranked
    assert round(weld.relative_risk, 4) == 0.125
    assert [row.group for row in result.dimensions["operation_item"]] == ["1.2", "4.1"]
    by_enterprise = {row.group: row for row in result.dimensions["enterprise"]}
    assert (by_enterprise[e1.org_code].cases, by_enterprise[e1.org_code].workers) == (4, 10)
    by_institution = {row.group: row for row in result.dimensions["training_institution"]}
    assert (by_institution[institute.org_code].cases, by_institution[institute.org_code].workers) == (1, 2)
    assert (by_institution[""].cases, by_institution[""].workers) == (5, 48)  # no class for the item: unranked
    assert not by_institution[""].ranked
    by_band = {row.group: (row.cases, row.workers) for row in result.dimensions["age_band"]}
    assert by_band == {"<25": (1, 1), "25-34": (1, 45), "35-44": (2, 2), "45-54": (1, 1), "55+": (1, 1)}
