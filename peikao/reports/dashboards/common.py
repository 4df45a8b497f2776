"""What every panel of the dashboard shares: the window (a region of the user's jurisdiction and a period), the
months of the period, grouping by month and by sub-region, and the links down to the records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse

from peikao.core.models import Region, User
from peikao.reports.selectors import Period, _in_region, subregion_length

__all__ = ["Window", "by_month", "default_period", "in_region", "link", "month_period", "percent"]

in_region = _in_region  # the notice's region condition: a code range of the organisation's region


@dataclass(frozen=True)
class Window:
    """A region the user may see (checked by ``notice_region`` before a window is made), a period, the day."""

    user: User
    region: Region
    period: Period
    today: dt.date

    @property
    def dates(self) -> tuple[dt.date, dt.date]:
        return self.period.start, self.period.end

    @property
    def length(self) -> int:
        """Length of the code prefix naming a sub-region (``selectors.subregion_length``)."""
        return subregion_length(self.region)

    @property
    def has_subregions(self) -> bool:
        return self.length > len(self.region.prefix)

    def months(self) -> list[str]:
        months, day = [], self.period.start.replace(day=1)
        while day <= self.period.end:
            months.append(day.strftime("%Y-%m"))
            day = (day + dt.timedelta(days=32)).replace(day=1)
        return months

    def query(self, **extra) -> dict[str, str]:
        """The window as query parameters of a dashboard or records link."""
        return {
            "region": self.region.code,
            "date_from": self.period.start.isoformat(),
            "date_to": self.period.end.isoformat(),
            **{key: str(value) for key, value in extra.items()},
        }


def default_period(today: dt.date, months: int = 12) -> Period:
    """The ``months`` calendar months up to ``today`` (the current month up to today)."""
    first = today.year * 12 + today.month - 1 - (months - 1)  # the first month shown, counted from year 0
    return Period(dt.date(first // 12, first % 12 + 1, 1), today)


def month_period(month: str, window: Window) -> Period:
    """The days of ``month`` (YYYY-MM) inside the window's period."""
    start = dt.date.fromisoformat(f"{month}-01")
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return Period(max(start, window.period.start), min(end, window.period.end))


def by_month(queryset, date_field: str) -> dict[str, int]:
    rows = queryset.annotate(month=TruncMonth(date_field)).values("month").annotate(n=Count("id")).order_by()
    return {row["month"].strftime("%Y-%m"): row["n"] for row in rows if row["month"] is not None}


def percent(part: int | Decimal, whole: int | Decimal) -> float | None:
    """``part`` of ``whole`` in per cent with one decimal; None for nothing to compare with."""
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def link(name: str, query: dict | None = None, **kwargs) -> str:
    url = reverse(name, kwargs=kwargs or None)
    return url + (f"?{urlencode(query)}" if query else "")


def records_link(window: Window, kind: str, *, region: str | None = None, period: Period | None = None, **extra) -> str:
    """The records page of the dashboard: the rows behind one figure (``views.dashboard_records``)."""
    period = period or window.period
    query = {
        "kind": kind,
        "region": region or window.region.code,
        "date_from": period.start.isoformat(),
        "date_to": period.end.isoformat(),
        **{key: str(value) for key, value in extra.items()},
    }
    return link("reports:dashboard_records", query)


def sub_code(key: str) -> str:
    """The region code of a sub-region's code prefix."""
    return key.ljust(6, "0")
