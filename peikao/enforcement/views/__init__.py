"""Enforcement UI, phone-first for inspectors on site: plans and draws, inspections with checklist, findings,
evidence (with where and when it was captured) and spot exams, decisions and their documents, the
rectification loop, look-back sampling, the catalogue and the soft-enforcement indicators.

One module per sub-domain; the views are re-exported here for ``urls.py``."""

from peikao.enforcement.views.dashboard import home, indicators
from peikao.enforcement.views.decisions import (
    decision_create,
    decision_detail,
    decision_document,
    lookback,
    rectification_action,
    rectification_detail,
    rectification_list,
)
from peikao.enforcement.views.inspections import (
    checklist_save,
    evidence_add,
    evidence_file,
    finding_add,
    inspection_create,
    inspection_detail,
    inspection_list,
    inspection_transition,
)
from peikao.enforcement.views.plans import plan_detail, plan_draw, plan_list, plan_start
from peikao.enforcement.views.spot_exams import spot_draw, spot_exam, spot_relink
from peikao.enforcement.views.violations import catalogue

__all__ = [
    "catalogue",
    "checklist_save",
    "decision_create",
    "decision_detail",
    "decision_document",
    "evidence_add",
    "evidence_file",
    "finding_add",
    "home",
    "indicators",
    "inspection_create",
    "inspection_detail",
    "inspection_list",
    "inspection_transition",
    "lookback",
    "plan_detail",
    "plan_draw",
    "plan_list",
    "plan_start",
    "rectification_action",
    "rectification_detail",
    "rectification_list",
    "spot_draw",
    "spot_exam",
    "spot_relink",
]
