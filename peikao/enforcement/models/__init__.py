"""Enforcement: the violation catalogue (versioned, with legal fine ranges), annual plans with random draws,
inspections with checklists, findings, evidence and spot exams, lawful decisions, and the rectification loop
that nothing leaves without verification.

One module per sub-domain; every model is re-exported here, so ``peikao.enforcement.models.X`` (and the
migrations' ``peikao.enforcement.models.evidence_path``) keep working."""

from peikao.enforcement.models.catalogue import CAMPAIGN_INSTRUMENT, ViolationItem
from peikao.enforcement.models.decisions import Decision, Rectification, RectificationEvent
from peikao.enforcement.models.findings import Evidence, Finding, SpotExam, evidence_path
from peikao.enforcement.models.inspections import (
    CheckResult,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    InspectionQuerySet,
    Inspector,
    PlanSubject,
)

__all__ = [
    "CAMPAIGN_INSTRUMENT",
    "CheckResult",
    "Decision",
    "Evidence",
    "Finding",
    "Inspection",
    "InspectionEvent",
    "InspectionPlan",
    "InspectionQuerySet",
    "Inspector",
    "PlanSubject",
    "Rectification",
    "RectificationEvent",
    "SpotExam",
    "ViolationItem",
    "evidence_path",
]
