"""The notice page: a regulator chooses a region of its jurisdiction and a period, previews the figures and the
sentence, and downloads the notice as Word, PDF, Excel or JSON (Chinese file names, RFC 6266). The dashboard of
a region and the records behind each of its figures."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from peikao.core.errors import DomainError
from peikao.core.http import with_file_name
from peikao.core.models import Region
from peikao.core.paging import paginate
from peikao.reports import dashboards
from peikao.reports.dashboards import Window, charts, records
from peikao.reports.documents import FORMATS, notice_content
from peikao.reports.documents import render as render_notice
from peikao.reports.documents.content import cases_sentence, figures_sentence
from peikao.reports.forms import DashboardForm, DashboardRecordsForm, NoticeForm
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


def _dashboard_window(request, form) -> tuple[Region, Period | None]:
    """The region and the period the dashboard form asks for; an invalid form shows the defaults (its errors
    beside its fields)."""
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    region = notice_region(user=request.user, code=data.get("region") or None)
    start, end = data.get("date_from"), data.get("date_to")
    if start or end:
        today = timezone.localdate()
        end = end or today
        start = start or dashboards.default_period(end).start
        if end < start:
            start = end
        return region, Period(start, end)
    return region, None


@login_required
def dashboard(request):
    """The dashboard of a region of the user's jurisdiction (default: its own) over a period (default: the twelve
    months up to today): trends, the rectification loop, fines against the legal maximum, pass rates per exam
    point, alerts by detector and state, the soft-enforcement practices and the sub-regions ranked — each chart
    with its table and the links down to the records."""
    _regulator_only(request.user)
    form = DashboardForm(request.GET or None, user=request.user)
    region, period = _dashboard_window(request, form)
    data = dashboards.dashboard(user=request.user, region=region, today=timezone.localdate(), period=period)
    if not form.is_bound:  # the form shows the region and the period shown
        form.initial = {"region": region.code, "date_from": data["period"]["from"], "date_to": data["period"]["to"]}
    context = {"form": form, "data": data, "charts": charts.dashboard(data)}
    return render(request, "reports/dashboard.html", context)


@login_required
def dashboard_records(request):
    """The records behind one figure of the dashboard (the same conditions as its count), paginated."""
    _regulator_only(request.user)
    form = DashboardRecordsForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "reports/dashboard_records.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        region = notice_region(user=request.user, code=data["region"])
        period = Period(data["date_from"], data["date_to"])
    except DomainError as error:
        form.add_error(None, error.text)
        return render(request, "reports/dashboard_records.html", {"form": form}, status=400)
    window = dashboards.window(user=request.user, region=region, today=timezone.localdate(), period=period)
    kind = data["kind"]
    context: dict = {
        "form": form,
        "kind": kind,
        "title": records.KINDS[kind],
        "region": region,
        "period": period,
        "back": dashboards.link("reports:dashboard", window.query()),
    }
    if kind == "practice":
        context |= {"regions": records.practice_regions(window, data["practice"]),
                    "practice": records.practice_label(data["practice"])}  # fmt: skip
    else:
        listed: dict[str, Callable[[Window], QuerySet]] = {
            "inspections": records.inspections,
            "decisions": records.decisions,
            "fines": records.fines,
        }
        context |= paginate(request, listed[kind](window))
    return render(request, "reports/dashboard_records.html", context)
