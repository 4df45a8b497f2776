"""The regulator's dashboard of a region: monthly trends of inspections, findings and decisions, the
rectification loop (closed, open, overdue) and the sub-regions ranked side by side — set-based queries grouped
by month and by region-code prefix, on SQLite and PostgreSQL alike. A read of the region the user may see
(``selectors.notice_region`` decides)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from peikao.core.models import Region, User
from peikao.enforcement.choices import RectificationStatus
from peikao.enforcement.models import Decision, Finding, Inspection, Rectification
from peikao.reports.selectors import Period, _in_region, notice_figures, notice_region


def _months(start: dt.date, end: dt.date) -> list[str]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day.strftime("%Y-%m"))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def _by_month(queryset, date_field: str) -> dict[str, int]:
    rows = queryset.annotate(month=TruncMonth(date_field)).values("month").annotate(n=Count("id")).order_by()
    return {row["month"].strftime("%Y-%m"): row["n"] for row in rows if row["month"] is not None}


def dashboard(*, user: User, region: Region, today: dt.date, months: int = 12) -> dict[str, Any]:
    """The dashboard of ``region`` over the ``months`` months up to ``today``."""
    notice_region(user=user, code=region.code)  # refuses a region out of the user's jurisdiction
    first = today.year * 12 + today.month - 1 - (months - 1)  # the first month shown, counted from year 0
    start = dt.date(first // 12, first % 12 + 1, 1)
    dates = (start, today)
    inspections = Inspection.objects.filter(_in_region("organization__region_id", region), inspected_on__range=dates)
    findings = Finding.objects.filter(
        _in_region("inspection__organization__region_id", region), inspection__inspected_on__range=dates
    )
    decisions = Decision.objects.filter(
        _in_region("inspection__organization__region_id", region), decided_on__range=dates
    )
    labels = _months(start, today)
    series = {
        "inspections": _by_month(inspections, "inspected_on"),
        "findings": _by_month(findings, "inspection__inspected_on"),
        "decisions": _by_month(decisions, "decided_on"),
    }
    trend = [{"month": month, **{name: counts.get(month, 0) for name, counts in series.items()}} for month in labels]
    rect = Rectification.objects.filter(
        _in_region("decision__inspection__organization__region_id", region), decision__decided_on__range=dates
    ).aggregate(
        total=Count("id"),
        closed=Count("id", filter=Q(status=RectificationStatus.CLOSED)),
        overdue=Count("id", filter=~Q(status=RectificationStatus.CLOSED) & Q(due_on__lt=today)),
    )
    rect["closure_rate"] = round(100 * rect["closed"] / rect["total"], 1) if rect["total"] else None
    figures = notice_figures(user=user, region=region, period=Period(start, today))
    ranked = sorted(
        (
            {
                "code": row["region"]["code"],
                "name": row["region"]["name"],
                "inspected": sum(row[g]["inspected"] for g in ("training_institutions", "exam_bodies", "enterprises")),
                "problems": sum(row[g]["problems"] for g in ("training_institutions", "exam_bodies", "enterprises")),
                "fines_yuan": row["enterprises"]["fines_yuan"],
                "cases_publicized": row["cases_publicized"],
            }
            for row in figures["by_subregion"]
        ),
        key=lambda row: (-row["inspected"], row["code"]),
    )
    return {
        "region": {"code": region.code, "name": figures["region"]["name"]},
        "period": {"from": start.isoformat(), "to": today.isoformat()},
        "trend": trend,
        "rectifications": rect,
        "subregions": ranked,
    }
