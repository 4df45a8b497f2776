"""Alerts by detector and state: the alerts about subjects of the region whose period meets the dashboard's (the
alert queue's own ``period_from`` / ``period_to`` filter), counted per detector and review state in one grouped
query. Every cell links to the queue filtered to exactly those alerts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from peikao.oversight.choices import OPEN_STATES, AlertState
from peikao.oversight.models import Alert, Detector
from peikao.reports.dashboards.common import Window, in_region, link

STATES = [state for state, _label in AlertState.choices]


def alerts(window: Window) -> dict[str, Any]:
    """``states`` (code, label), ``rows`` one per detector with an alert (its Chinese name, counts per state, the
    total, the links), ``totals`` per state."""
    rows = (
        Alert.objects.filter(
            in_region("organization__region_id", window.region),
            period_to__gte=window.period.start,
            period_from__lte=window.period.end,
        )
        .values("detector", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(str(row["detector"]), {})[row["state"]] = row["n"]
    base = {
        "region": window.region.code,
        "period_from": window.period.start.isoformat(),
        "period_to": window.period.end.isoformat(),
    }
    detectors = Detector.objects.filter(code__in=list(counts)).order_by("position", "code")
    matrix = []
    for detector in detectors:
        found = counts[detector.code]
        cells = [
            {
                "state": state,
                "n": found.get(state, 0),
                "url": link("oversight:alert_list", {"detector": detector.code, "state": state, **base}),
            }
            for state in STATES
        ]
        matrix.append(
            {
                "code": detector.code,
                "name": detector.name,
                "cells": cells,
                "open": sum(found.get(state, 0) for state in OPEN_STATES),
                "total": sum(found.values()),
                "url": link("oversight:alert_list", {"detector": detector.code, **base}),
            }
        )
    totals = [
        {
            "state": state,
            "n": sum(row[state] for row in counts.values() if state in row),
            "url": link("oversight:alert_list", {"state": state, **base}),
        }
        for state in STATES
    ]
    return {
        "states": [{"code": state, "label": str(AlertState(state).label)} for state in STATES],
        "rows": matrix,
        "totals": totals,
        "total": sum(cell["n"] for cell in totals),
        "open": sum(cell["n"] for cell in totals if cell["state"] in OPEN_STATES),
        "url": link("oversight:alert_list", base),
    }
