"""The records behind a figure of the dashboard, where no list page of its app filters by region and period:
the inspections of a month, the decisions of a month, the fines, the regions showing a practice. The same
conditions as the figure's query, on the records the user may see (``visible_to``), so that the page lists
exactly the rows the figure counts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from peikao.core.models import Region
from peikao.enforcement.choices import Measure
from peikao.enforcement.models import Decision, Inspection
from peikao.reports.dashboards.common import Window, in_region, sub_code
from peikao.reports.dashboards.regions import PRACTICE_LABELS
from peikao.reports.selectors import PRACTICES, practice_codes, subregion_length

KINDS = {
    "inspections": _("Inspections"),
    "decisions": _("Decisions"),
    "fines": _("Fines"),
    "practice": _("Regions showing the practice"),
}


def inspections(window: Window) -> QuerySet[Inspection]:
    return (
        Inspection.objects.visible_to(window.user)
        .filter(in_region("organization__region_id", window.region), inspected_on__range=window.dates)
        .select_related("organization")
        .annotate(finding_count=Count("findings", distinct=True))
        .order_by("-inspected_on", "-id")
    )


def decisions(window: Window, *, measure: str | None = None) -> QuerySet[Decision]:
    queryset = Decision.objects.visible_to(window.user).filter(
        in_region("inspection__organization__region_id", window.region), decided_on__range=window.dates
    )
    if measure:
        queryset = queryset.filter(measure=measure)
    return queryset.select_related("inspection__organization").order_by("-decided_on", "-id")


def fines(window: Window) -> QuerySet[Decision]:
    return decisions(window, measure=Measure.FINE)


def practice_regions(window: Window, practice: str) -> list[dict[str, Any]]:
    """The regions one level below the window's region (a county: itself) showing ``practice`` in the period —
    what the practice's figure counts."""
    if practice not in PRACTICES:
        return []
    length = subregion_length(window.region)
    seen = practice_codes(window.region, window.period, only=practice)[practice]
    codes = sorted({sub_code(code[:length]) for code in seen})
    names = Region.objects.select_related("parent__parent").in_bulk(codes)
    return [{"code": code, "name": names[code].full_name if code in names else code} for code in codes]


def practice_label(practice: str) -> str:
    return str(PRACTICE_LABELS.get(practice, ""))
