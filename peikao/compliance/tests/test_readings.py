"""Issue 19, readings to settle (items 6-10): how compliance gaps read the rules, on hand-built cases, both sides
of each rule, each citing its article.

- 6: order No. 30 art. 32 (back after 6 months away: the practical again) stays in force after 2026-06-01,
  marked unconfirmed (order No. 19's published changes do not drop it);
- 7: oil and gas extraction is a non-coal mine (order No. 20 art. 4): high-risk for order No. 3's hours and
  the six-month assessment (art. 9, 13, 24), marked unconfirmed;
- 8: construction and road-transport units' principals and safety managers are assessed by their own
  departments (Safety Law art. 27; order No. 3 art. 2 covers only 工矿商贸 units): advisory, no violation code;
- 9: construction workers owe 20 hours a year (安委〔2012〕10号);
- 10: a gap resting on a policy figure is advisory: its policy source, no violation code, never a fine.
"""

from __future__ import annotations

import datetime as dt

import pytest

from peikao.compliance import gaps, selectors, services
from peikao.compliance.models import ComplianceGap
from peikao.compliance.tests.test_gaps import _practical_after, certificate, competency, hours, specop
from peikao.core.models import Region
from peikao.registry.models import Industry
from peikao.testing.factories import AssignmentFactory, OrganizationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 27)
POLICY = "安委〔2012〕10号"


def unit(code: str):
    return OrganizationFactory(industry=Industry.objects.get(code=code))


def gaps_of(person, as_of=TODAY) -> dict[str, dict]:
    """The person's gaps on the day, enriched as the pages and the API show them, by gap type."""
    rows = selectors.enriched(list(gaps.rows(as_of, gaps.Scope())))
    return {row["gap"]: row for row in rows if row["person_id"] == person.pk}


def manager(organization, role="principal", start=None):
    person = PersonFactory()
    AssignmentFactory(person=person, organization=organization, role=role, start_date=start or D(2025, 1, 1))
    return person


def employee(organization, start=None):
    person = PersonFactory()
    AssignmentFactory(person=person, organization=organization, role="employee", start_date=start or D(2020, 1, 1))
    return person


# -- item 6: order No. 30 art. 32 -------------------------------------------------------------------------------


def _back(left: dt.date, returned: dt.date):
    person = PersonFactory()
    specop(unit("general"), person, start=D(2020, 1, 1), end=left)
    specop(unit("hazardous_chemicals"), person, start=returned)
    certificate(person, issued=D(2024, 3, 1))
    return person


def test_order_30_art_32_back_after_six_months_before_the_switch_is_a_confirmed_gap():
    """Order No. 30 art. 32: back on 2026-03-01 after leaving on 2025-06-30 — the practical again, or a gap."""
    row = gaps_of(_back(D(2025, 6, 30), D(2026, 3, 1)))["specops_away_6_months"]
    assert row["violation_code"] == "ENT-UNCERT-SPECOPS" and not row["advisory"] and not row["unconfirmed"]
    assert "第三十二条" in row["basis"] and "待确认" not in row["note"]


def test_order_30_art_32_stays_in_force_after_2026_06_01_marked_unconfirmed():
    """Order No. 30 art. 32 kept after the switch to order No. 19 (its published changes do not drop it)."""
    row = gaps_of(_back(D(2025, 11, 30), D(2026, 7, 1)))["specops_away_6_months"]
    assert row["violation_code"] == "ENT-UNCERT-SPECOPS" and row["unconfirmed"] and not row["advisory"]
    assert "第三十二条" in row["basis"] and "待确认" in row["note"]


def test_order_30_art_32_under_six_months_away_or_re_examined_is_no_gap():
    """Order No. 30 art. 32, the other side: away less than 6 months, or a passed practical since leaving."""
    short = _back(D(2026, 2, 1), D(2026, 7, 1))  # 150 days away
    examined = _back(D(2025, 11, 30), D(2026, 7, 1))
    _practical_after(examined, D(2026, 6, 20))
    assert "specops_away_6_months" not in gaps_of(short) and "specops_away_6_months" not in gaps_of(examined)


# -- item 7: oil and gas extraction is high-risk (order No. 20 art. 4) ------------------------------------------


def test_order_3_art_24_oil_gas_principal_unassessed_after_six_months_is_a_gap_unconfirmed():
    """Order No. 20 art. 4 (oil and gas extraction is a non-coal mine) → order No. 3 art. 24 applies."""
    row = gaps_of(manager(unit("oil_gas")))["manager_no_competency_certificate"]
    assert row["violation_code"] == "ENT-NO-ASSESS" and not row["advisory"] and row["unconfirmed"]
    assert "待确认" in row["note"]


