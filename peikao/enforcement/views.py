"""Enforcement UI, phone-first for inspectors on site: plans and draws, inspections with checklist, findings,
evidence (with where and when it was captured) and spot exams, decisions and their documents, the
rectification loop, look-back sampling, the catalogue and the soft-enforcement indicators."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peikao.core.errors import DomainError
from peikao.core.models import Region, User
from peikao.core.paging import paginate
from peikao.core.permissions import Perm, has_perm, require_perm
from peikao.enforcement import documents, selectors, services
from peikao.enforcement.choices import (
    KIND_SUBJECT,
    CheckOutcome,
    InspectionStatus,
    RectificationStatus,
    SpotExamStatus,
)
from peikao.enforcement.forms import (
    DecisionForm,
    EvidenceForm,
    FindingForm,
    IndicatorForm,
    InspectionForm,
    LookbackForm,
    PlanForm,
    RectificationSubmitForm,
    SpotForm,
    VerifyForm,
    ViolationForm,
)
from peikao.enforcement.models import Rectification, ViolationItem
from peikao.registry import selectors as registry_selectors


def _regulator_only(user) -> None:
    if not (user.is_regulator or user.is_system_admin):
        raise Http404


def _errors(request, form) -> None:
    messages.error(
        request,
        "；".join(
            f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}".strip() for k, v in form.errors.items()
        ),
    )


@login_required
def home(request):
    user = request.user
    if user.is_candidate:
        return redirect("registry:person_detail", person_id=user.person_id)
    today = timezone.localdate()
    context = {
        "mine": selectors.inspection_list(user=user, filters={"mine": True}).exclude(status=InspectionStatus.COMPLETED)[
            :20
        ],
        "recent": selectors.inspection_list(user=user)[:10],
        "overdue": selectors.rectification_list(user=user, filters={"state": "overdue"}, today=today)[:20],
        "to_verify": selectors.rectification_list(user=user, filters={"state": "to_verify"})[:20],
        "open_rectifications": selectors.rectification_list(user=user, filters={"state": "open"})[:20],
        "plans": selectors.plan_list(user=user)[:10] if user.is_regulator or user.is_system_admin else [],
        "can_inspect": has_perm(user, Perm.INSPECT),
        "can_plan": has_perm(user, Perm.PLAN_MANAGE),
        "today": today,
    }
    return render(request, "enforcement/home.html", context)


# -- plans -----------------------------------------------------------------------------------------------------


@login_required
def plan_list(request):
    user = request.user
    _regulator_only(user)
    form = PlanForm(request.POST or None)
    if request.method == "POST":
        require_perm(user, Perm.PLAN_MANAGE)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.plan_create(
                    actor=user,
                    region=user.region if user.is_regulator else Region.objects.get(code="000000"),
                    year=data["year"],
                    name=data["name"],
                    kinds=data["kinds"],
                    subjects_wanted=data["subjects_wanted"],
                    inspectors_per_subject=data["inspectors_per_subject"],
                )
            except DomainError as error:
                form.add_error(None, error.text)
            else:
                return redirect("enforcement:plan_detail", plan_id=plan.pk)
    context = {"plans": selectors.plan_list(user=user), "form": form, "can_plan": has_perm(user, Perm.PLAN_MANAGE)}
    return render(request, "enforcement/plan_list.html", context)


@login_required
def plan_detail(request, plan_id: int):
    user = request.user
    _regulator_only(user)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    subjects = plan.subjects.select_related("organization__region").prefetch_related("inspectors", "inspections")
    context = {
        "plan": plan,
        "subjects": subjects,
        "can_plan": has_perm(user, Perm.PLAN_MANAGE),
        "can_inspect": has_perm(user, Perm.INSPECT),
        "reproducible": selectors.plan_verify_draw(plan) if plan.status == "drawn" else None,
    }
    return render(request, "enforcement/plan_detail.html", context)


@login_required
@require_POST
def plan_draw(request, plan_id: int):
    user = request.user
    _regulator_only(user)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    try:
        services.plan_draw(actor=user, plan=plan)
    except DomainError as error:
        messages.error(request, error.text)
    return redirect("enforcement:plan_detail", plan_id=plan.pk)


@login_required
@require_POST
def plan_start(request, plan_id: int, org_code: str):
    """Open the inspection of a drawn subject with the inspectors drawn for it."""
    user = request.user
    _regulator_only(user)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    subject = get_object_or_404(plan.subjects.select_related("organization"), organization__org_code=org_code)
    existing = subject.inspections.first()
    if existing is not None:
        return redirect("enforcement:inspection_detail", inspection_code=existing.code)
    try:
        inspection = services.inspection_create(
            actor=user,
            organization=subject.organization,
            kind="routine",
            inspected_on=timezone.localdate(),
            inspectors=list(subject.inspectors.all()),
            plan_subject=subject,
        )
    except DomainError as error:
        messages.error(request, error.text)
        return redirect("enforcement:plan_detail", plan_id=plan.pk)
    return redirect("enforcement:inspection_detail", inspection_code=inspection.code)


# -- inspections --------------------------------------------------------------------------------------------


def _inspectors_for(user):
    from peikao.core.choices import Role
    from peikao.core.scoping import region_code_range

    queryset = User.objects.filter(is_active=True, role__in=[Role.INSPECTOR, Role.REGULATOR_ADMIN])
    if user.is_regulator and user.region.level != "nation":
        queryset = queryset.filter(region__code__range=region_code_range(user.region.prefix))
    return queryset.order_by("username")


@login_required
def inspection_list(request):
    user = request.user
    if user.is_candidate:
        return redirect("registry:person_detail", person_id=user.person_id)
    context = paginate(request, selectors.inspection_list(user=user, filters=request.GET))
    context["can_inspect"] = has_perm(user, Perm.INSPECT)
    return render(request, "enforcement/inspection_list.html", context)


@login_required
def inspection_create(request):
    user = request.user
    require_perm(user, Perm.INSPECT)
    inspectors = _inspectors_for(user)
    initial = {"org_code": request.GET.get("org", ""), "inspectors": [str(user.pk)]}
    form = InspectionForm(request.POST or None, inspectors=inspectors, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organization = registry_selectors.organization_get(user=user, org_code=data["org_code"].strip())
        except Http404:
            form.add_error("org_code", _("No such organisation in your jurisdiction."))
        else:
            try:
                inspection = services.inspection_create(
                    actor=user,
                    organization=organization,
                    kind=data["kind"],
                    inspected_on=data["inspected_on"],
                    inspectors=list(inspectors.filter(pk__in=data["inspectors"])),
                )
            except DomainError as error:
                form.add_error(None, error.text)
            else:
                return redirect("enforcement:inspection_detail", inspection_code=inspection.code)
    return render(request, "enforcement/inspection_form.html", {"form": form})


@login_required
def inspection_detail(request, inspection_code: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    subject_type = KIND_SUBJECT[inspection.organization.kind]
    items = list(selectors.checklist_items(subject_type))
    answered = {check.item_id: check for check in inspection.checks.all()}
    findings = list(inspection.findings.select_related("violation", "person").order_by("id"))
    spot_links = _spot_links(request, inspection)
    context = {
        "inspection": inspection,
        "inspectors": inspection.inspectors.all(),
        "checklist": [(item, answered.get(item.pk)) for item in items],
        "outcomes": CheckOutcome.choices,
        "findings": findings,
        "evidence": inspection.evidence.select_related("finding").order_by("uploaded_at"),
        "spot_exams": inspection.spot_exams.select_related("person", "operation_item").order_by("id"),
        "spot_links": spot_links,
        "decisions": inspection.decisions.select_related("rectification").order_by("decided_on", "id"),
        "events": inspection.events.order_by("time"),
        "can_inspect": has_perm(user, Perm.INSPECT) and (user.is_regulator or user.is_system_admin),
        "finding_form": FindingForm(items=items),
        "evidence_form": EvidenceForm(findings=findings),
        "spot_form": SpotForm(),
        "open": inspection.status == InspectionStatus.IN_PROGRESS,
        "can_decide": has_perm(user, Perm.DECIDE) and bool(findings),
    }
    return render(request, "enforcement/inspection_detail.html", context)


@login_required
@require_POST
def inspection_transition(request, inspection_code: str, action: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    try:
        if action == "start":
            services.inspection_start(actor=user, inspection=inspection)
        elif action == "complete":
            services.inspection_complete(actor=user, inspection=inspection, summary=request.POST.get("summary", ""))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.text)
    return redirect("enforcement:inspection_detail", inspection_code=inspection.code)


@login_required
@require_POST
def checklist_save(request, inspection_code: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    items = {str(item.pk): item for item in selectors.checklist_items(KIND_SUBJECT[inspection.organization.kind])}
    saved = 0
    try:
        for key, item in items.items():
            outcome = request.POST.get(f"item-{key}")
            if outcome:
                services.check_record(
                    actor=user,
                    inspection=inspection,
                    item=item,
                    outcome=outcome,
                    note=request.POST.get(f"note-{key}", ""),
                )
                saved += 1
    except (DomainError, ValueError) as error:
        messages.error(request, getattr(error, "text", str(error)))
    else:
        messages.success(request, _("%(n)d checklist items saved.") % {"n": saved})
    return redirect("enforcement:inspection_detail", inspection_code=inspection.code)


@login_required
@require_POST
def finding_add(request, inspection_code: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    items = list(selectors.checklist_items(KIND_SUBJECT[inspection.organization.kind]))
    form = FindingForm(request.POST, items=items)
    if not form.is_valid():
        _errors(request, form)
        return redirect("enforcement:inspection_detail", inspection_code=inspection.code)
    item = (
        ViolationItem.objects.filter(pk=form.cleaned_data["violation"]).first()
        if form.cleaned_data["violation"]
        else None
    )
    try:
        services.finding_record(
            actor=user, inspection=inspection, violation=item, description=form.cleaned_data["description"]
        )
    except DomainError as error:
        messages.error(request, error.text)
    return redirect("enforcement:inspection_detail", inspection_code=inspection.code)


@login_required
@require_POST
def evidence_add(request, inspection_code: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    require_perm(user, Perm.INSPECT)
    findings = list(inspection.findings.all())
    form = EvidenceForm(request.POST, request.FILES, findings=findings)
    if not form.is_valid():
        _errors(request, form)
        return redirect("enforcement:inspection_detail", inspection_code=inspection.code)
    data = form.cleaned_data
    try:
        services.evidence_add(
            actor=user,
            inspection=inspection,
            upload=data["file"],
            finding=next((f for f in findings if str(f.pk) == data["finding"]), None),
            captured_at=data["captured_at"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            accuracy_m=data["accuracy_m"],
        )
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("Evidence kept."))
    return redirect("enforcement:inspection_detail", inspection_code=inspection.code)


@login_required
def evidence_file(request, inspection_code: str, sha256: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    evidence = inspection.evidence.filter(sha256=sha256).first()
    if evidence is None:
        raise Http404
    return FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type or "application/octet-stream",
        filename=evidence.original_name,
        as_attachment=False,
    )


@login_required
@require_POST
def spot_draw(request, inspection_code: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    form = SpotForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("enforcement:inspection_detail", inspection_code=inspection.code)
    try:
        drawn = services.spot_draw(
            actor=user,
            inspection=inspection,
            count=form.cleaned_data["count"],
            pass_score=form.cleaned_data["pass_score"],
        )
    except DomainError as error:
        messages.error(request, error.text)
    else:
        # The raw links are shown once, to the inspector who drew them (only their hashes are stored).
        request.session[f"spot-links-{inspection.pk}"] = {
            str(exam.pk): request.build_absolute_uri(f"/spot/{raw}/")
            for exam, raw in drawn
            if exam.status == SpotExamStatus.DRAWN
        }
    return redirect("enforcement:inspection_detail", inspection_code=inspection.code)


@login_required
@require_POST
def spot_relink(request, inspection_code: str):
    """A new link for one unanswered paper of this inspection (the exam is looked up within it)."""
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    exam = inspection.spot_exams.filter(pk=request.POST.get("exam", "").strip() or None).first()
    if exam is None:
        raise Http404
    try:
        raw = services.spot_relink(actor=user, exam=exam)
    except DomainError as error:
        messages.error(request, error.text)
    else:
        request.session[f"spot-links-{inspection.pk}"] = {str(exam.pk): request.build_absolute_uri(f"/spot/{raw}/")}
    return redirect("enforcement:inspection_detail", inspection_code=inspection.code)


def _spot_links(request, inspection) -> dict[str, dict]:
    """The links drawn a moment ago, each with its QR code for the worker's own phone to scan."""
    import base64

    from peikao.certificates.signing import qr_png

    links = request.session.pop(f"spot-links-{inspection.pk}", {}) if hasattr(request, "session") else {}
    return {
        key: {"url": url, "qr": "data:image/png;base64," + base64.b64encode(qr_png(url, box_size=4)).decode()}
        for key, url in links.items()
    }


