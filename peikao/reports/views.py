"""The notice page: a regulator chooses a region of its jurisdiction and a period, previews the figures and the
sentence, and downloads the notice as Word, PDF, Excel or JSON (Chinese file names, RFC 6266)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from peikao.core.errors import DomainError
from peikao.core.http import with_file_name
from peikao.reports import dashboards
from peikao.reports.documents import FORMATS, notice_content
from peikao.reports.documents import render as render_notice
from peikao.reports.documents.content import cases_sentence, figures_sentence
from peikao.reports.forms import DashboardForm, NoticeForm
from peikao.reports.selectors import Period, notice_figures, notice_region


def _regulator_only(user) -> None:
    """Pages of regulators (and system administrators): to anyone else they do not exist."""
    if not (user.is_regulator or user.is_system_admin):
        raise Http404


def _content(request, form: NoticeForm):
    data = form.cleaned_data
    region = notice_region(user=request.user, code=data["region"])
    figures = notice_figures(user=request.user, region=region, period=Period(data["date_from"], data["date_to"]))
    return notice_content(figures, region=region, issued_on=timezone.localdate(), doc_no=data["doc_no"] or None)


def _defaults(user) -> dict[str, str]:
    """Without a query: the user's jurisdiction, from the first of January to today."""
    today = timezone.localdate()
    code = notice_region(user=user, code=None).code
    return {"region": code, "date_from": today.replace(month=1, day=1).isoformat(), "date_to": today.isoformat()}


@login_required
def notice(request):
    _regulator_only(request.user)
    form = NoticeForm(request.GET or None, user=request.user)
    context: dict = {"form": form, "formats": list(FORMATS)}
    if form.is_bound and form.is_valid():
        try:
            content = _content(request, form)
        except DomainError as error:
            form.add_error(None, error.text)
        else:
            context |= {
                "content": content,
                "figures": content.figures,
                "sentence": figures_sentence(content.figures) + cases_sentence(content.figures),
                "query": request.GET.urlencode(),
            }
    return render(request, "reports/notice.html", context)


@login_required
def notice_download(request, fmt: str):
    _regulator_only(request.user)
    form = NoticeForm(request.GET or _defaults(request.user), user=request.user)
    if not form.is_valid():
        return HttpResponse(
            "；".join(" ".join(errors) for errors in form.errors.values()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    try:
        content = _content(request, form)
    except DomainError as error:
        return HttpResponse(error.text, status=error.status_code, content_type="text/plain; charset=utf-8")
    response = HttpResponse(render_notice(content, fmt), content_type=FORMATS[fmt])
    period = content.figures["period"]
    fallback = f"notice-{content.figures['region']['code']}-{period['from']}-{period['to']}.{fmt}"
    return with_file_name(response, f"{content.file_stem}.{fmt}", fallback=fallback)


@login_required
def dashboard(request):
    """The dashboard of a region of the user's jurisdiction (default: its own): trends, the rectification loop
    and the sub-regions ranked, each chart with its table."""
    _regulator_only(request.user)
    form = DashboardForm(request.GET or None, user=request.user)
    code = form.cleaned_data["region"] if form.is_bound and form.is_valid() else None
    region = notice_region(user=request.user, code=code)
    data = dashboards.dashboard(user=request.user, region=region, today=timezone.localdate())
    charts = {
        "trend": {
            "id": "chart-trend",
            "months": [row["month"] for row in data["trend"]],
            "series": [
                {"name": str(_("Inspections")), "data": [row["inspections"] for row in data["trend"]]},
                {"name": str(_("Findings")), "data": [row["findings"] for row in data["trend"]]},
                {"name": str(_("Decisions")), "data": [row["decisions"] for row in data["trend"]]},
            ],
        },
        "ranking": {
            "id": "chart-ranking",
            "names": [row["name"] for row in data["subregions"]],
            "series": [
                {"name": str(_("Organisations inspected")), "data": [row["inspected"] for row in data["subregions"]]},
                {"name": str(_("Problems found")), "data": [row["problems"] for row in data["subregions"]]},
            ],
        },
    }
    return render(request, "reports/dashboard.html", {"form": form, "data": data, "charts": charts})
