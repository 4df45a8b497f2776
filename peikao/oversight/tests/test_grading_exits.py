"""Exit rules on both sides of their thresholds; proposals decided through a normal decision or rejected with a
reason, by the authority they are put to; commitments breached by a finding in their term, expired, uploaded
(issue 17)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peikao.core.errors import DomainError, PermissionDenied
from peikao.oversight.grading.models import Commitment, CommitmentTemplate, ExitProposal, Grade
from peikao.oversight.grading.services.commitments import commitment_upload, commitments_refresh
from peikao.oversight.grading.services.exits import (
    exit_proposal_decide,
    exit_proposal_reject,
    exit_proposals_detect,
)
from peikao.oversight.grading.services.grades import grades_recompute
from peikao.oversight.tests import grading_records as rec
from peikao.oversight.tests.helpers import exam_point, institution, region, result, sitting
from peikao.registry.models import Organization

pytestmark = pytest.mark.django_db
AS_OF = rec.AS_OF


def proposals(org) -> list[str]:
    return list(ExitProposal.objects.filter(organization=org).values_list("rule_id", flat=True))


def test_two_serious_decisions_within_twelve_months_propose_a_suspension_one_does_not():
    two, one, old = institution(), institution(), institution()
    rec.decision(two, "fine", day=AS_OF - dt.timedelta(days=200))
    rec.decision(two, "suspend", day=AS_OF - dt.timedelta(days=20))
    rec.decision(one, "fine")
    rec.decision(old, "fine", day=AS_OF - dt.timedelta(days=400))
    rec.decision(old, "fine")
    exit_proposals_detect(actor=None, region=region("350102"), on=AS_OF)
    assert proposals(two) == ["TWO_SERIOUS_FINDINGS"]
    assert proposals(one) == [] and proposals(old) == []
    proposal = ExitProposal.objects.get(organization=two)
    assert (proposal.measure, proposal.authority_id) == ("suspend", "350100")  # to the city
    assert proposal.evidence["decisions"] == 2 and "2项决定" in proposal.explanation
    assert Organization.objects.get(pk=two.pk).status == "active"  # nothing removed by a proposal


def test_a_rerun_proposes_nothing_twice():
    org = institution()
    rec.decision(org, "fine")
    rec.decision(org, "fine")
    assert exit_proposals_detect(actor=None, region=region("350102"), on=AS_OF) == 1
    assert exit_proposals_detect(actor=None, region=region("350102"), on=AS_OF) == 0


def test_grade_d_twice_in_a_row_proposes_an_exit_once_is_not_enough():
    org = institution()
    rec.findings(org, 5)
    rec.decision(org, "suspend_exam")
    rec.decision(org, "close")  # 10 + 20 = 30: D
    grades_recompute(actor=None, region=region("350102"), as_of=AS_OF)
    assert Grade.objects.get(organization=org).computed == "D"
    exit_proposals_detect(actor=None, region=region("350102"), on=AS_OF)
    assert "GRADE_D_TWICE" not in proposals(org)
    grades_recompute(actor=None, region=region("350102"), as_of=AS_OF + dt.timedelta(days=30))
    exit_proposals_detect(actor=None, region=region("350102"), on=AS_OF + dt.timedelta(days=30))
    assert "GRADE_D_TWICE" in proposals(org)
    proposal = ExitProposal.objects.get(organization=org, rule_id="GRADE_D_TWICE")
    assert (proposal.measure, proposal.authority_id) == ("close", "350000")  # to the province


def _scores(point, *, cancelled: int, valid: int):
    the = sitting(point, day=AS_OF - dt.timedelta(days=20))
    for status in ["cancelled"] * cancelled + ["valid"] * valid:
        result(the, passed=status == "valid", status=status)


def test_cancelled_scores_from_five_percent_of_at_least_twenty_propose_cancelling_the_exam_point():
    at_rate, below, few = exam_point(), exam_point(), exam_point()
    _scores(at_rate, cancelled=1, valid=19)  # 5 % of 20
    _scores(below, cancelled=1, valid=20)  # 4.8 %
    _scores(few, cancelled=1, valid=18)  # 5.3 % of 19
    exit_proposals_detect(actor=None, region=region("350102"), on=AS_OF)
    assert proposals(at_rate) == ["CANCELLED_SCORES"]
    assert proposals(below) == [] and proposals(few) == []


def test_a_breached_commitment_proposes_a_suspension():
    org, kept = institution(), institution()
    finding = rec.findings(org, 1, violation="TI-ARCHIVE")[0]
    rec.commitment(
        org, start=AS_OF - dt.timedelta(100), end=AS_OF + dt.timedelta(100), status="breached", finding=finding
    )
    rec.commitment(kept, start=AS_OF - dt.timedelta(100), end=AS_OF + dt.timedelta(100))
    exit_proposals_detect(actor=None, region=region("350102"), on=AS_OF)
    assert "COMMITMENT_BREACHED" in proposals(org)
    assert proposals(kept) == []


def test_the_authority_decides_through_a_normal_decision_or_rejects_with_a_reason(
    world, client, django_assert_max_num_queries
):
    org = world.orgs["ti_a"]
    rec.decision(org, "fine", day=dt.date.today() - dt.timedelta(days=40))
    rec.decision(org, "fine", day=dt.date.today() - dt.timedelta(days=20))
    exit_proposals_detect(actor=None, region=region("350102"))
    proposal = ExitProposal.objects.get(organization=org)
    county = world.users["county_inspector"]  # 鼓楼区: the proposal is put to the city
    with pytest.raises(PermissionDenied):
        exit_proposal_reject(actor=county, proposal=proposal, reason="不同意")
    city = world.users["city_inspector"]
    with pytest.raises(DomainError):
        exit_proposal_reject(actor=city, proposal=proposal, reason=" ")
    finding = rec.findings(org, 1, day=dt.date.today() - dt.timedelta(days=5))[0]
    admin = world.users["province_admin"]
    event = exit_proposal_decide(
        actor=admin,
        proposal=proposal,
        inspection=finding.inspection,
        findings=[finding],
        decided_on=dt.date.today(),
        note="依退出机制暂停",
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision.measure, event.transition) == ("decided", "suspend", "decide")
    assert Organization.objects.get(pk=org.pk).status == "suspended"  # the decision, not the proposal, suspends
    with pytest.raises(DomainError):
        exit_proposal_reject(actor=admin, proposal=proposal, reason="晚了")
    with django_assert_max_num_queries(2):  # the count, and the rows with their authority in one query
        public = client.get(reverse("public_exits"))
    row = public.content.decode().split('id="public-exits"')[1]
    assert org.name in row and proposal.rule.name in row and proposal.authority.name in row and "责令停业整顿" in row


def test_commitments_breached_by_a_finding_of_their_violations_in_their_term_and_expired():
    breached, other_code, before, ended = institution(), institution(), institution(), institution()
    start, end = AS_OF - dt.timedelta(days=100), AS_OF + dt.timedelta(days=100)
    made = {org.pk: rec.commitment(org, start=start, end=end) for org in (breached, other_code, before)}
    made[ended.pk] = rec.commitment(ended, start=start, end=AS_OF - dt.timedelta(days=1))
    finding = rec.findings(breached, 1, violation="TI-ARCHIVE", day=AS_OF - dt.timedelta(days=10))[0]
    rec.findings(other_code, 1, violation="TI-CONDITIONS", day=AS_OF - dt.timedelta(days=10))
    rec.findings(before, 1, violation="TI-ARCHIVE", day=start - dt.timedelta(days=1))
    assert commitments_refresh(actor=None, on=AS_OF) == {"breached": 1, "expired": 1}
    statuses = dict(Commitment.objects.values_list("organization_id", "status"))
    assert statuses == {breached.pk: "breached", other_code.pk: "in_force", before.pk: "in_force", ended.pk: "expired"}
    assert Commitment.objects.get(organization=breached).breach_finding == finding
    assert Commitment.objects.get(organization=breached).events.get().transition == "breach"


PDF = b"%PDF-1.4\n% signed commitment\n%%EOF\n"


def test_upload_keeps_a_pdf_under_its_sha256_never_twice(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    org = world.orgs["ti_a"]
    template = CommitmentTemplate.objects.get(version="2026.1")
    kwargs = {
        "organization": org,
        "template": template,
        "signatory": "王五",
        "lawyer": "赵六",
        "law_firm": "福建某律师事务所",
        "signed_on": dt.date(2026, 1, 2),
        "valid_from": dt.date(2026, 1, 5),
        "valid_to": dt.date(2027, 1, 4),
    }
    before = Commitment.objects.count()  # the world's own
    made = commitment_upload(actor=world.users["ti_admin"], upload=SimpleUploadedFile("c.pdf", PDF), **kwargs)
    assert len(made.sha256) == 64 and made.file.name.endswith(f"{made.sha256}.pdf") and made.size == len(PDF)
    with pytest.raises(DomainError) as twice:
        commitment_upload(actor=world.users["ti_admin"], upload=SimpleUploadedFile("c.pdf", PDF), **kwargs)
    assert twice.value.code == "already_kept"
    with pytest.raises(DomainError) as not_pdf:
        commitment_upload(actor=world.users["ti_admin"], upload=SimpleUploadedFile("c.pdf", b"hello"), **kwargs)
    assert not_pdf.value.code == "not_a_pdf"
    with pytest.raises(PermissionDenied):
        commitment_upload(actor=world.users["ent_admin"], upload=SimpleUploadedFile("d.pdf", PDF + b"x"), **kwargs)
    assert Commitment.objects.count() == before + 1
