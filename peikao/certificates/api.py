"""Certificates API: the register (scoped), issuance and life-cycle actions, leads; and the public
verification endpoints (no authentication, rate-limited, logged, masked).

(No `from __future__ import annotations` here: django-ninja reads the annotations at import time.)
"""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from peikao.certificates import rules, selectors, services
from peikao.certificates.choices import (
    CancelGround,
    CertificateStatus,
    CertificateType,
    LeadKind,
    LeadStatus,
    RevokeGround,
    Standing,
    SuspendGround,
)
from peikao.core.errors import DomainError
from peikao.core.paging import ApiPagination
from peikao.exams.models import Result
from peikao.registry.models import Person

router = Router(tags=["certificates"])


class CertificateOut(Schema):
    id: int
    cert_no_masked: str
    cert_type: CertificateType
    name: str
    item: str | None
    trainee_category: str
    issuer_region_code: str
    first_issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date
    next_review_due: dt.date | None
    review_held: bool
    last_reviewed_on: dt.date | None
    status: CertificateStatus
    standing: Standing

    @staticmethod
    def resolve_cert_no_masked(obj):
        return obj.masked_cert_no

    @staticmethod
    def resolve_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_item(obj):
        return obj.operation_item.code if obj.operation_item_id else None

    @staticmethod
    def resolve_issuer_region_code(obj):
        return obj.issuer_region.code

    @staticmethod
    def resolve_review_held(obj):
        return rules.review_held(obj.next_review_due)


class CertificateFilters(Schema):
    q: str | None = None
    cert_type: CertificateType | None = None
    standing: Standing | None = None
    item: str | None = None
    due: str | None = None
    organization: str | None = None


class EventOut(Schema):
    transition: str
    old_status: str
    new_status: str
    reason: str
    details: dict
    actor_label: str
    time: dt.datetime


class IssueIn(Schema):
    result_id: int


class ReviewIn(Schema):
    reviewed_on: dt.date
    passed: bool
    extend: bool = False
    reason: str = ""


class RenewIn(Schema):
    renewed_on: dt.date
    reason: str = ""


class SuspendIn(Schema):
    ground: SuspendGround
    reason: str = ""


class ReasonIn(Schema):
    reason: str


class RevokeIn(Schema):
    ground: RevokeGround
    reason: str = ""


class CancelIn(Schema):
    ground: CancelGround
    reason: str = ""


class LeadOut(Schema):
    id: int
    kind: LeadKind
    status: LeadStatus
    cert_no_masked: str  # an ID number in the claimed number masked; in full: POST /leads/{id}/number (logged)
    name: str
    claimed_issuer: str
    number_pattern: str
    source: str
    occurrences: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    case_reference: str

    @staticmethod
    def resolve_cert_no_masked(obj) -> str:
        return obj.masked_cert_no


class LeadNumberOut(Schema):
    cert_no: str


class LeadFilters(Schema):
    status: LeadStatus | None = None
    kind: LeadKind | None = None
    number_pattern: str | None = None
    source: str | None = None
    claimed_issuer: str | None = None
    q: str | None = None


class LeadActionIn(Schema):
    action: str
    case_reference: str = ""
    note: str = ""


class LeadActionOut(Schema):
    updated: int


@router.get("/certificates", response=list[CertificateOut], summary="Certificates in your jurisdiction, with standing")
@paginate(ApiPagination)
def certificate_list(request, filters: Query[CertificateFilters]):
    return selectors.certificate_list(user=request.user, filters=filters.dict(exclude_none=True))


def _fresh(request, certificate_id: int):
    return selectors.certificate_get(user=request.user, certificate_id=certificate_id)


@router.post("/certificates/issue", response={201: CertificateOut}, summary="Issue a certificate from a passed result")
def certificate_issue(request, payload: IssueIn):
    user = request.user
    result = get_object_or_404(
        Result.objects.visible_to(user).select_related("registration__person", "registration__sitting"),
        pk=payload.result_id,
    )
    sitting = result.registration.sitting
    if sitting.operation_item_id:
        certificate = services.issue_special_operation(
            actor=user, person=result.registration.person, operation_item=sitting.operation_item
        )
    else:
        certificate = services.issue_competency(actor=user, result=result)
    return Status(201, _fresh(request, certificate.pk))


@router.get("/certificates/{certificate_id}", response=CertificateOut, summary="One certificate")
def certificate_get(request, certificate_id: int):
    return selectors.certificate_get(user=request.user, certificate_id=certificate_id)


@router.get("/certificates/{certificate_id}/events", response=list[EventOut], summary="Its life-cycle steps")
def certificate_events(request, certificate_id: int):
    certificate = selectors.certificate_get(user=request.user, certificate_id=certificate_id)
    return list(selectors.certificate_events(certificate))


