"""Enforcement API: inspections, findings, decisions (within the legal range), rectifications, indicators.

(No `from __future__ import annotations` here: django-ninja reads the annotations at import time.)
"""

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from peikao.core.errors import DomainError
from peikao.core.models import Region
from peikao.core.paging import ApiPagination
from peikao.enforcement import selectors, services
from peikao.enforcement.choices import InspectionKind, InspectionStatus, Measure, RectificationStatus

router = Router(tags=["enforcement"])


class InspectionOut(Schema):
    code: str
    org_code: str
    kind: InspectionKind
    inspected_on: dt.date
    status: InspectionStatus
    inspectors: list[str]

    @staticmethod
    def resolve_org_code(obj):
        return obj.organization.org_code

    @staticmethod
    def resolve_inspectors(obj):
        return [inspector.name for inspector in obj.inspectors.all()]


class FindingIn(Schema):
    violation_code: str | None = None
    description: str = ""


class FindingOut(Schema):
    code: str
    violation_code: str | None
    description: str
    surface: bool
    source: str

    @staticmethod
    def resolve_violation_code(obj):
        return obj.violation.code if obj.violation_id else None


class DecisionIn(Schema):
    measure: Measure
    finding_codes: list[str]
    decided_on: dt.date
    fine_yuan: Decimal | None = None
    due_on: dt.date | None = None
    publicized: bool = False
    note: str = ""
    responsible_person_id_number: str | None = None
    responsible_fine_yuan: Decimal | None = None


class DecisionOut(Schema):
    code: str
    measure: Measure
    fine_yuan: Decimal | None
    fine_low: Decimal | None
    fine_high: Decimal | None
    decided_on: dt.date
    due_on: dt.date | None
    basis: str
    overdue_range: bool
    publicized: bool
    responsible_person: str | None
    responsible_fine_yuan: Decimal | None
    responsible_fine_low: Decimal | None
    responsible_fine_high: Decimal | None

    @staticmethod
    def resolve_responsible_person(obj):
        """Named as everywhere: name and masked ID number."""
        person = obj.responsible_person
        return f"{person.name}（{person.masked_id_number}）" if person is not None else None


class RectificationOut(Schema):
    id: int
    decision_code: str
    org_code: str
    due_on: dt.date
    status: RectificationStatus
    overdue: bool

    @staticmethod
    def resolve_decision_code(obj):
        return obj.decision.code

    @staticmethod
    def resolve_org_code(obj):
        return obj.decision.inspection.organization.org_code

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()


class RectificationFilters(Schema):
    state: str | None = None


@router.get("/inspections", response=list[InspectionOut], summary="Inspections in your jurisdiction")
@paginate(ApiPagination)
def inspection_list(request, q: str | None = None):
    return selectors.inspection_list(user=request.user, filters={"q": q}).prefetch_related("inspectors")


@router.get("/inspections/{inspection_code}", response=InspectionOut, summary="One inspection")
def inspection_get(request, inspection_code: str):
    return selectors.inspection_get(user=request.user, code=inspection_code)


@router.get("/inspections/{inspection_code}/findings", response=list[FindingOut], summary="Its findings")
def finding_list(request, inspection_code: str):
    inspection = selectors.inspection_get(user=request.user, code=inspection_code)
    return list(inspection.findings.select_related("violation"))


@router.post("/inspections/{inspection_code}/findings", response={201: FindingOut}, summary="Record a finding")
def finding_add(request, inspection_code: str, payload: FindingIn):
    inspection = selectors.inspection_get(user=request.user, code=inspection_code)
    item = None
    if payload.violation_code:
        item = selectors.current_item(payload.violation_code)
        if item is None:
            raise DomainError("unknown_violation", _("Unknown catalogue item."), status=422)
    return Status(
        201,
        services.finding_record(
            actor=request.user, inspection=inspection, violation=item, description=payload.description
        ),
    )


@router.post("/inspections/{inspection_code}/decisions", response={201: DecisionOut}, summary="Issue a decision")
def decision_add(request, inspection_code: str, payload: DecisionIn):
    inspection = selectors.inspection_get(user=request.user, code=inspection_code)
    findings = list(inspection.findings.filter(code__in=payload.finding_codes).select_related("violation"))
    if len(findings) != len(set(payload.finding_codes)):
        raise Http404
    responsible = None
    if payload.responsible_person_id_number:
        responsible = selectors.registered_person(user=request.user, id_number=payload.responsible_person_id_number)
        if responsible is None:
            raise DomainError("unknown_person", _("No such registered person in your jurisdiction."), status=422)
    return Status(
        201,
        services.decision_issue(
            actor=request.user,
            inspection=inspection,
            findings=findings,
            measure=payload.measure,
            decided_on=payload.decided_on,
            fine_yuan=payload.fine_yuan,
            due_on=payload.due_on,
            publicized=payload.publicized,
            note=payload.note,
            responsible_person=responsible,
            responsible_fine_yuan=payload.responsible_fine_yuan,
        ),
    )


@router.get("/rectifications", response=list[RectificationOut], summary="Orders to rectify and their state")
@paginate(ApiPagination)
def rectification_list(request, filters: Query[RectificationFilters]):
    return selectors.rectification_list(user=request.user, filters=filters.dict(exclude_none=True))


@router.get("/enforcement-indicators", summary="Soft-enforcement indicators of a region and period")
def indicators(request, region_code: str | None = None, since: dt.date | None = None, until: dt.date | None = None):
    user = request.user
    if not (user.is_regulator or user.is_system_admin):
        raise Http404
    region = user.region if user.is_regulator else Region.objects.get(code="000000")
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None or not (user.sees_everything or user.region.contains(region.code)):
            raise Http404
    today = timezone.localdate()
    data = selectors.indicators(
        user=user, region=region, since=since or dt.date(today.year, 1, 1), until=until or today
    )

    def plain(block: dict) -> dict:
        return {key: (float(value) if isinstance(value, Decimal) else value) for key, value in block.items()}

    return {
        "region": region.code,
        "since": data["since"],
        "until": data["until"],
        "overall": plain(data["overall"]),
        "children": [plain(child) for child in data["children"]],
    }