@login_required
def decision_create(request, inspection_code: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    require_perm(user, Perm.DECIDE)
    findings = list(inspection.findings.select_related("violation"))
    form = DecisionForm(request.POST or None, findings=findings)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [f for f in findings if str(f.pk) in data["findings"]]
        certificate = None
        if data["certificate_id"]:
            from peikao.certificates.models import Certificate

            certificate = Certificate.objects.visible_to(user).filter(pk=data["certificate_id"]).first()
        try:
            decision = services.decision_issue(
                actor=user,
                inspection=inspection,
                findings=chosen,
                measure=data["measure"],
                decided_on=data["decided_on"],
                fine_yuan=data["fine_yuan"],
                due_on=data["due_on"],
                certificate=certificate,
                publicized=data["publicized"],
                note=data["note"],
            )
        except DomainError as error:
            form.add_error(None, error.text)
        else:
            messages.success(request, _("Decision %(code)s issued.") % {"code": decision.code})
            return redirect("enforcement:decision_detail", decision_code=decision.code)
    ranges = []
    for finding in findings:
        item = finding.violation
        if item is not None:
            ranges.append((finding, item))
    return render(request, "enforcement/decision_form.html", {"inspection": inspection, "form": form, "ranges": ranges})


@login_required
def decision_detail(request, decision_code: str):
    user = request.user
    decision = selectors.decision_get(user=user, code=decision_code)
    rectification = getattr(decision, "rectification", None)
    context = {
        "decision": decision,
        "findings": decision.findings.select_related("violation"),
        "rectification": rectification,
        "suggested": selectors.suggested_overdue_penalty(rectification) if rectification else None,
    }
    return render(request, "enforcement/decision_detail.html", context)


@login_required
def decision_document(request, decision_code: str):
    """The decision as a Word document (责令限期整改指令书 or 行政处罚决定书), from the templates."""
    user = request.user
    decision = selectors.decision_get(user=user, code=decision_code)
    body, filename = documents.decision_docx(decision)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- rectification --------------------------------------------------------------------------------------------


@login_required
def rectification_list(request):
    user = request.user
    if user.is_candidate:
        return redirect("registry:person_detail", person_id=user.person_id)
    context = paginate(request, selectors.rectification_list(user=user, filters=request.GET))
    context["today"] = timezone.localdate()
    context["state"] = request.GET.get("state", "")
    context["can_plan"] = has_perm(user, Perm.PLAN_MANAGE)
    context["lookback_form"] = LookbackForm(initial={"since": timezone.localdate() - dt.timedelta(days=365)})
    return render(request, "enforcement/rectification_list.html", context)


def _rectification(user, rect_id: int) -> Rectification:
    return get_object_or_404(
        selectors.rectification_list(user=user).select_related("decision__inspection__organization"), pk=rect_id
    )


@login_required
def rectification_detail(request, rect_id: int):
    user = request.user
    rectification = _rectification(user, rect_id)
    context = {
        "rectification": rectification,
        "decision": rectification.decision,
        "events": rectification.events.order_by("time", "id"),
        "evidence": rectification.evidence.order_by("uploaded_at"),
        "overdue": rectification.is_overdue(),
        "suggested": selectors.suggested_overdue_penalty(rectification),
        "submit_form": RectificationSubmitForm(),
        "verify_form": VerifyForm(),
        "can_submit": rectification.status != RectificationStatus.CLOSED
        and (has_perm(user, Perm.RECTIFY_SUBMIT) or has_perm(user, Perm.INSPECT)),
        "can_verify": rectification.status == RectificationStatus.SUBMITTED and has_perm(user, Perm.INSPECT),
        "can_escalate": rectification.is_overdue() and has_perm(user, Perm.INSPECT) and not rectification.escalated_at,
    }
    return render(request, "enforcement/rectification_detail.html", context)


@login_required
@require_POST
def rectification_action(request, rect_id: int, action: str):
    user = request.user
    rectification = _rectification(user, rect_id)
    try:
        if action == "submit":
            form = RectificationSubmitForm(request.POST, request.FILES)
            if not form.is_valid():
                raise DomainError("invalid", _("The data is not valid."))
            files = request.FILES.getlist("files")
            services.rectification_submit(
                actor=user, rectification=rectification, note=form.cleaned_data["note"], files=files
            )
        elif action == "verify":
            form = VerifyForm(request.POST)
            if not form.is_valid():
                raise DomainError("invalid", _("The data is not valid."))
            services.rectification_verify(
                actor=user,
                rectification=rectification,
                accept=form.cleaned_data["accept"],
                note=form.cleaned_data["note"],
            )
        elif action == "escalate":
            services.rectification_escalate(actor=user, rectification=rectification, note=request.POST.get("note", ""))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("Saved."))
    return redirect("enforcement:rectification_detail", rect_id=rectification.pk)


