"""Monthly trends of inspections, findings and decisions, and the rectification loop (closed, overdue)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from peikao.enforcement.choices import RectificationStatus
from peikao.enforcement.models import Decision, Finding, Inspection, Rectification
from peikao.reports.dashboards.common import Window, by_month, in_region, link, month_period, percent, records_link


def trend(window: Window) -> list[dict[str, Any]]:
    """Per month of the period: inspections dated in it, their findings, decisions decided in it (three grouped
    queries); each month links to its inspections and its decisions."""
    region, dates = window.region, window.dates
    inspections = Inspection.objects.filter(in_region("organization__region_id", region), inspected_on__range=dates)
    findings = Finding.objects.filter(
        in_region("inspection__organization__region_id", region), inspection__inspected_on__range=dates
    )
    decisions = Decision.objects.filter(
        in_region("inspection__organization__region_id", region), decided_on__range=dates
    )
    series = {
        "inspections": by_month(inspections, "inspected_on"),
        "findings": by_month(findings, "inspection__inspected_on"),
        "decisions": by_month(decisions, "decided_on"),
    }
    rows = []
    for month in window.months():
        period = month_period(month, window)
        rows.append(
            {
                "month": month,
                **{name: counts.get(month, 0) for name, counts in series.items()},
                "inspections_url": records_link(window, "inspections", period=period),
                "decisions_url": records_link(window, "decisions", period=period),
            }
        )
    return rows


def rectifications(window: Window) -> dict[str, Any]:
    """Orders to rectify decided in the period: how many, how many verified and closed, how many overdue today."""
    rect = Rectification.objects.filter(
        in_region("decision__inspection__organization__region_id", window.region),
        decision__decided_on__range=window.dates,
    ).aggregate(
        total=Count("id"),
        closed=Count("id", filter=Q(status=RectificationStatus.CLOSED)),
        overdue=Count("id", filter=~Q(status=RectificationStatus.CLOSED) & Q(due_on__lt=window.today)),
    )
    rect["closure_rate"] = percent(rect["closed"], rect["total"])
    return rect


def rectification_links() -> dict[str, str]:
    """The rectification list's own filters (the viewer's jurisdiction, every period)."""
    return {
        "overdue": link("enforcement:rectification_list", {"state": "overdue"}),
        "open": link("enforcement:rectification_list", {"state": "open"}),
    }
