"""The certificates' write path: issuance from results, reviews, renewals, suspension, revocation and
cancellation (each a logged transition that the status list reflects), and fake-certificate leads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.certificates import publishing, rules
from peikao.certificates.choices import (
    BANNED_GROUNDS,
    CancelGround,
    CertificateSource,
    CertificateStatus,
    CertificateType,
    LeadKind,
    LeadStatus,
    RevokeGround,
    Standing,
    SuspendGround,
)
from peikao.certificates.models import LIVE_STATUSES, Certificate, CertificateEvent, Lead, LeadEvent
from peikao.core.audit import audited_create, audited_update, current_context, record_id_number_views, snapshot
from peikao.core.choices import RegionLevel
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.i18n import Bilingual, both
from peikao.core.models import Region
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import apply_transition
from peikao.exams.choices import ExamPart, ResultStatus
from peikao.exams.models import Result
from peikao.registry.models import OperationItem, Person

CERTIFICATE_TRANSITIONS = {
    (CertificateStatus.VALID, CertificateStatus.SUSPENDED): "suspend",
    (CertificateStatus.SUSPENDED, CertificateStatus.VALID): "reinstate",
    (CertificateStatus.VALID, CertificateStatus.REVOKED): "revoke",
    (CertificateStatus.SUSPENDED, CertificateStatus.REVOKED): "revoke",
    (CertificateStatus.VALID, CertificateStatus.CANCELLED): "cancel",
    (CertificateStatus.SUSPENDED, CertificateStatus.CANCELLED): "cancel",
    (CertificateStatus.REVOKED, CertificateStatus.CANCELLED): "cancel",
}

LEAD_TRANSITIONS = {
    (LeadStatus.NEW, LeadStatus.REVIEWING): "review",
    (LeadStatus.REVIEWING, LeadStatus.HANDED_OVER): "hand_over",
    (LeadStatus.NEW, LeadStatus.HANDED_OVER): "hand_over",
    (LeadStatus.NEW, LeadStatus.CLOSED): "close",
    (LeadStatus.REVIEWING, LeadStatus.CLOSED): "close",
    (LeadStatus.HANDED_OVER, LeadStatus.CLOSED): "close",
}

COMPETENCY_POSTS = {"principal": "1", "safety_manager": "2"}
CANNOT_ISSUE = _("Cannot be issued: %(reasons)s")
ORDER_30_ART_30 = "order_30 art. 30"
ORDER_30_REVIEW = "order_30 art. 21-24"


@dataclass
class Check:
    code: str
    ok: bool
    text: Bilingual
    basis: str = ""

    def as_dict(self) -> dict:
        return {"code": self.code, "ok": self.ok, "zh": self.text.zh, "en": self.text.en, "basis": self.basis}


def _check(code: str, ok: bool, message, params: dict | None = None, basis: str = "") -> Check:
    zh, en = both(message, params)
    return Check(code, ok, Bilingual(zh, en), basis)


@dataclass
class IssuancePlan:
    """What an issuance would be based on, and every check with its reason."""

    checks: list[Check] = field(default_factory=list)
    theory: Result | None = None
    practical: Result | None = None
    enrolment: object | None = None

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def refusal(self) -> DomainError:
        failed = "；".join(check.text.zh for check in self.checks if not check.ok)
        failed_en = "; ".join(check.text.en for check in self.checks if not check.ok)
        return DomainError("not_issuable", CANNOT_ISSUE, {"reasons": Bilingual(failed, failed_en)})


def _require_issuing_authority(actor, certificate: Certificate) -> None:
    if actor.sees_everything:
        return
    if not (actor.is_regulator and actor.region.contains(certificate.issuer_region.code)):
        raise PermissionDenied(
            "not_issuing_authority",
            _("Only the issuing authority (%(region)s) or its superiors may do this."),
            {"region": certificate.issuer_region.name},
        )


def _issuer_region(actor, exam_point_region: Region) -> Region:
    """The actor's own authority; a ministry user issues in the name of the exam point's province."""
    if actor.is_regulator and actor.region.level != RegionLevel.NATION:
        if not actor.region.contains(exam_point_region.code):
            raise PermissionDenied(
                "outside_jurisdiction", _("The exam was held outside your jurisdiction: its authority issues.")
            )
        return actor.region
    return Region.objects.get(code=exam_point_region.code[:2] + "0000")


def _ban_check(person: Person, day: dt.date) -> Check | None:
    banned = (
        Certificate.objects.filter(person=person, ban_until__gte=day)
        .order_by("-ban_until")
        .values_list("ban_until", flat=True)
        .first()
    )
    if banned:
        return _check(
            "banned",
            False,
            _("Barred from applying until %(day)s after a revocation for false information or fraud."),
            {"day": banned.isoformat()},
            ORDER_30_ART_30,
        )
    return None


def _unused(queryset):
    used = Certificate.objects.filter(Q(theory_result__isnull=False) | Q(practical_result__isnull=False))
    return queryset.exclude(pk__in=used.values("theory_result")).exclude(pk__in=used.values("practical_result"))


def special_operation_plan(*, person: Person, operation_item: OperationItem, on: dt.date) -> IssuancePlan:
    """The results and training a special-operations certificate would be issued from, with every check."""
    from peikao.exams import rules as exam_rules
    from peikao.training.models import Enrolment

    plan = IssuancePlan()
    results = Result.objects.filter(
        registration__person=person,
        registration__sitting__operation_item=operation_item,
        status=ResultStatus.VALID,
        passed=True,
    ).select_related("registration__sitting__exam_point__region", "registration__training_class")
    practical = (
        _unused(results.filter(registration__sitting__part=ExamPart.PRACTICAL))
        .order_by("-registration__sitting__starts_at")
        .first()
    )
    if practical is None:
        plan.checks.append(
            _check("practical", False, _("No passed practical exam for this item."), None, "order_30 art. 14")
        )
        return plan
    plan.practical = practical
    practical_day = timezone.localdate(practical.registration.sitting.starts_at)
    plan.checks.append(
        _check(
            "practical",
            True,
            _("Practical passed on %(day)s (%(score)s points, sitting %(code)s)."),
            {
                "day": practical_day.isoformat(),
                "score": practical.score,
                "code": practical.registration.sitting.sitting_code,
            },
            "order_30 art. 14",
        )
    )
    regime = exam_rules.regime_on(practical_day)
    theory_results = results.filter(
        registration__sitting__part=ExamPart.THEORY,
        registration__sitting__starts_at__lte=practical.registration.sitting.starts_at,
    )
    if regime.result_valid_months:
        since = exam_rules.add_months(practical_day, -regime.result_valid_months)
        theory_results = theory_results.filter(registration__sitting__starts_at__date__gte=since)
    theory = _unused(theory_results).order_by("-registration__sitting__starts_at").first()
    if theory is None:
        plan.checks.append(
            _check("theory", False, _("No passed theory exam for this item before the practical."), None, regime.code)
        )
        return plan
    plan.theory = theory
    theory_day = timezone.localdate(theory.registration.sitting.starts_at)
    plan.checks.append(
        _check(
            "theory",
            True,
            _("Theory passed on %(day)s (%(score)s points, sitting %(code)s)."),
            {"day": theory_day.isoformat(), "score": theory.score, "code": theory.registration.sitting.sitting_code},
            regime.code,
        )
    )
    completed = Enrolment.objects.filter(
        person=person,
        credited__completed=True,
        training_class__operation_item=operation_item,
        training_class__end_date__lte=theory_day,
    ).select_related("training_class__organization")
    if theory.registration.training_class_id:
        completed = completed.filter(training_class=theory.registration.training_class_id)
    enrolment = completed.order_by("-training_class__end_date").first()
    if enrolment is None:
        plan.checks.append(
            _check(
                "training", False, _("No completed training for this item before the exams."), None, "order_30 art. 5"
            )
        )
    else:
        plan.enrolment = enrolment
        plan.checks.append(
            _check(
                "training",
                True,
                _("Training completed: class %(code)s of %(org)s."),
                {"code": enrolment.training_class.class_code, "org": enrolment.training_class.organization.name},
                "order_30 art. 5",
            )
        )
    cert_no = "T" + person.id_number
    if Certificate.objects.filter(cert_no=cert_no, operation_item=operation_item, status__in=LIVE_STATUSES).exists():
        plan.checks.append(
            _check("unique", False, _("The holder already has a live certificate for this item."), None, "")
        )
    ban = _ban_check(person, on)
    if ban is not None:
        plan.checks.append(ban)
    return plan


@transaction.atomic
def issue_special_operation(
    *, actor, person: Person, operation_item: OperationItem, on: dt.date | None = None
) -> Certificate:
    """Issue a special-operations certificate from a passed theory and practical and completed training."""
    require_perm(actor, Perm.CERTIFICATE_ISSUE)
    on = on or timezone.localdate()
    plan = special_operation_plan(person=person, operation_item=operation_item, on=on)
    if not plan.ok:
        raise plan.refusal()
    issuer = _issuer_region(actor, plan.practical.registration.sitting.exam_point.region)
    dates = rules.dates_for_issue(CertificateType.SPECIAL_OPERATION, on)
    certificate = audited_create(
        Certificate(
            cert_no="T" + person.id_number,
            cert_type=CertificateType.SPECIAL_OPERATION,
            person=person,
            operation_item=operation_item,
            issuer_region=issuer,
            first_issued_on=on,
            valid_from=dates.valid_from,
            valid_until=dates.valid_until,
            next_review_due=dates.next_review_due,
            status_index=publishing.allocate_slots(1)[0],
            source=CertificateSource.ISSUED,
            theory_result=plan.theory,
            practical_result=plan.practical,
            enrolment=plan.enrolment,
            issued_by=actor,
        )
    )
    _event(
        certificate,
        "issue",
        actor=actor,
        details={"checks": [check.as_dict() for check in plan.checks], "rule": dates.rule.code},
    )
    publishing.bump_status_version()
    return certificate


def competency_plan(*, result: Result, on: dt.date) -> IssuancePlan:
    plan = IssuancePlan(theory=result)
    sitting = result.registration.sitting
    ok = (
        sitting.operation_item_id is None
        and sitting.trainee_category in COMPETENCY_POSTS
        and result.status == ResultStatus.VALID
        and result.passed
    )
    plan.checks.append(
        _check(
            "assessment",
            ok,
            _("Competency assessment passed on %(day)s (%(score)s points).")
            if ok
            else _("This result is not a passed competency assessment."),
            {"day": timezone.localdate(sitting.starts_at).isoformat(), "score": result.score},
            "order_44 art. 22",
        )
    )
    if Certificate.objects.filter(theory_result=result).exists():
        plan.checks.append(_check("used", False, _("A certificate was already issued from this result."), None, ""))
    ban = _ban_check(result.registration.person, on)
    if ban is not None:
        plan.checks.append(ban)
    return plan


def competency_number(issuer: Region, post: str, on: dt.date) -> str:
    """Issuing region (6) + year (4) + post (1: principal, 2: safety manager) + sequence (6): 17 digits."""
    prefix = f"{issuer.code}{on.year}{COMPETENCY_POSTS[post]}"
    sequence = publishing.next_numbers(f"competency:{prefix}")[0]
    if sequence > 999_999:
        raise Conflict(
            "numbers_exhausted", _("No competency certificate numbers are left for %(prefix)s."), {"prefix": prefix}
        )
    return f"{prefix}{sequence:06d}"


@transaction.atomic
def issue_competency(*, actor, result: Result, on: dt.date | None = None) -> Certificate:
    """Issue a competency certificate (安全生产知识和管理能力考核合格证) from a passed assessment."""
    require_perm(actor, Perm.CERTIFICATE_ISSUE)
    on = on or timezone.localdate()
    plan = competency_plan(result=result, on=on)
    if not plan.ok:
        raise plan.refusal()
    sitting = result.registration.sitting
    issuer = _issuer_region(actor, sitting.exam_point.region)
    dates = rules.dates_for_issue(CertificateType.COMPETENCY, on)
    training_class = result.registration.training_class
    certificate = audited_create(
        Certificate(
            cert_no=competency_number(issuer, sitting.trainee_category, on),
            cert_type=CertificateType.COMPETENCY,
            person=result.registration.person,
            trainee_category=sitting.trainee_category,
            industry=training_class.industry if training_class else None,
            issuer_region=issuer,
            first_issued_on=on,
            valid_from=dates.valid_from,
            valid_until=dates.valid_until,
            status_index=publishing.allocate_slots(1)[0],
            source=CertificateSource.ISSUED,
            theory_result=result,
            issued_by=actor,
        )
    )
    _event(
        certificate,
        "issue",
        actor=actor,
        details={"checks": [c.as_dict() for c in plan.checks], "rule": dates.rule.code},
    )
    return certificate


def _event(certificate: Certificate, transition: str, *, actor, reason: str = "", details: dict | None = None):
    return audited_create(
        CertificateEvent(
            certificate=certificate,
            transition=transition,
            old_status=certificate.status,
            new_status=certificate.status,
            reason=reason,
            details=details or {},
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_label=current_context().actor_label,
            time=timezone.now(),
        )
    )


def _locked(certificate: Certificate) -> Certificate:
    return Certificate.objects.select_for_update().select_related("issuer_region").get(pk=certificate.pk)


# -- reviews and renewals -------------------------------------------------------------------------------


@transaction.atomic
def review_record(
    *,
    actor,
    certificate: Certificate,
    reviewed_on: dt.date,
    passed: bool,
    extend: bool = False,
    reason: str = "",
) -> Certificate:
    """Record a review (复审) under order No. 30; none is held for a review due after reviews were abolished."""
    require_perm(actor, Perm.CERTIFICATE_MANAGE)
    certificate = _locked(certificate)
    _require_issuing_authority(actor, certificate)
    due = certificate.next_review_due
    if certificate.cert_type != CertificateType.SPECIAL_OPERATION or due is None:
        raise Conflict("no_review_due", _("No review is due for this certificate."))
    if not rules.review_held(due):
        raise Conflict(
            "review_not_held",
            _(
                "The review fell due on %(due)s, on or after %(abolished)s: under order No. 19 no review is held "
                "and the certificate is renewed at its expiry."
            ),
            {"due": due.isoformat(), "abolished": rules.reviews_abolished_on().isoformat()},
        )
    if certificate.status != CertificateStatus.VALID:
        raise Conflict(
            "not_valid",
            _("Only a valid certificate is reviewed (it is %(status)s)."),
            {"status": certificate.get_status_display()},
        )
    rule = rules.rule_on(CertificateType.SPECIAL_OPERATION, due)
    opens = due - dt.timedelta(days=rule.review_window_days)
    if reviewed_on < opens or reviewed_on > due:
        raise DomainError(
            "outside_review_window",
            _("A review is recorded between %(opens)s and the due date %(due)s (%(basis)s)."),
            {"opens": opens.isoformat(), "due": due.isoformat(), "basis": rule.basis_title},
        )
    if not passed and not reason.strip():
        raise DomainError("reason_required", _("A refused review needs the reason."))
    if extend and not reason.strip():
        raise DomainError(
            "reason_required",
            _("Extending the review interval needs the reason (10 years in the same item without violations)."),
        )
    before = snapshot(certificate)
    details = {"due": due.isoformat(), "passed": passed, "extended": extend, "rule": rule.code}
    if passed:
        every = (
            rule.review_may_extend_to_years if extend and rule.review_may_extend_to_years else rule.review_every_years
        )
        certificate.next_review_due = rules.next_due_after(due, certificate.valid_until, every)
        certificate.last_reviewed_on = reviewed_on
        details["next_due"] = certificate.next_review_due.isoformat() if certificate.next_review_due else None
        audited_update(certificate, before)
    _event(certificate, "review" if passed else "review_refused", actor=actor, reason=reason.strip(), details=details)
    publishing.bump_status_version()
    return certificate


@transaction.atomic
def renew(*, actor, certificate: Certificate, renewed_on: dt.date, reason: str = "") -> Certificate:
    """Renew (换证) a certificate at expiry: a new validity period under the same number."""
    require_perm(actor, Perm.CERTIFICATE_MANAGE)
    certificate = _locked(certificate)
    _require_issuing_authority(actor, certificate)
    current = rules.standing(
        status=certificate.status,
        valid_until=certificate.valid_until,
        next_review_due=certificate.next_review_due,
        today=renewed_on,
    )
    if current != Standing.VALID:
        raise Conflict(
            "not_renewable",
            _("Only a valid certificate is renewed; this one is %(standing)s: the holder sits the exams again."),
            {"standing": Standing(current).label},
        )
    rule = rules.rule_on(certificate.cert_type, certificate.valid_until)
    opens = certificate.valid_until - dt.timedelta(days=rule.renew_window_days)
    if renewed_on < opens:
        raise DomainError(
            "too_early",
            _("Renewal opens on %(opens)s, %(days)d days before expiry (%(basis)s)."),
            {"opens": opens.isoformat(), "days": rule.renew_window_days, "basis": rule.basis_title},
        )
    dates = rules.dates_for_renewal(certificate.cert_type, certificate.valid_until, renewed_on)
    before = snapshot(certificate)
    details = {
        "old_valid_until": certificate.valid_until.isoformat(),
        "new_valid_from": dates.valid_from.isoformat(),
        "new_valid_until": dates.valid_until.isoformat(),
        "rule": dates.rule.code,
    }
    certificate.valid_from, certificate.valid_until = dates.valid_from, dates.valid_until
    certificate.next_review_due = dates.next_review_due
    audited_update(certificate, before)
    _event(certificate, "renew", actor=actor, reason=reason.strip(), details=details)
    publishing.bump_status_version()
    return certificate


# -- suspension, revocation, cancellation -----------------------------------------------------------------


def _status_change(actor, certificate: Certificate, to: str, *, reason: str, details: dict, changes=None):
    event = apply_transition(
        certificate,
        to_status=to,
        transitions=CERTIFICATE_TRANSITIONS,
        event_model=CertificateEvent,
        owner_field="certificate",
        actor=actor,
        reason=reason,
        changes={"status_reason": reason, **(changes or {})},
        event_fields={"details": details},
    )
    publishing.bump_status_version()
    return event


def _grounds_text(label, reason: str) -> str:
    return f"{label}：{reason.strip()}" if reason.strip() else str(label)


@transaction.atomic
def suspend(*, actor, certificate: Certificate, ground: str, reason: str = "") -> CertificateEvent:
    require_perm(actor, Perm.CERTIFICATE_MANAGE)
    ground = SuspendGround(ground)
    if ground == SuspendGround.OTHER and not reason.strip():
        raise DomainError("reason_required", _("A reason is required."))
    return _status_change(
        actor,
        certificate,
        CertificateStatus.SUSPENDED,
        reason=_grounds_text(ground.label, reason),
        details={"ground": ground.value},
    )


@transaction.atomic
def reinstate(*, actor, certificate: Certificate, reason: str) -> CertificateEvent:
    require_perm(actor, Perm.CERTIFICATE_MANAGE)
    _require_issuing_authority(actor, certificate)
    if not reason.strip():
        raise DomainError("reason_required", _("A reason is required."))
    return _status_change(actor, certificate, CertificateStatus.VALID, reason=reason.strip(), details={})


@transaction.atomic
def revoke(
    *, actor, certificate: Certificate, ground: str, reason: str = "", on: dt.date | None = None
) -> CertificateEvent:
    """Revoke (撤销); false information and fraud bar the holder from applying for three years."""
    require_perm(actor, Perm.CERTIFICATE_MANAGE)
    _require_issuing_authority(actor, certificate)
    ground = RevokeGround(ground)
    on = on or timezone.localdate()
    years = BANNED_GROUNDS.get(ground)
    ban_until = rules.years_later(on, years) if years else None
    details = {"ground": ground.value, "basis": ORDER_30_ART_30}
    if ban_until:
        details["ban_until"] = ban_until.isoformat()
    return _status_change(
        actor,
        certificate,
        CertificateStatus.REVOKED,
        reason=_grounds_text(ground.label, reason),
        details=details,
        changes={"ban_until": ban_until},
    )


@transaction.atomic
def cancel(*, actor, certificate: Certificate, ground: str, reason: str = "") -> CertificateEvent:
    """Cancel (注销): the holder died or asked, or after revocation. Published in the status list."""
    require_perm(actor, Perm.CERTIFICATE_MANAGE)
    _require_issuing_authority(actor, certificate)
    ground = CancelGround(ground)
    return _status_change(
        actor,
        certificate,
        CertificateStatus.CANCELLED,
        reason=_grounds_text(ground.label, reason),
        details={"ground": ground.value},
    )


# -- leads ------------------------------------------------------------------------------------------------


def _lead_transition(actor, lead: Lead, to: str, *, reason: str = "", changes: dict | None = None) -> LeadEvent:
    return apply_transition(
        lead,
        to_status=to,
        transitions=LEAD_TRANSITIONS,
        event_model=LeadEvent,
        owner_field="lead",
        actor=actor,
        reason=reason,
        changes=changes,
    )


@transaction.atomic
def lead_start_review(*, actor, lead: Lead, note: str = "") -> LeadEvent:
    require_perm(actor, Perm.LEAD_REVIEW)
    return _lead_transition(actor, lead, LeadStatus.REVIEWING, reason=note, changes={"note": note.strip() or lead.note})


@transaction.atomic
def lead_hand_over(*, actor, lead: Lead, case_reference: str, note: str = "") -> LeadEvent:
    """Hand a lead to the police liaison with the case reference they gave."""
    require_perm(actor, Perm.LEAD_REVIEW)
    if not case_reference.strip():
        raise DomainError("case_reference_required", _("A lead handed over to the police needs the case reference."))
    return _lead_transition(
        actor,
        lead,
        LeadStatus.HANDED_OVER,
        reason=note,
        changes={"case_reference": case_reference.strip(), "handed_over_at": timezone.now()},
    )


@transaction.atomic
def lead_close(*, actor, lead: Lead, reason: str) -> LeadEvent:
    require_perm(actor, Perm.LEAD_REVIEW)
    if not reason.strip():
        raise DomainError("reason_required", _("A reason is required."))
    return _lead_transition(actor, lead, LeadStatus.CLOSED, reason=reason)


def lead_reveal_number(*, user, lead: Lead, purpose: str) -> str:
    """The claimed number in full, for a role that sees full ID numbers; a number that carries one ("T" + ID
    number) is logged as a view of that ID number, whether or not it is anybody's in the register."""
    require_perm(user, Perm.VIEW_FULL_ID_NUMBER)
    claimed = lead.claimed_id_number
    if claimed:
        person_id = Person.objects.filter(id_number=claimed).values_list("pk", flat=True).first()
        record_id_number_views(user=user, persons=[(person_id, claimed)], purpose=purpose)
    return lead.cert_no


