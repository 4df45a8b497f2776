"""The landing page is each role's work list: every card counts the rows behind its link, and a role sees only the
cards that mean something to it (issue 14, landing pages).

Hand-built data on the persona world, on a frozen day (Tuesday 2026-11-10, Beijing): the world's orders to
rectify fell due on 2026-11-02.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client

from peikao.certificates import publishing
from peikao.certificates.models import Certificate
from peikao.compliance import selectors as compliance
from peikao.core.choices import Role
from peikao.enforcement.models import Inspection, InspectionPlan, Inspector
from peikao.exams import selectors as exams
from peikao.exams.models import PatrolFinding, Registration, Sitting, SittingStaff
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import OperationItem, Organization
from peikao.testing.factories import BEIJING, EnrolmentFactory, PersonFactory, TrainingClassFactory, UserFactory
from peikao.training.models import CreditedHours
from peikao.web.worklist import CARDS, REGION, WORK, Card, cards_for, register

TODAY = dt.datetime(2026, 11, 10, 10, 0, tzinfo=BEIJING)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows_behind(client: Client, url: str) -> int:
    """The number of rows the page at ``url`` lists (what its viewer would count)."""
    parts = urlsplit(url)
    response = client.get(f"{parts.path}?{parts.query}" if parts.query else parts.path)
    assert response.status_code == 200, url
    context = response.context
    if "page_obj" in context:
        return context["page_obj"].paginator.count
    if "findings" in context:  # the patrol findings to review
        return len(context["findings"])
    if "sections" in context:  # a person's page: the section the fragment names
        fragment = parts.fragment.removeprefix("person-")
        for template, data in context["sections"]:
            if fragment == "exams" and template.startswith("exams/"):
                return len(data["results"]) + len(data["upcoming"])
            if fragment == "certificates" and template.startswith("certificates/"):
                return len(data["certificates"])
            if fragment == "training" and template.startswith("training/"):
                return len(data["enrolments"])
        raise AssertionError(f"no section {fragment} on {url}")
    return len(context["rows"])  # the enterprise's compliance gaps


def counts(user) -> dict[str, int]:
    cards = cards_for(user)
    return {card.key: card.n for card in cards[WORK] + cards[REGION]}


def cert(person, *, item, valid_until, review_due=None, issuer="350100") -> Certificate:
    return Certificate.objects.create(
        cert_no=f"T{person.id_number}",
        cert_type="special_operation",
        person=person,
        operation_item=OperationItem.objects.get(code=item),
        issuer_region_id=issuer,
        first_issued_on=dt.date(2020, 3, 1),
        valid_from=dt.date(2020, 3, 1),
        valid_until=valid_until,
        next_review_due=review_due,
        status_index=publishing.allocate_slots(1)[0],
        source="imported",
    )


@pytest.fixture
def busy(world):
    """The world with work waiting for each role."""
    orgs, persons, users = world.orgs, world.persons, world.users
    users["ep_admin"] = UserFactory(username="ep-admin", role=Role.ORG_ADMIN, organization=orgs["ep_a"])
    # gl-inspector is on the team of 企业 a's inspection (in progress); 企业 a's evidence waits for verification
    Inspector.objects.create(inspection=world.own["county_inspector"]["inspection"], user=users["county_inspector"])
    # 鼓楼's plan is drawn: its subject (企业 a) waits for its inspection to be opened
    InspectionPlan.objects.filter(pk=world.own["county_inspector"]["plan"].pk).update(status="drawn")
    rectification = world.own["county_inspector"]["rectification"]
    rectification.status = "submitted"
    rectification.save()
    # 机构 a: two drafts (the world's and one more), one returned, one filed; three accepted classes: ended with a
    # trainee short, ended with every trainee complete, still running with a trainee short
    ti_a = orgs["ti_a"]
    TrainingClassFactory(organization=ti_a)
    TrainingClassFactory(organization=ti_a, status="returned")
    TrainingClassFactory(organization=ti_a, status="filed")
    ended = dt.date(2026, 11, 6)
    short = TrainingClassFactory(organization=ti_a, status="accepted", start_date=dt.date(2026, 11, 2), end_date=ended)
    complete = TrainingClassFactory(
        organization=ti_a, status="accepted", start_date=dt.date(2026, 11, 2), end_date=ended
    )
    running = TrainingClassFactory(
        organization=ti_a, status="accepted", start_date=dt.date(2026, 11, 9), end_date=dt.date(2026, 11, 13)
    )
    for training_class, completed in ((short, True), (short, False), (complete, True), (running, False)):
        enrolment = EnrolmentFactory(training_class=training_class, person=PersonFactory())
        CreditedHours.objects.create(
            enrolment=enrolment, credited_tenths=320 if completed else 100, completed=completed
        )
    # 考点 a: a sitting this week whose proctor teaches at 机构 a, which sends a trainee; one next week; a finding
    # dismissed on this week's sitting (the world's sitting SIT-A keeps its finding to review)
    this_week = Sitting.objects.create(
        sitting_code="SIT-WEEK", exam_point=orgs["ep_a"], part="theory", operation_item_id=None,
        trainee_category="principal", starts_at=dt.datetime(2026, 11, 12, 9, tzinfo=BEIJING),
        ends_at=dt.datetime(2026, 11, 12, 11, tzinfo=BEIJING), capacity=30,
    )  # fmt: skip
    Sitting.objects.create(
        sitting_code="SIT-NEXT", exam_point=orgs["ep_a"], part="theory", operation_item_id=None,
        trainee_category="principal", starts_at=dt.datetime(2026, 11, 17, 9, tzinfo=BEIJING),
        ends_at=dt.datetime(2026, 11, 17, 11, tzinfo=BEIJING), capacity=30,
    )  # fmt: skip
    SittingStaff.objects.create(sitting=this_week, person=persons["p_t"], role="proctor")
    Registration.objects.create(
        sitting=this_week, person=persons["p_a"], admission_code="55555555", training_class=world.classes["ti_a"]
    )
    PatrolFinding.objects.create(
        sitting=this_week, source="patrol", observed_at=TODAY, observation="误报", status="dismissed"
    )
    # 张三 (企业 a, the candidate): a certificate expiring within the reminder period, another due for review
    cert(persons["p_a"], item="1.1", valid_until=dt.date(2026, 12, 20))
    cert(persons["p_a"], item="2.1", valid_until=dt.date(2032, 1, 1), review_due=dt.date(2026, 12, 1))
    return world


PERSONAS = ["province_admin", "city_inspector", "county_inspector", "ti_admin", "ep_admin", "ent_admin", "candidate"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_card_counts_the_rows_behind_its_link(busy, persona):
    user = busy.users[persona]
    client = client_of(user)
    response = client.get("/")
    assert response.status_code == 200
    cards = response.context["work_cards"] + response.context["region_cards"]
    assert cards, persona
    for card in cards:
        assert f'href="{card.url}"'.replace("&", "&amp;") in response.content.decode()
        assert rows_behind(client, card.url) == card.n, (persona, card.key)


def test_an_inspector_sees_the_work_waiting_for_him(busy):
    found = counts(busy.users["county_inspector"])
    assert {key: found[key] for key in WORK_OF["inspector"]} == {
        "my_inspections": 1,  # on the team of 企业 a's inspection
        "subjects_to_inspect": 1,  # 企业 a, drawn in 鼓楼's plan
        "rectifications_to_verify": 1,  # 企业 a's evidence
        "rectifications_overdue": 1,  # due 2026-11-02, not closed
        "classes_to_review": 1,  # 机构 a's filed class
        "findings_to_review": 1,  # SIT-A at 考点 a; the dismissed one is not waiting
        "leads_open": 1,  # the lead in 鼓楼
    }
    assert found["organizations_training_institution"] == 1  # his county: 机构 a


def test_a_training_institution_sees_classes_to_file_amend_and_complete(busy):
    found = counts(busy.users["ti_admin"])
    assert found == {
        "classes_to_file": 2,
        "classes_returned": 1,
        "classes_short_hours": 1,  # ended with a trainee short; not the complete one, not the running one
        "rectifications_due": 0,
    }


def test_an_exam_point_sees_this_weeks_sittings_conflicts_and_findings(busy):
    found = counts(busy.users["ep_admin"])
    assert found == {
        "sittings_this_week": 1,  # SIT-WEEK, not SIT-NEXT (next week) nor SIT-A (September)
        "sittings_conflicts": 1,
        "sittings_findings": 1,  # SIT-A; SIT-WEEK's finding was dismissed
        "rectifications_due": 0,
    }
    sitting = Sitting.objects.get(sitting_code="SIT-WEEK")
    assert [staff.person.name for staff, _ in exams.unresolved_conflicts(sitting=sitting)] == ["赵六"]


def test_a_conflict_overridden_by_a_regulator_is_no_longer_waiting(busy):
    SittingStaff.objects.filter(sitting__sitting_code="SIT-WEEK").update(override_reason="经核实已离职")
    assert counts(busy.users["ep_admin"])["sittings_conflicts"] == 0


def test_an_enterprise_sees_its_gaps_certificates_due_and_rectifications(busy):
    user = busy.users["ent_admin"]
    found = counts(user)
    gaps = compliance.enterprise_gaps(user=user, organization=busy.orgs["ent_a"], as_of=TODAY.date())
    assert gaps and found == {
        "compliance_gaps": len(gaps),
        "certificates_expiring": 1,
        "rectifications_due": 1,  # 企业 a's order to rectify (evidence submitted, not closed)
    }  # no card of reviews: none is held from 2026-06-01 (order No. 19)


def test_an_enterprise_sees_certificate_reviews_due_while_reviews_are_held(busy):
    Certificate.objects.filter(operation_item__code="2.1").update(next_review_due=dt.date(2026, 4, 1))
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, tzinfo=BEIJING), tick=False):
        user = busy.users["ent_admin"]
        found = counts(user)
        assert found["certificates_review_due"] == 1
        client = client_of(user)
        url = next(card.url for card in cards_for(user)[WORK] if card.key == "certificates_review_due")
        assert rows_behind(client, url) == 1


def test_a_candidate_sees_his_exams_certificates_and_training(busy):
    assert counts(busy.users["candidate"]) == {"my_exams": 2, "my_certificates": 3, "my_training": 1}


def test_a_province_admin_sees_his_work_and_his_province_in_figures(busy):
    found = counts(busy.users["province_admin"])
    assert {key: found[key] for key in WORK_OF["inspector"]} == {
        "my_inspections": 0,
        "subjects_to_inspect": 1,
        "rectifications_to_verify": 1,
        "rectifications_overdue": 2,  # 鼓楼 and 台江 (南昌 is another province)
        "classes_to_review": 1,
        "findings_to_review": 2,  # SIT-A and SIT-B
        "leads_open": 2,
    }
    fujian = Organization.objects.filter(region__code__startswith="35")
    for kind, _label in OrganizationKind.choices:
        assert found[f"organizations_{kind}"] == fujian.filter(kind=kind).count()
    assert found["certificates_valid"] == 4  # 张三's three and 李四's; 王五's was issued in 江西
    assert found["rectifications_open"] == 2
    assert found["inspections_this_year"] == 2  # 鼓楼's and 台江's, in October 2026


WORK_OF = {
    "inspector": [
        "my_inspections",
        "subjects_to_inspect",
        "rectifications_to_verify",
        "rectifications_overdue",
        "classes_to_review",
        "findings_to_review",
        "leads_open",
    ],
}


@pytest.mark.parametrize("persona", ["ti_admin", "ti_clerk", "ep_admin", "ent_admin", "candidate"])
def test_no_card_that_means_nothing_to_its_viewer(busy, persona):
    """An organisation or a candidate gets no region figures (no "考试机构 0" for a training school) and none of
    the regulators' queues; each organisation kind only its own."""
    cards = cards_for(busy.users[persona])
    assert cards[REGION] == []
    keys = {card.key for card in cards[WORK]}
    assert not keys & set(WORK_OF["inspector"])
    own = {
        "ti_admin": {"classes_to_file", "classes_returned", "classes_short_hours", "rectifications_due"},
        "ti_clerk": {"classes_to_file", "classes_returned", "classes_short_hours", "rectifications_due"},
        "ep_admin": {"sittings_this_week", "sittings_conflicts", "sittings_findings", "rectifications_due"},
        "ent_admin": {"compliance_gaps", "certificates_expiring", "rectifications_due"},
        "candidate": {"my_exams", "my_certificates", "my_training"},
    }
    assert keys == own[persona]


