"""The certificates UI and API for regulators and organisations: lists, the certificate page and its actions,
issuance from results, reminders, leads and their hand-over."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine

from peikao.certificates import services
from peikao.certificates.models import Certificate, Lead
from peikao.core.models import IdNumberView
from peikao.testing.certificates import legacy, make_passed_world
from peikao.testing.factories import AssignmentFactory, PersonFactory
from peikao.testing.http import read_download

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    """The lists depend on the day: these tests live on 2026-11-27 (Beijing)."""
    with time_machine.travel(dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=True):
        yield


@pytest.fixture
def scene(db):
    world = make_passed_world()
    enterprise = world["school"]  # any organisation will do as the employer below
    worker = PersonFactory(name="周工")
    AssignmentFactory(person=worker, organization=enterprise, role="employee")
    world["worker_certificate"] = legacy(worker, issued=dt.date(2021, 3, 10))  # review missed under order 30
    world["expiring"] = legacy(PersonFactory(name="吴将"), issued=dt.date(2020, 12, 20), review_due=None)
    return world


def test_the_list_shows_standing_and_filters(client, scene):
    client.force_login(scene["admin"])
    page = client.get("/certificates/").content.decode()
    assert "周工" in page and "吴将" in page and 'id="pending-link"' in page
    worker = scene["worker_certificate"].person
    assert f"T{worker.masked_id_number}" in page and worker.id_number not in page
    overdue = client.get("/certificates/?standing=review_overdue").content.decode()
    assert "周工" in overdue and "吴将" not in overdue
    expiring = client.get("/certificates/?due=expiry").content.decode()
    assert "吴将" in expiring and "周工" not in expiring


def test_issue_from_the_queue(client, scene):
    client.force_login(scene["admin"])
    queue = client.get("/certificates/issue/").content.decode()
    practical = scene["practical_results"][0]
    assert f"/certificates/issue/{practical.pk}/" in queue
    page = client.get(f"/certificates/issue/{practical.pk}/").content.decode()
    assert page.count("✔") == 3 and 'id="issue-button"' in page
    response = client.post(f"/certificates/issue/{practical.pk}/")
    certificate = Certificate.objects.get(practical_result=practical)
    assert response.status_code == 302 and response["Location"] == f"/certificates/{certificate.pk}/"
    assert f"/certificates/issue/{practical.pk}/" not in client.get("/certificates/issue/").content.decode()


def test_a_failing_candidate_cannot_be_issued_from_the_ui(client, scene):
    client.force_login(scene["admin"])
    failed_theory = scene["theory_results"][3]
    page = client.get(f"/certificates/issue/{failed_theory.pk}/").content.decode()
    assert "✘" in page and 'id="issue-button"' not in page
    client.post(f"/certificates/issue/{failed_theory.pk}/")
    assert not Certificate.objects.filter(person=failed_theory.registration.person).exists()


def test_the_certificate_page_actions_and_pdf(client, scene):
    certificate = scene["expiring"]
    client.force_login(scene["admin"])
    page = client.get(f"/certificates/{certificate.pk}/").content.decode()
    assert 'id="certificate-qr"' in page and 'id="action-suspend"' in page and 'id="action-renew"' in page
    assert certificate.person.id_number not in page
    client.post(f"/certificates/{certificate.pk}/do/suspend/", {"ground": "investigation", "reason": "事故调查"})
    certificate.refresh_from_db()
    assert certificate.status == "suspended"
    page = client.get(f"/certificates/{certificate.pk}/").content.decode()
    assert 'id="action-reinstate"' in page and "事故调查" in page
    # A bad form changes nothing and says why.
    response = client.post(f"/certificates/{certificate.pk}/do/revoke/", {"ground": "nonsense"}, follow=True)
    certificate.refresh_from_db()
    assert certificate.status == "suspended" and "ground" in response.content.decode()
    pdf = client.get(f"/certificates/{certificate.pk}/pdf/a4/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert IdNumberView.objects.filter(person_id=certificate.person_id, purpose="certificate_pdf:a4").exists()


def test_an_organisation_sees_its_people_certificates_without_actions(client, scene):
    from peikao.core.choices import Role
    from peikao.testing.factories import UserFactory

    clerk = UserFactory(role=Role.ORG_CLERK, organization=scene["school"])
    client.force_login(clerk)
    certificate = scene["worker_certificate"]
    page = client.get(f"/certificates/{certificate.pk}/").content.decode()
    assert "周工" in page and 'id="action-' not in page and 'id="pdf-a4"' not in page
    assert client.get(f"/certificates/{certificate.pk}/pdf/a4/").status_code == 403
    assert client.get(f"/certificates/{scene['expiring'].pk}/").status_code == 404  # not their person


def test_reminders_per_enterprise_and_region(client, scene):
    client.force_login(scene["admin"])
    page = client.get("/certificates/reminders/").content.decode()
    assert "2026-06-01" in page  # the order-19 note
    assert "福州市" in page


def test_leads_grouped_and_handed_over_together(client, scene):
    for number in ("T350102199001011111", "T350102199001012222", "T350102199002013333"):
        services.report_from_public(
            cert_no=number,
            name="某",
            claimed_issuer="",
            where="某中介网站",
            description="卖证",
            contact="",
            client="1.1.1.1",
        )
    inspector = scene["regulator"]
    client.force_login(inspector)
    page = client.get("/certificates/leads/?group=source").content.decode()
    assert "report:某中介网站" in page and 'id="lead-groups"' in page
    client.post(
        "/certificates/leads/group/",
        {
            "group": "source",
            "value": "report:某中介网站",
            "action": "hand_over",
            "case_reference": "榕公刑〔2026〕77号",
        },
    )
    assert set(Lead.objects.values_list("status", "case_reference")) == {("handed_over", "榕公刑〔2026〕77号")}
    response = client.get("/exports/?kind=leads&format=csv&headers=en")
    rows = list(csv.DictReader(io.StringIO(read_download(response).decode("utf-8-sig"))))
    assert len(rows) == 3 and {row["case_reference"] for row in rows} == {"榕公刑〔2026〕77号"}


def test_api_list_and_actions(client, scene):
    from peikao.core.services import api_token_create

    _token, raw = api_token_create(user=scene["admin"], name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    listing = client.get("/api/certificates?standing=review_overdue", **headers).json()
    assert [item["name"] for item in listing["items"]] == ["周工"]
    assert listing["items"][0]["cert_no_masked"].count("*") == 10
    certificate = scene["expiring"]
    response = client.post(
        f"/api/certificates/{certificate.pk}/revoke",
        {"ground": "false_information", "reason": "伪造学历"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    events = client.get(f"/api/certificates/{certificate.pk}/events", **headers).json()
    assert events[-1]["details"]["ban_until"]
    again = client.post(
        f"/api/certificates/{certificate.pk}/suspend",
        {"ground": "investigation"},
        content_type="application/json",
        **headers,
    )
    assert again.status_code == 409 and "message_en" in again.json()
    bad = client.post(
        f"/api/certificates/{certificate.pk}/revoke", {"ground": "x"}, content_type="application/json", **headers
    )
    assert bad.status_code == 422
    practical = scene["practical_results"][1]
    issued = client.post(
        "/api/certificates/issue", {"result_id": practical.pk}, content_type="application/json", **headers
    )
    assert issued.status_code == 201 and issued.json()["standing"] == "valid"


def test_api_reminders(client, scene):
    from peikao.core.services import api_token_create

    _token, raw = api_token_create(user=scene["admin"], name="t")
    data = client.get("/api/certificate-reminders", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert data["days"] == 90 and data["expiries"] >= 1 and data["reviews"] == 0  # reviews ended 2026-06-01
    assert {row["code"] for row in data["per_region"]} >= {"350100"}


def test_a_lead_page_lists_the_suspicious_lookups_of_its_number(client, scene):
    from django.utils import timezone

    from peikao.certificates import verification
    from peikao.certificates.models import Lookup

    number = "T350102199001019999"
    now = timezone.now()
    for minutes, outcome, source in ((3, "not_found", "2.2.2.2"), (2, "valid", "3.3.3.3"), (1, "not_found", "4.4.4.4")):
        Lookup.objects.create(
            time=now - dt.timedelta(minutes=minutes), channel="api", cert_no=number, client=source, outcome=outcome
        )
    Lookup.objects.create(time=now, channel="api", cert_no="T350102199001018888", client="5.5.5.5", outcome="not_found")
    verification.derive_leads()
    lead = Lead.objects.get(cert_no=number, source="ip:2.2.2.2")
    client.force_login(scene["regulator"])
    page = client.get(f"/certificates/leads/{lead.pk}/").content.decode()
    page = page[page.index("<tbody>") :]  # the lookups table
    assert page.count("<tr><td>") == 2  # the two failed lookups of this number, not the valid one nor another number
    assert page.index("4.4.4.4") < page.index("2.2.2.2")  # latest first
    assert "3.3.3.3" not in page and "5.5.5.5" not in page


def test_a_claimed_t_number_is_masked_on_leads_and_its_full_view_logged(client, scene):
    from peikao.core.choices import Role
    from peikao.core.services import api_token_create
    from peikao.testing.factories import UserFactory

    registered = scene["worker_certificate"].person  # someone's real ID number, used on a fake certificate
    unregistered = "350102199001011111"  # an ID number nobody in the register has
    for number in (f"T{registered.id_number}", f"T{unregistered}"):
        services.report_from_public(
            cert_no=number, name="某", claimed_issuer="", where="朋友圈", description="", contact="", client="1.1.1.1"
        )
    ours, theirs = Lead.objects.get(cert_no=f"T{registered.id_number}"), Lead.objects.get(cert_no=f"T{unregistered}")
    inspector = scene["regulator"]
    client.force_login(inspector)
    listing = client.get("/certificates/leads/").content.decode()
    detail = client.get(f"/certificates/leads/{ours.pk}/").content.decode()
    for page in (listing, detail):
        assert registered.id_number not in page and unregistered not in page
    assert f"T{registered.masked_id_number}" in detail and 'id="lead-number"' in detail
    assert not IdNumberView.objects.exists()  # masked pages are not views of ID numbers

    revealed = client.post(f"/certificates/leads/{ours.pk}/number/").content.decode()
    client.post(f"/certificates/leads/{theirs.pk}/number/")
    assert f"T{registered.id_number}" in revealed
    views = IdNumberView.objects.filter(user=inspector, purpose="web:lead_detail")
    assert set(views.values_list("person_id", "masked_id_number")) == {
        (registered.pk, registered.masked_id_number),
        (None, "3501**********1111"),  # not in the register, still logged
    }

    # The police liaison's export carries them in full, and is logged as such.
    response = client.get("/exports/?kind=leads&format=csv&headers=en")
    rows = list(csv.DictReader(io.StringIO(read_download(response).decode("utf-8-sig"))))
    assert {row["cert_no"] for row in rows} == {f"T{registered.id_number}", f"T{unregistered}"}
    assert IdNumberView.objects.filter(purpose="export:leads").count() == 2

    # The API lists them masked; the full number is one logged call away.
    _token, raw = api_token_create(user=inspector, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    items = client.get("/api/leads", **headers).json()["items"]
    assert {item["cert_no_masked"] for item in items} == {f"T{registered.masked_id_number}", "T3501**********1111"}
    full = client.post(f"/api/leads/{theirs.pk}/number", **headers)
    assert full.status_code == 200 and full.json() == {"cert_no": f"T{unregistered}"}
    assert IdNumberView.objects.filter(purpose="api:lead_number", person_id=None).count() == 1

    # A regulator's analyst sees the leads, never a full ID number.
    analyst = UserFactory(role=Role.ANALYST, region=inspector.region)
    client.force_login(analyst)
    page = client.get(f"/certificates/leads/{ours.pk}/").content.decode()
    assert registered.id_number not in page and 'hx-post="/certificates/leads/' not in page
    assert client.post(f"/certificates/leads/{ours.pk}/number/").status_code == 403
    refused = client.get("/exports/?kind=leads&format=csv&headers=en")  # back to the exchange page, no file
    assert refused.status_code == 302 and "Content-Disposition" not in refused
    assert not IdNumberView.objects.filter(user=analyst).exists()