@transaction.atomic
def leads_apply(*, actor, leads, action: str, case_reference: str = "", note: str = "") -> int:
    """Apply one action to several leads (a group); leads already past that step are skipped."""
    actions = {
        "review": (LeadStatus.REVIEWING, lambda lead: lead_start_review(actor=actor, lead=lead, note=note)),
        "hand_over": (
            LeadStatus.HANDED_OVER,
            lambda lead: lead_hand_over(actor=actor, lead=lead, case_reference=case_reference, note=note),
        ),
        "close": (LeadStatus.CLOSED, lambda lead: lead_close(actor=actor, lead=lead, reason=note)),
    }
    if action not in actions:
        raise DomainError("unknown_action", _("Unknown action %(action)s."), {"action": action})
    target, apply = actions[action]
    done = 0
    for lead in leads:
        if (lead.status, target) in LEAD_TRANSITIONS:
            apply(lead)
            done += 1
    return done


@transaction.atomic
def report_from_public(
    *, cert_no: str, name: str, claimed_issuer: str, where: str, description: str, contact: str, client: str
) -> Lead:
    """ "I was shown this certificate": a lead of its own, never merged with another report."""
    from peikao.certificates.verification import lead_region, normalise_number, number_pattern

    number = normalise_number(cert_no)
    if not number and not description.strip():
        raise DomainError("report_empty", _("Give the certificate number or describe what you were shown."))
    now = timezone.now()
    certificate = Certificate.objects.filter(cert_no=number).order_by("-valid_until").first() if number else None
    return audited_create(
        Lead(
            kind=LeadKind.PUBLIC_REPORT,
            cert_no=number,
            name=name.strip()[:50],
            claimed_issuer=claimed_issuer.strip()[:64],
            number_pattern=number_pattern(number),
            source=(f"report:{where.strip()}" if where.strip() else f"ip:{client}")[:120],
            region=lead_region(number, claimed_issuer),
            certificate=certificate,
            description=description.strip(),
            reporter_contact=contact.strip()[:100],
            first_seen=now,
            last_seen=now,
        )
    )
