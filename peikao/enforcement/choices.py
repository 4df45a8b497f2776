from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SubjectType(models.TextChoices):
    TRAINING_INSTITUTION = "training_institution", _("Training institution")
    EXAM_BODY = "exam_body", _("Exam institution or exam point")
    ENTERPRISE = "enterprise", _("Enterprise")
    INDIVIDUAL = "individual", _("Individual")
    ANY = "any", _("Any subject")


class CampaignList(models.TextChoices):
    """The list of the 2021 "going through the motions" campaign an item is traced to (violations.yaml header)."""

    NONE = "", _("Not on the campaign's lists")
    NOTICE = "notice", _("The campaign notice's list (institutions and exam bodies)")
    COUNTY_PLANS = "county_plans", _("The county plans' list (enterprises)")


# Organisation kind → the subject type whose checklist applies.
KIND_SUBJECT = {
    "training_institution": SubjectType.TRAINING_INSTITUTION,
    "exam_institution": SubjectType.EXAM_BODY,
    "exam_point": SubjectType.EXAM_BODY,
    "enterprise": SubjectType.ENTERPRISE,
    "labor_dispatch": SubjectType.ENTERPRISE,
}


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SPECIAL = "special", _("Special")
    JOINT = "joint", _("Joint")
    CROSS = "cross", _("Cross-region")
    LOOKBACK = "lookback", _("Look-back (回头看)")
    REMOTE = "remote", _("Remote")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("inspection status", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("inspection status", "In progress")
    COMPLETED = "completed", pgettext_lazy("inspection status", "Completed")


INSPECTION_TRANSITIONS = {
    (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS): "start",
    (InspectionStatus.IN_PROGRESS, InspectionStatus.COMPLETED): "complete",
}


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DRAWN = "drawn", pgettext_lazy("plan status", "Drawn")


class CheckOutcome(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    VIOLATION = "violation", _("Violation found")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class FindingSource(models.TextChoices):
    CHECKLIST = "checklist", _("Checklist")
    SPOT_EXAM = "spot_exam", _("Spot exam")
    MANUAL = "manual", _("Recorded by the inspector")
    IMPORTED = "imported", pgettext_lazy("finding source", "Imported")


class Measure(models.TextChoices):
    RECTIFY_ORDER = "rectify_order", _("Order to rectify")
    WARNING = "warning", _("Warning")
    FINE = "fine", _("Fine")
    SUSPEND = "suspend", _("Suspension")
    CLOSE = "close", _("Closure")
    CANCEL_EXAM_POINT = "cancel_exam_point", _("Exam point cancelled")
    SUSPEND_EXAM = "suspend_exam", _("Exams suspended")
    REVOKE_CERTIFICATE = "revoke_certificate", _("Certificate revoked")


# Measures that change an organisation's status (and so block new classes and sittings).
SEVERE_MEASURES = {
    Measure.SUSPEND,
    Measure.CLOSE,
    Measure.CANCEL_EXAM_POINT,
    Measure.SUSPEND_EXAM,
    Measure.REVOKE_CERTIFICATE,
}


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Evidence submitted")
    CLOSED = "closed", _("Verified and closed")


RECTIFICATION_TRANSITIONS = {
    (RectificationStatus.OPEN, RectificationStatus.SUBMITTED): "submit",
    (RectificationStatus.SUBMITTED, RectificationStatus.SUBMITTED): "submit",
    (RectificationStatus.SUBMITTED, RectificationStatus.OPEN): "return",
    (RectificationStatus.SUBMITTED, RectificationStatus.CLOSED): "close",
}
# The steps of a rectification as its timeline names them (escalate: overdue, a step that keeps the status).
RECTIFICATION_STEP_LABELS = {
    "submit": pgettext_lazy("rectification step", "Evidence submitted"),
    "return": pgettext_lazy("rectification step", "Returned for more work"),
    "close": pgettext_lazy("rectification step", "Verified and closed"),
    "escalate": pgettext_lazy("rectification step", "Escalated: not rectified in time"),
}


class SpotExamStatus(models.TextChoices):
    DRAWN = "drawn", pgettext_lazy("spot exam status", "Drawn")
    SUBMITTED = "submitted", _("Submitted")
    EXPIRED = "expired", _("Expired")
    NO_BANK = "no_bank", _("No question bank")
