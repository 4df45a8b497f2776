"""The injury analysis (issue 18): rates and relative risks with their 95 % interval checked against values computed
by hand; training status at the time of each case; groups with too few cases shown but not ranked."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import math
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from peikao.core.models import Region
from peikao.oversight.injuries import rates
from peikao.oversight.injuries.analysis import injury_analysis
from peikao.oversight.injuries.choices import LinkStatus
from peikao.oversight.injuries.models import InjuryCase
from peikao.registry.models import OperationItem, Person
from peikao.testing.certificates import legacy
from peikao.testing.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    OrganizationFactory,
    PersonFactory,
    TrainingClassFactory,
    UserFactory,
)


def test_relative_risk_and_interval_by_hand():
    # a = 20 of n1 = 1000 against c = 30 of n2 = 4000: RR = 0.02 / 0.0075 = 2.6667;
    # SE = √(1/20 − 1/1000 + 1/30 − 1/4000) = √0.0820833 = 0.286502; ln RR = 0.980829;
    # 95 % CI = exp(0.980829 ∓ 1.959964 × 0.286502) = exp(0.419297), exp(1.542362) = 1.52089, 4.67562.
    risk = rates.relative_risk(20, 1000, 30, 4000)
    assert risk is not None
    assert round(risk.ratio, 4) == 2.6667
    assert round(risk.low, 4) == 1.5209 and round(risk.high, 4) == 4.6756
    assert rates.rate_per_1000(20, 1000) == 20.0


def test_a_group_whose_every_worker_was_injured_gets_an_honest_interval():
    """1 case of 1 worker against 15 of 110: Katz's error would lose the group's term (5.64–9.54, as if it were
    sure); with 0.5 added to each cell of the table the interval is as wide as one case warrants."""
    risk = rates.relative_risk(1, 1, 15, 110)
    assert round(risk.ratio, 3) == 7.333  # the ratio of the rates shown
    assert (round(risk.low, 2), round(risk.high, 2)) == (2.91, 18.47)


def test_relative_risk_undefined_without_cases_or_baseline():
    assert rates.relative_risk(0, 100, 5, 100) is None  # no case in the group
    assert rates.relative_risk(5, 100, 0, 100) is None  # none in the rest
    assert rates.relative_risk(5, 0, 5, 100) is None  # no baseline
    assert rates.rate_per_1000(3, 0) is None


def _city():
    """Enterprise E1: 10 low-voltage electricians (1.2), 4 injured; E2: 40 welders (4.1), 2 injured (in 2025)."""
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
    return e1, e2, institute


@pytest.mark.django_db
def test_analysis_of_a_hand_built_city():
    e1, _e2, institute = _city()
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
    # Each group's cases by training at the time: 1.2 one of each; the welders neither trained nor certified.
    assert low.training == {"valid": 1, "expired": 1, "trained": 1, "none": 1}
    assert by_item["4.1"].training == {"valid": 0, "expired": 0, "trained": 0, "none": 2}
    weld = by_item["4.1"]
    assert (weld.cases, weld.workers, weld.rate_per_1000, weld.ranked) == (2, 40, 50.0, False)  # shown, not ranked
    assert round(weld.relative_risk, 4) == 0.125
    assert [row.group for row in result.dimensions["operation_item"]] == ["1.2", "4.1"]
    by_enterprise = {row.group: row for row in result.dimensions["enterprise"]}
    assert (by_enterprise[e1.org_code].cases, by_enterprise[e1.org_code].workers) == (4, 10)
    by_institution = {row.group: row for row in result.dimensions["training_institution"]}
    assert (by_institution[institute.org_code].cases, by_institution[institute.org_code].workers) == (1, 2)
    assert by_institution[institute.org_code].training["trained"] == 1  # trained there, no certificate
    assert (by_institution[""].cases, by_institution[""].workers) == (5, 48)  # no class for the item: unranked
    assert not by_institution[""].ranked
    by_band = {row.group: (row.cases, row.workers) for row in result.dimensions["age_band"]}
    assert by_band == {"<25": (1, 1), "25-34": (1, 45), "35-44": (2, 2), "45-54": (1, 1), "55+": (1, 1)}


def _exported(path) -> dict[tuple[str, str], dict[str, str]]:
    with open(path, encoding="utf-8-sig") as fh:
        return {(row["dimension"], row["group"]): row for row in csv.DictReader(fh)}


@pytest.mark.django_db
def test_the_analysis_export_covers_the_period_given(tmp_path):
    """``--from``/``--to`` choose the period: the welders' case of 2023 counts only in a period that holds it;
    without them the export covers three years up to ``--as-of``; a period that ends before it starts is refused."""
    _city()
    target = tmp_path / "analysis.csv"
    out = io.StringIO()
    args = ["exchange", "export", "injury_analysis", str(target), "--region", "350100"]
    call_command(*args, "--from", "2025-01-01", "--to", "2025-12-31", stdout=out)
    rows = _exported(target)
    assert "exported" in out.getvalue()
    welding = rows[("operation_item", "4.1")]
    assert (welding["cases"], welding["workers"], welding["rate_per_1000"]) == ("2", "40", "50.00")
    low = rows[("operation_item", "1.2")]
    # 1.2 against the rest, as in the analysis above (RR 8, CI 1.699–37.674); 4 cases < 5: listed, not ranked.
    assert (low["cases"], low["relative_risk"], low["ci_low"], low["ranked"]) == ("4", "8.000", "1.699", "false")
    call_command(*args, "--from", "2023-01-01", "--to", "2025-12-31", stdout=out)
    assert _exported(target)[("operation_item", "4.1")]["cases"] == "3"  # the 2023 case is in this period
    call_command(*args, "--from", "2025-06-01", "--to", "2025-12-31", stdout=out)
    assert all(row["cases"] == "0" for row in _exported(target).values())  # every case fell on 2025-05-10
    call_command(*args, "--as-of", "2025-12-31", stdout=out)  # three years up to it: 2023-01-01 included
    assert _exported(target)[("operation_item", "4.1")]["cases"] == "3"
    with pytest.raises(CommandError, match="period"):
        call_command(*args, "--from", "2025-12-31", "--to", "2025-01-01", stdout=out)


@pytest.mark.django_db
def test_the_pages_export_link_exports_the_period_chosen_on_the_page(client):
    _city()
    inspector = UserFactory(role="inspector", region=Region.objects.get(code="350100"))
    client.force_login(inspector)
    page = client.get("/oversight/injuries/?region=350100&from=2023-01-01&to=2025-12-31").content.decode()
    link = re.search(r'<a href="([^"]*)" id="export-analysis">([^<]*)</a>', page)
    assert "2023-01-01" in link.group(2) and "2025-12-31" in link.group(2)
    response = client.get(html.unescape(link.group(1)))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {(row["维度"], row["分组"]): row for row in csv.DictReader(io.StringIO(text))}
    assert rows[("operation_item", "4.1")]["工伤人数"] == "3"
    page = client.get("/oversight/injuries/?region=350100&from=2025-06-01&to=2025-12-31").content.decode()
    link = re.search(r'<a href="([^"]*)" id="export-analysis">', page)
    text = b"".join(client.get(html.unescape(link.group(1))).streaming_content).decode("utf-8-sig")
    assert all(row["工伤人数"] == "0" for row in csv.DictReader(io.StringIO(text)))


@pytest.mark.django_db
def test_training_status_reads_the_certificate_as_it_stood_on_the_day():
    """Revoked after the injury: valid at the time. Suspended before it and reinstated since: not valid then."""
    from peikao.certificates.models import CertificateEvent

    works = OrganizationFactory()
    item = OperationItem.objects.get(code="1.2")
    people = [
        AssignmentFactory(
            organization=works, role="special_operator", operation_item=item, start_date=dt.date(2022, 1, 1)
        ).person
        for _ in range(3)
    ]
    day = dt.date(2025, 5, 10)

    def step(certificate, old, new, on):
        CertificateEvent.objects.create(
            certificate=certificate, transition=new, old_status=old, new_status=new, actor_label="test",
            time=timezone.make_aware(dt.datetime.combine(on, dt.time(10))),
        )  # fmt: skip
        certificate.status = new
        certificate.save(update_fields=["status"])

    revoked_later = legacy(people[0], item="1.2", issued=dt.date(2022, 3, 1))
    step(revoked_later, "valid", "revoked", dt.date(2025, 8, 1))
    suspended_then = legacy(people[1], item="1.2", issued=dt.date(2022, 3, 1))
    step(suspended_then, "valid", "suspended", dt.date(2025, 3, 1))
    step(suspended_then, "suspended", "valid", dt.date(2025, 9, 1))
    suspended_on_the_day = legacy(people[2], item="1.2", issued=dt.date(2022, 3, 1))
    step(suspended_on_the_day, "valid", "suspended", day)  # in force from that day: not valid at the time
    for n, person in enumerate(people):
        InjuryCase.objects.create(
            case_no=f"S{n}", id_number=person.id_number, organization=works, occurred_on=day, severity="minor",
            person=person, link_status=LinkStatus.EXACT,
        )  # fmt: skip
    result = injury_analysis(user=None, region=None, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31))
    assert result.training_status == {"valid": 1, "expired": 2, "trained": 0, "none": 0}


def _roster_with_second_assignments():
    """A holds two assignments for 1.2 (E1, and E2 sent by a dispatch company), B two at E1 (1.2 and 2.1), C one
    at E2; D left E1 before the period. A's latest class (of the two held, a cancelled one and one after the
    period left aside) was at institute 2 and latest sitting at exam point 2; B's 1.2 class at institute 1; C sat
    at exam point 1."""
    from peikao.exams.models import Registration, Sitting

    low_voltage, welding = OperationItem.objects.get(code="1.2"), OperationItem.objects.get(code="2.1")
    e1, e2 = OrganizationFactory(), OrganizationFactory()
    dispatcher = OrganizationFactory(kind="labor_dispatch")
    institute1, institute2 = (OrganizationFactory(kind="training_institution") for _ in range(2))
    point1, point2 = (OrganizationFactory(kind="exam_point") for _ in range(2))
    start = dt.date(2022, 1, 1)

    def assign(person, organization, item, **extra):
        return AssignmentFactory(
            person=person, organization=organization, role="special_operator", operation_item=item, **extra
        ).person

    a = assign(PersonFactory(birth=dt.date(1995, 6, 1)), e1, low_voltage, start_date=start)
    assign(a, e2, low_voltage, start_date=dt.date(2023, 1, 1), dispatched_by=dispatcher)
    b = assign(PersonFactory(birth=dt.date(1970, 6, 1)), e1, low_voltage, start_date=start)
    assign(b, e1, welding, start_date=dt.date(2022, 2, 1))
    c = assign(PersonFactory(birth=dt.date(2001, 6, 1)), e2, low_voltage, start_date=start)
    assign(PersonFactory(), e1, low_voltage, start_date=start, end_date=dt.date(2024, 6, 30))

    def klass(institute, begins, status="closed"):
        return TrainingClassFactory(
            organization=institute, trainee_category="special_operator", operation_item=low_voltage,
            start_date=begins, end_date=begins + dt.timedelta(days=10), status=status,
        )  # fmt: skip

    for training, person in [
        (klass(institute1, dt.date(2024, 3, 1)), a),
        (klass(institute2, dt.date(2024, 9, 2)), a),
        (klass(institute1, dt.date(2025, 1, 6), status="cancelled"), a),
        (klass(institute1, dt.date(2026, 2, 2)), a),
        (klass(institute1, dt.date(2024, 3, 1)), b),
    ]:
        EnrolmentFactory(training_class=training, person=person)
    for n, (point, day, person) in enumerate(
        [(point1, dt.date(2024, 5, 6), a), (point2, dt.date(2024, 10, 8), a), (point1, dt.date(2026, 1, 9), a),
         (point1, dt.date(2024, 5, 6), c)]
    ):  # fmt: skip
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        sitting = Sitting.objects.create(
            sitting_code=f"R-{n}", exam_point=point, part="theory", operation_item=low_voltage, starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2), capacity=30,
        )  # fmt: skip
        Registration.objects.create(sitting=sitting, person=person, admission_code=f"R{n:07d}")
    InjuryCase.objects.create(
        case_no="R1", id_number=a.id_number, organization=e2, occurred_on=dt.date(2025, 5, 10), severity="minor",
        person=a, link_status=LinkStatus.EXACT, operation_item=low_voltage,
    )  # fmt: skip
    return {"e1": e1, "e2": e2, "dispatcher": dispatcher, "institute1": institute1, "institute2": institute2,
            "point1": point1, "point2": point2}  # fmt: skip


@pytest.mark.django_db
def test_the_roster_counts_a_person_with_two_assignments_once_in_each_group():
    orgs = _roster_with_second_assignments()
    result = injury_analysis(user=None, region=None, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31))
    assert result.workers == 3  # A, B, C (D left before the period)

    def workers(dimension, **named):
        codes = {orgs[key].org_code: name for key, name in named.items()} if named else {}
        return {codes.get(row.group, row.group): row.workers for row in result.dimensions[dimension]}

    assert workers("operation_item") == {"1.2": 3, "2.1": 1}
    assert workers("enterprise", e1="E1", e2="E2") == {"E1": 2, "E2": 2}
    assert workers("dispatch_company", dispatcher="D") == {"D": 1, "": 3}
    assert workers("training_institution", institute1="I1", institute2="I2") == {"I2": 1, "I1": 1, "": 2}
    assert workers("exam_point", point1="P1", point2="P2") == {"P2": 1, "P1": 1, "": 1}
    assert workers("age_band") == {"25-34": 1, "55+": 1, "<25": 1}
    case = {row.group: row.cases for row in result.dimensions["training_institution"]}
    assert case[orgs["institute2"].org_code] == 1  # the case's own latest class before its day


@pytest.mark.django_db
def test_the_analysis_takes_as_many_queries_for_many_cases_and_groups_as_for_a_few():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            injury_analysis(user=None, region=None, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31))
        return len(captured)

    _city()
    few = queries()
    _roster_with_second_assignments()
    assert queries() == few
