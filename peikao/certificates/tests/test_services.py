"""Issuance only from results, reviews and renewals by the rules in force, and logged status transitions."""

from __future__ import annotations

import datetime as dt

import pytest

from peikao.certificates import publishing, rules, services, status_list
from peikao.certificates.choices import CertificateStatus, Standing
from peikao.certificates.models import Certificate, CertificateEvent, CertificateRule, Lead
from peikao.core.choices import Role
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.models import ChangeLog, Region
from peikao.exams import services as exam_services
from peikao.testing.certificates import legacy, make_passed_world, passed
from peikao.testing.exams import sitting_at
from peikao.testing.factories import PersonFactory, UserFactory
from peikao.training.models import CreditedHours

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def world(db):
    return make_passed_world()


ISSUED_ON = D(2026, 10, 8)


def issue(world, index=0, on=ISSUED_ON):
    person = world["candidates"][index]
    return services.issue_special_operation(actor=world["admin"], person=person, operation_item=world["item"], on=on)


def test_a_special_operations_certificate_comes_from_both_results_and_the_training(world):
    certificate = issue(world)
    person = world["candidates"][0]
    assert certificate.cert_no == "T" + person.id_number
    assert certificate.theory_result == world["theory_results"][0]
    assert certificate.practical_result == world["practical_results"][0]
    assert certificate.enrolment.training_class == world["training"]
    assert certificate.issuer_region.code == "350000"  # the issuing regulator's own authority
    assert (certificate.valid_from, certificate.valid_until, certificate.next_review_due) == (
        D(2026, 10, 8),
        D(2032, 10, 7),
        None,  # issued under order No. 19: no review
    )
    event = certificate.events.get()
    assert event.transition == "issue" and event.details["rule"] == "special_operation_order_19"
    assert {check["code"] for check in event.details["checks"]} == {"practical", "theory", "training"}
    logged = ChangeLog.objects.get(object_id=str(certificate.pk), content_type__model="certificate")
    masked = f"T{person.masked_id_number}"  # never the ID number in full, not even inside the T-number
    assert logged.after["cert_no"] == masked and logged.object_repr.startswith(masked)
    assert person.id_number not in str(logged.after) + logged.object_repr


def test_no_practical_no_certificate(world):
    with pytest.raises(DomainError) as refused:
        issue(world, index=3)  # failed the theory, never sat the practical
    assert refused.value.code == "not_issuable" and "practical" in refused.value.en
    assert not Certificate.objects.exists()


def test_a_failed_practical_is_no_basis(world):
    world["practical_results"][0].passed = False
    world["practical_results"][0].score = 70
    world["practical_results"][0].save()
    with pytest.raises(DomainError, match="No passed practical"):
        issue(world)


def test_a_cancelled_theory_is_no_basis(world):
    exam_services.result_cancel(actor=world["admin"], result=world["theory_results"][0], reason="作弊")
    with pytest.raises(DomainError, match="No passed theory exam"):
        issue(world)


def test_training_must_be_completed(world):
    CreditedHours.objects.filter(enrolment__person=world["candidates"][0]).update(completed=False)
    with pytest.raises(DomainError, match="No completed training"):
        issue(world)


def test_one_live_certificate_per_holder_and_item_and_each_result_once(world):
    issue(world)
    with pytest.raises(DomainError) as refused:
        issue(world)
    assert "live certificate" in refused.value.en or "practical" in refused.value.en
    assert Certificate.objects.count() == 1


def test_only_a_regulator_with_the_issuing_power_issues(world):
    person = world["candidates"][0]
    for user in (world["staff"], world["regulator"]):  # exam point clerk, county inspector
        with pytest.raises(PermissionDenied):
            services.issue_special_operation(actor=user, person=person, operation_item=world["item"])
    xiamen = UserFactory(role=Role.REGULATOR_ADMIN, region=Region.objects.get(code="350200"))
    with pytest.raises(PermissionDenied, match="outside your jurisdiction"):
        services.issue_special_operation(actor=xiamen, person=person, operation_item=world["item"])
    assert not Certificate.objects.exists()


