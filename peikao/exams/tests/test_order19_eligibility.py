"""Order No. 19 (特种作业人员安全技术培训考核管理规定, 应急管理部令第19号, in force from 2026-06-01), hand-built on
both sides of each rule (issue 19, items 4 and 5):

- practical attempts: five, counted since the latest passed theory exam — after five failures the candidate
  registers for the theory exam again, without training again; older sittings never bar anyone for life;
- training exemptions: a holder of a matching 职业技能等级证书 sits the exams without training; a candidate who
  trained and failed sits again without new training. Eligibility says which exemption applied, in Chinese,
  with its legal basis — never a rule key. Order No. 30 (until 2026-05-31) has neither.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from peikao.core.errors import DomainError
from peikao.exams import selectors, services
from peikao.exams.models import Registration, Result
from peikao.testing.exams import sitting_at
from peikao.testing.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

ORDER_19 = "《特种作业人员安全技术培训考核管理规定》（应急管理部令第19号）"
_codes = itertools.count(1)


def sat(world, person, part: str, day: dt.date, *, passed: bool, trained: bool = True) -> Result:
    """An exam of the world's item the person sat on ``day`` (on the world's training, unless ``trained`` is
    False), and its result."""
    sitting = sitting_at(world, f"H-{next(_codes)}", part=part, day=day)
    registration = Registration.objects.create(
        sitting=sitting,
        person=person,
        admission_code=f"{next(_codes):08d}",
        training_class=world["training"] if trained else None,
    )
    return Result.objects.create(registration=registration, score=90 if passed else 60, passed=passed, status="valid")


def checks_for(world, person, part: str, day: dt.date):
    sitting = sitting_at(world, f"N-{next(_codes)}", part=part, day=day)
    checks, training_class, attempt = selectors.eligibility(person=person, sitting=sitting)
    return {check.code: check for check in checks}, training_class, attempt


def trained_in(world, start: dt.date, end: dt.date) -> None:
    training = world["training"]
    training.start_date, training.end_date = start, end
    training.save()


def no_rule_keys(check) -> None:
    for text in (check.zh, check.basis):
        assert "order_" not in text and "skill_certificate" not in text and "retake" not in text, text


# -- item 4: practical attempts since the latest passed theory exam ---------------------------------------------


def test_order_19_practical_attempts_count_since_the_latest_passed_theory_not_for_life(exam_world):
    """Order No. 19: five practical attempts, counted since the latest passed theory exam. Three practical
    failures of 2025 (order No. 30, before a retraining) do not count against the round that began with the
    theory passed in 2026: with four used the fifth is allowed, with five the candidate is sent back to theory."""
    person = exam_world["candidates"][0]
    trained_in(exam_world, dt.date(2026, 6, 1), dt.date(2026, 6, 12))
    for day in (dt.date(2025, 3, 3), dt.date(2025, 3, 10), dt.date(2025, 3, 17)):  # an old round, long ago
        sat(exam_world, person, "practical", day, passed=False)
    sat(exam_world, person, "theory", dt.date(2026, 6, 20), passed=True)
    for day in (dt.date(2026, 6, 25), dt.date(2026, 6, 26), dt.date(2026, 6, 27), dt.date(2026, 6, 28)):
        sat(exam_world, person, "practical", day, passed=False)
    checks, _training, attempt = checks_for(exam_world, person, "practical", dt.date(2026, 7, 1))
    assert checks["attempts"].ok and attempt == 5  # the fifth attempt since the theory passed: allowed
    assert "2026-06-20" in checks["attempts"].zh and "4" in checks["attempts"].zh
    sat(exam_world, person, "practical", dt.date(2026, 7, 1), passed=False)
    checks, _training, attempt = checks_for(exam_world, person, "practical", dt.date(2026, 7, 6))
    assert not checks["attempts"].ok and attempt == 6  # five failed: back to the theory exam
    assert "理论考试" in checks["attempts"].zh and checks["attempts"].basis == ORDER_19
    no_rule_keys(checks["attempts"])


def test_after_five_failed_practicals_the_theory_is_taken_again_without_training_and_attempts_count_anew(exam_world):
    """Order No. 19: five practical failures → registration for the theory exam again, no retraining (even when
    the training is older than its twelve months); once the theory is passed again, five new practical attempts."""
    person = exam_world["candidates"][1]
    trained_in(exam_world, dt.date(2026, 6, 1), dt.date(2026, 6, 12))
    sat(exam_world, person, "theory", dt.date(2026, 6, 20), passed=True)
    for day in range(22, 27):
        sat(exam_world, person, "practical", dt.date(2026, 6, day), passed=False)
    # A year on, the training is no longer recent: the theory again, without training again.
    checks, training_class, _attempt = checks_for(exam_world, person, "theory", dt.date(2027, 7, 1))
    training = checks["training"]
    assert training.ok and training_class is None and training.exemption == "retake"
    assert "5" in training.zh and "2026-06-20" in training.zh and "无需" in training.zh
    assert training.basis == ORDER_19
    no_rule_keys(training)
    sat(exam_world, person, "theory", dt.date(2027, 7, 1), passed=True, trained=False)
    checks, _training, attempt = checks_for(exam_world, person, "practical", dt.date(2027, 7, 10))
    assert checks["attempts"].ok and attempt == 1 and checks["training"].ok  # five attempts anew


def test_order_30_still_sends_a_candidate_back_to_training_after_the_make_up(exam_world):
    """Order No. 30 (until 2026-05-31): one make-up; after it fails, training again — no exemption."""
    person = exam_world["candidates"][2]
    trained_in(exam_world, dt.date(2025, 3, 2), dt.date(2025, 3, 13))
    sat(exam_world, person, "theory", dt.date(2025, 3, 20), passed=True)
    sat(exam_world, person, "practical", dt.date(2025, 3, 25), passed=False)
    checks, _training, attempt = checks_for(exam_world, person, "practical", dt.date(2025, 3, 30))
    assert checks["attempts"].ok and attempt == 2  # the make-up
    sat(exam_world, person, "practical", dt.date(2025, 3, 30), passed=False)
    checks, _training, _attempt = checks_for(exam_world, person, "practical", dt.date(2025, 4, 10))
    assert not checks["attempts"].ok
    checks, _training, _attempt = checks_for(exam_world, person, "theory", dt.date(2026, 5, 20))
    assert not checks["training"].ok and not checks["training"].exemption  # training is a year old: train again


# -- item 5: the training exemption of a vocational skill level certificate --------------------------------------


def skilled(world, occupation="电工", issued=dt.date(2025, 1, 10), number="S-2025-0001", revoked=None):
    """A candidate with no training at all, holding a skill certificate."""
    from peikao.exams.models import SkillCertificate

    person = PersonFactory(birth=dt.date(1991, 4, 1))
    person.education = "junior_high"
    person.save()
    services.skill_certificate_record(actor=world["staff"], person=person, number=number, occupation=occupation,
                                      level="4", issuer="福建省职业技能鉴定指导中心", issued_on=issued)  # fmt: skip
    if revoked:
        SkillCertificate.objects.filter(number=number).update(revoked_on=revoked)
    return person


def test_a_matching_skill_certificate_replaces_the_training_under_order_19(exam_world):
    """Order No. 19: 持有合法有效的职业技能等级证书的从业人员，报考相应的特种作业操作证时不再进行安全技术培训 — an
    electrician's certificate (电工, level 4) admits to the low-voltage electrician exams (item 1.2) without
    training; eligibility says so, with the certificate and the basis."""
    person = skilled(exam_world)
    checks, training_class, _attempt = checks_for(exam_world, person, "theory", dt.date(2026, 9, 15))
    training = checks["training"]
    assert training.ok and training_class is None and training.exemption == "skill_certificate"
    assert "S-2025-0001" in training.zh and "电工" in training.zh and "职业技能等级证书" in training.zh
    assert training.basis == ORDER_19
    no_rule_keys(training)
    sitting = sitting_at(exam_world, "SKILL-1", day=dt.date(2026, 9, 15))
    registration = services.register(actor=exam_world["staff"], sitting=sitting, person=person)
    assert registration.training_class is None
    assert [c["exemption"] for c in registration.eligibility if c["code"] == "training"] == ["skill_certificate"]


@pytest.mark.parametrize(
    "why,kwargs,day",
    [
        ("order No. 30 has no such exemption", {}, dt.date(2026, 5, 20)),
        ("a welder's certificate does not match an electrician's item", {"occupation": "焊工"}, dt.date(2026, 9, 15)),
        ("issued after the exam", {"issued": dt.date(2026, 9, 20)}, dt.date(2026, 9, 15)),
        ("revoked before the exam", {"revoked": dt.date(2026, 8, 1)}, dt.date(2026, 9, 15)),
    ],
)
def test_no_exemption_without_a_valid_matching_certificate_under_order_19(exam_world, why, kwargs, day):
    """The other side of the exemption: the rule in force on the exam date, a certificate valid on that day,
    of an occupation that matches the item."""
    person = skilled(exam_world, **kwargs)
    checks, _training, _attempt = checks_for(exam_world, person, "theory", day)
    assert not checks["training"].ok and not checks["training"].exemption, why
    with pytest.raises(DomainError) as refused:
        services.register(actor=exam_world["staff"], sitting=sitting_at(exam_world, "NO-1", day=day), person=person)
    assert "培训" in refused.value.zh


def test_the_sitting_page_registers_with_a_skill_certificate_and_explains_the_exemption(exam_world, client):
    person = PersonFactory(birth=dt.date(1992, 2, 2))
    person.education = "junior_high"
    person.save()
    sitting = sitting_at(exam_world, "SKILL-WEB", day=dt.date(2026, 9, 15))
    client.force_login(exam_world["staff"])
    posted = client.post(f"/exams/sittings/{sitting.sitting_code}/candidates/", {
        "id_number": person.id_number, "name": person.name, "skill_number": "S-WEB-7", "skill_occupation": "电工", "skill_level": "3",
        "skill_issuer": "福州市职业技能鉴定中心", "skill_issued_on": "2024-06-30",
    }, follow=True)  # fmt: skip
    page = posted.content.decode()
    assert sitting.registrations.filter(person=person).exists(), page[-3000:]
    table = page.split('id="candidate-table"', 1)[1]
    assert "S-WEB-7" in table and ORDER_19 in table and "职业技能等级证书" in table
    assert "skill_certificate" not in table and "order_19" not in table  # never the rule's key
    # A refused registration keeps no certificate either.
    stranger = PersonFactory(birth=dt.date(2010, 1, 1))  # too young
    client.post(f"/exams/sittings/{sitting.sitting_code}/candidates/", {
        "id_number": stranger.id_number, "name": stranger.name, "skill_number": "S-WEB-8", "skill_occupation": "电工", "skill_level": "3",
        "skill_issuer": "福州市职业技能鉴定中心", "skill_issued_on": "2024-06-30",
    })  # fmt: skip
    from peikao.exams.models import SkillCertificate

    assert not SkillCertificate.objects.filter(number="S-WEB-8").exists()


def test_a_skill_certificate_is_recorded_once_for_one_holder(exam_world):
    from peikao.core.errors import Conflict, PermissionDenied

    first = skilled(exam_world, number="S-ONE")
    other = PersonFactory()
    with pytest.raises(Conflict):
        services.skill_certificate_record(actor=exam_world["staff"], person=other, number="S-ONE", occupation="电工",
                                          level="4", issuer="x", issued_on=dt.date(2025, 1, 1))  # fmt: skip
    trainer = UserFactory(username="school-clerk", role="org_clerk", organization=exam_world["school"])
    with pytest.raises(PermissionDenied):
        services.skill_certificate_record(actor=trainer, person=first, number="S-TWO", occupation="电工",
                                          level="4", issuer="x", issued_on=dt.date(2025, 1, 1))  # fmt: skip


def test_an_exempt_candidate_is_issued_the_certificate_without_a_training_class(exam_world):
    """The exemption holds at issuance too: the theory registration says why no training was needed."""
    from peikao.certificates.selectors import special_operation_plan

    person = skilled(exam_world, number="S-ISSUE")
    theory = sitting_at(exam_world, "SK-T", day=dt.date(2026, 9, 15))
    registration = services.register(actor=exam_world["staff"], sitting=theory, person=person)
    Result.objects.create(registration=registration, score=92, passed=True, status="valid")
    practical = sitting_at(exam_world, "SK-P", part="practical", day=dt.date(2026, 9, 20))
    registration = services.register(actor=exam_world["staff"], sitting=practical, person=person)
    Result.objects.create(registration=registration, score=88, passed=True, status="valid")
    plan = special_operation_plan(person=person, operation_item=exam_world["item"], on=dt.date(2026, 9, 25))
    training = next(check for check in plan.checks if check.code == "training")
    assert training.ok and "S-ISSUE" in training.text.zh
