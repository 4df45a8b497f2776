"""Training UI: classes and their filing, lessons, trainees and their hours, archives, devices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peikao.core.conf import peikao
from peikao.core.errors import DomainError
from peikao.core.forms import add_domain_error
from peikao.core.paging import paginate
from peikao.core.permissions import Perm, has_perm, require_perm
from peikao.registry import selectors as registry_selectors
from peikao.registry.choices import OrganizationKind
from peikao.registry.selectors import label_persons
from peikao.training import selectors, services
from peikao.training.choices import CLASS_TRANSITIONS, ClassStatus
from peikao.training.filters import TrainingClassFilter
from peikao.training.forms import (
    AmendmentForm,
    ClassForm,
    DeviceForm,
    EnrolForm,
    LessonForm,
    ManualAttendanceForm,
    ReasonForm,
)


def _organizations_for(user):
    """Organisations the user may open classes for."""
    queryset = registry_selectors.organization_list(user=user).filter(
        kind__in=[OrganizationKind.TRAINING_INSTITUTION, OrganizationKind.ENTERPRISE]
    )
    return queryset


def _data(form) -> services.ClassData:
    data = form.cleaned_data
    return services.ClassData(
        class_code=data["class_code"],
        name=data["name"],
        trainee_category=data["trainee_category"],
        training_type=data["training_type"],
        operation_item=data["operation_item"],
        industry=data["industry"],
        syllabus_hours=data["syllabus_hours"],
        start_date=data["start_date"],
        end_date=data["end_date"],
    )


@login_required
def class_list(request):
    if request.user.is_candidate:
        return redirect("registry:person_detail", person_id=request.user.person_id)
    context = paginate(request, selectors.class_list(user=request.user, filters=request.GET))
    context["filter"] = TrainingClassFilter(request.GET or None)
    context["can_create"] = selectors.may_open_classes(request.user)
    context["queue_count"] = (
        selectors.filing_queue(user=request.user).count() if has_perm(request.user, Perm.CLASS_REVIEW) else 0
    )
    return render(request, "training/class_list.html", context)


@login_required
def class_create(request):
    require_perm(request.user, Perm.CLASS_MANAGE)
    organizations = _organizations_for(request.user)
    initial = {"organization": request.user.organization_id} if request.user.is_org_member else None
    form = ClassForm(request.POST or None, organizations=organizations, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.class_create(
                actor=request.user, organization=form.cleaned_data["organization"], data=_data(form)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The class was opened as a draft: add lessons and trainees, then file it."))
            return redirect("training:class_detail", class_code=created.class_code)
    return render(request, "training/class_form.html", {"form": form, "training_class": None})


@login_required
def class_edit(request, class_code: str):
    training_class = selectors.class_get(user=request.user, class_code=class_code)
    require_perm(request.user, Perm.CLASS_MANAGE)
    initial = {
        "class_code": training_class.class_code,
        "name": training_class.name,
        "organization": training_class.organization_id,
        "trainee_category": training_class.trainee_category,
        "training_type": training_class.training_type,
        "operation_item": training_class.operation_item_id,
        "industry": training_class.industry_id,
        "syllabus_hours": training_class.syllabus_hours,
        "start_date": training_class.start_date,
        "end_date": training_class.end_date,
    }
    form = ClassForm(
        request.POST or None, initial=initial, organizations=_organizations_for(request.user), editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.class_update(actor=request.user, training_class=training_class, data=_data(form))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("training:class_detail", class_code=class_code)
    return render(request, "training/class_form.html", {"form": form, "training_class": training_class})


@login_required
def class_detail(request, class_code: str):
    user = request.user
    training_class = selectors.class_get(user=user, class_code=class_code)
    services.class_hours_refresh(training_class=training_class)
    enrolments = list(selectors.class_hours(user=user, training_class=training_class))
    label_persons(user=user, persons=[e.person for e in enrolments])
    training_class.refresh_from_db(fields=["hours_stale"])
    lessons = list(selectors.lessons(user=user, training_class=training_class))
    manages = has_perm(user, Perm.CLASS_MANAGE) and (
        not user.is_org_member or user.organization_id == training_class.organization_id
    )
    status = training_class.status
    seals = list(selectors.seals(user=user, training_class=training_class))
    context = {
        "training_class": training_class,
        "enrolments": enrolments,
        "short": [e for e in enrolments if not (getattr(e, "credited", None) and e.credited.completed)],
        "lessons": lessons,
        "lesson_minutes": sum(lesson.minutes for lesson in lessons),
        "schedule": selectors.class_schedule(user=user, training_class=training_class),
        "openable": registry_selectors.openable_organizations(user=user, organizations=[training_class.organization]),
        "events": selectors.class_events(user=user, training_class=training_class)[:30],
        "seals": seals,
        "manages": manages,
        "editable": manages and status in services.EDITABLE_STATUSES,
        "open": manages and status in services.RUNNING_STATUSES,
        "can_file": manages and status in (ClassStatus.DRAFT, ClassStatus.RETURNED),
        "can_review": has_perm(user, Perm.CLASS_REVIEW) and user.is_regulator and status == ClassStatus.FILED,
        "can_close": manages and status == ClassStatus.ACCEPTED,
        "has_ended": timezone.localdate() >= training_class.end_date,
        "can_cancel": manages and (status, ClassStatus.CANCELLED) in CLASS_TRANSITIONS,
        "can_record": has_perm(user, Perm.ATTENDANCE_RECORD) and manages and status in services.RUNNING_STATUSES,
        "can_verify": has_perm(user, Perm.ARCHIVE_VERIFY) and bool(seals),
        "can_amend": has_perm(user, Perm.ARCHIVE_AMEND) and status == ClassStatus.CLOSED and manages,
        "reason_form": ReasonForm(),
        "enrol_form": EnrolForm(),
        "lead_days": peikao()["CLASS_FILING_LEAD_DAYS"],
    }
    return render(request, "training/class_detail.html", context)


@login_required
@require_POST
def class_transition(request, class_code: str, action: str):
    training_class = selectors.class_get(user=request.user, class_code=class_code)
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "")
    actions = {
        "file": lambda: services.class_file(actor=request.user, training_class=training_class),
        "accept": lambda: services.class_accept(actor=request.user, training_class=training_class, reason=reason),
        "return": lambda: services.class_return(actor=request.user, training_class=training_class, reason=reason),
        "cancel": lambda: services.class_cancel(actor=request.user, training_class=training_class, reason=reason),
        "close": lambda: services.class_close(actor=request.user, training_class=training_class),
    }
    if action not in actions:
        raise Http404
    try:
        actions[action]()
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(
            request, _("Done: the class is now “%(status)s”.") % {"status": training_class.get_status_display()}
        )
    return redirect("training:class_detail", class_code=class_code)


@login_required
def lesson_create(request, class_code: str):
    training_class = selectors.class_get(user=request.user, class_code=class_code)
    require_perm(request.user, Perm.CLASS_MANAGE)
    teachers = selectors.teachers_of(user=request.user, organization=training_class.organization)
    form = LessonForm(request.POST or None, teachers=teachers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        teacher = teachers.filter(pk=data["teacher"]).first() if data["teacher"] else None
        try:
            services.lesson_create(
                actor=request.user,
                training_class=training_class,
                lesson_code=data["lesson_code"],
                mode=data["mode"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                teacher=teacher,
                venue=data["venue"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The lesson was added."))
            return redirect("training:class_detail", class_code=class_code)
    return render(request, "training/lesson_form.html", {"form": form, "training_class": training_class})


@login_required
@require_POST
def enrol(request, class_code: str):
    training_class = selectors.class_get(user=request.user, class_code=class_code)
    require_perm(request.user, Perm.CLASS_MANAGE)
    form = EnrolForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("id_numbers", []):
            messages.error(request, error)
        return redirect("training:class_detail", class_code=class_code)
    try:
        added, already = services.enrolments_enter(
            actor=request.user, training_class=training_class, trainees=form.cleaned_data["id_numbers"]
        )
    except DomainError as error:
        messages.error(request, error.text)
    else:
        if added:
            messages.success(request, _("%(n)d trainees enrolled.") % {"n": added})
        if already:
            messages.info(request, _("%(n)d were enrolled already.") % {"n": already})
    return redirect("training:class_detail", class_code=class_code)


@login_required
def trainee_hours(request, class_code: str, person_id: int):
    training_class = selectors.class_get(user=request.user, class_code=class_code)
    enrolment = selectors.enrolment_get(user=request.user, training_class=training_class, person_id=person_id)
    services.class_hours_refresh(training_class=training_class)  # fresh hours first
    evidence = selectors.trainee_evidence(user=request.user, enrolment=enrolment)
    label_persons(user=request.user, persons=[enrolment.person])
    return render(
        request,
        "training/trainee_hours.html",
        {
            "training_class": training_class,
            "enrolment": enrolment,
            "credited": selectors.credited_for(user=request.user, enrolment=enrolment),
            "evidence": evidence,
        },
    )


@login_required
def attendance_create(request, class_code: str):
    training_class = selectors.class_get(user=request.user, class_code=class_code)
    require_perm(request.user, Perm.ATTENDANCE_RECORD)
    lessons = list(selectors.lessons(user=request.user, training_class=training_class))
    services.class_hours_refresh(training_class=training_class)  # trainees in the order of the class's page
    persons = [e.person for e in selectors.class_hours(user=request.user, training_class=training_class)]
    form = ManualAttendanceForm(request.POST or None, lessons=lessons, persons=persons)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lesson = next(lesson for lesson in lessons if str(lesson.pk) == data["lesson"])
        person = next(p for p in persons if str(p.pk) == data["person"])
        try:
            services.attendance_record(
                actor=request.user, lesson=lesson, person=person, event=data["event"], at=data["at"], note=data["note"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The attendance event was recorded."))
            return redirect("training:class_detail", class_code=class_code)
    return render(request, "training/attendance_form.html", {"form": form, "training_class": training_class})


@login_required
def archive_amend(request, class_code: str):
    training_class = selectors.class_get(user=request.user, class_code=class_code)
    require_perm(request.user, Perm.ARCHIVE_AMEND)
    lessons = list(selectors.lessons(user=request.user, training_class=training_class))
    services.class_hours_refresh(training_class=training_class)  # trainees in the order of the class's page
    persons = [e.person for e in selectors.class_hours(user=request.user, training_class=training_class)]
    form = AmendmentForm(request.POST or None, lessons=lessons, persons=persons)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.archive_amend(
                actor=request.user,
                training_class=training_class,
                reason=data["reason"],
                add_events=[
                    {
                        "lesson_code": data["lesson"],
                        "id_number": data["person"],
                        "event": data["event"],
                        "at": data["at"],
                    }
                ],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The archive was amended and sealed again."))
            return redirect("training:class_detail", class_code=class_code)
    return render(request, "training/amend_form.html", {"form": form, "training_class": training_class})


@login_required
def archive_verify(request, class_code: str):
    training_class = selectors.class_get(user=request.user, class_code=class_code)
    require_perm(request.user, Perm.ARCHIVE_VERIFY)
    mismatch = selectors.archive_check(user=request.user, training_class=training_class)
    return render(
        request,
        "training/archive_result.html",
        {
            "training_class": training_class,
            "mismatch": mismatch,
            "seals": selectors.seals(user=request.user, training_class=training_class),
        },
    )


@login_required
def archives(request):
    """A regulator's check of the sealed archives of its jurisdiction."""
    require_perm(request.user, Perm.ARCHIVE_VERIFY)
    context: dict[str, object] = {"ran": False}
    if request.GET.get("run"):
        checked, mismatches = selectors.archive_check_jurisdiction(user=request.user)
        context |= {"ran": True, "checked": checked, "mismatches": mismatches}
    return render(request, "training/archives.html", context)


@login_required
@require_POST
def device_deactivate(request, device_code: str):
    device = get_object_or_404(selectors.devices(user=request.user), device_code=device_code)
    try:
        services.device_deactivate(actor=request.user, device=device)
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("The key of %(code)s no longer works.") % {"code": device.device_code})
    return redirect("training:devices")


@login_required
def device_list(request):
    require_perm(request.user, Perm.DEVICE_MANAGE)
    form = DeviceForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _device, new_key = services.device_register(
                actor=request.user,
                organization=request.user.organization,
                device_code=form.cleaned_data["device_code"],
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            form = DeviceForm()
    return render(
        request,
        "training/devices.html",
        {"devices": selectors.devices(user=request.user), "form": form, "new_key": new_key},
    )