def test_a_second_item_is_a_second_record_under_the_same_number(world):
    first = issue(world)
    person = world["candidates"][0]
    second = legacy(person, item="2.1", issued=D(2024, 3, 1))
    assert first.cert_no == second.cert_no and first.operation_item_id != second.operation_item_id


def test_competency_certificate_from_a_passed_assessment(world):
    person = PersonFactory()
    start = dt.datetime(2026, 9, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    sitting = exam_services.sitting_create(
        actor=world["staff"],
        exam_point=world["point"],
        sitting_code="CP-1",
        part="theory",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        operation_item=None,
        trainee_category="safety_manager",
    )
    from peikao.exams.models import Registration

    registration = Registration.objects.create(sitting=sitting, person=person, admission_code="11112222")
    result = passed(registration, "86")
    certificate = services.issue_competency(actor=world["admin"], result=result, on=D(2026, 9, 25))
    assert certificate.cert_no == "350000" + "2026" + "2" + "000001"
    assert certificate.valid_until == D(2029, 9, 24) and certificate.next_review_due is None
    with pytest.raises(DomainError, match="already issued"):
        services.issue_competency(actor=world["admin"], result=result)
    failed = passed(Registration.objects.create(sitting=sitting, person=PersonFactory(), admission_code="1"), "70")
    with pytest.raises(DomainError, match="not a passed competency assessment"):
        services.issue_competency(actor=world["admin"], result=failed)


def test_revocation_for_fraud_bars_a_new_certificate_for_three_years(world):
    certificate = issue(world)
    services.revoke(
        actor=world["admin"], certificate=certificate, ground="fraud_or_bribery", reason="替考", on=D(2026, 11, 1)
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED and certificate.ban_until == D(2029, 11, 1)
    event = certificate.events.get(transition="revoke")
    assert (event.old_status, event.new_status, event.details["ban_until"]) == ("valid", "revoked", "2029-11-01")
    # New results a year later do not help: the holder is barred.
    theory = sitting_at(world, "TH-2", "theory", D(2027, 3, 1))
    practical = sitting_at(world, "PR-2", "practical", D(2027, 3, 2))
    from peikao.exams.models import Registration

    person = world["candidates"][0]
    passed(Registration.objects.create(sitting=theory, person=person, admission_code="1"))
    passed(Registration.objects.create(sitting=practical, person=person, admission_code="2"))
    with pytest.raises(DomainError, match="Barred from applying until 2029-11-01"):
        services.issue_special_operation(
            actor=world["admin"], person=person, operation_item=world["item"], on=D(2027, 3, 5)
        )


def test_no_ban_for_other_grounds(world):
    certificate = issue(world)
    services.revoke(actor=world["admin"], certificate=certificate, ground="no_longer_fit")
    certificate.refresh_from_db()
    assert certificate.ban_until is None


def test_suspension_reinstatement_revocation_cancellation_reach_the_status_list(world):
    certificate = issue(world)
    version = publishing.current_version()

    def bits():
        publishing.forget_published_list()
        credential = publishing.published_status_list().credential
        index = certificate.status_index
        return (
            status_list.is_set(status_list.encoded_list(credential, "revocation"), index),
            status_list.is_set(status_list.encoded_list(credential, "suspension"), index),
        )

    assert bits() == (False, False)
    services.suspend(actor=world["admin"], certificate=certificate, ground="investigation")
    assert bits() == (False, True) and publishing.current_version() == version + 1
    with pytest.raises(DomainError, match="reason"):
        services.reinstate(actor=world["admin"], certificate=certificate, reason="")
    services.reinstate(actor=world["admin"], certificate=certificate, reason="调查结束，无责任")
    assert bits() == (False, False)
    services.revoke(actor=world["admin"], certificate=certificate, ground="responsible_for_accident")
    assert bits() == (True, False)
    services.cancel(actor=world["admin"], certificate=certificate, ground="revoked")
    assert bits() == (True, False)
    assert list(certificate.events.values_list("transition", flat=True)) == [
        "issue",
        "suspend",
        "reinstate",
        "revoke",
        "cancel",
    ]
    with pytest.raises(Conflict):
        services.suspend(actor=world["admin"], certificate=certificate, ground="investigation")


@pytest.mark.parametrize(
    "change",
    [
        lambda actor, c: services.revoke(actor=actor, certificate=c, ground="no_longer_fit"),
        lambda actor, c: services.suspend(actor=actor, certificate=c, ground="investigation"),
    ],
    ids=["revoke", "suspend"],
)
def test_only_the_issuing_authority_revokes_or_suspends(world, change):
    certificate = legacy(world["candidates"][0], issuer="350200")  # issued in Xiamen
    fuzhou = UserFactory(role=Role.REGULATOR_ADMIN, region=Region.objects.get(code="350100"))
    with pytest.raises(PermissionDenied, match="issuing authority"):
        change(fuzhou, certificate)
    certificate.refresh_from_db()
    assert certificate.status == "valid" and not CertificateEvent.objects.exists()


class TestReviews:
    """Order No. 30: a review every three years, recorded in the 60 days before it falls due."""

    def test_a_passed_review_moves_the_due_date(self, world):
        certificate = legacy(world["candidates"][0], issued=D(2020, 9, 1))  # due 2023-09-01, valid to 2026-08-31
        services.review_record(
            actor=world["admin"], certificate=certificate, reviewed_on=D(2023, 8, 15), passed=True, reason="复审合格"
        )
        certificate.refresh_from_db()
        # The next review would be 2026-09-01, after expiry: renewal takes its place.
        assert (certificate.last_reviewed_on, certificate.next_review_due) == (D(2023, 8, 15), None)
        event = certificate.events.get()
        assert event.transition == "review" and event.details["due"] == "2023-09-01"

    def test_first_review_of_a_long_certificate(self, world):
        certificate = legacy(world["candidates"][0], issued=D(2019, 5, 1), valid_until=D(2028, 4, 30))
        services.review_record(actor=world["admin"], certificate=certificate, reviewed_on=D(2022, 4, 20), passed=True)
        certificate.refresh_from_db()
        assert certificate.next_review_due == D(2025, 5, 1)

    def test_an_extended_interval_needs_a_reason(self, world):
        certificate = legacy(world["candidates"][0], issued=D(2019, 5, 1), valid_until=D(2028, 4, 30))
        with pytest.raises(DomainError, match="reason"):
            services.review_record(
                actor=world["admin"], certificate=certificate, reviewed_on=D(2022, 4, 20), passed=True, extend=True
            )
        services.review_record(
            actor=world["admin"],
            certificate=certificate,
            reviewed_on=D(2022, 4, 20),
            passed=True,
            extend=True,
            reason="连续从事本工种12年，无违章",
        )
        certificate.refresh_from_db()
        assert certificate.next_review_due is None  # 2028-05-01 is past expiry

    def test_outside_the_window_is_refused(self, world):
        certificate = legacy(world["candidates"][0], issued=D(2020, 9, 1))
        for day in (D(2023, 6, 1), D(2023, 9, 2)):
            with pytest.raises(DomainError, match="between 2023-07-03"):
                services.review_record(actor=world["admin"], certificate=certificate, reviewed_on=day, passed=True)

    def test_a_refused_review_needs_a_reason_and_leaves_the_certificate_to_lapse(self, world):
        certificate = legacy(world["candidates"][0], issued=D(2020, 9, 1))
        with pytest.raises(DomainError, match="reason"):
            services.review_record(
                actor=world["admin"], certificate=certificate, reviewed_on=D(2023, 8, 1), passed=False
            )
        services.review_record(
            actor=world["admin"], certificate=certificate, reviewed_on=D(2023, 8, 1), passed=False, reason="违章两次"
        )
        certificate.refresh_from_db()
        assert certificate.events.get().transition == "review_refused"
        standing = rules.standing(
            status=certificate.status,
            valid_until=certificate.valid_until,
            next_review_due=certificate.next_review_due,
            today=D(2023, 9, 2),
        )
        assert standing == Standing.REVIEW_OVERDUE

    def test_no_review_is_held_after_order_19(self, world):
        certificate = legacy(world["candidates"][0], issued=D(2023, 7, 1))  # due 2026-07-01
        with pytest.raises(Conflict) as refused:
            services.review_record(
                actor=world["admin"], certificate=certificate, reviewed_on=D(2026, 6, 20), passed=True
            )
        assert refused.value.code == "review_not_held" and "order No. 19" in refused.value.en

    def test_a_rule_without_a_review_interval_refuses_to_set_the_next_review(self, world):
        # Domain data whose regime names no review interval and no start date: reviews are held (no rule on
        # record abolishes them) but no next due date can be counted. Refused with the reason, not a 500.
        CertificateRule.objects.filter(code="special_operation_order_30").update(
            valid_from=None, review_every_years=None
        )
        rules.clear_cache()
        certificate = legacy(world["candidates"][0], issued=D(2020, 9, 1))  # due 2023-09-01
        try:
            with pytest.raises(Conflict) as refused:
                services.review_record(
                    actor=world["admin"], certificate=certificate, reviewed_on=D(2023, 8, 15), passed=True
                )
        finally:
            rules.clear_cache()
        assert refused.value.code == "no_review_interval" and "sets no review interval" in refused.value.en
        assert "未设复审周期" in refused.value.zh
        certificate.refresh_from_db()
        assert certificate.next_review_due == D(2023, 9, 1) and not certificate.events.exists()


class TestRenewal:
    def test_renewal_continues_the_validity(self, world):
        certificate = legacy(world["candidates"][0], issued=D(2020, 12, 1), review_due=None)  # to 2026-11-30
        services.renew(actor=world["admin"], certificate=certificate, renewed_on=D(2026, 11, 20))
        certificate.refresh_from_db()
        assert (certificate.valid_from, certificate.valid_until, certificate.next_review_due) == (
            D(2026, 12, 1),
            D(2032, 11, 30),
            None,  # order No. 19 on the new start date: no review
        )
        assert certificate.first_issued_on == D(2020, 12, 1)
        assert certificate.events.get().details["old_valid_until"] == "2026-11-30"

    def test_too_early_or_too_late(self, world):
        certificate = legacy(world["candidates"][0], issued=D(2020, 12, 1), review_due=None)
        with pytest.raises(DomainError, match="Renewal opens on 2026-10-01"):
            services.renew(actor=world["admin"], certificate=certificate, renewed_on=D(2026, 9, 1))
        with pytest.raises(Conflict, match="Expired"):
            services.renew(actor=world["admin"], certificate=certificate, renewed_on=D(2026, 12, 5))

    @staticmethod
    def _competency(person, valid_until):
        return Certificate.objects.create(
            cert_no=f"AQ3501{person.pk:08d}", cert_type="competency", person=person, trainee_category="principal",
            issuer_region=Region.objects.get(code="350100"), first_issued_on=valid_until.replace(year=valid_until.year - 3),
            valid_from=valid_until.replace(year=valid_until.year - 3), valid_until=valid_until,
            status_index=publishing.allocate_slots(1)[0], source="imported",
        )  # fmt: skip

    def test_order_44_art_25_a_competency_renewal_applied_for_early_is_taken(self, world):
        """Order No. 44 art. 25: the holder applies no later than 30 days before expiry — 91 days before is lawful."""
        certificate = self._competency(world["candidates"][0], D(2026, 12, 31))
        services.renew(actor=world["admin"], certificate=certificate, renewed_on=D(2026, 10, 1))
        certificate.refresh_from_db()
        assert certificate.valid_until == D(2029, 12, 31)
        assert "late" not in certificate.events.get(transition="renew").details

    def test_order_44_art_25_a_competency_renewal_applied_for_after_the_deadline_is_taken_and_marked_late(
        self, world, client
    ):
        """Order No. 44 art. 25: 11 days before expiry is past the 30-day deadline: renewed, and marked late."""
        certificate = self._competency(world["candidates"][0], D(2026, 12, 31))
        services.renew(actor=world["admin"], certificate=certificate, renewed_on=D(2026, 12, 20))
        details = certificate.events.get(transition="renew").details
        assert details["late"] is True and details["apply_by"] == "2026-12-01" and "44" in details["basis"]
        client.force_login(world["admin"])
        page = client.get(f"/certificates/{certificate.pk}/").content.decode()
        assert "逾期申请：应于 2026-12-01 前申请" in page and "order_44" not in page  # the basis by its title

    def test_order_30_special_operation_renewal_still_opens_60_days_before_expiry(self, world):
        """Order No. 30: applied for within the 60 days before the date — the window is an opening, not a deadline."""
        certificate = legacy(world["candidates"][0], issued=D(2020, 12, 1), review_due=None)  # to 2026-11-30
        with pytest.raises(DomainError, match="Renewal opens on 2026-10-01"):
            services.renew(actor=world["admin"], certificate=certificate, renewed_on=D(2026, 9, 30))

    def test_order_44_art_25_the_reminder_comes_before_the_deadline_not_at_it(self, world):
        """A competency certificate expiring on 12-10 must be applied for by 11-10: a 30-day reminder on 10-15
        names it; a special-operations certificate expiring on 12-10 is not yet due then."""
        competency = self._competency(world["candidates"][0], D(2026, 12, 10))
        special = legacy(world["candidates"][1], issued=D(2020, 12, 11), review_due=None)  # to 2026-12-10
        due = set(Certificate.objects.filter(rules.expiry_due_q(D(2026, 10, 15), 30)).values_list("pk", flat=True))
        assert competency.pk in due and special.pk not in due
        assert special.pk in set(
            Certificate.objects.filter(rules.expiry_due_q(D(2026, 11, 15), 30)).values_list("pk", flat=True)
        )

    def test_a_certificate_that_missed_its_review_is_not_renewed(self, world):
        certificate = legacy(world["candidates"][0], issued=D(2020, 12, 1))  # due 2023-12-01, missed
        with pytest.raises(Conflict, match="Review overdue"):
            services.renew(actor=world["admin"], certificate=certificate, renewed_on=D(2026, 11, 20))


def test_a_report_from_the_public_is_a_lead_of_its_own(world):
    first = services.report_from_public(
        cert_no="t3501 0219900101 1234",
        name=" 王强 ",
        claimed_issuer="350100",
        where="某工地",
        description="证件可疑",
        contact="",
        client="1.2.3.4",
    )
    second = services.report_from_public(
        cert_no="T35010219900101 1234",
        name="王强",
        claimed_issuer="",
        where="",
        description="又见",
        contact="",
        client="1.2.3.4",
    )
    assert first.pk != second.pk and Lead.objects.count() == 2
    assert first.cert_no == "T350102199001011234" and first.number_pattern == "T3501…(19)"
    assert first.region.code == "350100" and second.region.code == "350102"
    assert first.source == "report:某工地" and second.source == "ip:1.2.3.4"
    with pytest.raises(DomainError):
        services.report_from_public(
            cert_no="", name="", claimed_issuer="", where="", description=" ", contact="", client="x"
        )


def test_lead_review_and_hand_over_need_a_case_reference(world):
    lead = services.report_from_public(
        cert_no="T350102199001011234",
        name="王强",
        claimed_issuer="",
        where="",
        description="x",
        contact="",
        client="1.1.1.1",
    )
    inspector = world["regulator"]
    services.lead_start_review(actor=inspector, lead=lead, note="核查中")
    with pytest.raises(DomainError, match="case reference"):
        services.lead_hand_over(actor=inspector, lead=lead, case_reference=" ")
    services.lead_hand_over(actor=inspector, lead=lead, case_reference="闽公刑〔2026〕0815号")
    lead.refresh_from_db()
    assert (lead.status, lead.case_reference) == ("handed_over", "闽公刑〔2026〕0815号") and lead.handed_over_at
    services.lead_close(actor=inspector, lead=lead, reason="已立案")
    assert list(lead.events.values_list("transition", flat=True)) == ["review", "hand_over", "close"]
    with pytest.raises(PermissionDenied):
        services.lead_close(actor=world["staff"], lead=lead, reason="x")


def test_a_banned_holder_cannot_register_for_an_exam(world):
    certificate = issue(world)
    services.revoke(actor=world["admin"], certificate=certificate, ground="false_information", on=D(2026, 10, 20))
    sitting = sitting_at(world, "TH-3", "theory", D(2026, 12, 1))
    with pytest.raises(DomainError) as refused:
        exam_services.register(actor=world["staff"], sitting=sitting, person=world["candidates"][0])
    assert "Barred from applying until 2029-10-20" in refused.value.en
    exam_services.register(actor=world["staff"], sitting=sitting, person=world["candidates"][1])  # others may
