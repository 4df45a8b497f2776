"""The alert queue of a region and an alert's page, with the steps of its review (regulators only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peikao.core.errors import DomainError
from peikao.core.forms import add_domain_error
from peikao.core.models import User
from peikao.core.paging import paginate
from peikao.core.permissions import Perm, has_perm
from peikao.enforcement import selectors as enforcement_selectors
from peikao.enforcement.models import Inspection, InspectionPlan
from peikao.oversight import selectors, services
from peikao.oversight.choices import OPEN_STATES, AlertState
from peikao.oversight.forms import NEW, AlertFilterForm, ConfirmForm, DismissForm, ForceForm, NoteForm
from peikao.oversight.models import Alert
from peikao.oversight.views.evidence import evidence_of
from peikao.registry import selectors as registry_selectors

ACTIONS = ("review", "dismiss", "confirm", "reopen", "force")
PLAN_REQUIRED = gettext_lazy("Choose a draft plan of a region holding the subject.")


def regulator_only(user: User) -> None:
    """The queue is a regulator's: to anyone else it does not exist."""
    if not (user.is_regulator or user.is_system_admin):
        raise Http404


def may_review(user: User) -> bool:
    """Who may take an alert into review, confirm, dismiss or force it: inspectors and regulator administrators."""
    return has_perm(user, Perm.INSPECT) and (user.is_regulator or user.is_system_admin)


def _get(user: User, alert_id: int) -> Alert:
    regulator_only(user)
    try:
        return selectors.alert_get(user=user, pk=alert_id)
    except Alert.DoesNotExist as missing:
        raise Http404 from missing


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    regulator_only(user)
    detectors = list(selectors.detector_list())
    form = AlertFilterForm(request.GET or None, detectors=detectors)
    filters = form.filters()
    context = {
        **paginate(request, selectors.alert_list(user=user, filters=filters)),
        "form": form,
        "region_choices": registry_selectors.region_filter_choices(user=user),
        "open_states": OPEN_STATES,
    }
    return render(request, "oversight/alerts/list.html", context)


def _inspections(user: User, alert: Alert) -> list[Inspection]:
    return list(selectors.confirm_inspections(user=user, alert=alert))


def _plans(user: User, alert: Alert) -> list[InspectionPlan]:
    return selectors.force_plans(user=user, alert=alert)


def _forms(user: User, alert: Alert, bound: dict | None = None) -> dict:
    forms = {
        "review_form": NoteForm(prefix="review"),
        "reopen_form": NoteForm(prefix="reopen"),
        "dismiss_form": DismissForm(prefix="dismiss"),
        "confirm_form": ConfirmForm(
            prefix="confirm",
            inspections=_inspections(user, alert),
            inspectors=enforcement_selectors.inspector_choices(user=user, organization=alert.organization),
            initial={"inspectors": [str(user.pk)]},
        ),
        "force_form": ForceForm(prefix="force", plans=_plans(user, alert))
        if has_perm(user, Perm.PLAN_MANAGE)
        else None,
    }
    return {**forms, **(bound or {})}


def _render_detail(request: HttpRequest, alert: Alert, bound: dict | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    tables, timeline = evidence_of(alert.detector_id, alert.evidence)
    inspection_visible = (
        alert.inspection_id is not None
        and enforcement_selectors.inspection_list(user=user).filter(pk=alert.inspection_id).exists()
    )
    can_review = may_review(user)
    context = {
        "alert": alert,
        "tables": tables,
        "timeline": timeline,
        "events": selectors.alert_events(user=user, alert=alert),
        "can_review": can_review,
        "is_open": alert.state in OPEN_STATES,
        "is_new": alert.state == AlertState.NEW,
        "is_dismissed": alert.state == AlertState.DISMISSED,
        "inspection_visible": inspection_visible,
        "violation": enforcement_selectors.current_item(alert.violation_code) if alert.violation_code else None,
        "subject_openable": alert.organization_id
        in registry_selectors.openable_organizations(user=user, organizations=[alert.organization]),
    }
    if can_review:
        context = {**context, **_forms(user, alert, bound)}
    return render(request, "oversight/alerts/detail.html", context, status=status)


@login_required
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    return _render_detail(request, _get(request.user, alert_id))


@login_required
@require_POST
def alert_step(request: HttpRequest, alert_id: int, action: str) -> HttpResponse:
    """One step of the review from the alert's page; a refusal is shown beside its field, nothing written."""
    user = request.user
    alert = _get(user, alert_id)
    if action not in ACTIONS or (action == "force" and not has_perm(user, Perm.PLAN_MANAGE)):
        raise Http404
    if not may_review(user):
        raise Http404
    form = _bound_form(user, alert, action, request.POST)
    if form.is_valid():
        try:
            done = _apply(user, alert, action, form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, done)
            return redirect("oversight:alert_detail", alert_id=alert.pk)
    return _render_detail(request, alert, {f"{action}_form": form, "open_step": action}, status=400)


def _bound_form(user: User, alert: Alert, action: str, data):
    if action in ("review", "reopen"):
        return NoteForm(data, prefix=action)
    if action == "dismiss":
        return DismissForm(data, prefix="dismiss")
    if action == "confirm":
        return ConfirmForm(
            data,
            prefix="confirm",
            inspections=_inspections(user, alert),
            inspectors=enforcement_selectors.inspector_choices(user=user, organization=alert.organization),
        )
    return ForceForm(data, prefix="force", plans=_plans(user, alert))


def _apply(user: User, alert: Alert, action: str, data: dict) -> str:
    """Call the service of ``action``; the message shown when it is done."""
    note = (data.get("note") or "").strip()
    if action == "review":
        services.alert_review(actor=user, alert=alert, note=note)
        return _("The alert is under review.")
    if action == "reopen":
        services.alert_reopen(actor=user, alert=alert, note=note)
        return _("The alert is reopened.")
    if action == "dismiss":
        services.alert_dismiss(actor=user, alert=alert, reason=data["reason"], note=note)
        return _("The alert is dismissed.")
    if action == "confirm":
        inspection = None
        if data["inspection"] != NEW:
            inspection = next((i for i in _inspections(user, alert) if i.code == data["inspection"]), None)
        inspectors = list(
            enforcement_selectors.inspector_choices(user=user, organization=alert.organization).filter(
                pk__in=data.get("inspectors") or []
            )
        )
        finding = services.alert_confirm(
            actor=user,
            alert=alert,
            inspection=inspection,
            inspectors=inspectors,
            inspected_on=data.get("inspected_on"),
            kind=data.get("kind") or "special",
            note=note,
        )
        return _("Confirmed: finding %(code)s of inspection %(inspection)s.") % {
            "code": finding.code,
            "inspection": finding.inspection.code,
        }
    plan = next((p for p in _plans(user, alert) if str(p.pk) == data["plan"]), None)
    if plan is None:
        raise DomainError("plan_required", PLAN_REQUIRED, field="plan")
    services.alert_force_into_plan(actor=user, alert=alert, plan=plan, note=note)
    return _("The subject is added to the next draw of %(plan)s.") % {"plan": plan.name}