@login_required
@require_POST
def lookback(request):
    user = request.user
    _regulator_only(user)
    form = LookbackForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("enforcement:rectification_list")
    data = form.cleaned_data
    try:
        created = services.lookback_sample(
            actor=user,
            region=user.region,
            share=data["share"],
            since=data["since"],
            until=data["until"],
            inspected_on=data["inspected_on"],
        )
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("%(n)d look-back inspections planned.") % {"n": len(created)})
    return redirect("enforcement:inspection_list")


# -- catalogue and indicators ---------------------------------------------------------------------------------


@login_required
def catalogue(request):
    user = request.user
    if user.is_candidate:
        raise Http404
    form = ViolationForm(request.POST or None)
    if request.method == "POST":
        require_perm(user, Perm.CATALOGUE_MANAGE)
        if form.is_valid():
            data = dict(form.cleaned_data)
            code = data.pop("code")
            try:
                services.violation_save(actor=user, code=code, data=data)
            except DomainError as error:
                form.add_error(None, error.text)
            else:
                messages.success(request, _("Saved."))
                return redirect("enforcement:catalogue")
    context = {"items": selectors.catalogue(), "form": form, "can_manage": has_perm(user, Perm.CATALOGUE_MANAGE)}
    return render(request, "enforcement/catalogue.html", context)


