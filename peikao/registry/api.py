"""Registry API: organisations, persons and assignments, scoped to the caller's jurisdiction."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from peikao.core.errors import DomainError
from peikao.core.models import Region
from peikao.core.paging import ApiPagination
from peikao.registry import selectors, services
from peikao.registry.choices import (
    AssignmentRole,
    OrganizationKind,
    OrganizationStatus,
    PersonLinkStatus,
    PracticalDevice,
)
from peikao.registry.models import Industry, OperationItem

router = Router(tags=["registry"])


class OrganizationOut(Schema):
    org_code: str
    kind: OrganizationKind
    name: str
    uscc: str | None
    region_code: str
    parent_org_code: str | None
    industry: str | None
    high_risk: bool
    operation_items: list[str]
    practical_device: str
    capacity: int | None
    status: OrganizationStatus

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_parent_org_code(obj):
        return obj.parent.org_code if obj.parent_id else None

    @staticmethod
    def resolve_industry(obj):
        return obj.industry.code if obj.industry_id else None

    @staticmethod
    def resolve_operation_items(obj):
        return [item.code for item in obj.operation_items.all()]


class OrganizationFilters(Schema):
    q: str | None = None
    kind: OrganizationKind | None = None
    status: OrganizationStatus | None = None
    region: str | None = None
    industry: str | None = None
    operation_item: str | None = None


class OrganizationIn(Schema):
    org_code: str | None = None
    kind: OrganizationKind
    name: str
    uscc: str | None = None
    region_code: str
    parent_org_code: str | None = None
    industry: str | None = None
    operation_items: list[str] = []
    practical_device: PracticalDevice | None = None
    capacity: int | None = None


class OrganizationPatch(Schema):
    name: str | None = None
    address: str | None = None
    contact_phone: str | None = None
    capacity: int | None = None
    practical_device: PracticalDevice | None = None
    operation_items: list[str] | None = None


class TransitionIn(Schema):
    status: OrganizationStatus
    reason: str


class PersonOut(Schema):
    id: int
    name: str
    id_number_masked: str
    sex: str
    birth_date: dt.date
    phone: str
    education: str

    @staticmethod
    def resolve_id_number_masked(obj):
        return obj.masked_id_number


class PersonIn(Schema):
    id_number: str
    name: str
    phone: str = ""
    education: str = ""


class PersonLinkOut(Schema):
    """An organisation's link to a person (ADR 0009). An organisation reads the name it entered until the link is
    confirmed; the registered name and the person's id are given only to whoever may see the person."""

    id: int
    org_code: str
    organization_name: str
    entered_name: str
    id_number_masked: str
    status: PersonLinkStatus
    status_label: str
    registered_name: str | None
    person_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_org_code(obj):
        return obj.organization.org_code

    @staticmethod
    def resolve_organization_name(obj):
        return obj.organization.name

    @staticmethod
    def resolve_id_number_masked(obj):
        return obj.person.masked_id_number

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_registered_name(obj, context):
        return obj.person.name if selectors.person_link_shows_person(user=context["request"].user, link=obj) else None

    @staticmethod
    def resolve_person_id(obj, context):
        return obj.person_id if selectors.person_link_shows_person(user=context["request"].user, link=obj) else None


class PersonLinkDecisionIn(Schema):
    reason: str = ""


class PersonPatch(Schema):
    name: str
    phone: str = ""
    education: str = ""


class IdNumberOut(Schema):
    id_number: str


class PersonFilters(Schema):
    q: str | None = None
    organization: str | None = None
    role: AssignmentRole | None = None


class AssignmentOut(Schema):
    id: int
    person_id: int
    person_name: str
    org_code: str
    role: AssignmentRole
    operation_item: str | None
    start_date: dt.date
    end_date: dt.date | None
    dispatched_by: str | None

    @staticmethod
    def resolve_person_name(obj):
        label = getattr(obj, "person_label", None)  # an organisation reads the name it entered (ADR 0009)
        if label is None:
            return obj.person.name
        return label or obj.person.masked_id_number

    @staticmethod
    def resolve_org_code(obj):
        return obj.organization.org_code

    @staticmethod
    def resolve_operation_item(obj):
        return obj.operation_item.code if obj.operation_item_id else None

    @staticmethod
    def resolve_dispatched_by(obj):
        return obj.dispatched_by.org_code if obj.dispatched_by_id else None


