"""Spot exams at an inspection: the inspector draws workers and shows their one-time links once, with QR codes;
the worker answers through the link, without logging in."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from peikao.certificates.signing import qr_png
from peikao.core.errors import DomainError
from peikao.enforcement import selectors, services
from peikao.enforcement.choices import SpotExamStatus
from peikao.enforcement.forms import SpotForm
from peikao.enforcement.models import Inspection, SpotExam
from peikao.enforcement.views._common import errors
from peikao.training.choices import TraineeCategory


@login_required
@require_POST
def spot_draw(request, inspection_code: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    form = SpotForm(request.POST)
    if not form.is_valid():
        errors(request, form)
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


def fresh_links(request: HttpRequest, inspection: Inspection) -> dict[str, dict]:
    """The links drawn a moment ago, each with its QR code for the worker's own phone to scan."""
    links = request.session.pop(f"spot-links-{inspection.pk}", {}) if hasattr(request, "session") else {}
    return {
        key: {"url": url, "qr": "data:image/png;base64," + base64.b64encode(qr_png(url, box_size=4)).decode()}
        for key, url in links.items()
    }


# -- the worker's spot exam (no login: a one-time link) ----------------------------------------------------------


def spot_exam(request, token: str):
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
    paper = selectors.spot_exam_paper(exam)
    return render(
        request, "enforcement/spot_exam.html", {"exam": exam, "paper": paper, "general_bank": general_bank(exam)}
    )


def general_bank(exam: SpotExam) -> str:
    """The trainee category whose general bank a paper comes from, its item having no bank ('' otherwise)."""
    if exam.operation_item_id is None or not exam.trainee_category:
        return ""
    return str(TraineeCategory(exam.trainee_category).label)