@router.post("/certificates/{certificate_id}/review", response=CertificateOut, summary="Record a review (order No. 30)")
def certificate_review(request, certificate_id: int, payload: ReviewIn):
    certificate = _fresh(request, certificate_id)
    services.review_record(actor=request.user, certificate=certificate, **payload.dict())
    return _fresh(request, certificate_id)


@router.post("/certificates/{certificate_id}/renew", response=CertificateOut, summary="Renew at expiry")
def certificate_renew(request, certificate_id: int, payload: RenewIn):
    certificate = _fresh(request, certificate_id)
    services.renew(actor=request.user, certificate=certificate, **payload.dict())
    return _fresh(request, certificate_id)


@router.post("/certificates/{certificate_id}/suspend", response=CertificateOut, summary="Suspend")
def certificate_suspend(request, certificate_id: int, payload: SuspendIn):
    certificate = _fresh(request, certificate_id)
    services.suspend(actor=request.user, certificate=certificate, ground=payload.ground, reason=payload.reason)
    return _fresh(request, certificate_id)


@router.post("/certificates/{certificate_id}/reinstate", response=CertificateOut, summary="Lift a suspension")
def certificate_reinstate(request, certificate_id: int, payload: ReasonIn):
    certificate = _fresh(request, certificate_id)
    services.reinstate(actor=request.user, certificate=certificate, reason=payload.reason)
    return _fresh(request, certificate_id)


@router.post(
    "/certificates/{certificate_id}/revoke", response=CertificateOut, summary="Revoke (with a ban where it applies)"
)
def certificate_revoke(request, certificate_id: int, payload: RevokeIn):
    certificate = _fresh(request, certificate_id)
    services.revoke(actor=request.user, certificate=certificate, ground=payload.ground, reason=payload.reason)
    return _fresh(request, certificate_id)


@router.post("/certificates/{certificate_id}/cancel", response=CertificateOut, summary="Cancel")
def certificate_cancel(request, certificate_id: int, payload: CancelIn):
    certificate = _fresh(request, certificate_id)
    services.cancel(actor=request.user, certificate=certificate, ground=payload.ground, reason=payload.reason)
    return _fresh(request, certificate_id)


@router.get("/persons/{person_id}/certificates", response=list[CertificateOut], summary="A person's certificates")
def person_certificates(request, person_id: int):
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=person_id)
    return list(selectors.person_certificates(user=request.user, person=person))


class ReminderRow(Schema):
    code: str
    name: str
    reviews: int
    expiries: int


class RemindersOut(Schema):
    days: int
    today: dt.date
    reviews: int
    expiries: int
    per_region: list[ReminderRow]
    per_enterprise: list[ReminderRow]


@router.get(
    "/certificate-reminders", response=RemindersOut, summary="Reviews and expiries due, per region and enterprise"
)
def certificate_reminders(request):
    data = selectors.reminders(user=request.user)
    return {
        "days": data["days"],
        "today": data["today"],
        "reviews": data["totals"]["reviews"],
        "expiries": data["totals"]["expiries"],
        "per_region": [
            {
                "code": r["issuer_region__code"],
                "name": r["issuer_region__name"],
                "reviews": r["reviews"],
                "expiries": r["expiries"],
            }
            for r in data["per_region"]
        ],
        "per_enterprise": [
            {
                "code": r["organization__org_code"],
                "name": r["organization__name"],
                "reviews": r["reviews"],
                "expiries": r["expiries"],
            }
            for r in data["per_enterprise"]
        ],
    }


@router.get("/leads", response=list[LeadOut], summary="Fake-certificate leads in your jurisdiction")
@paginate(ApiPagination)
def lead_list(request, filters: Query[LeadFilters]):
    services.leads_derive()
    return selectors.lead_list(user=request.user, filters=filters.dict(exclude_none=True))


@router.get("/leads/{lead_id}", response=LeadOut, summary="One lead")
def lead_get(request, lead_id: int):
    return selectors.lead_get(user=request.user, lead_id=lead_id)


@router.post(
    "/leads/{lead_id}/number",
    response=LeadNumberOut,
    summary="The claimed number in full (roles that see full ID numbers; a T-number's view is logged)",
)
def lead_number(request, lead_id: int):
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    return {"cert_no": services.lead_reveal_number(user=request.user, lead=lead, purpose="api:lead_number")}


@router.post("/leads/{lead_id}/action", response=LeadActionOut, summary="Review, hand over (case reference) or close")
def lead_action(request, lead_id: int, payload: LeadActionIn):
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    done = services.leads_apply(actor=request.user, leads=[lead], **payload.dict())
    if not done:
        raise DomainError("transition_not_allowed", _("This lead is past that step."), status=409)
    return {"updated": done}
