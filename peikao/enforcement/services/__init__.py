"""The enforcement write path, by sub-domain: the catalogue, plans and their random draw, inspections (checks,
findings, evidence), spot exams, decisions within the law, and the rectification loop. Every change of
enforcement data goes through a function here, which checks the rules, writes and logs in one transaction.

Reads are in ``peikao.enforcement.selectors``, pure rules (the draws, the legal range of a fine) in
``peikao.enforcement.rules``.
"""

from peikao.enforcement.services.catalogue import violation_save, violations_load
from peikao.enforcement.services.decisions import DecisionRecord, FineRanges, decision_issue, decision_record_bulk
from peikao.enforcement.services.inspections import (
    FindingRecord,
    InspectionRecord,
    check_record,
    evidence_add,
    finding_record,
    finding_record_bulk,
    inspection_complete,
    inspection_create,
    inspection_record_bulk,
    inspection_start,
)
from peikao.enforcement.services.plans import plan_create, plan_draw
from peikao.enforcement.services.rectification import (
    lookback_sample,
    rectification_escalate,
    rectification_submit,
    rectification_verify,
)
from peikao.enforcement.services.spot_exams import spot_draw, spot_relink, spot_submit

__all__ = [
    "DecisionRecord",
    "FineRanges",
    "FindingRecord",
    "InspectionRecord",
    "check_record",
    "decision_issue",
    "decision_record_bulk",
    "evidence_add",
    "finding_record",
    "finding_record_bulk",
    "inspection_complete",
    "inspection_create",
    "inspection_record_bulk",
    "inspection_start",
    "lookback_sample",
    "plan_create",
    "plan_draw",
    "rectification_escalate",
    "rectification_submit",
    "rectification_verify",
    "spot_draw",
    "spot_relink",
    "spot_submit",
    "violation_save",
    "violations_load",
]
