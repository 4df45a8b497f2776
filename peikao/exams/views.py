"""Exams UI: banks, sittings and their staff and candidates, practical scoring, patrols — and the
candidates' theory exam in the browser (/exam/, logged in with ID number and admission code)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peikao.accounts.throttle import exam_login_guard, lockout_response
from peikao.core.errors import DomainError
from peikao.core.forms import add_domain_error
from peikao.core.paging import paginate
from peikao.core.permissions import Perm, has_perm, require_perm
from peikao.exams import selectors, services
from peikao.exams.choices import ExamPart, Sanction, SittingStatus, StaffRole
from peikao.exams.forms import (
    CandidateLoginForm,
    PatrolForm,
    PracticalForm,
    RegisterForm,
    ReviewForm,
    SittingForm,
    StaffForm,
)
from peikao.exams.models import PracticalSheet, Question, Registration, SittingStaff
from peikao.registry import selectors as registry_selectors

EXAM_SESSION_KEY = "exam_registration"


# -- staff and regulators ---------------------------------------------------------------------------------


@login_required
def bank_list(request):
    if not selectors.may_see_banks(request.user):
        raise Http404
    item = request.GET.get("item")
    context = {
        "summary": selectors.bank_summary(user=request.user),
        "item": item,
        "blueprints": selectors.blueprint_list(user=request.user),
        "may_import": has_perm(request.user, Perm.IMPORT) and selectors.owns_banks(request.user),
    }
    if item:
        context |= paginate(request, selectors.question_list(user=request.user, item_code=item))
    return render(request, "exams/bank_list.html", context)


@login_required
def sitting_list(request):
    if request.user.is_candidate:
        return redirect("registry:person_detail", person_id=request.user.person_id)
    context = paginate(request, selectors.sitting_list(user=request.user, filters=request.GET))
    context["can_create"] = selectors.may_plan_sittings(request.user)
    context["finding_count"] = selectors.finding_queue(user=request.user).count()
    return render(request, "exams/sitting_list.html", context)


@login_required
def sitting_create(request):
    require_perm(request.user, Perm.SITTING_MANAGE)
    points = registry_selectors.organization_list(user=request.user, filters={"kind": "exam_point"})
    form = SittingForm(request.POST or None, exam_points=points)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sitting = services.sitting_create(
                actor=request.user,
                exam_point=data["exam_point"],
                sitting_code=data["sitting_code"],
                part=data["part"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                operation_item=data["operation_item"],
                trainee_category=data["trainee_category"],
                capacity=data["capacity"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("exams:sitting_detail", sitting_code=sitting.sitting_code)
    return render(request, "exams/sitting_form.html", {"form": form})


@login_required
def sitting_detail(request, sitting_code: str):
    user = request.user
    sitting = selectors.sitting_get(user=user, sitting_code=sitting_code)
    manages = has_perm(user, Perm.SITTING_MANAGE) and (
        not user.is_org_member or user.organization_id in {sitting.exam_point_id, sitting.exam_point.parent_id}
    )
    regs = list(selectors.registrations(user=user, sitting=sitting))
    context = {
        "sitting": sitting,
        "registrations": regs,
        "staff": sitting.staff.select_related("person", "override_by"),
        "conflicts": selectors.unresolved_conflicts(sitting=sitting),
        "patrols": selectors.patrols(user=user, sitting=sitting),
        "findings": selectors.findings(user=user, sitting=sitting),
        "overlap": selectors.sitting_overlap(sitting=sitting) if sitting.part == ExamPart.THEORY else None,
        "manages": manages,
        "planned": sitting.status == SittingStatus.PLANNED,
        "can_patrol": has_perm(user, Perm.PATROL),
        "staff_form": StaffForm(),
        "register_form": RegisterForm(occupations=selectors.skill_occupations()),
        "patrol_form": PatrolForm(
            candidates=regs, initial={"started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        ),
        "show_codes": manages and sitting.status != SittingStatus.CLOSED,
        "openable": registry_selectors.openable_organizations(user=user, organizations=[sitting.exam_point]),
    }
    return render(request, "exams/sitting_detail.html", context)


@login_required
@require_POST
def sitting_transition(request, sitting_code: str, action: str):
    sitting = selectors.sitting_get(user=request.user, sitting_code=sitting_code)
    handlers = {"open": services.sitting_open, "close": services.sitting_close}
    if action not in handlers:
        raise Http404
    try:
        handlers[action](actor=request.user, sitting=sitting)
    except DomainError as error:
        messages.error(request, error.text)
    return redirect("exams:sitting_detail", sitting_code=sitting_code)


@login_required
@require_POST
def staff_add(request, sitting_code: str):
    sitting = selectors.sitting_get(user=request.user, sitting_code=sitting_code)
    form = StaffForm(request.POST)
    if form.is_valid():
        try:
            services.staff_assign(
                actor=request.user,
                sitting=sitting,
                id_number=form.cleaned_data["id_number"],
                role=form.cleaned_data["role"],
                override_reason=form.cleaned_data["override_reason"],
            )
            messages.success(request, _("Assigned."))
        except DomainError as error:
            messages.error(request, error.text)
        except Exception as error:  # a ValidationError of the ID number
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("exams:sitting_detail", sitting_code=sitting_code)


@login_required
@require_POST
def candidate_add(request, sitting_code: str):
    sitting = selectors.sitting_get(user=request.user, sitting_code=sitting_code)
    form = RegisterForm(request.POST, occupations=selectors.skill_occupations())
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a refused registration keeps no skill certificate nor link either
                person = services.candidate_identify(
                    actor=request.user, sitting=sitting, id_number=data["id_number"], name=data["name"]
                )
                if data["skill_number"]:
                    services.skill_certificate_record(
                        actor=request.user,
                        person=person,
                        number=data["skill_number"],
                        occupation=data["skill_occupation"],
                        level=data["skill_level"],
                        issuer=data["skill_issuer"],
                        issued_on=data["skill_issued_on"],
                    )
                registration = services.register(actor=request.user, sitting=sitting, person=person)
            messages.success(request, _("Registered: admission code %(code)s.") % {"code": registration.admission_code})
        except DomainError as error:
            messages.error(request, error.text)
        except Exception as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        errors = [str(message) for field_errors in form.errors.values() for message in field_errors]
        messages.error(request, " ".join(dict.fromkeys(errors)))
    return redirect("exams:sitting_detail", sitting_code=sitting_code)


@login_required
def practical_score(request, sitting_code: str, person_id: int):
    sitting = selectors.sitting_get(user=request.user, sitting_code=sitting_code)
    registration = selectors.registration_get(user=request.user, sitting=sitting, person_id=person_id)
    require_perm(request.user, Perm.SITTING_MANAGE)
    sheet = PracticalSheet.objects.filter(operation_item=sitting.operation_item, active=True).first()
    examiners = [
        s.person for s in SittingStaff.objects.filter(sitting=sitting, role=StaffRole.EXAMINER).select_related("person")
    ]
    form = PracticalForm(request.POST or None, examiners=examiners, tasks=sheet.tasks if sheet else ())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.practical_score(
                actor=request.user,
                registration=registration,
                examiner=next(p for p in examiners if str(p.pk) == data["examiner"]),
                task_scores={task["code"]: data[f"task_{task['code']}"] for task in form.tasks},
                device_type=data["device_type"],
                performed=data["performed"],
                notes=data["notes"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The practical was scored."))
            return redirect("exams:sitting_detail", sitting_code=sitting_code)
    return render(
        request,
        "exams/practical_form.html",
        {"form": form, "sitting": sitting, "registration": registration, "sheet": sheet},
    )


@login_required
@require_POST
def patrol_add(request, sitting_code: str):
    sitting = selectors.sitting_get(user=request.user, sitting_code=sitting_code)
    require_perm(request.user, Perm.PATROL)
    regs = list(selectors.registrations(user=request.user, sitting=sitting))
    form = PatrolForm(request.POST, candidates=regs)
    if not form.is_valid():
        messages.error(request, _("Give the mode and the time of the patrol."))
        return redirect("exams:sitting_detail", sitting_code=sitting_code)
    data = form.cleaned_data
    try:
        patrol = services.patrol_record(
            actor=request.user,
            sitting=sitting,
            mode=data["mode"],
            started_at=data["started_at"],
            ended_at=data["ended_at"],
            notes=data["notes"],
        )
        if data["observation"]:
            registration = next((r for r in regs if str(r.pk) == data["candidate"]), None)
            services.finding_record(
                actor=request.user,
                sitting=sitting,
                observation=data["observation"],
                sanction=data["sanction"],
                observed_at=data["started_at"],
                registration=registration,
                patrol=patrol,
            )
        messages.success(request, _("The patrol was recorded."))
    except DomainError as error:
        messages.error(request, error.text)
    return redirect("exams:sitting_detail", sitting_code=sitting_code)


@login_required
def finding_list(request):
    require_perm(request.user, Perm.PATROL)
    return render(
        request,
        "exams/finding_list.html",
        {"findings": selectors.finding_queue(user=request.user), "sanctions": Sanction.choices},
    )


@login_required
@require_POST
def finding_review(request, finding_id: int):
    finding = selectors.finding_get(user=request.user, pk=finding_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.finding_review(
                actor=request.user,
                finding=finding,
                confirm=form.cleaned_data["decision"] == "confirm",
                sanction=form.cleaned_data["sanction"] or "none",
            )
        except DomainError as error:
            messages.error(request, error.text)
    return redirect("exams:finding_list")


# -- candidates -------------------------------------------------------------------------------------------


def _exam_registration(request) -> Registration | None:
    pk = request.session.get(EXAM_SESSION_KEY)
    if not pk:
        return None
    return Registration.objects.select_related("sitting__blueprint", "person", "paper").filter(pk=pk).first()


def exam_login(request):
    form = CandidateLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        id_number = form.cleaned_data["id_number"]
        try:
            with exam_login_guard(request, id_number=id_number):  # throttled per ID number and per address
                registration = services.candidate_login(
                    id_number=id_number, admission_code=form.cleaned_data["admission_code"]
                )
        except DomainError as error:
            if error.code == "login_locked":
                return lockout_response(request)
            add_domain_error(form, error)
        else:
            request.session.cycle_key()
            request.session[EXAM_SESSION_KEY] = registration.pk
            return redirect("exam:paper")
    return render(request, "exams/candidate_login.html", {"form": form})


def _paper_rows(registration: Registration, sheet):
    questions = Question.objects.in_bulk([item["q"] for item in registration.paper.items])
    rows = []
    for position, item in enumerate(registration.paper.items):
        question = questions[item["q"]]
        options = [question.options[index] for index in item["o"]] if item["o"] else []
        rows.append(
            {
                "position": position,
                "number": position + 1,
                "question": question,
                "options": options,
                "letters": "ABCDEF"[: len(options)],
                "points": item["p"],
                "answer": sheet.answers.get(str(position), ""),
            }
        )
    return rows


def exam_paper(request):
    registration = _exam_registration(request)
    if registration is None:
        return redirect("exam:login")
    if hasattr(registration, "result"):
        return redirect("exam:result")
    sheet = services.sheet_start(registration)
    now = timezone.now()
    if now > sheet.deadline:
        services.submit(registration=registration, now=now)
        return redirect("exam:result")
    rows = _paper_rows(registration, sheet)
    view_all = request.GET.get("view") == "all"
    index = 0
    if not view_all:
        try:
            index = max(0, min(len(rows) - 1, int(request.GET.get("q", "0"))))
        except ValueError:
            index = 0
    return render(
        request,
        "exams/candidate_paper.html",
        {
            "registration": registration,
            "sheet": sheet,
            "rows": rows if view_all else [rows[index]],
            "all_rows": rows,
            "index": index,
            "view_all": view_all,
            "remaining": int((sheet.deadline - now).total_seconds()),
            "answered": sum(1 for row in rows if row["answer"]),
        },
    )


@require_POST
def exam_answer(request):
    registration = _exam_registration(request)
    if registration is None:
        return HttpResponse(status=401)
    try:
        position = int(request.POST.get("position", ""))
    except ValueError:
        return HttpResponse(_("No such question on this paper."), status=400)
    answer = "".join(request.POST.getlist("answer"))
    try:
        services.save_answer(registration=registration, position=position, answer=answer)
    except DomainError as error:
        response = HttpResponse(format_html('<span class="badge danger">{}</span>', error.zh), status=409)
        if error.code in {"time_is_up", "already_submitted"}:
            response["HX-Redirect"] = "/exam/result/"
        return response
    return HttpResponse(format_html('<span class="badge valid" data-saved="{}">{}</span>', position, _("saved")))


@require_POST
def exam_submit(request):
    registration = _exam_registration(request)
    if registration is None:
        return redirect("exam:login")
    services.sheet_start(registration)
    services.submit(registration=registration)
    return redirect("exam:result")


def exam_result(request):
    registration = _exam_registration(request)
    if registration is None:
        return redirect("exam:login")
    result = getattr(registration, "result", None)
    if result is None:
        return redirect("exam:paper")
    blueprint = registration.sitting.blueprint  # none for a result imported for a sitting planned without one
    pass_score = blueprint.pass_score if blueprint is not None else None
    return render(
        request,
        "exams/candidate_result.html",
        {"registration": registration, "result": result, "pass_score": pass_score},
    )


def exam_logout(request):
    request.session.pop(EXAM_SESSION_KEY, None)
    return redirect("exam:login")