def test_order_3_art_24_oil_gas_principal_assessed_or_in_office_under_six_months_is_no_gap():
    certified = manager(unit("oil_gas"))
    competency(certified, "principal", D(2025, 5, 1))
    recent = manager(unit("oil_gas"), start=D(2026, 8, 1))
    ordinary = manager(unit("general"))  # not high-risk: order No. 3 art. 24 does not apply
    for person in (certified, recent, ordinary):
        assert "manager_no_competency_certificate" not in gaps_of(person)


def test_order_3_art_13_oil_gas_new_employee_owes_72_hours_unconfirmed():
    """Order No. 3 art. 13: 72 pre-job hours in high-risk industries, oil and gas included (unconfirmed)."""
    short, enough = employee(unit("oil_gas"), start=D(2026, 6, 1)), employee(unit("oil_gas"), start=D(2026, 6, 1))
    hours(short, category="employee", training_type="initial", tenths=240, end=D(2026, 5, 28))
    hours(enough, category="employee", training_type="initial", tenths=720, end=D(2026, 5, 28))
    row = gaps_of(short)["new_employee_pre_job_training_short"]
    assert "72.0" in row["detail"] and row["violation_code"] == "ENT-NO-TRAIN" and row["unconfirmed"]
    assert "第十三条" in row["basis"] and not row["advisory"]
    assert gaps_of(enough) == {}


def test_order_3_art_13_oil_gas_employee_owes_20_hours_a_year_unconfirmed():
    short, enough = employee(unit("oil_gas")), employee(unit("oil_gas"))
    hours(short, category="employee", training_type="refresher", tenths=80, end=D(2026, 4, 1))
    hours(enough, category="employee", training_type="refresher", tenths=200, end=D(2026, 4, 1))
    row = gaps_of(short)["annual_refresher_short"]
    assert row["detail"] == "近一年再培训 8.0 学时，应不少于 20.0 学时" and row["unconfirmed"]
    assert row["violation_code"] == "ENT-HOURS-SHORT" and not row["advisory"]
    assert gaps_of(enough) == {}


# -- item 8: construction and road transport (Safety Law art. 27; order No. 3 art. 2) ---------------------------


def test_safety_law_art_27_construction_principal_unassessed_is_advisory_for_the_construction_department():
    """Safety Law art. 27: a construction unit's principal is assessed by the housing-construction department."""
    row = gaps_of(manager(unit("construction")))["manager_no_competency_certificate"]
    assert row["advisory"] and row["violation_code"] == "" and row["advisory_reason"] == "由住房城乡建设部门考核"
    assert "第二十七条" in row["basis"] and not row["unconfirmed"]


def test_safety_law_art_27_transport_safety_manager_is_advisory_for_the_transport_department():
    row = gaps_of(manager(unit("transport"), role="safety_manager"))["manager_no_competency_certificate"]
    assert row["advisory"] and row["violation_code"] == "" and row["advisory_reason"] == "由交通运输部门考核"


def test_safety_law_art_27_assessed_construction_principal_is_no_gap():
    person = manager(unit("construction"))
    competency(person, "principal", D(2025, 5, 1))
    hours(person, category="principal", training_type="refresher", tenths=120, end=D(2026, 3, 1))
    assert gaps_of(person) == {}


def test_order_3_art_2_construction_managers_refresher_is_for_their_department_not_a_finding():
    """Order No. 3 covers 工矿商贸 units (art. 2): a construction principal's yearly hours are the department's."""
    builder, chemist = manager(unit("construction")), manager(unit("hazardous_chemicals"))
    competency(builder, "principal", D(2025, 5, 1))
    competency(chemist, "principal", D(2025, 5, 1))
    row = gaps_of(builder)["annual_refresher_short"]
    assert row["advisory"] and row["violation_code"] == "" and row["advisory_reason"] == "由住房城乡建设部门考核"
    own = gaps_of(chemist)["annual_refresher_short"]  # order No. 3 art. 9: this regulator's finding
    assert not own["advisory"] and own["violation_code"] == "ENT-HOURS-SHORT" and own["advisory_reason"] == ""


# -- item 9: construction workers, 20 hours a year (安委〔2012〕10号) ----------------------------------------------


def test_policy_2012_10_construction_worker_owes_20_hours_a_year():
    """安委〔2012〕10号: construction workers train 20 hours a year (8 hours was the general figure)."""
    short, enough = employee(unit("construction")), employee(unit("construction"))
    hours(short, category="employee", training_type="refresher", tenths=80, end=D(2026, 4, 1))
    hours(enough, category="employee", training_type="refresher", tenths=200, end=D(2026, 4, 1))
    row = gaps_of(short)["annual_refresher_short"]
    assert row["detail"] == "近一年再培训 8.0 学时，应不少于 20.0 学时"
    assert row["advisory"] and row["violation_code"] == "" and POLICY in row["basis"]
    assert gaps_of(enough) == {}


# -- item 10: policy figures are advisory -----------------------------------------------------------------------


