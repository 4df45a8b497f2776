"""The charts of the dashboard as plain data for ``static/reports/dashboard.js`` (put in the page with
``json_script``): one spec per chart — the element's id, its kind (``line``, ``bar``, ``hbar`` horizontal bars,
``hstack`` stacked horizontal bars), the categories and the series (a series with ``axis: "percent"`` is drawn as
a line against a 0–100 % axis on the right)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from peikao.reports.selectors import name_within


def _spec(chart_id: str, kind: str, categories: list[str], series: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": chart_id, "kind": kind, "categories": categories, "series": series}


def _columns(rows: list[dict[str, Any]], *columns: tuple[str, str], **extra: str) -> list[dict[str, Any]]:
    """A series per (name, key): the key's value in every row (``extra``: ``unit``, ``axis``)."""
    return [{"name": name, "data": [row[key] for row in rows], **extra} for name, key in columns]


def _cells(rows: list[dict[str, Any]], heads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A series per column of a table of counted cells (alerts by state, practices): the column's counts."""
    return [{"name": head["label"], "data": [row["cells"][n]["n"] for row in rows]} for n, head in enumerate(heads)]


def trend(data: dict[str, Any]) -> dict[str, Any]:
    rows = data["trend"]
    series = _columns(
        rows, (_("Inspections"), "inspections"), (_("Findings"), "findings"), (_("Decisions"), "decisions")
    )
    return _spec("chart-trend", "line", [row["month"] for row in rows], series)


def fines_by_month(fines: dict[str, Any]) -> dict[str, Any]:
    rows = fines["by_month"]
    series = _columns(rows, (_("Fines imposed (yuan)"), "fined_yuan"), (_("Legal maximum (yuan)"), "maximum_yuan"))
    series += _columns(rows, (_("Share of the maximum"), "ratio"), axis="percent")
    return _spec("chart-fines", "bar", [row["month"] for row in rows], series)


def fines_by_subregion(fines: dict[str, Any], within: str = "") -> dict[str, Any]:
    rows = fines["by_subregion"]
    series = _columns(rows, (_("Share of the maximum"), "ratio"), unit="%")
    return _spec("chart-fines-regions", "hbar", [name_within(row["name"], within) for row in rows], series)


def pass_rates(rows: list[dict[str, Any]]) -> dict[str, Any]:
    parts = [("theory", _("Theory"))]
    if any(row["practical"]["sat"] for row in rows):
        parts.append(("practical", _("Practical")))
    series = [{"name": name, "data": [row[part]["rate"] for row in rows], "unit": "%"} for part, name in parts]
    return _spec("chart-pass-rates", "hbar", [row["name"] for row in rows], series)


def alerts(data: dict[str, Any]) -> dict[str, Any]:
    rows = data["rows"]
    return _spec("chart-alerts", "hstack", [row["name"] for row in rows], _cells(rows, data["states"]))


def practices(data: dict[str, Any], within: str = "") -> dict[str, Any]:
    rows = data["rows"]
    return _spec(
        "chart-practices", "hbar", [name_within(row["name"], within) for row in rows], _cells(rows, data["columns"])
    )


def ranking(rows: list[dict[str, Any]], within: str = "") -> dict[str, Any]:
    series = _columns(rows, (_("Organisations inspected"), "inspected"), (_("Problems found"), "problems"))
    return _spec("chart-ranking", "hbar", [name_within(row["name"], within) for row in rows], series)


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
