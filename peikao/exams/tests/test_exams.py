"""Exams: papers, eligibility by regime, proctor conflicts, the theory exam, practical scoring, patrols."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.exams import papers, rules, selectors, services
from peikao.exams.choices import ResultStatus, Sanction
from peikao.exams.models import Paper, PaperQuestion, Question, Result, ResultEvent
from peikao.testing.answers import correct_letters
from peikao.testing.exams import BEIJING, sitting_at

pytestmark = pytest.mark.django_db


def test_papers_are_reproducible_distinct_and_bounded_in_overlap(exam_world):
    drawer = papers.Drawer(
        papers.sections_of(exam_world["blueprint"].sections), selectors.pool_for(blueprint=exam_world["blueprint"])
    )
    assert drawer.draw(42) == drawer.draw(42)
    drawn = [drawer.draw(seed) for seed in range(30)]
    assert len({tuple(item["q"] for item in paper) for paper in drawn}) == 30
    assert all(len(paper) == 100 for paper in drawn)
    sitting = sitting_at(exam_world)
    for person in exam_world["candidates"]:
        services.register(actor=exam_world["staff"], sitting=sitting, person=person)
    # A bank of 60 + 60 for a paper of 50 + 50: papers must share most questions, but each is still drawn at random.
    assert Paper.objects.filter(registration__sitting=sitting).count() == 6
    assert PaperQuestion.objects.filter(paper__registration__sitting=sitting).count() == 600


def test_a_bank_too_small_for_the_blueprint_is_refused(exam_world):
    Question.objects.filter(qtype="single").update(retired=True)
    with pytest.raises(DomainError) as raised:
        papers.Drawer(
            papers.sections_of(exam_world["blueprint"].sections), selectors.pool_for(blueprint=exam_world["blueprint"])
        )
    assert raised.value.code == "bank_too_small"


def test_an_exam_point_not_approved_for_the_item_or_suspended_may_not_hold_the_sitting(exam_world):
    from peikao.registry.models import OperationItem
    from peikao.registry.services import organization_suspend

    with pytest.raises(DomainError) as raised:
        services.sitting_create(
            actor=exam_world["staff"],
            exam_point=exam_world["point"],
            sitting_code="X",
            part="theory",
            starts_at=dt.datetime(2026, 9, 1, 9, tzinfo=BEIJING),
            ends_at=dt.datetime(2026, 9, 1, 11, tzinfo=BEIJING),
            operation_item=OperationItem.objects.get(code="1.1"),
        )
    assert raised.value.code == "item_not_approved"
    organization_suspend(actor=exam_world["admin"], organization=exam_world["point"], reason="巡考发现问题")
    exam_world["point"].refresh_from_db()
    with pytest.raises(DomainError) as raised:
        sitting_at(exam_world, "S-9")
    assert raised.value.code == "exam_point_not_active"


def test_eligibility_is_explained_and_refusals_say_why(exam_world):
    from peikao.testing.factories import PersonFactory

    sitting = sitting_at(exam_world)
    young = PersonFactory(birth=dt.date(2010, 5, 1))
    with pytest.raises(DomainError) as raised:
        services.register(actor=exam_world["staff"], sitting=sitting, person=young)
    assert "18" in raised.value.zh and "培训" in raised.value.zh
    registration = services.register(actor=exam_world["staff"], sitting=sitting, person=exam_world["candidates"][0])
    codes = {check["code"]: check["ok"] for check in registration.eligibility}
    # Order No. 19 (from 2026-06-01) sets no education minimum for electricians (category 1).
    assert codes == {"age_min": True, "age_max": True, "training": True, "attempts": True}
    assert registration.training_class == exam_world["training"]
    training = exam_world["training"]
    training.start_date, training.end_date = dt.date(2026, 3, 2), dt.date(2026, 3, 13)
    training.save()
    earlier = sitting_at(exam_world, "S-0", day=dt.date(2026, 5, 12))
    unschooled = exam_world["candidates"][1]
    unschooled.education = "primary"
    unschooled.save()
    with pytest.raises(DomainError) as raised:  # order No. 30: junior high school at least
        services.register(actor=exam_world["staff"], sitting=earlier, person=unschooled)
    assert "文化程度小学" in raised.value.zh and "初中" in raised.value.zh


def test_retirement_age_follows_the_2024_decision():
    from peikao.exams.rules import retirement_date

    assert retirement_date(dt.date(1964, 12, 15), "M") == dt.date(2024, 12, 15)
    assert retirement_date(dt.date(1965, 1, 15), "M") == dt.date(2025, 2, 15)  # one month later
    assert retirement_date(dt.date(1980, 6, 1), "M") == dt.date(2043, 6, 1)  # capped at 63
    assert retirement_date(dt.date(1976, 3, 10), "F") == dt.date(2026, 11, 10)  # 14 months → +8 months


def _results(world, sitting, person, scores, part="theory"):
    from peikao.exams.models import Registration

    for index, score in enumerate(scores):
        day = sitting.starts_at + dt.timedelta(days=index)
        registration = (
            Registration.objects.create(sitting=sitting, person=person, admission_code=f"{index:08d}")
            if index == 0
            else None
        )
        if registration is None:
            code = f"{sitting.sitting_code}-{index}"
            other = services.sitting_create(
                actor=world["staff"],
                exam_point=world["point"],
                sitting_code=code,
                part=part,
                starts_at=day,
                ends_at=day + dt.timedelta(hours=2),
                operation_item=world["item"],
            )
            registration = Registration.objects.create(sitting=other, person=person, admission_code=f"{index:08d}")
        Result.objects.create(registration=registration, score=score, passed=score >= 80, status="valid")


@pytest.mark.parametrize(
    "exam_day,failed_before,allowed",
    [
        (dt.date(2026, 5, 20), 1, True),  # order No. 30: one make-up
        (dt.date(2026, 5, 25), 2, False),  # the make-up failed: train again
        (dt.date(2026, 9, 20), 2, True),  # order No. 19: theory attempts unlimited
        (dt.date(2026, 9, 25), 6, True),
    ],
)
def test_attempts_follow_the_regime_in_force_on_the_exam_date(exam_world, exam_day, failed_before, allowed):
    person = exam_world["candidates"][1]
    training = exam_world["training"]
    training.start_date, training.end_date = dt.date(2026, 3, 2), dt.date(2026, 3, 13)
    training.save()
    first = sitting_at(exam_world, "EARLY", day=dt.date(2026, 4, 1))
    _results(exam_world, first, person, [60] * failed_before)
    sitting = sitting_at(exam_world, "LATER", day=exam_day)
    checks, _training, attempt = selectors.eligibility(person=person, sitting=sitting)
    attempts = next(check for check in checks if check.code == "attempts")
    assert attempts.ok is allowed and attempt == failed_before + 1
    assert ("令第19号" if exam_day >= dt.date(2026, 6, 1) else "令第30号") in attempts.zh  # the rules, by title
    assert "order_" not in attempts.zh + attempts.basis  # never by their key


def test_a_practical_needs_a_passed_theory(exam_world):
    sitting = sitting_at(exam_world, "P-1", part="practical")
    with pytest.raises(DomainError) as raised:
        services.register(actor=exam_world["staff"], sitting=sitting, person=exam_world["candidates"][0])
    assert "理论" in raised.value.zh


def test_a_proctor_employed_by_the_candidates_training_institution_is_refused(exam_world):
    sitting = sitting_at(exam_world)
    services.register(actor=exam_world["staff"], sitting=sitting, person=exam_world["candidates"][0])
    with pytest.raises(DomainError) as raised:
        services.staff_assign(
            actor=exam_world["staff"], sitting=sitting, person=exam_world["teacher_proctor"], role="proctor"
        )
    assert raised.value.code == "staff_conflict" and exam_world["school"].name in raised.value.zh
    with pytest.raises(PermissionDenied):  # the exam point may not override its own conflict
        services.staff_assign(
            actor=exam_world["staff"],
            sitting=sitting,
            person=exam_world["teacher_proctor"],
            role="proctor",
            override_reason="人手不足",
        )
    staff = services.staff_assign(
        actor=exam_world["regulator"],
        sitting=sitting,
        person=exam_world["teacher_proctor"],
        role="proctor",
        override_reason="该监考员已于2026年7月离职，任职记录待更新",
    )
    assert staff.conflict == exam_world["school"].name and staff.override_by == exam_world["regulator"]


def test_who_may_not_assign_staff_learns_nothing_of_the_staff_from_the_form(client, exam_world):
    """An inspector sees the sitting but does not run it: the staff member's number and an unknown one get the same
    refusal (the right to assign is checked before any look-up), and nothing is assigned."""
    from peikao.exams.models import SittingStaff
    from peikao.testing.factories import PersonFactory

    sitting = sitting_at(exam_world)
    client.force_login(exam_world["regulator"])
    url = f"/exams/sittings/{sitting.sitting_code}/staff/"
    answers = []
    for number in (exam_world["proctor"].id_number, PersonFactory.build().id_number):
        response = client.post(url, {"id_number": number, "role": "proctor"}, follow=True)
        answers.append([str(m) for m in response.context["messages"]])
    assert answers[0] == answers[1] and len(answers[0]) == 1
    assert answers[0] != [str(selectors.NOT_EXAM_STAFF)]
    assert not SittingStaff.objects.filter(sitting=sitting).exists()


def test_the_staff_form_is_no_lookup_of_the_register(client, exam_world):
    """An exam point names its proctor by ID number; a registered stranger and an unregistered number get the same
    refusal, and nothing is assigned."""
    from peikao.exams.models import SittingStaff
    from peikao.testing.factories import PersonFactory

    sitting = sitting_at(exam_world)
    client.force_login(exam_world["staff"])
    url = f"/exams/sittings/{sitting.sitting_code}/staff/"
    answers = []
    for number in (exam_world["candidates"][0].id_number, PersonFactory.build().id_number):
        response = client.post(url, {"id_number": number, "role": "proctor"}, follow=True)  # the page shows it
        assert response.redirect_chain[-1][1] == 302
        answers.append([str(m) for m in response.context["messages"]])
    assert answers[0] == answers[1] == [str(selectors.NOT_EXAM_STAFF)]
    assert not SittingStaff.objects.filter(sitting=sitting).exists()
    client.post(url, {"id_number": exam_world["proctor"].id_number, "role": "proctor"})
    assert list(SittingStaff.objects.filter(sitting=sitting).values_list("person", flat=True)) == [
        exam_world["proctor"].pk
    ]


def test_a_conflict_created_by_a_later_registration_blocks_opening(exam_world):
    sitting = sitting_at(exam_world)
    services.staff_assign(
        actor=exam_world["staff"], sitting=sitting, person=exam_world["teacher_proctor"], role="proctor"
    )
    services.register(actor=exam_world["staff"], sitting=sitting, person=exam_world["candidates"][0])
    with pytest.raises(DomainError) as raised:
        services.sitting_open(actor=exam_world["staff"], sitting=sitting)
    assert raised.value.code == "staff_conflict"


def _open_sitting(world, code="S-1"):
    sitting = sitting_at(world, code)
    services.staff_assign(actor=world["staff"], sitting=sitting, person=world["proctor"], role="proctor")
    registrations = [
        services.register(actor=world["staff"], sitting=sitting, person=p) for p in world["candidates"][:3]
    ]
    services.sitting_open(actor=world["staff"], sitting=sitting)
    return sitting, registrations


def _correct_letter(registration, position):
    return correct_letters(registration, position)


def test_theory_exam_autosaves_scores_once_and_times_out(exam_world):
    sitting, registrations = _open_sitting(exam_world)
    first, second, _third = registrations
    start = sitting.starts_at + dt.timedelta(minutes=5)
    with time_machine.travel(start):
        logged = services.candidate_login(id_number=first.person.id_number.lower(), admission_code=first.admission_code)
        assert logged == first
        with pytest.raises(DomainError):
            services.candidate_login(id_number=first.person.id_number, admission_code="00000000")
        sheet = services.sheet_start(first)
        assert sheet.deadline == sitting.ends_at  # 120 minutes would go past the sitting's end
        for position in range(85):
            services.save_answer(registration=first, position=position, answer=_correct_letter(first, position))
        services.save_answer(registration=first, position=85, answer="Z")  # nonsense is saved, scores nothing
        assert services.sheet_start(first).answers["0"]  # a reload finds the answers
        result = services.submit(registration=first)
        assert result.score == 85 and result.passed and result.status == ResultStatus.VALID
        again = services.submit(registration=first)
        assert again.pk == result.pk and Result.objects.filter(registration=first).count() == 1
        with pytest.raises(Conflict):
            services.save_answer(registration=first, position=90, answer="A")
        services.sheet_start(second)
        services.save_answer(registration=second, position=0, answer=_correct_letter(second, 0))
    with time_machine.travel(sitting.ends_at + dt.timedelta(minutes=1)), pytest.raises(Conflict) as raised:
        services.save_answer(registration=second, position=1, answer="A")
    assert raised.value.code == "time_is_up"
    result = Result.objects.get(registration=second)
    assert result.score == 1 and not result.passed
    assert result.registration.sheet.timed_out


def test_a_theory_sitting_without_a_blueprint_refuses_the_paper_instead_of_failing(exam_world, client):
    from peikao.exams.models import AnswerSheet, Blueprint

    Blueprint.objects.update(active=False)  # no blueprint of the subject when the sitting is planned
    sitting, registrations = _open_sitting(exam_world)
    assert sitting.blueprint is None and not Paper.objects.exists()  # registered without a paper
    first = registrations[0]
    with time_machine.travel(sitting.starts_at + dt.timedelta(minutes=5)):
        with pytest.raises(Conflict) as refused:
            services.sheet_start(first)
        assert refused.value.code == "no_blueprint" and "S-1 has no blueprint" in refused.value.en
        assert "没有组卷规则" in refused.value.zh
        answer = client.post(
            "/api/exam/session",
            json.dumps({"id_number": first.person.id_number, "admission_code": first.admission_code}),
            content_type="application/json",
        )
    assert answer.status_code == 409 and answer.json()["code"] == "no_blueprint"  # not a 500
    assert not Paper.objects.exists() and not AnswerSheet.objects.exists()
    # A result imported for such a sitting shows its score, without a pass mark it does not know.
    Result.objects.create(registration=first, score=85, passed=True, source="import")
    session = client.session
    session["exam_registration"] = first.pk
    session.save()
    page = client.get("/exam/result/")
    assert page.status_code == 200 and 'id="score">85' in page.content.decode()
    assert "合格分" not in page.content.decode()


def test_closing_a_sitting_records_the_absent(exam_world):
    sitting, registrations = _open_sitting(exam_world)
    services.sitting_close(actor=exam_world["staff"], sitting=sitting)
    assert set(Result.objects.filter(registration__sitting=sitting).values_list("status", flat=True)) == {"absent"}


def test_practical_scoring_records_the_equipment_and_refuses_oral_exams(exam_world):
    theory, registrations = _open_sitting(exam_world)
    for registration in registrations:
        Result.objects.create(registration=registration, score=90, passed=True, status="valid")
    practical = sitting_at(exam_world, "P-1", part="practical", day=dt.date(2026, 9, 16))
    services.staff_assign(actor=exam_world["staff"], sitting=practical, person=exam_world["examiner"], role="examiner")
    registration = services.register(actor=exam_world["staff"], sitting=practical, person=exam_world["candidates"][0])
    services.sitting_open(actor=exam_world["staff"], sitting=practical)
    scores = {"K1": 18, "K2": 16, "K3": 36, "K4": 15}
    with pytest.raises(DomainError) as raised:
        services.practical_score(
            actor=exam_world["staff"],
            registration=registration,
            examiner=exam_world["examiner"],
            task_scores=scores,
            device_type="real",
            performed="oral",
        )
    assert raised.value.code == "oral_instead_of_practical" and "EX-ORAL-PRACTICAL" in raised.value.en
    with pytest.raises(DomainError):
        services.practical_score(
            actor=exam_world["staff"],
            registration=registration,
            examiner=exam_world["proctor"],
            task_scores=scores,
            device_type="real",
            performed="hands_on",
        )
    result = services.practical_score(
        actor=exam_world["staff"],
        registration=registration,
        examiner=exam_world["examiner"],
        task_scores=scores,
        device_type="simulated",
        performed="hands_on",
    )
    assert result.score == 85 and result.passed and result.device_type == "simulated"
    assert result.practical.examiner == exam_world["examiner"]


def test_a_patrol_cancels_a_score_through_a_logged_transition(exam_world):
    sitting, registrations = _open_sitting(exam_world)
    target = registrations[0]
    Result.objects.create(registration=target, score=92, passed=True, status="valid")
    with pytest.raises(PermissionDenied):
        services.finding_record(
            actor=exam_world["staff"], sitting=sitting, observation="x", sanction="none", observed_at=sitting.starts_at
        )
    patrol = services.patrol_record(
        actor=exam_world["regulator"],
        sitting=sitting,
        mode="recorded",
        started_at=sitting.starts_at,
        ended_at=sitting.ends_at,
        notes="回看录像",
    )
    services.finding_record(
        actor=exam_world["regulator"],
        sitting=sitting,
        patrol=patrol,
        registration=target,
        observation="考生使用手机查看答案",
        sanction=Sanction.SCORE_CANCELLED,
        observed_at=sitting.starts_at,
    )
    result = Result.objects.get(registration=target)
    assert result.status == ResultStatus.CANCELLED and not result.passed
    event = ResultEvent.objects.get(result=result)
    assert (event.old_status, event.new_status) == ("valid", "cancelled") and "手机" in event.reason


def test_video_analytics_events_are_idempotent_findings_to_review(client, exam_world):
    from peikao.core.models import Region

    sitting, registrations = _open_sitting(exam_world)
    feed, key = services.feed_register(
        actor=exam_world["admin"], name="考场视频智能分析", region=Region.objects.get(code="350000")
    )
    payload = {
        "external_id": "evt-1",
        "sitting_code": sitting.sitting_code,
        "observed_at": "2026-09-15T09:40:00+08:00",
        "observation": "疑似交头接耳",
        "admission_code": registrations[1].admission_code,
        "confidence": "0.91",
    }

    def post(body, token=key):
        return client.post(
            "/api/patrol/events",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    first = post(payload)
    assert first.status_code == 201 and first.json()["status"] == "to_review"
    assert post(payload).status_code == 200 and post(payload).json()["finding_id"] == first.json()["finding_id"]
    assert post(payload, token="va_nope").status_code == 401
    assert post({**payload, "external_id": "evt-2", "sitting_code": "NOPE"}).status_code == 404
    finding = selectors.finding_queue(user=exam_world["regulator"]).get()
    Result.objects.create(registration=registrations[1], score=88, passed=True, status="valid")
    services.finding_review(
        actor=exam_world["regulator"], finding=finding, confirm=True, sanction=Sanction.SCORE_CANCELLED
    )
    assert Result.objects.get(registration=registrations[1]).status == ResultStatus.CANCELLED
    with pytest.raises(Conflict):
        services.finding_review(actor=exam_world["regulator"], finding=finding, confirm=False)


def test_editing_a_drawn_question_creates_a_new_version(exam_world):
    sitting, registrations = _open_sitting(exam_world)
    used = Question.objects.get(pk=registrations[0].paper.items[0]["q"])
    unused = Question.objects.create(
        question_code="NEW-1",
        operation_item=exam_world["item"],
        qtype="judge",
        stem="新题",
        options=[],
        answer="T",
        fingerprint=rules.fingerprint("新题", []),
    )
    edited = services.question_edit(
        actor=exam_world["admin"], question=unused, stem="改过的题干", options=unused.options, answer=unused.answer
    )
    assert edited.pk == unused.pk and edited.version == 1
    successor = services.question_edit(
        actor=exam_world["admin"], question=used, stem="改过的题干2", options=used.options, answer=used.answer
    )
    used.refresh_from_db()
    assert used.retired and successor.supersedes == used and successor.version == 2
    assert successor.question_code == f"{used.question_code}~v2"


def test_the_exam_api_autosaves_through_the_lean_path_with_the_same_rules(exam_world, client):
    import json

    from django.core import signing

    from peikao.exams.api import EXAM_TOKEN_SALT
    from peikao.exams.models import AnswerSheet

    sitting, registrations = _open_sitting(exam_world)
    first, second, third = registrations
    auth = {"HTTP_AUTHORIZATION": f"Bearer {signing.dumps(first.pk, salt=EXAM_TOKEN_SALT)}"}

    def put(position, answer, headers=auth):
        return client.put(f"/api/exam/answers/{position}", json.dumps({"answer": answer}),
                          content_type="application/json", **headers)  # fmt: skip

    with time_machine.travel(sitting.starts_at + dt.timedelta(minutes=5)):
        not_started = put(0, "A")
        assert not_started.status_code == 409 and not_started.json()["code"] == "not_started"
        services.sheet_start(first)
        for position in range(85):
            assert put(position, _correct_letter(first, position).lower()).status_code == 200
        assert put(3, "ba").status_code == 200  # letters kept sorted, upper-case, once
        assert put(100, "A").status_code == 400  # no question 101 on a paper of 100
        assert put(0, "A", {"HTTP_AUTHORIZATION": "Bearer forged"}).status_code == 401
        # Signed over something that is no registration key (a leaked secret, an old format): no token, not a 500.
        for payload in (2**70, "1", [first.pk], -1):
            odd = {"HTTP_AUTHORIZATION": f"Bearer {signing.dumps(payload, salt=EXAM_TOKEN_SALT)}"}
            assert put(0, "A", odd).status_code == 401
        saved = AnswerSheet.objects.get(registration=first)
        assert saved.answers["3"] == "AB" and len(saved.answers) == 85 and saved.saved_at is not None
        assert saved.answers["0"] == _correct_letter(first, 0).upper()
        put(3, _correct_letter(first, 3))
        assert services.submit(registration=first).score == 85
        refused = put(90, "A")
        assert refused.status_code == 409 and refused.json()["code"] == "already_submitted"
        services.sheet_start(second)
    late = {"HTTP_AUTHORIZATION": f"Bearer {signing.dumps(second.pk, salt=EXAM_TOKEN_SALT)}"}
    with time_machine.travel(sitting.ends_at + dt.timedelta(minutes=1)):
        after = put(1, "A", late)
    assert after.status_code == 409 and after.json()["code"] == "time_is_up"
    assert Result.objects.get(registration=second).registration.sheet.timed_out


def test_a_practical_sheet_is_added_by_the_bank_authority_with_points_adding_up_to_100(exam_world):
    from peikao.core.models import ChangeLog
    from peikao.exams.models import PracticalSheet

    tasks = [{"code": "K1", "name": "安全用具使用", "points": 40}, {"code": "K2", "name": "电气安全作业", "points": 50}]
    sheet = PracticalSheet(operation_item=exam_world["item"], name="低压电工作业实操（新）", tasks=tasks)
    with pytest.raises(PermissionDenied):
        services.practical_sheet_create(actor=exam_world["staff"], sheet=sheet)  # an exam point keeps no sheets
    with pytest.raises(DomainError) as refused:
        services.practical_sheet_create(actor=exam_world["admin"], sheet=sheet)
    assert refused.value.code == "practical_sheet_points" and "90" in refused.value.en
    assert not PracticalSheet.objects.filter(name="低压电工作业实操（新）").exists()
    sheet.tasks = [*tasks, {"code": "K3", "name": "作业现场应急处置", "points": 10}]
    created = services.practical_sheet_create(actor=exam_world["admin"], sheet=sheet)
    assert ChangeLog.objects.filter(content_type__model="practicalsheet", object_id=str(created.pk)).exists()


def test_the_sitting_list_filtered_by_exam_point_lists_that_point_only(client, exam_world):
    """The dashboard's link to an exam point's sittings: by its code, so a point whose name holds another's name does
    not bring the other's sittings along (a name search would)."""
    from peikao.core.choices import Role
    from peikao.registry.choices import OrganizationKind
    from peikao.testing.factories import OrganizationFactory, UserFactory

    point = exam_world["point"]
    branch = OrganizationFactory(
        kind=OrganizationKind.EXAM_POINT, region=point.region, parent=exam_world["centre"], items=["1.2"],
        name=f"{point.name}分部",
    )  # fmt: skip
    start = dt.datetime(2026, 9, 16, 9, tzinfo=BEIJING)
    services.sitting_create(
        actor=UserFactory(role=Role.ORG_CLERK, organization=branch), exam_point=branch, sitting_code="B-1",
        part="theory", starts_at=start, ends_at=start + dt.timedelta(hours=2), operation_item=exam_world["item"],
    )  # fmt: skip
    sitting_at(exam_world)
    client.force_login(exam_world["admin"])

    page = client.get("/exams/sittings/", {"exam_point": point.org_code}).content.decode()
    assert "S-1" in page and "B-1" not in page
    assert (
        f"{point.name}的考试场次" in page or point.name in page.split('class="filter-note"', 1)[1].split("</p>", 1)[0]
    )
    assert "B-1" in client.get("/exams/sittings/", {"q": point.name}).content.decode()  # what the name would match