class AssignmentIn(Schema):
    """The person by ``person_id`` (one you may see), or by ``id_number`` and ``name`` (entered for your organisation
    if new to it: a link awaiting confirmation, ADR 0009)."""

    person_id: int | None = None
    id_number: str | None = None
    name: str = ""
    org_code: str
    role: AssignmentRole
    start_date: dt.date
    end_date: dt.date | None = None
    operation_item: str | None = None
    dispatched_by: str | None = None


class AssignmentEndIn(Schema):
    end_date: dt.date


class AssignmentFilters(Schema):
    role: AssignmentRole | None = None
    organization: str | None = None
    current: bool | None = None


def _items(codes: list[str]) -> list[OperationItem]:
    items = list(OperationItem.objects.filter(code__in=codes))
    missing = set(codes) - {item.code for item in items}
    if missing:
        raise DomainError(
            "unknown_operation_item",
            _("Unknown operation item codes: %(codes)s."),
            {"codes": ", ".join(sorted(missing))},
        )
    return items


def _filters(schema: Schema) -> dict:
    return {key: value for key, value in schema.dict().items() if value is not None}


@router.get("/organizations", response=list[OrganizationOut], summary="Organisations in your jurisdiction")
@paginate(ApiPagination)
def organization_list(request, filters: Query[OrganizationFilters]):
    return selectors.organization_list(user=request.user, filters=_filters(filters)).prefetch_related("operation_items")


@router.post("/organizations", response={201: OrganizationOut}, summary="Register an organisation")
def organization_create(request, payload: OrganizationIn):
    region = Region.objects.filter(code=payload.region_code).first()
    if region is None:
        raise DomainError("unknown_region", _("Not an existing county-level region code."))
    parent = None
    if payload.parent_org_code:
        parent = selectors.organization_get(user=request.user, org_code=payload.parent_org_code)
    industry = None
    if payload.industry:
        industry = Industry.objects.filter(code=payload.industry).first()
        if industry is None:
            raise DomainError("unknown_industry", _("Unknown industry code."))
    data = {
        "org_code": payload.org_code or payload.uscc or "",
        "kind": payload.kind,
        "name": payload.name,
        "uscc": payload.uscc or None,
        "region": region,
        "parent": parent,
        "industry": industry,
        "practical_device": payload.practical_device or "",
        "capacity": payload.capacity,
    }
    org = services.organization_create(actor=request.user, data=data, operation_items=_items(payload.operation_items))
    return Status(201, selectors.organization_get(user=request.user, org_code=org.org_code))


@router.get("/organizations/{org_code}", response=OrganizationOut, summary="One organisation")
def organization_get(request, org_code: str):
    return selectors.organization_get(user=request.user, org_code=org_code)


@router.patch("/organizations/{org_code}", response=OrganizationOut, summary="Change an organisation's details")
def organization_update(request, org_code: str, payload: OrganizationPatch):
    org = selectors.organization_get(user=request.user, org_code=org_code)
    data = payload.dict(exclude_unset=True)
    codes = data.pop("operation_items", None)
    if "practical_device" in data and data["practical_device"] is None:
        data["practical_device"] = ""
    services.organization_update(
        actor=request.user, organization=org, data=data, operation_items=_items(codes) if codes is not None else None
    )
    return selectors.organization_get(user=request.user, org_code=org_code)


@router.post(
    "/organizations/{org_code}/status", response=OrganizationOut, summary="Suspend, reinstate or close (with reason)"
)
def organization_transition(request, org_code: str, payload: TransitionIn):
    org = selectors.organization_get(user=request.user, org_code=org_code)
    services.organization_transition(
        actor=request.user, organization=org, to_status=payload.status, reason=payload.reason
    )
    return selectors.organization_get(user=request.user, org_code=org_code)


@router.get("/persons", response=list[PersonOut], summary="Persons in your jurisdiction (ID numbers masked)")
@paginate(ApiPagination)
def person_list(request, filters: Query[PersonFilters]):
    return selectors.person_list(user=request.user, filters=_filters(filters))


