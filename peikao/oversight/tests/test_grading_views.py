"""The grades, exits and commitments pages for each persona; the public pages (issue 17)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peikao.oversight.grading.models import Commitment, ExitProposal, Grade
from peikao.oversight.grading.services.exits import exit_proposals_detect
from peikao.oversight.grading.services.grades import grades_recompute
from peikao.oversight.tests import grading_records as rec
from peikao.oversight.tests.helpers import region
from peikao.testing.http import file_names, read_download

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(world):
    rec.findings(world.orgs["ti_a"], 2, day=dt.date.today() - dt.timedelta(days=10))
    grades_recompute(actor=None, region=None)
    return world


def login(client, world, persona):
    client.force_login(world.users[persona])
    return client


def test_a_regulator_sees_the_grades_of_the_region_with_counts_per_grade(client, graded):
    page = login(client, graded, "province_admin").get(reverse("grading:grade_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert graded.orgs["ti_a"].name in text and graded.orgs["ti_c"].name not in text  # 江西 is not his
    assert 'id="grade-summary"' in text and 'id="grade-recompute"' in text


def test_the_grade_page_explains_every_point_with_its_records(client, graded):
    code = graded.orgs["ti_a"].org_code
    page = login(client, graded, "county_inspector").get(reverse("grading:grade_detail", args=[code]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "近24个月执法检查发现的问题" in text and 'id="indicator-FINDINGS"' in text
    finding_inspection = Grade.objects.get(organization=graded.orgs["ti_a"]).organization.inspections.first()
    assert reverse("enforcement:inspection_detail", args=[finding_inspection.code]) in text
    assert 'id="grade-total">4<' in text


def test_the_subject_reads_its_own_grade_and_its_notices_but_no_one_elses(client, graded):
    client = login(client, graded, "ti_admin")
    own = client.get(reverse("grading:grade_list"))
    assert own.status_code == 302 and own["Location"].endswith(f"/{graded.orgs['ti_a'].org_code}/")
    page = client.get(own["Location"])
    assert page.status_code == 200 and 'id="grade-events"' in page.content.decode()
    assert 'id="override-form"' not in page.content.decode()
    other = client.get(reverse("grading:grade_detail", args=[graded.orgs["ent_a"].org_code]))
    assert other.status_code == 404
    refused = client.post(
        reverse("grading:grade_detail", args=[graded.orgs["ti_a"].org_code]),
        {"step": "override", "letter": "A", "reason": "自评", "until": "2099-01-01"},
    )
    assert refused.status_code == 404
    assert Grade.objects.get(organization=graded.orgs["ti_a"]).override == ""


def test_an_override_from_the_page_and_a_bad_one_refused_beside_its_field(client, graded):
    url = reverse("grading:grade_detail", args=[graded.orgs["ti_a"].org_code])
    client = login(client, graded, "province_admin")
    bad = client.post(url, {"step": "override", "letter": "D", "reason": "x", "until": dt.date.today().isoformat()})
    assert bad.status_code == 400
    assert Grade.objects.get(organization=graded.orgs["ti_a"]).override == ""
    until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    done = client.post(url, {"step": "override", "letter": "D", "reason": "专项整治重点对象", "until": until})
    assert done.status_code == 302
    grade = Grade.objects.get(organization=graded.orgs["ti_a"])
    assert grade.effective == "D" and grade.events.filter(change="override").exists()


def test_exit_proposals_pages_and_the_public_list(client, graded):
    org = graded.orgs["ti_a"]
    rec.decision(org, "fine", day=dt.date.today() - dt.timedelta(days=30))
    rec.decision(org, "fine", day=dt.date.today() - dt.timedelta(days=20))
    exit_proposals_detect(actor=None, region=region("350000"))
    proposal = ExitProposal.objects.get(organization=org)
    client = login(client, graded, "city_inspector")
    assert graded.orgs["ti_a"].name in client.get(reverse("grading:proposal_list")).content.decode()
    page = client.get(reverse("grading:proposal_detail", args=[proposal.pk]))
    assert page.status_code == 200 and 'id="decide-form"' in page.content.decode()
    rejected = client.post(
        reverse("grading:proposal_detail", args=[proposal.pk]), {"step": "reject", "reason": "已整改到位"}
    )
    assert rejected.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.reason == "已整改到位"
    client.logout()
    public = client.get(reverse("public_exits"))
    assert public.status_code == 200 and org.name not in public.content.decode()  # rejected: not exited


def test_an_institution_uploads_its_commitment_and_the_public_page_masks_names(client, graded, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(client, graded, "ti_admin")
    org = graded.orgs["ti_a"]
    data = {
        "org_code": org.org_code,
        "signatory": "王小明",
        "signatory_title": "校长",
        "lawyer": "赵大海",
        "law_firm": "福建某律师事务所",
        "signed_on": "2026-01-02",
        "valid_from": "2026-01-05",
        "valid_to": "2027-01-04",
    }
    bad = client.post(reverse("grading:commitment_list"), {**data, "file": SimpleUploadedFile("c.pdf", b"hello")})
    assert bad.status_code == 400 and not Commitment.objects.filter(organization=org).exists()
    made = client.post(
        reverse("grading:commitment_list"), {**data, "file": SimpleUploadedFile("c.pdf", b"%PDF-1.4\n%%EOF\n")}
    )
    assert made.status_code == 302
    commitment = Commitment.objects.get(organization=org)
    pdf = client.get(reverse("grading:commitment_file", args=[commitment.pk]))
    assert pdf.status_code == 200 and read_download(pdf) == b"%PDF-1.4\n%%EOF\n"
    header = pdf["Content-Disposition"]
    assert header.startswith("inline;") and header.isascii()
    assert file_names(header) == (
        f"{org.name}-{commitment.template.title}-2026-01-02.pdf",  # what a browser names it (RFC 6266 filename*)
        f"{org.org_code}-2026-01-02.pdf",
    )
    client.logout()
    public = client.get(reverse("public_commitment", args=[org.org_code])).content.decode()
    assert "王小明" not in public and "赵大海" not in public and "福建某律师事务所" in public
    assert commitment.sha256 in public
    assert client.get(reverse("public_commitment", args=[graded.orgs["ep_a"].org_code])).status_code == 404
