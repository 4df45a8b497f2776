"""Registry UI: organisations, persons, rosters. Reads through selectors, writes through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peikao.core.errors import DomainError
from peikao.core.forms import add_domain_error
from peikao.core.paging import paginate
from peikao.core.permissions import Perm, has_perm, require_perm
from peikao.core.selectors import object_history, regions_in_jurisdiction
from peikao.registry import selectors, services
from peikao.registry.choices import OrganizationKind, PersonLinkStatus
from peikao.registry.filters import OrganizationFilter, PersonFilter
from peikao.registry.forms import AssignmentEndForm, AssignmentForm, OrganizationForm, PersonForm, TransitionForm
from peikao.registry.sections import person_sections


def _form_error(form, error: DomainError) -> None:
    add_domain_error(form, error)


@login_required
def organization_list(request):
    organizations = selectors.organization_list(user=request.user, filters=request.GET)
    context = paginate(request, organizations)
    context["filter"] = OrganizationFilter(request.GET or None)
    context["region_choices"] = selectors.region_filter_choices(user=request.user)
    context["can_create"] = has_perm(request.user, Perm.ORGANIZATION_CREATE)
    return render(request, "registry/organization_list.html", context)


@login_required
def organization_detail(request, org_code: str):
    org = selectors.organization_get(user=request.user, org_code=org_code)
    staff = selectors.roster(user=request.user, organization=org)
    shown = list(staff[:200])
    selectors.label_persons(user=request.user, persons=[a.person for a in shown])
    context = {
        "org": org,
        "staff": shown,
        "staff_total": staff.count(),
        "events": selectors.organization_events(user=request.user, organization=org)[:20],
        "children": selectors.organization_list(user=request.user).filter(parent=org),
        "openable": selectors.openable_organizations(user=request.user, organizations=[org.parent]),
        "can_inspect": has_perm(request.user, Perm.INSPECT) and request.user.is_regulator,
        "can_edit": has_perm(request.user, Perm.ORGANIZATION_CHANGE),
        "can_change_status": has_perm(request.user, Perm.ORGANIZATION_CHANGE_REGULATED),
        "can_add_staff": has_perm(request.user, Perm.ASSIGNMENT_CHANGE)
        and (not request.user.is_org_member or request.user.organization_id == org.pk),
        "transition_form": TransitionForm(),
        "history": object_history(instance=org),
    }
    return render(request, "registry/organization_detail.html", context)


def _organization_form(request, *, initial=None, data=None, regulated=True):
    return OrganizationForm(
        data,
        initial=initial,
        regions=regions_in_jurisdiction(user=request.user).select_related("parent"),
        parents=selectors.organization_list(user=request.user, filters={"kind": OrganizationKind.EXAM_INSTITUTION}),
        regulated=regulated,
    )


def _organization_data(form) -> dict:
    data = form.cleaned_data
    return {
        "org_code": data["org_code"] or data["uscc"] or "",
        "kind": data["kind"],
        "name": data["name"],
        "uscc": data["uscc"] or None,
        "region": data["region"],
        "parent": data["parent"],
        "industry": data["industry"],
        "practical_device": data["practical_device"] or "",
        "capacity": data["capacity"],
        "address": data["address"],
        "contact_phone": data["contact_phone"],
    }


@login_required
def organization_create(request):
    require_perm(request.user, Perm.ORGANIZATION_CREATE)
    form = _organization_form(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(
                actor=request.user,
                data=_organization_data(form),
                operation_items=list(form.cleaned_data["operation_items"]),
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The organisation was registered."))
            return redirect("registry:organization_detail", org_code=org.org_code)
    return render(request, "registry/organization_form.html", {"form": form, "org": None})


@login_required
def organization_edit(request, org_code: str):
    org = selectors.organization_get(user=request.user, org_code=org_code)
    require_perm(request.user, Perm.ORGANIZATION_CHANGE)
    regulated = has_perm(request.user, Perm.ORGANIZATION_CHANGE_REGULATED)
    initial = {
        "kind": org.kind,
        "name": org.name,
        "uscc": org.uscc or "",
        "org_code": org.org_code,
        "region": org.region_id,
        "parent": org.parent_id,
        "industry": org.industry_id,
        "operation_items": list(org.operation_items.all()),
        "practical_device": org.practical_device,
        "capacity": org.capacity,
        "address": org.address,
        "contact_phone": org.contact_phone,
    }
    form = _organization_form(request, initial=initial, data=request.POST or None, regulated=regulated)
    if request.method == "POST" and form.is_valid():
        data = _organization_data(form)
        data.pop("org_code")
        items = list(form.cleaned_data["operation_items"]) if regulated else None
        if not regulated:
            for field in ("kind", "uscc", "region", "parent", "industry"):
                data.pop(field)
        if data.get("uscc") is None:
            data.pop("uscc", None)
        try:
            services.organization_update(actor=request.user, organization=org, data=data, operation_items=items)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:organization_detail", org_code=org.org_code)
    return render(request, "registry/organization_form.html", {"form": form, "org": org})


@login_required
@require_POST
def organization_status(request, org_code: str):
    org = selectors.organization_get(user=request.user, org_code=org_code)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new status and a reason."))
    else:
        services.organization_transition(
            actor=request.user,
            organization=org,
            to_status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("The status was changed."))
    return redirect("registry:organization_detail", org_code=org.org_code)


@login_required
def assignment_create(request, org_code: str):
    org = selectors.organization_get(user=request.user, org_code=org_code)
    require_perm(request.user, Perm.ASSIGNMENT_CHANGE)
    form = AssignmentForm(request.POST or None, dispatchers=selectors.dispatcher_choices(user=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_register_or_match(
                actor=request.user, id_number=data["id_number"], name=data["name"]
            )
            services.assignment_create(
                actor=request.user,
                person=person,
                organization=org,
                role=data["role"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                operation_item=data["operation_item"],
                dispatched_by=data["dispatched_by"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Added to the roster."))
            return redirect("registry:organization_detail", org_code=org.org_code)
    return render(request, "registry/assignment_form.html", {"form": form, "org": org})


@login_required
@require_POST
def assignment_end(request, assignment_id: int):
    assignment = selectors.assignment_get(user=request.user, pk=assignment_id)
    form = AssignmentEndForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_end(actor=request.user, assignment=assignment, end_date=form.cleaned_data["end_date"])
        except DomainError as error:
            messages.error(request, error.text)
        else:
            messages.success(request, _("The assignment was ended."))
    else:
        messages.error(request, _("Give the end date."))
    return redirect("registry:organization_detail", org_code=assignment.organization.org_code)


@login_required
def person_list(request):
    if request.user.is_candidate:
        return redirect("registry:person_detail", person_id=request.user.person_id)
    persons = selectors.person_list(user=request.user, filters=request.GET)
    context = paginate(request, persons)
    context["filter"] = PersonFilter(request.GET or None)
    context["can_create"] = has_perm(request.user, Perm.PERSON_CHANGE) and request.user.is_regulator
    return render(request, "registry/person_list.html", context)


@login_required
def person_detail(request, person_id: int):
    person = selectors.person_get(user=request.user, pk=person_id)
    assignments = list(selectors.assignment_list(user=request.user).filter(person=person).order_by("-start_date"))
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "assignments": assignments,
            "openable": selectors.openable_organizations(
                user=request.user, organizations=[a.organization for a in assignments]
            ),
            "can_reveal": has_perm(request.user, Perm.VIEW_FULL_ID_NUMBER),
            "can_edit": has_perm(request.user, Perm.PERSON_CHANGE) and not request.user.is_candidate,
            "history": object_history(instance=person) if not request.user.is_candidate else [],
            "sections": person_sections(user=request.user, person=person),
        },
    )


@login_required
@require_POST
def person_reveal_id_number(request, person_id: int):
    person = selectors.person_get(user=request.user, pk=person_id)
    number = services.person_reveal_id_number(user=request.user, person=person, purpose="web:person_detail")
    return HttpResponse(format_html('<code id="full-id-number">{}</code>', number))


@login_required
def person_create(request):
    require_perm(request.user, Perm.PERSON_CHANGE)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.user.is_org_member:  # the same answer whether or not the number was registered (ADR 0009)
                services.person_enter(
                    actor=request.user,
                    organization=request.user.organization,
                    id_number=data["id_number"],
                    name=data["name"],
                    phone=data["phone"] or "",
                    education=data["education"],
                )
                messages.success(
                    request,
                    _(
                        "Entered. The person's registered details and certificates open to your organisation once a "
                        "regulator has matched the entry or the person has confirmed it."
                    ),
                )
                return redirect("registry:person_link_list")
            person = services.person_create(
                actor=request.user,
                id_number=data["id_number"],
                name=data["name"],
                phone=data["phone"] or "",
                education=data["education"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The person was registered."))
            if selectors.person_list(user=request.user).filter(pk=person.pk).exists():
                return redirect("registry:person_detail", person_id=person.pk)
            messages.info(request, _("Add an assignment to see this person in your lists."))
            return redirect("registry:person_list")
    return render(request, "registry/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request, person_id: int):
    person = selectors.person_get(user=request.user, pk=person_id)
    require_perm(request.user, Perm.PERSON_CHANGE)
    initial = {"name": person.name, "phone": person.phone, "education": person.education}
    form = PersonForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_update(
                actor=request.user,
                person=person,
                name=data["name"],
                phone=data["phone"] or "",
                education=data["education"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:person_detail", person_id=person.pk)
    return render(request, "registry/person_form.html", {"form": form, "person": person})


@login_required
def person_link_list(request):
    status = request.GET.get("status") or ""
    if not status and has_perm(request.user, Perm.PERSON_MATCH):
        status = PersonLinkStatus.PENDING  # a regulator's work list: the links waiting for a match
    if status not in PersonLinkStatus.values:
        status = ""
    links = selectors.person_link_list(user=request.user, status=status or None)
    context = paginate(request, links)
    user = request.user
    context["may_decide"] = user.is_candidate or has_perm(user, Perm.PERSON_MATCH)
    context["statuses"] = PersonLinkStatus.choices
    context["status"] = status
    context["rows"] = list(context["rows"])
    for link in context["rows"]:
        link.shows_person = selectors.person_link_shows_person(user=user, link=link)
    return render(request, "registry/person_link_list.html", context)


@login_required
@require_POST
def person_link_decide(request, link_id: int, decision: str):
    link = selectors.person_link_get(user=request.user, pk=link_id)
    decide = {"confirm": services.person_link_confirm, "reject": services.person_link_reject}.get(decision)
    if decide is None:
        raise Http404
    try:
        decide(actor=request.user, link=link, reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(
            request, _("The link was confirmed.") if decision == "confirm" else _("The link was rejected.")
        )
    return redirect("registry:person_link_list")
