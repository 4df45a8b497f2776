"""Graded supervision: indicator sets (reference data, domain/oversight_grading.yaml), the grade of each subject
with its history, the exit rules and proposals, the self-discipline commitments and their text versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.events import TransitionEvent, new_status_field, old_status_field
from peikao.core.models import DatedReference, Region
from peikao.core.scoping import ScopedQuerySet, ScopeSpec
from peikao.oversight.grading import rules
from peikao.oversight.grading.choices import (
    CommitmentStatus,
    EnterpriseScope,
    ExitMeasure,
    GradeChange,
    GradeLetter,
    ProposalStatus,
)
from peikao.registry.models import Organization

__all__ = [
    "Commitment",
    "CommitmentEvent",
    "CommitmentTemplate",
    "DrawRule",
    "ExitProposal",
    "ExitProposalEvent",
    "ExitRule",
    "Grade",
    "GradeEvent",
    "Indicator",
    "IndicatorSet",
]


class IndicatorSet(DatedReference):
    """A version of the grading scorecard: its indicators, and the score bands of the grades (score up to
    ``max_a`` is A, up to ``max_b`` B, up to ``max_c`` C, above D). A grade is computed by the set in force on
    its as-of date."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=300)
    max_a = models.DecimalField(_("highest score of grade A"), max_digits=7, decimal_places=2)
    max_b = models.DecimalField(_("highest score of grade B"), max_digits=7, decimal_places=2)
    max_c = models.DecimalField(_("highest score of grade C"), max_digits=7, decimal_places=2)
    enterprises = models.CharField(
        _("enterprises graded"),
        max_length=16,
        choices=EnterpriseScope.choices,
        default=EnterpriseScope.HIGH_RISK,
        help_text=_("High-risk industries first; a province widens grading to every enterprise by its own version."),
    )

    class Meta:
        ordering = ["-valid_from", "version"]
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_a__lte=models.F("max_b")) & Q(max_b__lte=models.F("max_c")),
                name="indicator_set_bands_ordered",
                violation_error_message=_("The score bands of the grades rise from A to C."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"


class Indicator(models.Model):
    """One indicator of a set: what it counts (its code names the SQL in grading/indicators.py), for which kinds
    of subject, how many points per unit, the cap, an optional threshold, and its plain Chinese description."""

    key = models.CharField(max_length=80, unique=True)
    indicator_set = models.ForeignKey(
        IndicatorSet, models.CASCADE, to_field="version", related_name="indicators", verbose_name=_("indicator set")
    )
    code = models.CharField(_("code"), max_length=40)
    kinds = models.JSONField(_("subjects"), default=list)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    cap = models.DecimalField(_("cap"), max_digits=6, decimal_places=2)
    threshold = models.DecimalField(_("threshold"), max_digits=9, decimal_places=4, null=True, blank=True)
    minimum = models.PositiveIntegerField(_("minimum count"), default=0)
    months = models.PositiveSmallIntegerField(_("months looked back"), default=24)
    description = models.TextField(_("description"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["indicator_set", "position"]
        verbose_name = _("grading indicator")
        verbose_name_plural = _("grading indicators")
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="indicator_once_per_set"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_set_id} {self.code}"


class GradeQuerySet(ScopedQuerySet):
    pass


class Grade(models.Model):
    """The current grade of one subject: the computed grade with its score and the points of every indicator
    (``details``), the indicator set it was computed by and on which day; an override by a region, with its
    reason and end, takes precedence until it ends. Every change leaves a ``GradeEvent`` (the subject's notice)."""

    organization = models.OneToOneField(Organization, models.PROTECT, related_name="grade", verbose_name=_("subject"))
    kind = models.CharField(_("kind"), max_length=32)
    computed = models.CharField(_("computed grade"), max_length=1, choices=GradeLetter.choices)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    details = models.JSONField(_("points by indicator"), default=dict, blank=True)
    indicator_set = models.ForeignKey(
        IndicatorSet, models.PROTECT, to_field="version", related_name="+", verbose_name=_("indicator set")
    )
    as_of = models.DateField(_("as of"))
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    streak = models.PositiveIntegerField(
        _("gradings in a row at this grade"), default=1, help_text=_("Recomputations on later days that kept it.")
    )
    override = models.CharField(_("override"), max_length=1, choices=GradeLetter.choices, blank=True)
    override_reason = models.TextField(_("reason of the override"), blank=True)
    override_until = models.DateField(_("override until"), null=True, blank=True)
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    override_region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = GradeQuerySet.as_manager()

    STATUS_FIELD = "computed"  # what its events record: the computed grade (an override is an event too)

    class Scope(ScopeSpec):
        region = ("organization__region",)
        organization = ("organization",)  # the subject reads its own grade and why

    class Meta:
        ordering = ["organization__name", "id"]
        verbose_name = _("risk grade")
        verbose_name_plural = _("risk grades")
        indexes = [models.Index(fields=["kind", "computed"], name="grade_by_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(override="") | (~Q(override_reason="") & Q(override_until__isnull=False)),
                name="grade_override_has_reason_and_end",
                violation_error_message=_("An override says why and until when."),
            ),
        ]

    str_related = ("organization",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.organization} {self.effective}"

    @property
    def effective(self) -> str:
        """The grade that counts today: the override while it lasts, else the computed grade."""
        return rules.effective(
            computed=self.computed, override=self.override, override_until=self.override_until, on=timezone.localdate()
        )


class GradeEvent(TransitionEvent):
    """A change of a subject's grade: computed anew, overridden, override ended; with the score and the version of
    the indicator set. Shown to the subject as its notice."""

    OWNER_FIELD = "grade"

    grade = models.ForeignKey(Grade, models.PROTECT, related_name="events", verbose_name=_("grade"), db_index=False)
    old_status = old_status_field(GradeLetter.choices)
    new_status = new_status_field(GradeLetter.choices)
    change = models.CharField(_("change"), max_length=16, choices=GradeChange.choices)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    indicator_set_version = models.CharField(_("indicator set"), max_length=20, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        indexes = [models.Index(fields=["grade", "time"], name="grade_events_by_time")]


class DrawRule(DatedReference):
    """How a grade weighs in the random draw (双随机) of an inspection plan: its weight, how many inspections a
    year at least (a subject below it is drawn first), and at most one inspection in how many years (a subject
    inspected more recently is left out of the draw unless an open alert concerns it)."""

    key = models.CharField(max_length=40, unique=True)
    grade = models.CharField(_("grade"), max_length=1, choices=GradeLetter.choices)
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=2)
    min_per_year = models.PositiveSmallIntegerField(_("inspections a year at least"), default=0)
    at_most_every_years = models.PositiveSmallIntegerField(_("at most one inspection in (years)"), default=0)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["grade", "valid_from"]
        verbose_name = _("draw rule of a grade")
        verbose_name_plural = _("draw rules of the grades")

    def __str__(self) -> str:
        return f"{self.grade} × {self.weight}"


class ExitRule(DatedReference):
    """A rule of the exit mechanism (domain/oversight_grading.yaml): what fires it (its code names the SQL), its
    threshold and window, which measure it proposes, for which kinds of subject, and its basis."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kinds = models.JSONField(_("subjects"), default=list)
    measure = models.CharField(_("proposed measure"), max_length=24, choices=ExitMeasure.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=9, decimal_places=4, default=0)
    minimum = models.PositiveIntegerField(_("minimum count"), default=0)
    months = models.PositiveSmallIntegerField(_("window (months)"), default=12)
    description = models.TextField(_("description"))
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["code"]
        verbose_name = _("exit rule")
        verbose_name_plural = _("exit rules")

    def __str__(self) -> str:
        return self.name


class ExitProposalQuerySet(ScopedQuerySet):
    pass


class ExitProposal(models.Model):
    """A proposal put to the regulator of the subject's level when an exit rule fires, with its evidence; decided
    through a normal enforcement decision (linked) or rejected with a reason. Nothing is removed by the proposal."""

    rule = models.ForeignKey(ExitRule, models.PROTECT, to_field="code", related_name="proposals")
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="exit_proposals", verbose_name=_("subject")
    )
    authority = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("put to"))
    measure = models.CharField(_("proposed measure"), max_length=24, choices=ExitMeasure.choices)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    explanation = models.TextField(_("explanation"))
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    decision = models.ForeignKey(
        "enforcement.Decision", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decision")
    )
    reason = models.TextField(_("reason of the rejection"), blank=True)
    proposed_on = models.DateField(_("proposed on"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ExitProposalQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("organization__region",)

    class Meta:
        ordering = ["-proposed_on", "-id"]
        verbose_name = _("exit proposal")
        verbose_name_plural = _("exit proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "organization"],
                condition=Q(status=ProposalStatus.PROPOSED),
                name="exit_proposal_one_open_per_rule",
                violation_error_message=_("This rule already has an open proposal for this subject."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.DECIDED) | Q(decision__isnull=False),
                name="exit_proposal_decided_has_decision",
                violation_error_message=_("A decided proposal names its decision."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.REJECTED) | ~Q(reason=""),
                name="exit_proposal_rejected_has_reason",
                violation_error_message=_("A rejected proposal says why."),
            ),
        ]

    str_related = ("organization",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.organization}：{self.rule_id}"


class ExitProposalEvent(TransitionEvent):
    """A step of an exit proposal: decided (with the decision) or rejected (with the reason)."""

    OWNER_FIELD = "proposal"

    proposal = models.ForeignKey(ExitProposal, models.PROTECT, related_name="events", db_index=False)
    old_status = old_status_field(ProposalStatus.choices)
    new_status = new_status_field(ProposalStatus.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("exit proposal step")
        verbose_name_plural = _("exit proposal steps")
        indexes = [models.Index(fields=["proposal", "time"], name="exit_proposal_events_by_time")]


class CommitmentTemplate(DatedReference):
    """A version of the self-discipline commitment's text, and the violation codes that breach it."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    breach_codes = models.JSONField(_("violations that breach it"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["-valid_from", "version"]
        verbose_name = _("commitment text")
        verbose_name_plural = _("commitment texts")

    def __str__(self) -> str:
        return f"{self.title}（{self.version}）"


def commitment_path(instance: Commitment, filename: str) -> str:
    """Content-addressed like the evidence: stored under its SHA-256, never overwritten."""
    return f"commitments/{instance.sha256[:2]}/{instance.sha256}.pdf"


class CommitmentQuerySet(ScopedQuerySet):
    pass


class Commitment(models.Model):
    """A signed self-discipline commitment (自律承诺) of an institution: the signed PDF with its SHA-256 (never
    replaced), its signatory, the witnessing lawyer and law firm, the text version, its term and status; a
    finding of one of the text's violations during the term marks it breached, with the finding."""

    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="commitments", verbose_name=_("institution")
    )
    template = models.ForeignKey(
        CommitmentTemplate, models.PROTECT, to_field="version", related_name="+", verbose_name=_("text version")
    )
    signatory = models.CharField(_("signatory"), max_length=100)
    signatory_title = models.CharField(_("signatory's post"), max_length=100, blank=True)
    lawyer = models.CharField(_("witnessing lawyer"), max_length=100)
    law_firm = models.CharField(_("law firm"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until"))
    file = models.FileField(_("signed document"), upload_to=commitment_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=CommitmentStatus.choices, default=CommitmentStatus.IN_FORCE
    )
    breach_finding = models.ForeignKey(
        "enforcement.Finding", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("breached by")
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CommitmentQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("organization__region",)
        organization = ("organization",)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("self-discipline commitment")
        verbose_name_plural = _("self-discipline commitments")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")),
                name="commitment_term_ordered",
                violation_error_message=_("A commitment's term ends after it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(status=CommitmentStatus.BREACHED) | Q(breach_finding__isnull=False),
                name="commitment_breach_has_finding",
                violation_error_message=_("A breached commitment names the finding that breached it."),
            ),
        ]

    str_related = ("organization",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.organization}（{self.valid_from}～{self.valid_to}）"


class CommitmentEvent(TransitionEvent):
    """A step of a commitment: breached (by a finding) or expired."""

    OWNER_FIELD = "commitment"

    commitment = models.ForeignKey(Commitment, models.PROTECT, related_name="events", db_index=False)
    old_status = old_status_field(CommitmentStatus.choices)
    new_status = new_status_field(CommitmentStatus.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("commitment status change")
        verbose_name_plural = _("commitment status changes")
        indexes = [models.Index(fields=["commitment", "time"], name="commitment_events_by_time")]
