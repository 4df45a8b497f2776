"""Fines against the legal maximum: for the fines decided in the period, what was imposed against the top of the
lawful range each was set in (``Decision.fine_high``; the person directly responsible's fine against its own
range, where one was fined beside the unit), per month and per sub-region.

A fine whose range was not recorded (imported from before the catalogue) is counted apart and left out of the
ratio: its maximum is not known."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr, TruncMonth

from peikao.core.models import Region
from peikao.enforcement.choices import Measure
from peikao.enforcement.models import Decision
from peikao.reports.dashboards.common import Window, in_region, month_period, percent, records_link, sub_code
from peikao.reports.selectors import _whole_yuan

ORG = "inspection__organization__region_id"
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))
RANGED = Q(fine_high__isnull=False)
PERSON_RANGED = RANGED & Q(responsible_fine_yuan__isnull=False, responsible_fine_high__isnull=False)

FIGURES = {
    "decisions": Count("id"),
    "without_range": Count("id", filter=~RANGED),
    "fined": Coalesce(Sum("fine_yuan", filter=RANGED), ZERO)
    + Coalesce(Sum("responsible_fine_yuan", filter=PERSON_RANGED), ZERO),
    "maximum": Coalesce(Sum("fine_high", filter=RANGED), ZERO)
    + Coalesce(Sum("responsible_fine_high", filter=PERSON_RANGED), ZERO),
    "fined_all": Coalesce(Sum("fine_yuan"), ZERO) + Coalesce(Sum("responsible_fine_yuan"), ZERO),
}


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    fined, maximum = Decimal(row["fined"]), Decimal(row["maximum"])
    return {
        "decisions": row["decisions"],
        "without_range": row["without_range"],
        "fined_yuan": _whole_yuan(fined),
        "maximum_yuan": _whole_yuan(maximum),
        "fined_all_yuan": _whole_yuan(Decimal(row["fined_all"])),
        "ratio": percent(fined, maximum),
    }


def total(window: Window) -> dict[str, Any]:
    """The region's total alone (one query)."""
    figures = _figures(_decisions(window).aggregate(**FIGURES))
    figures["url"] = records_link(window, "fines")
    return figures


def _decisions(window: Window):
    return Decision.objects.filter(in_region(ORG, window.region), decided_on__range=window.dates, measure=Measure.FINE)


def fines(window: Window) -> dict[str, Any]:
    """The region's total, per month (every month of the period) and per sub-region ranked by the ratio (highest
    first): three grouped queries."""
    decisions = _decisions(window)
    months = {
        row["month"].strftime("%Y-%m"): row
        for row in decisions.annotate(month=TruncMonth("decided_on")).values("month").annotate(**FIGURES).order_by()
        if row["month"] is not None
    }
    empty = dict.fromkeys(FIGURES, 0)
    by_month = []
    for month in window.months():
        row = _figures(months.get(month, empty))
        row |= {"month": month, "url": records_link(window, "fines", period=month_period(month, window))}
        by_month.append(row)
    by_subregion = []
    if window.has_subregions:
        rows = list(
            decisions.annotate(sub=Substr(ORG, 1, window.length)).values("sub").annotate(**FIGURES).order_by("sub")
        )
        names = Region.objects.select_related("parent__parent").in_bulk([sub_code(row["sub"]) for row in rows])
        for row in rows:
            code = sub_code(row["sub"])
            region = names.get(code)
            by_subregion.append(
                {
                    "code": code,
                    "name": region.full_name if region else code,
                    **_figures(row),
                    "url": records_link(window, "fines", region=code),
                }
            )
        by_subregion.sort(key=lambda row: (-(row["ratio"] or -1), row["code"]))
    return {"total": total(window), "by_month": by_month, "by_subregion": by_subregion}