def test_policy_2012_10_general_refresher_of_8_hours_is_advisory_with_its_source():
    """The 8-hour yearly refresher of general industries rests on 安委〔2012〕10号 (strength: policy)."""
    short, enough = employee(unit("general")), employee(unit("general"))
    hours(short, category="employee", training_type="refresher", tenths=40, end=D(2026, 4, 1))
    hours(enough, category="employee", training_type="refresher", tenths=80, end=D(2026, 4, 1))
    row = gaps_of(short)["annual_refresher_short"]
    assert row["advisory"] and row["violation_code"] == "" and row["violation_basis"] == ""
    assert POLICY in row["basis"] and row["advisory_reason"] == "政策性要求，仅作提示"
    assert gaps_of(enough) == {}


def test_order_3_art_13_high_risk_refresher_is_a_finding_not_advisory():
    """The other side: order No. 3 art. 13's 20 hours (a regulation) keep their violation code."""
    short = employee(unit("hazardous_chemicals"))
    row = gaps_of(short)["annual_refresher_short"]
    assert not row["advisory"] and row["violation_code"] == "ENT-HOURS-SHORT" and "第十三条" in row["basis"]


def test_policy_2012_10_construction_pre_job_32_hours_is_advisory():
    """安委〔2012〕10号's 32 pre-job hours of construction workers: advisory; 24 hours short, 32 enough."""
    short, enough = employee(unit("construction"), start=D(2026, 6, 1)), employee(unit("construction"), D(2026, 6, 1))
    hours(short, category="employee", training_type="initial", tenths=240, end=D(2026, 5, 28))
    hours(enough, category="employee", training_type="initial", tenths=320, end=D(2026, 5, 28))
    row = gaps_of(short)["new_employee_pre_job_training_short"]
    assert row["advisory"] and row["violation_code"] == "" and POLICY in row["basis"]
    assert gaps_of(enough) == {}


@pytest.fixture
def mixed():
    """One unit with a finding (a high-risk worker short of order No. 3's hours) and one with advisory gaps only."""
    chemical, general = unit("hazardous_chemicals"), unit("general")
    employee(chemical)
    for _ in range(20):
        employee(general)  # 0 of the 8 policy hours: advisory
    return chemical, general


def test_advisory_gaps_are_stored_as_advisory_and_never_weigh_as_findings(mixed):
    """A scan keeps which gaps are advisory; enforcement's risk weights (which steer inspections to findings)
    count only the gaps that can be a finding of this regulator."""
    from peikao.enforcement.selectors import risk_weights
    from peikao.registry.models import Organization

    chemical, general = mixed
    admin = UserFactory(role="regulator_admin", region=Region.objects.get(code="350000"))
    record = services.scan(actor=admin, region=Region.objects.get(code="350100"), as_of=TODAY)
    stored = ComplianceGap.objects.filter(scan=record)
    assert stored.filter(organization=general, advisory=True).count() == 20
    assert not stored.filter(organization=general, advisory=False).exists()
    assert stored.filter(organization=chemical, advisory=False).count() == 1
    weights = risk_weights(Organization.objects.filter(pk__in=[chemical.pk, general.pk]))
    assert weights[general.pk] == 1 and weights[chemical.pk] > 1


def test_the_enterprise_page_shows_advisory_gaps_with_their_source_and_no_violation(client, mixed):
    _chemical, general = mixed
    client.force_login(UserFactory(role="org_admin", organization=general))
    body = client.get(f"/compliance/enterprises/{general.org_code}/").content.decode()
    assert "政策性要求，仅作提示" in body and POLICY in body
    assert "ENT-HOURS-SHORT" not in body.split('id="gaps"')[1]


def test_the_region_page_counts_advisory_gaps_apart(client, mixed):
    admin = UserFactory(role="regulator_admin", region=Region.objects.get(code="350000"))
    services.scan(actor=admin, region=Region.objects.get(code="350100"), as_of=TODAY)
    client.force_login(admin)
    body = client.get("/compliance/?region=350100").content.decode()
    row = body.split('data-gap="annual_refresher_short"')[1].split("</tr>")[0]
    assert '<td class="advisory">20</td>' in row and '<td class="findable">1</td>' in row


def test_the_api_and_the_export_say_which_gaps_are_advisory(client, mixed):
    from peikao.core.exchange.runner import export_response
    from peikao.testing.http import read_download

    _chemical, general = mixed
    client.force_login(UserFactory(role="org_admin", organization=general))
    rows = client.get(f"/api/organizations/{general.org_code}/compliance?as_of=2026-11-27").json()
    assert len(rows) == 20 and all(r["advisory"] and r["violation_code"] == "" for r in rows)
    assert all(POLICY in r["basis"] and r["advisory_reason"] == "政策性要求，仅作提示" for r in rows)
    admin = UserFactory(role="regulator_admin", region=Region.objects.get(code="350000"))
    response = export_response(kind_name="compliance_gaps", fmt="csv", user=admin, as_of=TODAY, headers="en")
    text = read_download(response).decode("utf-8-sig")
    assert text.count("政策性要求，仅作提示") == 20