@router.post(
    "/persons",
    response={201: PersonOut | PersonLinkOut},
    summary="Register a person (a regulator), or enter one for your organisation (a link awaiting confirmation)",
)
def person_create(request, payload: PersonIn):
    if request.user.is_org_member:  # the same answer whether or not the number was registered (ADR 0009)
        link = services.person_enter(
            actor=request.user,
            organization=request.user.organization,
            id_number=payload.id_number,
            name=payload.name,
            phone=payload.phone,
            education=payload.education,
        )
        return Status(201, selectors.person_link_get(user=request.user, pk=link.pk))
    person = services.person_create(
        actor=request.user,
        id_number=payload.id_number,
        name=payload.name,
        phone=payload.phone,
        education=payload.education,
    )
    return Status(201, person)


@router.get("/persons/{person_id}", response=PersonOut, summary="One person (ID number masked)")
def person_get(request, person_id: int):
    return selectors.person_get(user=request.user, pk=person_id)


@router.patch("/persons/{person_id}", response=PersonOut, summary="Correct a person's name or contact details")
def person_update(request, person_id: int, payload: PersonPatch):
    person = selectors.person_get(user=request.user, pk=person_id)
    return services.person_update(
        actor=request.user, person=person, name=payload.name, phone=payload.phone, education=payload.education
    )


@router.post(
    "/persons/{person_id}/id-number",
    response=IdNumberOut,
    summary="The full ID number (roles that need it; every call is logged)",
)
def person_id_number(request, person_id: int):
    person = selectors.person_get(user=request.user, pk=person_id)
    number = services.person_reveal_id_number(user=request.user, person=person, purpose="api:person_id_number")
    return {"id_number": number}


@router.get("/person-links", response=list[PersonLinkOut], summary="Links of organisations to persons you may see")
@paginate(ApiPagination)
def person_link_list(request, status: PersonLinkStatus | None = None):
    return selectors.person_link_list(user=request.user, status=status)


@router.post(
    "/person-links/{link_id}/confirm",
    response=PersonLinkOut,
    summary="Confirm a link (a regulator's match, or the person themself)",
)
def person_link_confirm(request, link_id: int, payload: PersonLinkDecisionIn):
    link = selectors.person_link_get(user=request.user, pk=link_id)
    services.person_link_confirm(actor=request.user, link=link, reason=payload.reason)
    return selectors.person_link_get(user=request.user, pk=link_id)


@router.post(
    "/person-links/{link_id}/reject",
    response=PersonLinkOut,
    summary="Reject a link, with the reason (a regulator, or the person themself)",
)
def person_link_reject(request, link_id: int, payload: PersonLinkDecisionIn):
    link = selectors.person_link_get(user=request.user, pk=link_id)
    services.person_link_reject(actor=request.user, link=link, reason=payload.reason)
    return selectors.person_link_get(user=request.user, pk=link_id)


@router.get("/assignments", response=list[AssignmentOut], summary="Who works where, in your jurisdiction")
@paginate(ApiPagination)
def assignment_list(request, filters: Query[AssignmentFilters]):
    return selectors.assignment_list(user=request.user, filters=_filters(filters))


@router.post("/assignments", response={201: AssignmentOut}, summary="Record an assignment")
def assignment_create(request, payload: AssignmentIn):
    org = selectors.organization_get(user=request.user, org_code=payload.org_code)
    if payload.person_id is not None:
        person = selectors.person_get(user=request.user, pk=payload.person_id)
    elif payload.id_number:
        person = services.person_register_or_match(
            actor=request.user, id_number=payload.id_number, name=payload.name, organization=org
        )
    else:
        raise DomainError("person_required", _("Give the person: person_id, or id_number and name."))
    item = get_object_or_404(OperationItem, code=payload.operation_item) if payload.operation_item else None
    dispatcher = (
        selectors.organization_get(user=request.user, org_code=payload.dispatched_by) if payload.dispatched_by else None
    )
    assignment = services.assignment_create(
        actor=request.user,
        person=person,
        organization=org,
        role=payload.role,
        start_date=payload.start_date,
        end_date=payload.end_date,
        operation_item=item,
        dispatched_by=dispatcher,
    )
    return Status(201, selectors.assignment_get(user=request.user, pk=assignment.pk))


@router.post("/assignments/{assignment_id}/end", response=AssignmentOut, summary="End an assignment")
def assignment_end(request, assignment_id: int, payload: AssignmentEndIn):
    assignment = selectors.assignment_get(user=request.user, pk=assignment_id)
    services.assignment_end(actor=request.user, assignment=assignment, end_date=payload.end_date)
    return selectors.assignment_get(user=request.user, pk=assignment_id)
