"""The sub-regions side by side, from the notice's own figures (``selectors.notice_figures``): the headline
figures ranked by organisations inspected, and the soft-enforcement practices the seed counts — how many of
each sub-region's own regions show an exit decision, grading in use, signed commitments, spot exams, look-back
inspections (for a county: the county itself, 1 or 0)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from peikao.reports.dashboards.common import Window, records_link
from peikao.reports.selectors import PRACTICES

SUBJECT_GROUPS = ("training_institutions", "exam_bodies", "enterprises")
PRACTICE_LABELS = {
    "regions_with_exit_decision": _("Exit decisions"),
    "regions_with_grading": _("Grading in use"),
    "regions_with_commitments": _("Signed commitments"),
    "regions_with_spot_exams": _("Spot exams"),
    "regions_with_lookback_inspections": _("Look-back inspections"),
}


def ranking(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Per sub-region with any figure: inspected, problems, fines, cases publicised; most inspected first."""
    rows = [
        {
            "code": row["region"]["code"],
            "name": row["region"]["name"],
            "inspected": sum(row[group]["inspected"] for group in SUBJECT_GROUPS),
            "problems": sum(row[group]["problems"] for group in SUBJECT_GROUPS),
            "fines_yuan": row["enterprises"]["fines_yuan"],
            "cases_publicized": row["cases_publicized"],
        }
        for row in figures["by_subregion"]
    ]
    return sorted(rows, key=lambda row: (-row["inspected"], row["code"]))


def practices(window: Window, figures: dict[str, Any]) -> dict[str, Any]:
    """``columns`` (practice, label), ``rows`` per sub-region (for a county: the county), each practice's count
    with the link to the regions showing it, ranked by the number of practices shown; ``total`` of the region."""

    def cells(code: str, counts: dict[str, int]) -> list[dict[str, Any]]:
        return [
            {
                "practice": name,
                "n": counts.get(name, 0),
                "url": records_link(window, "practice", region=code, practice=name),
            }
            for name in PRACTICES
        ]

    if window.has_subregions:
        source = [(row["region"]["code"], row["region"]["name"], row["practices"]) for row in figures["by_subregion"]]
    else:
        source = [(figures["region"]["code"], figures["region"]["name"], figures["practices"])]
    rows = [
        {"code": code, "name": name, "cells": cells(code, counts), "shown": sum(counts.get(p, 0) for p in PRACTICES)}
        for code, name, counts in source
    ]
    rows.sort(key=lambda row: (-row["shown"], row["code"]))
    return {
        "columns": [{"practice": name, "label": str(PRACTICE_LABELS[name])} for name in PRACTICES],
        "rows": rows,
        "total": cells(window.region.code, figures["practices"]),
    }
