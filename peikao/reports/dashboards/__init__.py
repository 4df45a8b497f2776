"""The regulator's dashboard of a region, by panel: monthly trends of inspections, findings and decisions and the
rectification loop (``trend``), fines against the legal maximum (``fines``), first-attempt pass rates per exam
point (``exams``), alerts by detector and state (``alerts``), the sub-regions ranked side by side and the
soft-enforcement practices (``regions``). Every panel is a handful of set-based queries grouped by month, by
sub-region (region-code prefix) or by exam point / detector, on SQLite and PostgreSQL alike, each figure with the
link down to its records (``records``). A read of a region the user may see (``selectors.notice_region``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from peikao.core.models import Region, User
from peikao.reports.dashboards import alerts, exams, fines, regions, trend
from peikao.reports.dashboards.common import Window, default_period, link
from peikao.reports.selectors import Period, notice_figures, notice_region

__all__ = ["Window", "dashboard", "default_period", "link", "summary", "window"]


def window(*, user: User, region: Region, today: dt.date, period: Period | None = None, months: int = 12) -> Window:
    notice_region(user=user, code=region.code)  # refuses a region out of the user's jurisdiction
    return Window(user=user, region=region, period=period or default_period(today, months), today=today)


def _head(w: Window) -> dict[str, Any]:
    return {
        "region": {"code": w.region.code, "name": w.region.full_name if w.region.prefix else w.region.name},
        "period": {"from": w.period.start.isoformat(), "to": w.period.end.isoformat()},
        "url": link("reports:dashboard", w.query()),
    }


def dashboard(
    *, user: User, region: Region, today: dt.date, months: int = 12, period: Period | None = None
) -> dict[str, Any]:
    """The dashboard of ``region`` over ``period`` (default: the ``months`` months up to ``today``)."""
    w = window(user=user, region=region, today=today, period=period, months=months)
    figures = notice_figures(user=user, region=region, period=w.period)
    rates = exams.pass_rates(w)
    rows, left_out = exams.shown(rates)
    return {
        **_head(w),
        "trend": trend.trend(w),
        "rectifications": trend.rectifications(w),
        "rectification_links": trend.rectification_links(),
        "fines": fines.fines(w),
        "pass_rates": rows,
        "pass_rates_left_out": left_out,
        "pass_overall": exams.overall(rates),
        "alerts": alerts.alerts(w),
        "subregions": regions.ranking(figures),
        "practices": regions.practices(w, figures),
    }


def summary(*, user: User, today: dt.date) -> dict[str, Any]:
    """The key panels of the user's own region for its landing page: the trend, the rectification loop, fines
    against the maximum, first-attempt pass rates and the open alerts — without the per-sub-region figures (the
    full dashboard is a link away)."""
    w = window(user=user, region=notice_region(user=user, code=None), today=today)
    rates = exams.pass_rates(w)
    return {
        **_head(w),
        "trend": trend.trend(w),
        "rectifications": trend.rectifications(w),
        "rectification_links": trend.rectification_links(),
        "fines": fines.total(w),
        "pass_overall": exams.overall(rates),
        "alerts": alerts.alerts(w),
    }
