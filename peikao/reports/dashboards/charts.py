"""The charts of the dashboard as plain data for ``static/reports/dashboard.js`` (put in the page with
``json_script``): one spec per chart — the element's id, its kind (``line``, ``bar``, ``hbar`` horizontal bars,
``hstack`` stacked horizontal bars), the categories and the series (a series with ``axis: "percent"`` is drawn as
a line against a 0–100 % axis on the right)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def _short(name: str, within: str) -> str:
    """A sub-region's name on a chart's axis without the name of the region shown (鼓楼区, not 福建省福州市鼓楼区)."""
    return name[len(within) :] if within and name.startswith(within) and name != within else name


def _spec(chart_id: str, kind: str, categories: list[str], series: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": chart_id, "kind": kind, "categories": categories, "series": series}


def trend(data: dict[str, Any]) -> dict[str, Any]:
    rows = data["trend"]
    return _spec(
        "chart-trend",
        "line",
        [row["month"] for row in rows],
        [
            {"name": _("Inspections"), "data": [row["inspections"] for row in rows]},
            {"name": _("Findings"), "data": [row["findings"] for row in rows]},
            {"name": _("Decisions"), "data": [row["decisions"] for row in rows]},
        ],
    )


def fines_by_month(fines: dict[str, Any]) -> dict[str, Any]:
    rows = fines["by_month"]
    return _spec(
        "chart-fines",
        "bar",
        [row["month"] for row in rows],
        [
            {"name": _("Fines imposed (yuan)"), "data": [row["fined_yuan"] for row in rows]},
            {"name": _("Legal maximum (yuan)"), "data": [row["maximum_yuan"] for row in rows]},
            {"name": _("Share of the maximum"), "data": [row["ratio"] for row in rows], "axis": "percent"},
        ],
    )


def fines_by_subregion(fines: dict[str, Any], within: str = "") -> dict[str, Any]:
    rows = fines["by_subregion"]
    return _spec(
        "chart-fines-regions",
        "hbar",
        [_short(row["name"], within) for row in rows],
        [{"name": _("Share of the maximum"), "data": [row["ratio"] for row in rows], "unit": "%"}],
    )


def pass_rates(rows: list[dict[str, Any]]) -> dict[str, Any]:
    series = [{"name": _("Theory"), "data": [row["theory"]["rate"] for row in rows], "unit": "%"}]
    if any(row["practical"]["sat"] for row in rows):
        series.append({"name": _("Practical"), "data": [row["practical"]["rate"] for row in rows], "unit": "%"})
    return _spec("chart-pass-rates", "hbar", [row["name"] for row in rows], series)


def alerts(data: dict[str, Any]) -> dict[str, Any]:
    rows = data["rows"]
    return _spec(
        "chart-alerts",
        "hstack",
        [row["name"] for row in rows],
        [
            {"name": state["label"], "data": [row["cells"][index]["n"] for row in rows]}
            for index, state in enumerate(data["states"])
        ],
    )


def practices(data: dict[str, Any], within: str = "") -> dict[str, Any]:
    rows = data["rows"]
    return _spec(
        "chart-practices",
        "hbar",
        [_short(row["name"], within) for row in rows],
        [
            {"name": column["label"], "data": [row["cells"][index]["n"] for row in rows]}
            for index, column in enumerate(data["columns"])
        ],
    )


def ranking(rows: list[dict[str, Any]], within: str = "") -> dict[str, Any]:
    return _spec(
        "chart-ranking",
        "hbar",
        [_short(row["name"], within) for row in rows],
        [
            {"name": _("Organisations inspected"), "data": [row["inspected"] for row in rows]},
            {"name": _("Problems found"), "data": [row["problems"] for row in rows]},
        ],
    )


def dashboard(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The charts of the full dashboard, in the page's order; sub-regions named within the region shown."""
    within = data["region"]["name"]
    return [
        trend(data),
        fines_by_month(data["fines"]),
        fines_by_subregion(data["fines"], within),
        pass_rates(data["pass_rates"]),
        alerts(data["alerts"]),
        practices(data["practices"], within),
        ranking(data["subregions"], within),
    ]


def summary(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The charts of the landing page's key panels."""
    return [trend(data), alerts(data["alerts"])]
