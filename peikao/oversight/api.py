"""Oversight API: the alert queue — list (filters), one alert with its evidence and history, and the steps of its
review (review, confirm into an inspection finding, dismiss with a reason, reopen, add the subject to the next
draw of a plan). Scoped like the pages: a regulator sees the alerts of the subjects of his jurisdiction.

(No `from __future__ import annotations` here: django-ninja reads the annotations at import time.)
"""

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from peikao.core.errors import DomainError
from peikao.core.paging import ApiPagination
from peikao.enforcement import selectors as enforcement_selectors
from peikao.enforcement.choices import InspectionKind
from peikao.oversight import selectors, services
from peikao.oversight.choices import AlertState, DismissReason, Severity, SubjectKind
from peikao.oversight.models import Alert

router = Router(tags=["oversight"])

SORTS = "severity, -severity, age, -age, last_seen, -last_seen"


class AlertOut(Schema):
    id: int
    fingerprint: str
    detector: str = Field(description="The detector's code, e.g. TRN-DAY-OVERLOAD")
    detector_name: str
    org_code: str
    organization: str
    person: str | None = Field(None, description="Name and masked ID number")
    period_from: dt.date
    period_to: dt.date
    severity: Severity
    state: AlertState
    violation_code: str
    explanation: str
    dismiss_reason: DismissReason | None = None
    inspection_code: str | None = None
    finding_code: str | None = None
    forced_plan_id: int | None = Field(None, description="The plan whose next draw takes the subject first")
    first_seen: dt.datetime
    last_seen: dt.datetime

    @staticmethod
    def resolve_detector(obj):
        return obj.detector_id

    @staticmethod
    def resolve_detector_name(obj):
        return obj.detector.name

    @staticmethod
    def resolve_org_code(obj):
        return obj.organization.org_code

    @staticmethod
    def resolve_organization(obj):
        return obj.organization.name

    @staticmethod
    def resolve_person(obj):
        return f"{obj.person.name}（{obj.person.masked_id_number}）" if obj.person_id else None

    @staticmethod
    def resolve_dismiss_reason(obj):
        return obj.dismiss_reason or None

    @staticmethod
    def resolve_inspection_code(obj):
        return obj.inspection.code if obj.inspection_id else None

    @staticmethod
    def resolve_finding_code(obj):
        return obj.finding.code if obj.finding_id else None


class AlertEventOut(Schema):
    time: dt.datetime
    transition: str
    old_status: str
    new_status: str
    reason: str
    actor: str

    @staticmethod
    def resolve_actor(obj):
        return obj.actor_label


class AlertDetailOut(AlertOut):
    evidence: dict[str, Any] = Field(description="The evidence rows as the detector found them (ID numbers masked)")
    events: list[AlertEventOut] = Field(description="The steps of its review, oldest first")

    @staticmethod
    def resolve_evidence(obj):
        return obj.evidence if isinstance(obj.evidence, dict) else {}

    @staticmethod
    def resolve_events(obj):
        return obj.review_steps


class AlertFilters(Schema):
    detector: str | None = Field(None, description="A detector's code")
    severity: Severity | None = None
    state: AlertState | None = None
    subject_kind: SubjectKind | None = None
    region: str | None = Field(None, pattern=r"^\d{6}$", description="A region code within your jurisdiction")
    org_code: str | None = Field(None, max_length=40)
    period_from: dt.date | None = Field(None, description="Alerts whose period ends on or after this day")
    period_to: dt.date | None = Field(None, description="Alerts whose period starts on or before this day")
    sort: str | None = Field(None, pattern=r"^-?(severity|age|last_seen)$", description=SORTS)


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class DismissIn(Schema):
    reason: DismissReason
    note: str = Field("", max_length=2000, description="Required when the reason is 'other'")


class ConfirmIn(Schema):
    inspection_code: str | None = Field(
        None, max_length=40, description="A planned or open inspection of the subject; none for a new inspection"
    )
    inspectors: list[str] = Field(
        default_factory=list, description="Usernames of the new inspection's inspectors (at least two)"
    )
    inspected_on: dt.date | None = Field(None, description="Date of the new inspection (today by default)")
    kind: InspectionKind = InspectionKind.SPECIAL
    note: str = Field("", max_length=2000)


class ForceIn(Schema):
    plan_id: int = Field(description="A draft inspection plan of a region holding the subject")
    note: str = Field("", max_length=2000)


