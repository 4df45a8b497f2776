"""Enforcement as a closed loop: catalogue, plans drawn at random, inspections by two, spot exams, lawful
decisions, rectification that closes only when verified, publicity and the soft-enforcement indicators."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.models import Region
from peikao.enforcement import rules, selectors, services
from peikao.enforcement.choices import CheckOutcome, FindingSource, RectificationStatus, SpotExamStatus
from peikao.enforcement.models import Evidence, Finding, Inspection, SpotExam, ViolationItem
from peikao.registry.models import Industry, OperationItem
from peikao.testing.exams import make_bank
from peikao.testing.factories import AssignmentFactory, OrganizationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = timezone.localdate()


@pytest.fixture
def site(db):
    """A chemical works in 鼓楼 with two special operators, a principal and three employees; inspectors of 福州."""
    fuzhou, gulou = Region.objects.get(code="350100"), Region.objects.get(code="350102")
    works = OrganizationFactory(
        kind="enterprise", region=gulou, industry=Industry.objects.get(code="hazardous_chemicals")
    )
    item = OperationItem.objects.get(code="1.2")
    operators = [PersonFactory(name=f"电工{n}") for n in range(2)]
    for person in operators:
        AssignmentFactory(person=person, organization=works, role="special_operator", operation_item=item,
                          start_date=D(2024, 1, 1))  # fmt: skip
    principal = PersonFactory(name="厂长")
    AssignmentFactory(person=principal, organization=works, role="principal", start_date=D(2024, 1, 1))
    employees = [PersonFactory(name=f"员工{n}") for n in range(3)]
    for person in employees:
        AssignmentFactory(person=person, organization=works, role="employee", start_date=D(2024, 1, 1))
    return {
        "works": works,
        "item": item,
        "operators": operators,
        "principal": principal,
        "employees": employees,
        "a": UserFactory(username="insp-a", role="inspector", region=fuzhou),
        "b": UserFactory(username="insp-b", role="inspector", region=fuzhou),
        "xiamen": UserFactory(username="insp-x", role="inspector", region=Region.objects.get(code="350200")),
        "admin": UserFactory(username="fj-admin", role="regulator_admin", region=Region.objects.get(code="350000")),
        "clerk": UserFactory(username="works-clerk", role="org_admin", organization=works),
    }


def started(site, on=None) -> Inspection:
    inspection = services.inspection_create(
        actor=site["a"], organization=site["works"], kind="routine", inspected_on=on or TODAY,
        inspectors=[site["a"], site["b"]],
    )  # fmt: skip
    services.inspection_start(actor=site["a"], inspection=inspection)
    inspection.refresh_from_db()
    return inspection


def item(code: str) -> ViolationItem:
    return ViolationItem.objects.get(code=code, retired=False)


def finding(site, inspection, code="ENT-NO-TRAIN", text="未经培训上岗") -> Finding:
    return services.finding_record(actor=site["a"], inspection=inspection, violation=item(code), description=text)


# -- catalogue and checklists ------------------------------------------------------------------------------------


def test_the_catalogue_carries_the_law_and_versions_its_changes(site):
    no_train = item("ENT-NO-TRAIN")
    assert no_train.subject_type == "enterprise" and "97" in no_train.basis
    assert no_train.check_text.startswith("未对从业人员")  # inspectors read the checklist in Chinese
    assert (no_train.fine_max, no_train.overdue_fine_min, no_train.overdue_fine_max) == (100000, 100000, 200000)
    assert item("ENT-FALSE-RECORD").fine_max == 100000  # "same_as ENT-NO-TRAIN" resolved
    revised = services.violation_save(
        actor=site["admin"], code="ENT-NO-TRAIN", data={"check_text": "新的检查要点", "fine_max": 100000}
    )
    assert revised.version == 2 and revised.check_text == "新的检查要点"
    assert ViolationItem.objects.get(code="ENT-NO-TRAIN", version=1).retired
    with pytest.raises(PermissionDenied):
        services.violation_save(actor=site["a"], code="X-NEW", data={"check_text": "x"})
    checklist = list(selectors.checklist_items("enterprise").values_list("code", "surface"))
    assert ("ENT-NO-TRAIN", False) in checklist and any(surface for _code, surface in checklist)
    assert not any(code.startswith("TI-") for code, _surface in checklist)


# -- plans and the random draw (双随机) ---------------------------------------------------------------------------


def test_a_plan_is_drawn_at_random_reproducibly_and_once(site):
    for _n in range(9):
        OrganizationFactory(kind="enterprise", region=site["works"].region)
    UserFactory(username="insp-c", role="inspector", region=Region.objects.get(code="350102"))
    plan = services.plan_create(
        actor=site["admin"], region=Region.objects.get(code="350100"), year=2026, name="", kinds=["enterprise"],
        subjects_wanted=4,
    )  # fmt: skip
    plan = services.plan_draw(actor=site["admin"], plan=plan, seed=20261127)
    subjects = list(plan.subjects.order_by("rank"))
    assert len(subjects) == 4 and plan.seed == 20261127
    assert all(subject.inspectors.count() == 2 for subject in subjects)
    assert selectors.plan_verify_draw(plan)
    with pytest.raises(Conflict):
        services.plan_draw(actor=site["admin"], plan=plan, seed=1)
    # Tampering with the recorded outcome is detected by redoing the draw.
    subjects[0].inspectors.set([site["xiamen"].pk, site["a"].pk])
    assert not selectors.plan_verify_draw(plan)
    # A drawn plan whose seed is lost cannot be redone: not reproducible (not a failure).
    plan.seed = None
    assert not selectors.plan_verify_draw(plan)


def test_the_draw_favours_risk_but_leaves_everyone_a_chance():
    candidates = [(1, Decimal(5))] + [(pk, Decimal(1)) for pk in range(2, 11)]
    first = Counter(
        rules.draw(candidates=candidates, inspectors=[1, 2], wanted=1, per_subject=2, seed=seed).subjects[0][0]
        for seed in range(2000)
    )
    assert first[1] > 600  # weight 5 of 14: about 36 % against 7 % for each of the others
    assert all(first[pk] > 50 for pk in range(2, 11))
    again = rules.draw(candidates=candidates, inspectors=[3, 4, 5], wanted=3, per_subject=2, seed=42)
    assert again == rules.draw(candidates=candidates, inspectors=[3, 4, 5], wanted=3, per_subject=2, seed=42)


# -- inspections, checklists, evidence -----------------------------------------------------------------------------


def test_an_inspection_needs_two_inspectors_of_the_jurisdiction(site):
    kwargs = {"actor": site["a"], "organization": site["works"], "kind": "routine", "inspected_on": TODAY}
    with pytest.raises(DomainError) as alone:
        services.inspection_create(**kwargs, inspectors=[site["a"], site["a"]])
    assert alone.value.code == "two_inspectors" and "两名" in alone.value.zh
    with pytest.raises(DomainError) as outside:
        services.inspection_create(**kwargs, inspectors=[site["a"], site["xiamen"]])
    assert outside.value.code == "inspector_outside"
    with pytest.raises(PermissionDenied):
        services.inspection_create(**{**kwargs, "actor": site["xiamen"]}, inspectors=[site["a"], site["b"]])
    assert not Inspection.objects.exists()


def test_a_checklist_violation_becomes_a_finding_and_completion_needs_every_item(site):
    inspection = started(site)
    items = list(selectors.checklist_items("enterprise"))
    services.check_record(actor=site["a"], inspection=inspection, item=item("ENT-NO-TRAIN"), outcome="violation",
                          note="3名新员工未培训即上岗")  # fmt: skip
    created = inspection.findings.get()
    assert created.violation.code == "ENT-NO-TRAIN" and created.source == FindingSource.CHECKLIST
    with pytest.raises(DomainError) as incomplete:
        services.inspection_complete(actor=site["a"], inspection=inspection)
    assert incomplete.value.code == "checklist_incomplete"
    for entry in items:
        if entry.code != "ENT-NO-TRAIN":
            services.check_record(actor=site["b"], inspection=inspection, item=entry, outcome=CheckOutcome.COMPLIANT)
    services.inspection_complete(actor=site["a"], inspection=inspection, summary="发现问题1项")
    inspection.refresh_from_db()
    assert inspection.status == "completed"
    assert list(inspection.events.values_list("transition", flat=True)) == ["start", "complete"]
    with pytest.raises(Conflict):
        finding(site, inspection)


def test_evidence_is_kept_under_its_hash_with_place_and_time(site):
    inspection = started(site)
    photo = b"\xff\xd8\xff photo of the sign-in sheet"
    first = services.evidence_add(
        actor=site["a"], inspection=inspection, upload=SimpleUploadedFile("sheet.jpg", photo, "image/jpeg"),
        latitude=Decimal("26.074508"), longitude=Decimal("119.296494"), accuracy_m=12,
        captured_at=timezone.now(),
    )  # fmt: skip
    import hashlib

    assert first.sha256 == hashlib.sha256(photo).hexdigest() and first.size == len(photo)
    assert first.file.read() == photo and first.sha256 in first.file.name
    again = services.evidence_add(
        actor=site["b"], inspection=inspection, upload=SimpleUploadedFile("copy.jpg", photo, "image/jpeg")
    )
    assert again.file.name == first.file.name  # the same bytes are stored once, never overwritten
    other = services.evidence_add(
        actor=site["b"], inspection=inspection, upload=SimpleUploadedFile("sheet.jpg", b"another", "image/jpeg")
    )
    assert other.file.name != first.file.name
    first.file.open("rb")
    assert first.file.read() == photo
    with pytest.raises(DomainError):
        services.evidence_add(actor=site["a"], inspection=inspection, upload=SimpleUploadedFile("e.jpg", b""))
    assert Evidence.objects.count() == 3


def test_evidence_over_the_cap_is_refused_and_nothing_is_kept(site, client, settings):
    settings.PEIKAO = {**settings.PEIKAO, "MAX_EVIDENCE_BYTES": 1000}
    inspection = started(site)
    with pytest.raises(DomainError) as refused:
        services.evidence_add(
            actor=site["a"], inspection=inspection, upload=SimpleUploadedFile("v.mp4", b"x" * 1001, "video/mp4")
        )
    assert refused.value.code == "upload_too_large" and refused.value.status_code == 413
    client.force_login(site["a"])
    upload = io.BytesIO(b"x")
    upload.name = "v.mp4"
    # The page refuses a declared length over the cap before reading the body (which is shorter than declared).
    response = client.post(
        f"/enforcement/inspections/{inspection.code}/evidence/", {"file": upload}, CONTENT_LENGTH="50000000"
    )
    assert response.status_code == 413
    assert not Evidence.objects.exists()


# -- spot exams (逢查必考) ------------------------------------------------------------------------------------------


def _answers(exam: SpotExam, right: int) -> dict[str, str]:
    """Right answers to the first ``right`` questions as the paper shows them, wrong ones after."""
    from peikao.exams.models import Question

    questions = Question.objects.in_bulk([entry["q"] for entry in exam.items])
    out = {}
    for position, entry in enumerate(exam.items):
        question = questions[entry["q"]]
        if question.qtype == "judge":
            shown = question.answer
            wrong = "F" if shown == "T" else "T"
        else:
            letters = "ABCDEF"
            shown = "".join(sorted(letters[entry["o"].index(letters.index(c))] for c in question.answer))
            wrong = next(letter for letter in letters[: len(entry["o"])] if letter != shown)
        out[f"q-{position}"] = shown if position < right else wrong
    return out


def test_a_spot_exam_scores_at_once_and_a_failure_becomes_a_finding(site, client):
    make_bank(site["item"], judge=20, single=20)
    inspection = started(site)
    drawn = services.spot_draw(actor=site["a"], inspection=inspection, count=6, seed=3, pass_score=80)
    by_person = {exam.person_id: (exam, raw) for exam, raw in drawn}
    assert len(drawn) == 6  # the whole roster, one paper each
    passer, pass_link = by_person[site["operators"][0].pk]
    failer, fail_link = by_person[site["operators"][1].pk]
    assert len(passer.items) == rules.SPOT_QUESTIONS and passer.status == SpotExamStatus.DRAWN
    assert by_person[site["principal"].pk][0].status == SpotExamStatus.NO_BANK  # no bank for principals here
    # The worker answers on their own phone through the one-time link: no login.
    page = client.get(f"/spot/{pass_link}/")
    assert page.status_code == 200 and site["operators"][0].name in page.content.decode()
    assert site["operators"][0].id_number not in page.content.decode()
    answered = client.post(f"/spot/{pass_link}/", _answers(passer, len(passer.items)))
    assert answered.status_code == 200 and "100" in answered.content.decode()
    passer.refresh_from_db()
    assert passer.passed and passer.score == 100 and passer.finding is None
    assert client.get(f"/spot/{pass_link}/").status_code == 404  # used
    # A failure becomes a finding of the inspection, automatically.
    scored = services.spot_submit(raw=fail_link, answers={k[2:]: v for k, v in _answers(failer, 2).items()})
    assert not scored.passed and scored.score < 80
    assert scored.finding.inspection == inspection and scored.finding.violation.code == "ENT-NO-TRAIN"
    assert scored.finding.person == site["operators"][1] and scored.finding.source == FindingSource.SPOT_EXAM
    with pytest.raises(DomainError) as used:
        services.spot_submit(raw=fail_link, answers={})
    assert used.value.status_code == 404
    # Nobody is drawn twice; the pass mark is configurable.
    with pytest.raises(DomainError):
        services.spot_draw(actor=site["a"], inspection=inspection, count=1)
    with pytest.raises(DomainError):
        services.spot_draw(actor=site["a"], inspection=started(site), count=1, pass_score=101)


def test_a_lost_spot_exam_link_is_renewed_and_the_old_one_stops_working(site, client):
    make_bank(site["item"], judge=20, single=0)
    inspection = started(site)
    (exam, old), *_rest = services.spot_draw(actor=site["a"], inspection=inspection, count=1, seed=2)
    client.force_login(site["b"])
    page = client.post(f"/enforcement/inspections/{inspection.code}/spot/relink/", {"exam": exam.pk}, follow=True)
    body = page.content.decode()
    assert page.status_code == 200 and "data:image/png;base64," in body  # the QR code for the worker's phone
    link = next(part.split('"')[0] for part in body.split('href="') if "/spot/" in part.split('"')[0])
    assert link.rstrip("/").rsplit("/", 1)[-1] != old
    with pytest.raises(DomainError):
        selectors.spot_open(old)
    raw = link.rstrip("/").rsplit("/", 1)[-1]
    services.spot_submit(raw=raw, answers={})
    with pytest.raises(Conflict):
        services.spot_relink(actor=site["a"], exam=exam)
    other = services.inspection_create(actor=site["a"], organization=site["works"], kind="routine",
                                       inspected_on=TODAY, inspectors=[site["a"], site["b"]])  # fmt: skip
    assert client.post(f"/enforcement/inspections/{other.code}/spot/relink/", {"exam": exam.pk}).status_code == 404


def test_spot_exam_links_expire(site):
    make_bank(site["item"], judge=20, single=0)
    inspection = started(site)
    (exam, raw), *_rest = services.spot_draw(actor=site["a"], inspection=inspection, count=1, seed=1)
    SpotExam.objects.filter(pk=exam.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(DomainError) as expired:
        services.spot_submit(raw=raw, answers={})
    assert expired.value.status_code == 410


def test_the_spot_draw_is_weighted_to_special_operators(site):
    make_bank(site["item"], judge=10, single=0)
    counts = Counter()
    for seed in range(150):
        inspection = started(site)
        (exam, _raw), *_rest = services.spot_draw(actor=site["a"], inspection=inspection, count=1, seed=seed)
        counts[exam.role] += 1
    # Weights: two operators ×3, a principal ×2, three employees ×1 → operators 6/11, employees 3/11.
    assert counts["special_operator"] > counts["employee"] and counts["special_operator"] > 60
    assert counts["employee"] > 15


# -- decisions ---------------------------------------------------------------------------------------------------


def test_a_fine_outside_the_legal_range_is_refused_with_the_range_and_basis(site):
    inspection = started(site)
    problem = finding(site, inspection)
    with pytest.raises(DomainError) as refused:
        services.decision_issue(actor=site["a"], inspection=inspection, findings=[problem], measure="fine",
                                decided_on=TODAY, fine_yuan=Decimal(150000))  # fmt: skip
    assert refused.value.code == "fine_outside_range"
    assert "0–100,000" in refused.value.zh and "《中华人民共和国安全生产法》第九十七条第三项" in refused.value.zh
    assert "ENT-NO-TRAIN" not in refused.value.zh  # the basis as cited, never the catalogue's code
    assert "legal range" in refused.value.en
    assert not inspection.decisions.exists()
    fine = services.decision_issue(actor=site["a"], inspection=inspection, findings=[problem], measure="fine",
                                   decided_on=TODAY, fine_yuan=Decimal(30000))  # fmt: skip
    assert (
        fine.fine_yuan == 30000
        and not fine.overdue_range
        and fine.basis == "《中华人民共和国安全生产法》第九十七条第三项"
    )
    # Two distinct violations (art. 97 (3) and (4)): each is fined, the ranges add up.
    second = finding(site, inspection, "ENT-FALSE-RECORD", "培训记录不实")
    both = services.decision_issue(actor=site["a"], inspection=inspection, findings=[problem, second],
                                   measure="fine", decided_on=TODAY, fine_yuan=Decimal(180000))  # fmt: skip
    assert both.fine_yuan == 180000
    with pytest.raises(DomainError) as other:
        services.decision_issue(
            actor=site["a"], inspection=inspection, measure="fine", decided_on=TODAY, fine_yuan=Decimal(1000),
            findings=[services.finding_record(actor=site["a"], inspection=inspection, violation=None,
                                              description="其他问题")],
        )  # fmt: skip
    assert other.value.code == "no_fine_provided"


def test_the_overdue_range_applies_only_when_an_order_was_not_complied_with(site):
    inspection = started(site, on=TODAY - dt.timedelta(days=60))
    problem = finding(site, inspection)
    order = services.decision_issue(
        actor=site["a"], inspection=inspection, findings=[problem], measure="rectify_order",
        decided_on=TODAY - dt.timedelta(days=60), due_on=TODAY + dt.timedelta(days=10),
    )  # fmt: skip
    with pytest.raises(DomainError):  # not overdue yet: 150,000 exceeds the ordinary maximum
        services.decision_issue(actor=site["a"], inspection=inspection, findings=[problem], measure="fine",
                                decided_on=TODAY, fine_yuan=Decimal(150000))  # fmt: skip
    later = TODAY + dt.timedelta(days=11)
    fine = services.decision_issue(actor=site["a"], inspection=inspection, findings=[problem], measure="fine",
                                   decided_on=later, fine_yuan=Decimal(150000))  # fmt: skip
    assert fine.overdue_range and order.rectification.status == RectificationStatus.OPEN
    with pytest.raises(DomainError) as low:  # the overdue range has a floor too
        services.decision_issue(actor=site["a"], inspection=inspection, findings=[problem], measure="fine",
                                decided_on=later, fine_yuan=Decimal(50000))  # fmt: skip
    assert "100,000–200,000" in low.value.zh and "逾期" in low.value.zh


def test_suspension_changes_the_status_and_blocks_classes_and_sittings(site):
    from peikao.exams.services import sitting_problem
    from peikao.training.services import organization_may_train

    inspection = started(site)
    problem = finding(site, inspection)
    with pytest.raises(PermissionDenied):  # an inspector orders and fines; suspension is for the authority
        services.decision_issue(actor=site["a"], inspection=inspection, findings=[problem], measure="suspend",
                                decided_on=TODAY)  # fmt: skip
    services.decision_issue(actor=site["admin"], inspection=inspection, findings=[problem], measure="suspend",
                            decided_on=TODAY)  # fmt: skip
    site["works"].refresh_from_db()
    assert site["works"].status == "suspended"
    with pytest.raises(DomainError) as blocked:
        organization_may_train(site["works"], category="employee", item=None)
    assert blocked.value.code == "organization_not_active"
    # An exam point closed by cancellation may no longer hold sittings.
    point = OrganizationFactory(kind="exam_point", region=site["works"].region, items=["1.2"])
    at_point = services.inspection_create(actor=site["a"], organization=point, kind="special", inspected_on=TODAY,
                                          inspectors=[site["a"], site["b"]])  # fmt: skip
    services.inspection_start(actor=site["a"], inspection=at_point)
    at_point.refresh_from_db()
    oral = finding(site, at_point, "EX-ORAL-PRACTICAL", "实操考试以口试代替")
    with pytest.raises(DomainError):
        services.decision_issue(actor=site["admin"], inspection=inspection, findings=[problem],
                                measure="cancel_exam_point", decided_on=TODAY)  # fmt: skip
    services.decision_issue(actor=site["admin"], inspection=at_point, findings=[oral], measure="cancel_exam_point",
                            decided_on=TODAY)  # fmt: skip
    point.refresh_from_db()
    start = timezone.now() + dt.timedelta(days=3)
    problem_code = sitting_problem(exam_point=point, part="theory", operation_item=site["item"], trainee_category="",
                                   starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=10)  # fmt: skip
    assert point.status == "closed" and problem_code[0] == "exam_point_not_active"


def test_a_decision_document_is_a_word_file(site, client):
    import docx

    inspection = started(site)
    order = services.decision_issue(
        actor=site["a"], inspection=inspection, findings=[finding(site, inspection)], measure="rectify_order",
        decided_on=TODAY, due_on=TODAY + dt.timedelta(days=15),
    )  # fmt: skip
    client.force_login(site["a"])
    response = client.get(f"/enforcement/decisions/{order.code}/document.docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(b"".join(response.streaming_content)
                                                               if response.streaming else response.content)).paragraphs)  # fmt: skip
    assert "责令限期整改指令书" in text and site["works"].name in text and order.code in text


def test_a_fine_is_written_on_a_penalty_decision_in_capital_numerals(site):
    import docx

    from peikao.enforcement.documents import decision_docx

    inspection = started(site)
    fine = services.decision_issue(actor=site["a"], inspection=inspection, findings=[finding(site, inspection)],
                                   measure="fine", decided_on=TODAY, fine_yuan=Decimal(30000))  # fmt: skip
    body, filename = decision_docx(fine)
    assert filename == f"{fine.code}-行政处罚决定书.docx"
    texts = [p.text for p in docx.Document(io.BytesIO(body)).paragraphs]
    assert "罚款人民币叁万元整" in texts and "罚款金额：人民币叁万元整（小写：30,000元）。" in texts
    assert "1. 未按照规定对从业人员进行安全生产教育和培训：未经培训上岗" in texts and fine.code in texts


# -- rectification -----------------------------------------------------------------------------------------------


def test_rectification_closes_only_when_verified_and_escalates_when_overdue(site):
    inspection = started(site, on=TODAY - dt.timedelta(days=40))
    problem = finding(site, inspection)
    order = services.decision_issue(
        actor=site["a"], inspection=inspection, findings=[problem], measure="rectify_order",
        decided_on=TODAY - dt.timedelta(days=40), due_on=TODAY + dt.timedelta(days=5),
    )  # fmt: skip
    case = order.rectification
    with pytest.raises(Conflict):  # nothing submitted: nothing to close
        services.rectification_verify(actor=site["a"], rectification=case, accept=True)
    with pytest.raises(Conflict):
        services.rectification_escalate(actor=site["a"], rectification=case)  # not overdue
    stranger = UserFactory(username="other-clerk", role="org_admin", organization=OrganizationFactory())
    with pytest.raises(PermissionDenied):
        services.rectification_submit(actor=stranger, rectification=case, note="不是我们的")
    services.rectification_submit(actor=site["clerk"], rectification=case, note="已组织培训",
                                  files=[SimpleUploadedFile("roster.pdf", b"%PDF-1.4 sign-in")])  # fmt: skip
    case.refresh_from_db()
    assert case.status == RectificationStatus.SUBMITTED and case.evidence.count() == 1
    with pytest.raises(DomainError):  # a return says why
        services.rectification_verify(actor=site["a"], rectification=case, accept=False)
    services.rectification_verify(actor=site["a"], rectification=case, accept=False, note="缺少考核记录")
    case.refresh_from_db()
    assert case.status == RectificationStatus.OPEN and case.closed_on is None
    # Overdue now: listed, flagged, with the overdue penalty suggested.
    type(case).objects.filter(pk=case.pk).update(due_on=TODAY - dt.timedelta(days=1))
    case.refresh_from_db()
    assert case in selectors.rectification_list(user=site["a"], filters={"state": "overdue"})
    services.rectification_escalate(actor=site["a"], rectification=case, note="逾期未改正")
    suggestion = selectors.suggested_overdue_penalty(case)
    assert (suggestion["low"], suggestion["high"], suggestion["suspend"]) == (100000, 200000, True)
    services.rectification_submit(actor=site["clerk"], rectification=case, note="补充考核记录")
    services.rectification_verify(actor=site["b"], rectification=case, accept=True, note="现场核实")
    case.refresh_from_db()
    assert case.status == RectificationStatus.CLOSED and case.closed_on == TODAY
    assert list(case.events.values_list("transition", flat=True)) == ["submit", "return", "escalate", "submit", "close"]
    # A share of closed cases comes back for a look-back inspection.
    lookbacks = services.lookback_sample(actor=site["admin"], region=Region.objects.get(code="350100"),
                                         share=Decimal("0.5"), since=TODAY - dt.timedelta(days=1), until=TODAY,
                                         inspected_on=TODAY + dt.timedelta(days=30), seed=1)  # fmt: skip
    assert len(lookbacks) == 1 and lookbacks[0].kind == "lookback" and lookbacks[0].lookback_of == case
    assert lookbacks[0].inspectors.count() == 2


# -- publicity and indicators --------------------------------------------------------------------------------------


def test_published_decisions_have_a_public_page_with_personal_data_masked(site, client):
    inspection = started(site)
    worker = site["operators"][0]
    problem = services.finding_record(actor=site["a"], inspection=inspection, violation=item("ENT-NO-TRAIN"),
                                      description=f"{worker.name}（{worker.id_number}）未经培训上岗", person=worker)  # fmt: skip
    public = services.decision_issue(actor=site["a"], inspection=inspection, findings=[problem], measure="fine",
                                     decided_on=TODAY, fine_yuan=Decimal(20000), publicized=True)  # fmt: skip
    private = services.decision_issue(actor=site["a"], inspection=inspection, findings=[problem], measure="warning",
                                      decided_on=TODAY)  # fmt: skip
    listing = client.get("/cases/").content.decode()
    assert public.code in listing and private.code not in listing
    page = client.get(f"/cases/{public.code}/")
    body = page.content.decode()
    assert page.status_code == 200 and site["works"].name in body and ("20,000" in body or "20000" in body)
    assert worker.id_number not in body and worker.name not in body
    assert client.get(f"/cases/{private.code}/").status_code == 404
    assert "/enforcement/" not in body  # nothing of the platform behind it


def test_soft_enforcement_indicators(site):
    surface_only = started(site)
    services.finding_record(actor=site["a"], inspection=surface_only,
                            violation=ViolationItem.objects.filter(surface=True, retired=False).first(),
                            description="台账不规范")  # fmt: skip
    real = started(site)
    problem = finding(site, real)
    finding(site, real, "ENT-FALSE-RECORD", "记录不实")  # no decision on this one
    services.decision_issue(actor=site["a"], inspection=real, findings=[problem], measure="fine",
                            decided_on=TODAY, fine_yuan=Decimal(25000))  # fmt: skip
    order = services.decision_issue(actor=site["a"], inspection=real, findings=[problem], measure="rectify_order",
                                    decided_on=TODAY, due_on=TODAY + dt.timedelta(days=1))  # fmt: skip
    type(order.rectification).objects.filter(pk=order.rectification.pk).update(due_on=TODAY - dt.timedelta(days=1))
    figures = selectors.indicators(user=site["admin"], region=Region.objects.get(code="350000"),
                                   since=TODAY - dt.timedelta(days=1), until=TODAY)  # fmt: skip
    overall = figures["overall"]
    assert (overall["inspections"], overall["with_findings"], overall["surface_only"]) == (2, 2, 1)
    assert overall["surface_only_share"] == 0.5
    assert (overall["findings"], overall["undecided"]) == (3, 2)
    assert overall["fine_total"] == 25000 and overall["fine_legal_max"] == 100000 and overall["fine_to_max"] == 0.25
    assert (overall["overdue"], overall["unverified"]) == (1, 0)
    assert [child["code"] for child in figures["children"]] == ["350100"]
    # Out of jurisdiction: nothing.
    xiamen = selectors.indicators(user=site["xiamen"], region=Region.objects.get(code="350000"),
                                  since=TODAY - dt.timedelta(days=1), until=TODAY)  # fmt: skip
    assert xiamen["overall"]["inspections"] == 0


# -- historical records ------------------------------------------------------------------------------------------


def test_inspections_findings_and_decisions_import_and_refuse_unlawful_fines(site):
    from peikao.core.exchange.runner import run_import
    from peikao.enforcement.models import Decision

    def load(kind, text):
        return run_import(kind_name=kind, source=io.BytesIO(text.encode()), filename=f"{kind}.csv", user=site["a"])

    ids = f"{site['operators'][0].id_number};{site['principal'].id_number}"
    works = site["works"]
    result = load("inspections", "inspection_code,org_code,region_code,inspected_on,kind,inspectors,basis_plan\n"
                                 f"H-2024-1,{works.org_code},350100,2024-05-10,routine,{ids},\n")  # fmt: skip
    assert result.ok, result.problems
    result = load("findings", "finding_code,inspection_code,violation_code,description,evidence_sha256\n"
                              "H-2024-1-F1,H-2024-1,ENT-NO-TRAIN,两人未培训,\n"
                              f"H-2024-1-F2,H-2024-1,other,消防通道堵塞,{'a' * 64}\n")  # fmt: skip
    assert result.ok, result.problems
    header = "decision_code,inspection_code,finding_codes,measure,fine_yuan,decided_on,due_on,closed_on,publicized\n"
    bad = load("decisions", header + "H-D1,H-2024-1,H-2024-1-F1,fine,500000,2024-05-20,,,false\n"
                                     "H-D2,H-2024-1,H-2024-1-F1,rectify_order,,2024-05-20,2024-06-20,,false\n")  # fmt: skip
    assert not bad.ok and not Decision.objects.exists()  # a rejected file writes nothing
    assert any("100,000" in str(problem) for problem in bad.problems)
    good = load("decisions", header + "H-D1,H-2024-1,H-2024-1-F1,fine,50000,2024-05-20,,,true\n"
                                      "H-D2,H-2024-1,H-2024-1-F1,rectify_order,,2024-05-20,2024-06-20,2024-06-18,false\n")  # fmt: skip
    assert good.ok, good.problems
    order = Decision.objects.get(code="H-D2")
    assert order.rectification.status == RectificationStatus.CLOSED and order.rectification.closed_on == D(2024, 6, 18)
    assert Finding.objects.get(code="H-2024-1-F2").violation is None
    again = load("decisions", header + "H-D1,H-2024-1,H-2024-1-F1,fine,50000,2024-05-20,,,true\n")
    assert again.counts.unchanged == 1
    # The inspectors go out by ID number: only to who may see them in full, and the view is logged.
    from peikao.core.exchange.runner import export_response
    from peikao.core.models import IdNumberView
    from peikao.testing.http import read_download

    exported = read_download(export_response(kind_name="inspections", fmt="csv", user=site["a"])).decode("utf-8-sig")
    assert site["operators"][0].id_number in exported and "_people" not in exported
    assert IdNumberView.objects.filter(
        user=site["a"], person_id=site["operators"][0].pk, purpose="export:inspections"
    ).exists()
    analyst = UserFactory(username="fj-analyst", role="analyst", region=Region.objects.get(code="350000"))
    with pytest.raises(PermissionDenied):
        export_response(kind_name="inspections", fmt="csv", user=analyst)


# -- API -------------------------------------------------------------------------------------------------------


def test_the_api_records_findings_and_refuses_unlawful_fines_with_a_reason(site, client):
    import json

    from peikao.core.services import api_token_create

    _token, raw = api_token_create(user=site["a"], name="phone")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    inspection = started(site)
    base = f"/api/inspections/{inspection.code}"

    def post(path, body):
        return client.post(base + path, json.dumps(body), content_type="application/json", **auth)

    created = post("/findings", {"violation_code": "ENT-NO-TRAIN", "description": "未培训上岗"})
    assert created.status_code == 201
    code = created.json()["code"]
    assert post("/findings", {"violation_code": "NO-SUCH", "description": "x"}).status_code == 422
    day = TODAY.isoformat()
    refused = post("/decisions", {"measure": "fine", "finding_codes": [code], "decided_on": day, "fine_yuan": "150000"})
    assert refused.status_code == 400 and refused.json()["code"] == "fine_outside_range"
    assert "100,000" in refused.json()["message_zh"] and "第九十七条第三项" in refused.json()["message_zh"]
    assert post("/decisions", {"measure": "jail", "finding_codes": [code], "decided_on": day}).status_code == 422
    assert post("/decisions", {"measure": "fine", "finding_codes": ["NOPE"], "decided_on": day}).status_code == 404
    issued = post("/decisions", {"measure": "fine", "finding_codes": [code], "decided_on": day, "fine_yuan": "30000"})
    assert issued.status_code == 201 and issued.json()["measure"] == "fine"
    listed = client.get(f"{base}/findings", **auth).json()
    assert [row["code"] for row in listed] == [code]
    _other, foreign = api_token_create(user=site["xiamen"], name="other")
    assert client.get(base, HTTP_AUTHORIZATION=f"Bearer {foreign}").status_code == 404