@login_required
def indicators(request):
    user = request.user
    _regulator_only(user)
    form = IndicatorForm(request.GET or None)
    today = timezone.localdate()
    since, until, region = dt.date(today.year, 1, 1), today, user.region if user.is_regulator else None
    if form.is_valid():
        since = form.cleaned_data["since"] or since
        until = form.cleaned_data["until"] or until
        code = (form.cleaned_data["region"] or "").strip()
        if code:
            candidate = Region.objects.filter(code=code).first()
            if candidate is None or not (user.sees_everything or user.region.contains(candidate.code)):
                raise Http404
            region = candidate
    if region is None:
        region = Region.objects.get(code="000000")
    data = selectors.indicators(user=user, region=region, since=since, until=until)
    return render(request, "enforcement/indicators.html", {"data": data, "form": form})


# -- the worker's spot exam (no login: a one-time link) ----------------------------------------------------------


def spot_exam(request, token: str):
    from peikao.exams.models import Question

    try:
        exam = selectors.spot_open(token)
    except DomainError as error:
        return render(request, "enforcement/spot_gone.html", {"error": error}, status=error.status_code)
    if request.method == "POST":
        answers = {key[2:]: "".join(request.POST.getlist(key)) for key in request.POST if key.startswith("q-")}
        try:
            exam = services.spot_submit(raw=token, answers=answers)
        except DomainError as error:
            return render(request, "enforcement/spot_gone.html", {"error": error}, status=error.status_code)
        return render(request, "enforcement/spot_result.html", {"exam": exam})
    questions = Question.objects.in_bulk([item["q"] for item in exam.items])
    letters = "ABCDEF"
    paper = []
    for position, item in enumerate(exam.items):
        question = questions[item["q"]]
        options = [(letters[i], question.options[original]) for i, original in enumerate(item["o"])]
        paper.append({"position": position, "question": question, "options": options})
    return render(request, "enforcement/spot_exam.html", {"exam": exam, "paper": paper})