def _alert(request, alert_id: int) -> Alert:
    try:
        return selectors.alert_get(user=request.user, pk=alert_id)
    except Alert.DoesNotExist as missing:
        raise Http404 from missing


def _detail(request, alert_id: int) -> Alert:
    """The alert as it is now, with the review steps the user may see."""
    alert = _alert(request, alert_id)
    alert.review_steps = list(selectors.alert_events(user=request.user, alert=alert))
    return alert


@router.get("/alerts", response=list[AlertOut], summary="Alerts of the subjects of your jurisdiction")
@paginate(ApiPagination)
def alert_list(request, filters: Query[AlertFilters]):
    """Most severe first, then oldest first (``sort``: severity, age, last_seen; ``-`` for descending)."""
    wanted = filters.dict(exclude_none=True)
    org_code = wanted.pop("org_code", None)
    queryset = selectors.alert_list(user=request.user, filters=wanted)
    if org_code:
        queryset = queryset.filter(organization__org_code=org_code)
    return queryset.select_related("inspection", "finding")


@router.get("/alerts/{alert_id}", response=AlertDetailOut, summary="One alert with its evidence and history")
def alert_get(request, alert_id: int):
    return _detail(request, alert_id)


@router.post("/alerts/{alert_id}/review", response=AlertDetailOut, summary="Take a new alert into review")
def alert_review(request, alert_id: int, payload: NoteIn):
    services.alert_review(actor=request.user, alert=_alert(request, alert_id), note=payload.note)
    return _detail(request, alert_id)


@router.post("/alerts/{alert_id}/dismiss", response=AlertDetailOut, summary="Dismiss an alert with a reason")
def alert_dismiss(request, alert_id: int, payload: DismissIn):
    """A data error is then corrected through the normal import; 'other' needs the reason in words (``note``)."""
    services.alert_dismiss(
        actor=request.user, alert=_alert(request, alert_id), reason=payload.reason, note=payload.note
    )
    return _detail(request, alert_id)


@router.post("/alerts/{alert_id}/reopen", response=AlertDetailOut, summary="Reopen a dismissed alert (note required)")
def alert_reopen(request, alert_id: int, payload: NoteIn):
    services.alert_reopen(actor=request.user, alert=_alert(request, alert_id), note=payload.note)
    return _detail(request, alert_id)


@router.post(
    "/alerts/{alert_id}/confirm",
    response=AlertDetailOut,
    summary="Confirm an alert into a finding of an inspection of its subject (a planned or open one, or a new one)",
)
def alert_confirm(request, alert_id: int, payload: ConfirmIn):
    user = request.user
    alert = _alert(request, alert_id)
    inspection = None
    inspectors = []
    if payload.inspection_code:
        inspection = selectors.confirm_inspections(user=user, alert=alert).filter(code=payload.inspection_code).first()
        if inspection is None:
            raise DomainError(
                "unknown_inspection",
                _("No planned or open inspection of the subject has this code."),
                status=422,
                field="inspection_code",
            )
    else:
        wanted = set(payload.inspectors)
        inspectors = list(
            enforcement_selectors.inspector_choices(user=user, organization=alert.organization).filter(
                username__in=wanted
            )
        )
        if len(inspectors) != len(wanted):
            raise DomainError(
                "unknown_inspector",
                _("An inspector named is not an inspector of the subject's jurisdiction."),
                status=422,
                field="inspectors",
            )
    services.alert_confirm(
        actor=user,
        alert=alert,
        inspection=inspection,
        inspectors=inspectors,
        inspected_on=payload.inspected_on,
        kind=payload.kind,
        note=payload.note,
    )
    return _detail(request, alert_id)


@router.post(
    "/alerts/{alert_id}/force",
    response=AlertDetailOut,
    summary="Add the alert's subject to the next draw of an inspection plan as a forced subject",
)
def alert_force(request, alert_id: int, payload: ForceIn):
    user = request.user
    alert = _alert(request, alert_id)
    plan = next((plan for plan in selectors.force_plans(user=user, alert=alert) if plan.pk == payload.plan_id), None)
    if plan is None:
        raise DomainError(
            "unknown_plan", _("Choose a draft plan of a region holding the subject."), status=422, field="plan_id"
        )
    services.alert_force_into_plan(actor=user, alert=alert, plan=plan, note=payload.note)
    return _detail(request, alert_id)