def test_an_analyst_sees_the_figures_and_no_queue_he_cannot_act_on(busy):
    cards = cards_for(busy.users["province_analyst"])
    assert cards[REGION]
    assert cards[WORK] == []


def test_a_later_app_adds_its_card_to_the_registry_and_the_landing_page_shows_it(busy):
    card = Card(
        "later_app_alerts",
        "预警",
        lambda viewer: viewer.user.is_regulator,
        lambda viewer: 7,
        lambda viewer: "/registry/persons/",
        order=1,
    )
    register(card)
    try:
        regulator = client_of(busy.users["county_inspector"]).get("/").content.decode()
        school = client_of(busy.users["ti_admin"]).get("/").content.decode()
    finally:
        CARDS.pop(card.key)
    assert 'id="card-later_app_alerts"' in regulator and "预警" in regulator
    assert "later_app_alerts" not in school


def test_a_drawn_subject_leaves_the_planners_list_once_its_inspection_is_opened(busy):
    own = busy.own["county_inspector"]
    Inspection.objects.filter(pk=own["inspection"].pk).update(plan_subject=own["plan"].subjects.get())
    assert counts(busy.users["county_inspector"])["subjects_to_inspect"] == 0


@pytest.mark.parametrize("persona", ["province_admin", "ti_admin", "ep_admin", "ent_admin", "candidate"])
def test_the_landing_page_asks_the_same_number_of_queries_however_many_rows(busy, persona):
    """Each card is one count in the database, never a loop over rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_of(busy.users[persona])
    client.get("/")  # the session and the caches of the first request

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    before = queries()
    ti_a, ep_a = busy.orgs["ti_a"], busy.orgs["ep_a"]
    for n in range(5):
        training_class = TrainingClassFactory(
            organization=ti_a, status="accepted", start_date=dt.date(2026, 11, 2), end_date=dt.date(2026, 11, 6)
        )
        EnrolmentFactory(training_class=training_class, person=PersonFactory())
        Sitting.objects.create(
            sitting_code=f"SIT-MORE-{n}", exam_point=ep_a, part="theory", operation_item_id=None,
            trainee_category="principal", starts_at=dt.datetime(2026, 11, 11, 9, tzinfo=BEIJING),
            ends_at=dt.datetime(2026, 11, 11, 11, tzinfo=BEIJING), capacity=30,
        )  # fmt: skip
    assert queries() == before


def test_the_recent_imports_name_their_file_kind_in_words(busy):
    from peikao.core.models import ImportRun

    admin = busy.users["province_admin"]
    ImportRun.objects.create(
        kind="organizations",
        file_name="orgs.csv",
        file_sha256="0" * 64,
        user=admin,
        actor_label=admin.username,
        status="imported",
    )
    page = client_of(admin).get("/").content.decode()
    assert "<td>机构</td>" in page and "orgs.csv" in page
    assert ">organizations<" not in page


def test_the_subjects_to_inspect_name_their_inspectors_with_their_office_in_a_fixed_number_of_queries(busy):
    """Each drawn inspector is named with the authority it works for (王五（鼓楼区应急管理局）), read with the
    inspectors, not one query per inspector."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inspector = busy.users["county_inspector"]
    subject = busy.own["county_inspector"]["plan"].subjects.get()
    subject.inspectors.set([inspector])
    client = client_of(inspector)
    client.get("/work/subjects-to-inspect/")  # the session and the caches of the first request

    def page() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/work/subjects-to-inspect/")
        assert response.status_code == 200
        return len(captured), response.content.decode()

    before, html = page()
    assert f"{inspector.full_name or inspector.username}（{inspector.region.authority}）" in html
    others = [UserFactory(role=Role.INSPECTOR, region=inspector.region) for _ in range(3)]
    subject.inspectors.add(*others)
    after, html = page()
    assert after == before and all(other.label in html for other in others)
