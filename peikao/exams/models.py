"""Exams: the rules by regime, question banks, blueprints and per-candidate papers, sittings with their
staff, registrations and eligibility, theory answer sheets, results, practical scoring, remote patrol."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.events import TransitionEvent, new_status_field, old_status_field
from peikao.core.models import DatedReference
from peikao.core.scoping import ScopedQuerySet, ScopeSpec
from peikao.exams.choices import (
    DeviceType,
    ExamPart,
    FindingSource,
    FindingStatus,
    PatrolMode,
    QuestionType,
    ResultStatus,
    Sanction,
    SittingStatus,
    SkillLevel,
    StaffRole,
)
from peikao.registry.models import OperationItem, Organization, Person


class ExamRegime(DatedReference):
    """The exam rules of a legal instrument (domain/exams_certificates.yaml), applied by exam date."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    pass_score = models.PositiveSmallIntegerField(_("pass mark"), default=80)
    max_score = models.PositiveSmallIntegerField(_("full marks"), default=100)
    theory_minutes = models.PositiveSmallIntegerField(_("theory exam minutes"), default=120)
    theory_attempts = models.PositiveSmallIntegerField(
        _("theory attempts"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    practical_attempts = models.PositiveSmallIntegerField(_("practical attempts"), null=True, blank=True)
    retraining_after_fail = models.BooleanField(_("training again after the last failed attempt"), default=True)
    result_valid_months = models.PositiveSmallIntegerField(_("a result is valid for (months)"), null=True, blank=True)
    training_valid_months = models.PositiveSmallIntegerField(_("completed training is valid for (months)"), default=12)
    practical_since_passed_theory = models.BooleanField(
        _("practical attempts counted since the latest passed theory exam"), default=False
    )
    skill_certificate_skips_training = models.BooleanField(
        _("holders of a matching vocational skill level certificate sit without training"), default=False
    )
    skill_occupations = models.JSONField(
        _("occupations of matching skill certificates"),
        default=dict,
        blank=True,
        help_text=_('{"电工": ["1"], …}: occupation → categories or operation items it matches.'),
    )
    articles = models.JSONField(
        _("articles cited"), default=dict, blank=True, help_text=_('{"conditions": 4, "training": 5}')
    )
    basis = models.CharField(_("legal basis"), max_length=120)

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("exam regime")
        verbose_name_plural = _("exam regimes")

    def __str__(self) -> str:
        return self.title

    def attempts(self, part: str) -> int | None:
        return self.theory_attempts if part == ExamPart.THEORY else self.practical_attempts

    def cites(self, provision: str) -> str:
        """The reference of one of the regime's provisions (``order_30 art. 5``; the instrument alone where the
        article is not known)."""
        article = self.articles.get(provision)
        return f"{self.basis} art. {article}" if article else self.basis

    def skill_matches(self, occupation: str, item: OperationItem | None) -> bool:
        """Whether a skill certificate of ``occupation`` matches the item (its code, or its category's)."""
        if item is None:
            return False
        codes = set(self.skill_occupations.get(occupation.strip(), []))
        return item.code in codes or item.code.split(".")[0] in codes


class SkillCertificateQuerySet(ScopedQuerySet):
    def scope_q(self, user, scope):
        """Whoever may see the holder sees the certificate."""
        return Q(person__in=Person.objects.visible_to(user).values("pk"))


class SkillCertificate(models.Model):
    """A vocational skill level certificate (职业技能等级证书) a person holds, recorded as shown with the application:
    where the regime says so, it stands for the training of the special-operations items its occupation matches."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="skill_certificates", verbose_name=_("holder"))
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    occupation = models.CharField(_("occupation"), max_length=60)
    level = models.CharField(_("level"), max_length=2, choices=SkillLevel.choices)
    issuer = models.CharField(_("issued by"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SkillCertificateQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-issued_on"]
        verbose_name = _("vocational skill level certificate")
        verbose_name_plural = _("vocational skill level certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gte=models.F("issued_on")),
                name="skill_certificate_revoked_after_issue",
            )
        ]

    def __str__(self) -> str:
        return f"{self.occupation} {self.get_level_display()} {self.number}"

    def valid_on(self, day) -> bool:
        return self.issued_on <= day and (self.revoked_on is None or day < self.revoked_on)


class QuestionQuerySet(models.QuerySet["Question"]):
    def active(self) -> Self:
        return self.filter(retired=False)


class Question(models.Model):
    """A question of a bank: for an operation item, or for a trainee category (principals, managers).

    Questions are reference data of the exam system, visible to exam staff and regulators. Editing a
    question that has been drawn into a paper makes a new version; the old one is retired, not changed."""

    question_code = models.CharField(_("question code"), max_length=40, unique=True)
    operation_item = models.ForeignKey(
        OperationItem, models.PROTECT, null=True, blank=True, related_name="questions", verbose_name=_("item")
    )
    trainee_category = models.CharField(_("trainee category"), max_length=32, blank=True)
    qtype = models.CharField(_("type"), max_length=8, choices=QuestionType.choices)
    stem = models.TextField(_("stem"))
    options = models.JSONField(_("options"), default=list, blank=True)
    answer = models.CharField(_("answer"), max_length=6)
    knowledge_point = models.CharField(_("knowledge point"), max_length=100, blank=True)
    difficulty = models.PositiveSmallIntegerField(_("difficulty"), null=True, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    fingerprint = models.CharField(max_length=64, db_index=True, help_text=_("SHA-256 of stem and options."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="+")
    retired = models.BooleanField(_("retired"), default=False)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["question_code"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(operation_item__isnull=False) | ~Q(trainee_category=""), name="question_has_a_bank"
            ),
            models.CheckConstraint(
                condition=Q(difficulty__isnull=True) | Q(difficulty__gte=1, difficulty__lte=5),
                name="question_difficulty_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["operation_item", "qtype", "retired"], name="question_bank_idx")]

    def __str__(self) -> str:
        return f"{self.question_code} {self.stem[:30]}"


class Blueprint(models.Model):
    """How a paper is drawn for an item (or category): counts per type, knowledge point and difficulty band,
    points per type, duration and pass mark."""

    operation_item = models.ForeignKey(OperationItem, models.PROTECT, null=True, blank=True, related_name="+")
    trainee_category = models.CharField(_("trainee category"), max_length=32, blank=True)
    name = models.CharField(_("name"), max_length=100)
    sections = models.JSONField(
        _("sections"),
        help_text=_(
            'A list of {"qtype", "count", "points", optional "knowledge_point", "difficulty": [min, max]}; '
            "the points add up to the full marks."
        ),
    )
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)
    pass_score = models.PositiveSmallIntegerField(_("pass mark"), default=80)
    max_overlap = models.DecimalField(
        _("largest share of questions two papers of a sitting may share"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.30"),
    )
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["operation_item__position", "trainee_category", "-active"]
        verbose_name = _("blueprint")
        verbose_name_plural = _("blueprints")

    def __str__(self) -> str:
        return self.name

    @property
    def question_count(self) -> int:
        return sum(int(section["count"]) for section in self.sections)

    @property
    def total_points(self) -> Decimal:
        return sum((Decimal(str(section["points"])) * int(section["count"]) for section in self.sections), Decimal(0))


class PracticalSheet(models.Model):
    """The scoring sheet of an item's practical exam: the tasks, their points and the pass mark."""

    operation_item = models.ForeignKey(OperationItem, models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    tasks = models.JSONField(_("tasks"), help_text=_('A list of {"code", "name", "points"} adding up to 100.'))
    pass_score = models.PositiveSmallIntegerField(_("pass mark"), default=80)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("practical scoring sheet")
        verbose_name_plural = _("practical scoring sheets")

    def __str__(self) -> str:
        return self.name


class Sitting(models.Model):
    """An exam session at an exam point: one part (theory or practical) of one item, at a time."""

    sitting_code = models.CharField(_("sitting code"), max_length=40, unique=True)
    exam_point = models.ForeignKey(Organization, models.PROTECT, related_name="sittings", verbose_name=_("exam point"))
    part = models.CharField(_("part"), max_length=16, choices=ExamPart.choices)
    operation_item = models.ForeignKey(
        OperationItem, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("operation item")
    )
    trainee_category = models.CharField(_("trainee category"), max_length=32, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("capacity"))
    status = models.CharField(_("status"), max_length=16, choices=SittingStatus.choices, default=SittingStatus.PLANNED)
    blueprint = models.ForeignKey(Blueprint, models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("exam_point__region",)
        organization = ("exam_point", "exam_point__parent")
        person = ("registrations__person",)
        distinct = True

    class Meta:
        ordering = ["-starts_at", "sitting_code"]
        verbose_name = _("sitting")
        verbose_name_plural = _("sittings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="sitting_ends_after_start",
                violation_error_message=_("A sitting ends after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(operation_item__isnull=False) | ~Q(trainee_category=""), name="sitting_has_a_subject"
            ),
        ]

    def __str__(self) -> str:
        return self.sitting_code


class SittingEvent(TransitionEvent):
    """A status change of a sitting."""

    OWNER_FIELD = "sitting"

    sitting = models.ForeignKey(
        Sitting, models.PROTECT, related_name="events", verbose_name=_("sitting"), db_index=False
    )
    old_status = old_status_field(SittingStatus.choices)
    new_status = new_status_field(SittingStatus.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("sitting status change")
        verbose_name_plural = _("sitting status changes")
        indexes = [models.Index(fields=["sitting", "time"], name="sitting_events_by_time")]


class SittingStaff(models.Model):
    """A proctor or examiner of a sitting. A conflict (they work for a training institution whose trainees
    sit here) is refused unless a regulator overrides it with a recorded reason."""

    sitting = models.ForeignKey(Sitting, models.PROTECT, related_name="staff")
    person = models.ForeignKey(Person, models.PROTECT, related_name="exam_duties", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    conflict = models.TextField(_("conflict found"), blank=True)
    override_reason = models.TextField(_("override reason"), blank=True)
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("sitting__exam_point__region",)
        organization = ("sitting__exam_point",)

    class Meta:
        verbose_name = _("sitting staff")
        verbose_name_plural = _("sitting staff")
        constraints = [models.UniqueConstraint(fields=["sitting", "person", "role"], name="staff_once_per_role")]

    str_related = ("person",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.person.name} {self.get_role_display()}"


class Registration(models.Model):
    """A candidate registered for a sitting, with the eligibility check that admitted them."""

    sitting = models.ForeignKey(Sitting, models.PROTECT, related_name="registrations", verbose_name=_("sitting"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="registrations", verbose_name=_("candidate"))
    admission_code = models.CharField(_("admission code"), max_length=12)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    eligibility = models.JSONField(_("eligibility"), default=list, help_text=_("The checks and their outcomes."))
    training_class = models.ForeignKey(
        "training.TrainingClass", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("training")
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    AUDIT_EXCLUDED_FIELDS = ("admission_code",)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("sitting__exam_point__region",)
        organization = ("sitting__exam_point", "sitting__exam_point__parent")
        person = ("person",)

    class Meta:
        ordering = ["sitting", "person__name"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "person"],
                name="registration_once",
                violation_error_message=_("This candidate is already registered for this sitting."),
            )
        ]

    str_related = ("person", "sitting")  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.person.name} @ {self.sitting}"


class Paper(models.Model):
    """The paper drawn for one candidate: questions and option orders, reproducible from the seed."""

    registration = models.OneToOneField(Registration, models.PROTECT, related_name="paper")
    blueprint = models.ForeignKey(Blueprint, models.PROTECT, related_name="+")
    seed = models.BigIntegerField()
    items = models.JSONField(help_text=_('[{"q": question id, "o": option order, "p": points}, …]'))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("paper")
        verbose_name_plural = _("papers")

    str_related = ("registration",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"paper of {self.registration}"


class PaperQuestion(models.Model):
    """One question drawn into a paper: counted for exposure, and what makes a used question immutable."""

    paper = models.ForeignKey(Paper, models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, models.PROTECT, related_name="drawn")
    position = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["paper", "position"], name="paper_position_once")]

    def __str__(self) -> str:
        return f"{self.paper_id}#{self.position}"


class AnswerSheet(models.Model):
    """A candidate's theory exam in progress or done: the answers as saved, the deadline, the score."""

    registration = models.OneToOneField(Registration, models.PROTECT, related_name="sheet")
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    answers = models.JSONField(default=dict, help_text=_("position → answer letters (or T/F)."))
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    timed_out = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("answer sheet")
        verbose_name_plural = _("answer sheets")

    str_related = ("registration",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"sheet of {self.registration}"


class Result(models.Model):
    """The outcome of a registration: a score, passed or not, and whether it stands (valid, absent, cancelled)."""

    registration = models.OneToOneField(Registration, models.PROTECT, related_name="result")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("passed"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=ResultStatus.choices, default=ResultStatus.VALID)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    device_type = models.CharField(_("equipment"), max_length=16, choices=DeviceType.choices, blank=True)
    source = models.CharField(_("source"), max_length=16, default="online")
    answers = models.JSONField(_("answers"), default=dict, blank=True, help_text=_("question code → answer"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("registration__sitting__exam_point__region",)
        organization = ("registration__sitting__exam_point", "registration__sitting__exam_point__parent")
        person = ("registration__person",)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="result_score_0_100"
            ),
            models.CheckConstraint(
                condition=~Q(status=ResultStatus.CANCELLED) | Q(passed=False), name="result_cancelled_not_passed"
            ),
        ]

    str_related = ("registration",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.registration}: {self.score}"


class ResultEvent(TransitionEvent):
    """A status change of a result (a score cancelled after a patrol finding)."""

    OWNER_FIELD = "result"

    result = models.ForeignKey(Result, models.PROTECT, related_name="events", verbose_name=_("result"), db_index=False)
    old_status = old_status_field(ResultStatus.choices)
    new_status = new_status_field(ResultStatus.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("result status change")
        verbose_name_plural = _("result status changes")
        indexes = [models.Index(fields=["result", "time"], name="result_events_by_time")]


class PracticalScore(models.Model):
    """The examiner's sheet for one candidate: points per task and the equipment actually used."""

    result = models.OneToOneField(Result, models.PROTECT, related_name="practical")
    sheet = models.ForeignKey(PracticalSheet, models.PROTECT, related_name="+")
    examiner = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("examiner"))
    task_scores = models.JSONField(_("points per task"))
    device_type = models.CharField(_("equipment"), max_length=16, choices=DeviceType.choices)
    notes = models.TextField(_("notes"), blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("practical score")
        verbose_name_plural = _("practical scores")

    str_related = ("result",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"practical of {self.result}"


class PatrolFeed(models.Model):
    """An external video-analytics system that reports what it sees in exam rooms of a region."""

    AUDIT_EXCLUDED_FIELDS = ("key_hash",)

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+")
    key_prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("region",)

    class Meta:
        verbose_name = _("video analytics feed")
        verbose_name_plural = _("video analytics feeds")

    def __str__(self) -> str:
        return self.name


class Patrol(models.Model):
    """A regulator watching a sitting, live or from the recording (巡考)."""

    sitting = models.ForeignKey(Sitting, models.PROTECT, related_name="patrols")
    watcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("watched by")
    )
    mode = models.CharField(_("mode"), max_length=16, choices=PatrolMode.choices)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("to"), null=True, blank=True)
    notes = models.TextField(_("what was seen"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("sitting__exam_point__region",)
        organization = ("sitting__exam_point",)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")

    str_related = ("sitting",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.sitting} {self.get_mode_display()}"


class PatrolFinding(models.Model):
    """Something seen in a sitting, by a patrol or by video analytics, with the sanction decided."""

    sitting = models.ForeignKey(Sitting, models.PROTECT, related_name="findings")
    patrol = models.ForeignKey(Patrol, models.PROTECT, null=True, blank=True, related_name="findings")
    registration = models.ForeignKey(
        Registration, models.PROTECT, null=True, blank=True, related_name="findings", verbose_name=_("candidate")
    )
    source = models.CharField(_("source"), max_length=16, choices=FindingSource.choices)
    feed = models.ForeignKey(PatrolFeed, models.PROTECT, null=True, blank=True, related_name="findings")
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    observed_at = models.DateTimeField(_("observed"))
    observation = models.TextField(_("observation"))
    confidence = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    sanction = models.CharField(_("sanction"), max_length=16, choices=Sanction.choices, default=Sanction.NONE)
    status = models.CharField(_("status"), max_length=16, choices=FindingStatus.choices)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("sitting__exam_point__region",)
        organization = ("sitting__exam_point",)

    class Meta:
        ordering = ["-observed_at"]
        verbose_name = _("patrol finding")
        verbose_name_plural = _("patrol findings")
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "external_id"], condition=~Q(external_id=""), name="finding_external_once"
            )
        ]

    str_related = ("sitting",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.sitting}: {self.observation[:30]}"
