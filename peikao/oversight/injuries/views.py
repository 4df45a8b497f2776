"""Pages of the injury analysis: the analysis with its charts, the clerical review of proposed links, the decisions
on them, and "raise inspection priority" on a high-risk training institution or enterprise."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peikao.core.audit import record_id_number_views
from peikao.core.errors import DomainError
from peikao.core.exchange import get_kind
from peikao.core.models import Region
from peikao.core.permissions import Perm, has_perm
from peikao.core.privacy import mask_id_number
from peikao.core.validators import within_calendar
from peikao.oversight.injuries import analysis, linkage, priorities, selectors, services
from peikao.oversight.injuries.choices import Dimension, LinkStatus, TrainingStatus

CHARTED = (Dimension.OPERATION_ITEM, Dimension.AGE_BAND, Dimension.ENTERPRISE, Dimension.TRAINING_INSTITUTION)
PRIORITY_DIMENSIONS = (Dimension.ENTERPRISE, Dimension.TRAINING_INSTITUTION)
# Training at the time in the pie: valid green, lapsed orange, trained only amber, nothing red.
STATUS_COLOURS = {
    TrainingStatus.VALID: "#2e7d32",
    TrainingStatus.EXPIRED: "#e67e22",
    TrainingStatus.TRAINED: "#b7950b",
    TrainingStatus.NONE: "#c0392b",
}


def _regulator(user) -> None:
    if not (user.is_regulator or user.sees_everything):
        raise Http404


def _region(user, code: str | None) -> Region:
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None or not (user.sees_everything or user.region.contains(region.code)):
            raise Http404
        return region
    return user.region if user.is_regulator else Region.objects.get(code="000000")


def _day(text: str | None, default: dt.date) -> dt.date:
    try:
        day = parse_date(text or "")
    except ValueError:  # well formed but not a day (2026-02-30)
        day = None
    if day is None or not within_calendar(dt.datetime.combine(day, dt.time())):
        return default
    return day


def _regions(user, selected: Region) -> list[Region]:
    """The region itself, the regions above it the user may choose, and its direct subdivisions."""
    children = Region.objects.filter(parent=selected).order_by("code")
    chain = []
    node = selected
    while node is not None and (user.sees_everything or user.region.contains(node.code)):
        chain.insert(0, node)
        node = node.parent
    return [*chain, *children]


def _may_export(user, kind_name: str) -> bool:
    kind = get_kind(kind_name)
    try:
        kind.require_export(user)  # type: ignore[union-attr]
    except DomainError:
        return False
    return True


def _chart_data(result: analysis.Analysis) -> dict:
    charts = []
    for dimension in CHARTED:
        ranked = [row for row in result.dimensions.get(dimension, []) if row.ranked][:15]
        charts.append(
            {
                "id": f"chart-{dimension}",
                "title": str(Dimension(dimension).label),
                "groups": [row.label or row.group for row in ranked],
                "rr": [round(row.relative_risk or 0, 3) for row in ranked],
                "low": [round(row.ci_low or 0, 3) for row in ranked],
                "high": [round(row.ci_high or 0, 3) for row in ranked],
                "rate": [round(row.rate_per_1000 or 0, 2) for row in ranked],
            }
        )
    status = [
        {"name": str(label), "value": result.training_status[value], "itemStyle": {"color": STATUS_COLOURS[value]}}
        for value, label in TrainingStatus.choices
    ]
    return {
        "charts": charts,
        "status": {"id": "chart-status", "title": _("Training at the time of the injury"), "data": status},
        "labels": {
            "rr": _("Relative risk"),
            "ci": _("95% CI"),
            "rate": _("per 1,000 workers"),
            "baseline": _("Rest = 1"),
        },
    }


@login_required
def analysis_page(request):
    user = request.user
    _regulator(user)
    region = _region(user, request.GET.get("region"))
    today = timezone.localdate()
    default_from, default_to = analysis.default_period(today)
    date_to = _day(request.GET.get("to"), default_to)
    date_from = _day(request.GET.get("from"), default_from)
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    result = analysis.injury_analysis(user=user, region=region, date_from=date_from, date_to=date_to)
    statuses = [(value, str(label)) for value, label in TrainingStatus.choices]
    tables = [
        {
            "dimension": dimension,
            "title": str(label),
            # Each row with its cases by training at the time in the order of the heading (value, label, count):
            # the template reads them in one loop instead of looking each status up (thousands of rows for the
            # enterprises of a province).
            "rows": [(row, [(v, label, row.training.get(v, 0)) for v, label in statuses]) for row in rows if row.cases],
            # Groups with workers but no injury in the period: folded under the table, not mixed into the ranking.
            "quiet": [row for row in rows if not row.cases],
            "quiet_workers": sum(row.workers for row in rows if not row.cases),
            "can_raise": dimension in PRIORITY_DIMENSIONS and has_perm(user, Perm.PLAN_MANAGE),
            # Every case and worker without a group here (no class, exam or dispatch on record): nothing to rank.
            "all_unknown": bool(rows) and all(row.group == "" for row in rows),
        }
        for dimension, label in Dimension.choices
        for rows in [result.dimensions.get(dimension, [])]
    ]
    context = {
        "region": region,
        "regions": _regions(user, region),
        "date_from": date_from,
        "date_to": date_to,
        "result": result,
        "tables": tables,
        "link_counts": selectors.link_counts(user=user, region=region),
        "link_labels": dict(LinkStatus.choices),
        "status_labels": TrainingStatus.choices,
        "charts": _chart_data(result),
        "raised": priorities.open_priority_ids(user=user),
        "can_review": has_perm(user, Perm.PERSON_MATCH),
        "can_import": has_perm(user, Perm.IMPORT),
        "can_export": _may_export(user, "injury_analysis"),
    }
    return render(request, "oversight/injuries/analysis.html", context)


ID_LEVELS = {
    "check_digit": gettext_lazy("only the check character differs"),
    "transposition": gettext_lazy("two neighbouring digits swapped"),
    "one_digit": gettext_lazy("one digit differs"),
    "other": gettext_lazy("more than one typing error apart"),
}


def _comparison(case, proposed, employed: bool) -> list[tuple[str, bool]]:
    """What the clerk weighs, as the linkage compared it (ADR 0010): (sentence, agrees)."""
    level = linkage.id_level(case.id_number, proposed.id_number)
    said = linkage.birth_date_of(case.id_number)
    lines = [(_("ID number: %(level)s") % {"level": ID_LEVELS[level]}, level != "other")]
    if level == "other":
        lines.append(
            (_("Same birth date"), True) if said == proposed.birth_date else (_("Different birth date"), False)
        )
    if not case.name:
        lines.append((_("No name given"), False))
    else:
        lines.append((_("Same name"), True) if case.name == proposed.name else (_("Different name"), False))
    lines.append((_("On the employer's roster"), True) if employed else (_("Not on the employer's roster"), False))
    return lines


@login_required
def review_page(request):
    user = request.user
    _regulator(user)
    region = _region(user, request.GET.get("region"))
    cases = list(selectors.review_queue(user=user, region=region)[:200])
    full = has_perm(user, Perm.VIEW_FULL_ID_NUMBER)
    employed = selectors.employed_pairs([(case.person_id, case.organization_id) for case in cases])
    rows = []
    for case in cases:
        proposed = case.person
        given = case.id_number if full else mask_id_number(case.id_number)
        rows.append(
            {
                "case": case,
                # The number as given, its characters marked where they differ from the proposed person's.
                "given": [
                    (char, full and (i >= len(proposed.id_number) or char != proposed.id_number[i]))
                    for i, char in enumerate(given)
                ],
                "proposed": proposed.id_number if full else proposed.masked_id_number,
                "person": proposed,
                "compare": _comparison(case, proposed, (case.person_id, case.organization_id) in employed),
            }
        )
    if full and cases:
        shown = [
            pair
            for c in cases
            for pair in selectors.shown_numbers(
                person_id=c.person_id, person_number=c.person.id_number, given=c.id_number
            )
        ]
        record_id_number_views(user=user, persons=shown, purpose="injury link review")
    context = {
        "region": region,
        "rows": rows,
        "total": selectors.review_queue(user=user, region=region).count(),
        "can_review": has_perm(user, Perm.PERSON_MATCH),
    }
    return render(request, "oversight/injuries/review.html", context)


@login_required
@require_POST
def decide(request, case_id: int, decision: str):
    user = request.user
    _regulator(user)
    case = selectors.injury_get(user=user, pk=case_id)
    reason = request.POST.get("reason", "")
    try:
        if decision == "accept":
            services.injury_link_accept(actor=user, case=case, reason=reason)
            messages.success(request, _("Case %(case)s is linked to the proposed person.") % {"case": case.case_no})
        elif decision == "reject":
            services.injury_link_reject(actor=user, case=case, reason=reason)
            messages.success(request, _("Case %(case)s: the proposed person was rejected.") % {"case": case.case_no})
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.text)
    return redirect("oversight_injuries:review")


@login_required
@require_POST
def raise_priority(request):
    user = request.user
    _regulator(user)
    try:
        organization_id = int(request.POST.get("organization", ""))
    except ValueError:
        raise Http404 from None
    try:
        services.priority_raise(actor=user, organization_id=organization_id, reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("It will be a forced subject of the next random draw of its region's plan."))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/oversight/injuries/") else "oversight_injuries:analysis")
