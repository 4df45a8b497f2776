"""First-attempt pass rates per exam point: of the candidates sitting an exam for the first time (registration
attempt 1) in a sitting that started in the period (Beijing time), how many passed — the theory part, and the
practical part where the exam point held practical sittings. A candidate absent is not counted; a score cancelled
(a patrol, a review) counts as sat and not passed. Ranked by the theory pass rate, highest first (a rate far above
the others is what a regulator looks at first)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from peikao.exams.choices import ExamPart, ResultStatus
from peikao.exams.models import Result, Sitting
from peikao.registry.models import Organization
from peikao.reports.dashboards.common import Window, in_region, link, percent

PARTS = (ExamPart.THEORY, ExamPart.PRACTICAL)
SAT = (ResultStatus.VALID, ResultStatus.CANCELLED)
SHOWN = 40  # exam points on the page: beyond, the highest and the lowest rates (the whole list is a query away)


def pass_rates(window: Window) -> list[dict[str, Any]]:
    """One row per exam point of the region with a sitting in the period: sittings, and per part the candidates
    at their first attempt, those who passed and the rate (None without a candidate). Two grouped queries, and
    one for the names of the exam points."""
    low, high = window.period.instants()
    sittings = (
        Sitting.objects.filter(
            in_region("exam_point__region_id", window.region), starts_at__gte=low, starts_at__lt=high
        )
        .values("exam_point")
        .annotate(n=Count("id"))
        .order_by()
    )
    held = {row["exam_point"]: row["n"] for row in sittings}
    results = (
        Result.objects.filter(
            in_region("registration__sitting__exam_point__region_id", window.region),
            registration__sitting__starts_at__gte=low,
            registration__sitting__starts_at__lt=high,
            registration__attempt=1,
            status__in=SAT,
        )
        .values("registration__sitting__exam_point", "registration__sitting__part")
        .annotate(sat=Count("id"), passed=Count("id", filter=Q(passed=True, status=ResultStatus.VALID)))
        .order_by()
    )
    parts: dict[int, dict[str, dict[str, int]]] = {}
    for result in results:
        point_id = result["registration__sitting__exam_point"]
        found = {"sat": result["sat"], "passed": result["passed"]}
        parts.setdefault(point_id, {})[result["registration__sitting__part"]] = found
    points = Organization.objects.select_related("region__parent__parent").in_bulk(list(held))
    since, until = window.period.start.isoformat(), window.period.end.isoformat()
    rows: list[dict[str, Any]] = []
    for pk, count in held.items():
        point = points[pk]
        row: dict[str, Any] = {
            "org_code": point.org_code,
            "name": point.name,
            "region": point.region.full_name,
            "sittings": count,
            "url": link("registry:organization_detail", org_code=point.org_code),
            "sittings_url": link(
                "exams:sitting_list", {"exam_point": point.org_code, "starts_from": since, "starts_to": until}
            ),
        }
        for part in PARTS:
            counts = parts.get(pk, {}).get(part, {"sat": 0, "passed": 0})
            row[part] = {**counts, "rate": percent(counts["passed"], counts["sat"])}
        rows.append(row)
    rows.sort(key=lambda row: (row["theory"]["rate"] is None, -(row["theory"]["rate"] or 0), row["org_code"]))
    return rows


def shown(rows: list[dict[str, Any]], limit: int = SHOWN) -> tuple[list[dict[str, Any]], int]:
    """The rows a page shows — all of them up to ``limit``, else the highest and the lowest rates, half each — and
    how many are left out."""
    if len(rows) <= limit:
        return rows, 0
    rated = [row for row in rows if row["theory"]["rate"] is not None]
    top = rated[: limit // 2]
    bottom = rated[limit // 2 :][-(limit - len(top)) :]
    return top + bottom, len(rows) - len(top) - len(bottom)


def overall(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The region's first-attempt theory and practical pass rates over all its exam points."""
    out: dict[str, Any] = {}
    for part in PARTS:
        sat = sum(row[part]["sat"] for row in rows)
        passed = sum(row[part]["passed"] for row in rows)
        out[part] = {"sat": sat, "passed": passed, "rate": percent(passed, sat)}
    return out
