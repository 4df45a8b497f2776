"""Enumerations and transition maps of graded supervision, exits and commitments."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peikao.registry.choices import OrganizationKind


class GradeLetter(models.TextChoices):
    A = "A", pgettext_lazy("risk grade", "A (low risk)")
    B = "B", pgettext_lazy("risk grade", "B")
    C = "C", pgettext_lazy("risk grade", "C")
    D = "D", pgettext_lazy("risk grade", "D (high risk)")


# The kinds of subject that are graded, in the order the command prints them.
GRADED_KINDS = (OrganizationKind.TRAINING_INSTITUTION, OrganizationKind.EXAM_POINT, OrganizationKind.ENTERPRISE)


class EnterpriseScope(models.TextChoices):
    """Which enterprises an indicator set grades: those of high-risk industries (煤矿、非煤矿山、危险化学品、烟花爆竹、
    金属冶炼…, registry Industry.high_risk) first, or every enterprise once a province widens it."""

    HIGH_RISK = "high_risk", pgettext_lazy("enterprises graded", "Enterprises of high-risk industries")
    ALL = "all", pgettext_lazy("enterprises graded", "Every enterprise")


class GradeChange(models.TextChoices):
    COMPUTED = "computed", pgettext_lazy("grade change", "Computed")
    OVERRIDE = "override", pgettext_lazy("grade change", "Overridden")
    OVERRIDE_ENDED = "override_ended", pgettext_lazy("grade change", "Override ended")


class ExitMeasure(models.TextChoices):
    """What an exit proposal asks the regulator to decide (暂停/取消/退出)."""

    SUSPEND = "suspend", pgettext_lazy("exit measure", "Suspension (暂停)")
    CANCEL_EXAM_POINT = "cancel_exam_point", pgettext_lazy("exit measure", "Exam point cancelled (取消)")
    CLOSE = "close", pgettext_lazy("exit measure", "Exit (退出)")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("exit proposal", "Awaiting decision")
    DECIDED = "decided", pgettext_lazy("exit proposal", "Decided")
    REJECTED = "rejected", pgettext_lazy("exit proposal", "Rejected")


PROPOSAL_TRANSITIONS: dict[tuple[str, str], str] = {
    (ProposalStatus.PROPOSED, ProposalStatus.DECIDED): "decide",
    (ProposalStatus.PROPOSED, ProposalStatus.REJECTED): "reject",
}


class CommitmentStatus(models.TextChoices):
    IN_FORCE = "in_force", pgettext_lazy("commitment", "In force")
    EXPIRED = "expired", pgettext_lazy("commitment", "Expired")
    BREACHED = "breached", pgettext_lazy("commitment", "Breached")


COMMITMENT_TRANSITIONS: dict[tuple[str, str], str] = {
    (CommitmentStatus.IN_FORCE, CommitmentStatus.BREACHED): "breach",
    (CommitmentStatus.IN_FORCE, CommitmentStatus.EXPIRED): "expire",
}

PUBLIC_EXIT_NOTE = _("Exited institutions and exam points")
