"""Rules of training shared by the services (one record) and the imports (many records): who may run a class,
the hours it requires and the length of a credited hour (judged by the rules in force on the class's start
date), and when a lesson and its teacher fit the class."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.errors import DomainError
from peikao.registry.choices import AssignmentRole, OrganizationKind, OrganizationStatus
from peikao.registry.models import Assignment, Industry, OperationItem, Organization, Person
from peikao.training.choices import LessonMode, TraineeCategory
from peikao.training.models import HourRule, HourUnit, TrainingClass

TRAINING_KINDS = {OrganizationKind.TRAINING_INSTITUTION, OrganizationKind.ENTERPRISE}
MAX_SYLLABUS_HOURS = Decimal(999)
SEALED = _("The class is closed and its archive sealed: changes go through an amendment.")


@dataclass(frozen=True)
class Requirement:
    tenths: int
    basis: str
    rule: HourRule | None

    @property
    def hours(self) -> Decimal:
        return Decimal(self.tenths).scaleb(-1)


def pick_rule(
    rules: list[HourRule], *, category: str, industry: Industry | None, training_type: str
) -> HourRule | None:
    """Of ``rules`` (those in force on a day), the minimum for this kind of class: an industry-specific rule first,
    then the rule for the industry's class (high-risk or general), then a rule for any industry."""
    candidates = [r for r in rules if r.trainee_category == category and r.training_type == training_type]
    if industry is not None:
        specific = [r for r in candidates if r.industry_id == industry.pk]
        if specific:
            return specific[0]
    industry_class = (
        HourRule.IndustryClass.HIGH_RISK if industry and industry.high_risk else HourRule.IndustryClass.GENERAL
    )
    generic = [r for r in candidates if r.industry_id is None and r.industry_class in (industry_class, "")]
    # A rule for the industry's class before a rule for any industry.
    return max(generic, key=lambda r: r.industry_class != "", default=None)


def minimum_rule(*, category: str, industry: Industry | None, training_type: str, on: dt.date) -> HourRule | None:
    """The domain minimum for this kind of class on that date (``pick_rule`` of the rules in force)."""
    rules = list(
        HourRule.objects.in_force(on).filter(trainee_category=category, training_type=training_type).order_by("pk")
    )
    return pick_rule(rules, category=category, industry=industry, training_type=training_type)


def rests_on_unconfirmed(rule: HourRule | None, industry: Industry | None) -> bool:
    """Whether a minimum applied to a class of ``industry`` rests on something not checked against the primary
    text: the rule itself, or the industry's class (oil and gas as high-risk: order No. 20 art. 4)."""
    if rule is None:
        return False
    if not rule.confirmed:
        return True
    return bool(rule.industry_id is None and rule.industry_class and industry is not None and not industry.confirmed)


def requirement(
    *, category: str, industry: Industry | None, training_type: str, syllabus_hours: Decimal | None, on: dt.date
) -> Requirement:
    """The larger of the domain minimum in force on ``on`` and the class's syllabus hours (docs/exchange.md)."""
    if syllabus_hours is not None and not Decimal(0) < syllabus_hours <= MAX_SYLLABUS_HOURS:
        raise DomainError(
            "syllabus_hours_invalid",
            _("Syllabus hours are more than 0 and at most %(max)s."),
            {"max": MAX_SYLLABUS_HOURS},
        )
    rule = minimum_rule(category=category, industry=industry, training_type=training_type, on=on)
    if rule is None:
        if category == TraineeCategory.SPECIAL_OPERATOR and not syllabus_hours:
            raise DomainError(
                "syllabus_hours_required",
                _("A special-operations class states its syllabus hours (the national syllabus of its item)."),
            )
        if not syllabus_hours:  # none for this kind of class, or none yet in force on the class's start date
            raise DomainError(
                "requirement_unknown",
                _("No minimum hours were in force for this kind of class on %(date)s: give its syllabus hours."),
                {"date": on},
            )
        return Requirement(int(syllabus_hours * 10), str(_("class syllabus")), None)
    if syllabus_hours is not None and syllabus_hours > rule.hours:
        basis = f"{_('class syllabus')}（≥ {rule.hours}）；{rule.basis}"  # the rule's basis a part of its own: cited
        return Requirement(int(syllabus_hours * 10), basis, rule)
    return Requirement(int(rule.hours * 10), rule.basis, rule)


@dataclass(frozen=True)
class Schedule:
    """What a class's lessons can yield in 学时 against what it requires: per mode, each rounded down to a tenth,
    and in all (theory and practical lessons count by the offline hour, online lessons by the online hour)."""

    tenths: dict[str, int]  # mode → 学时 × 10 its lessons can yield
    total_tenths: int
    required_tenths: int

    @property
    def short_tenths(self) -> int:
        return max(0, self.required_tenths - self.total_tenths)

    def hours(self, mode: str) -> Decimal:
        return Decimal(self.tenths.get(mode, 0)).scaleb(-1)

    @property
    def total(self) -> Decimal:
        return Decimal(self.total_tenths).scaleb(-1)

    @property
    def required(self) -> Decimal:
        return Decimal(self.required_tenths).scaleb(-1)

    @property
    def short(self) -> Decimal:
        return Decimal(self.short_tenths).scaleb(-1)

    @property
    def theory(self) -> Decimal:
        return self.hours(LessonMode.THEORY)

    @property
    def practical(self) -> Decimal:
        return self.hours(LessonMode.PRACTICAL)

    @property
    def online(self) -> Decimal:
        return self.hours(LessonMode.ONLINE)


def scheduled_hours(
    minutes: dict[str, int], *, offline_minutes: int, online_minutes: int, required_tenths: int
) -> Schedule:
    """The 学时 that lessons of ``minutes`` per mode can yield, one 学时 being ``offline_minutes`` in class (theory,
    practical) and ``online_minutes`` online (AQ 8011-2023 4.4), against ``required_tenths``. Exact integer
    arithmetic, rounded down once: 45 minutes yield 1.0, never 0.9."""
    unit = {LessonMode.ONLINE: online_minutes}
    tenths = {mode: minutes.get(mode, 0) * 10 // unit.get(mode, offline_minutes) for mode in LessonMode.values}
    offline = sum(minutes.get(mode, 0) for mode in LessonMode.values if mode != LessonMode.ONLINE)
    online = minutes.get(LessonMode.ONLINE, 0)
    total = (offline * online_minutes + online * offline_minutes) * 10 // (offline_minutes * online_minutes)
    return Schedule(tenths=tenths, total_tenths=total, required_tenths=required_tenths)


def class_schedule(training_class: TrainingClass) -> Schedule:
    """The 学时 the class's lessons can yield, per mode and in all, against the hours the class requires."""
    minutes: dict[str, int] = {}
    for mode, starts_at, ends_at in training_class.lessons.values_list("mode", "starts_at", "ends_at"):
        minutes[mode] = minutes.get(mode, 0) + int((ends_at - starts_at).total_seconds() // 60)
    return scheduled_hours(
        minutes,
        offline_minutes=training_class.offline_hour_minutes,
        online_minutes=training_class.online_hour_minutes,
        required_tenths=training_class.required_tenths,
    )


def hour_unit(on: dt.date) -> HourUnit:
    unit = HourUnit.objects.in_force(on).order_by("-valid_from").first()
    if unit is None:
        raise DomainError("hour_unit_missing", _("No definition of a credited hour is loaded."))
    return unit


def organization_may_train(organization: Organization, *, category: str, item: OperationItem | None) -> None:
    """Refuse, with the reason, a class the organisation may not run."""
    if organization.kind not in TRAINING_KINDS:
        raise DomainError("not_a_training_body", _("Only training institutions and enterprises run classes."))
    if organization.status != OrganizationStatus.ACTIVE:
        raise DomainError(
            "organization_not_active",
            _("The organisation is %(status)s: it may not run classes."),
            {"status": OrganizationStatus(organization.status).label},
        )
    if category == TraineeCategory.SPECIAL_OPERATOR:
        if organization.kind != OrganizationKind.TRAINING_INSTITUTION:
            raise DomainError(
                "specops_needs_institution",
                _("Special-operations training is given by a training institution."),
            )
        if item is not None and not organization.operation_items.filter(pk=item.pk).exists():
            raise DomainError(
                "item_not_approved",
                _("The institution is not approved to train for operation item %(item)s."),
                {"item": str(item)},
            )


def teacher_problem(*, organization: Organization, teacher: Person | None, mode: str, on: dt.date):
    """None if ``teacher`` may teach at ``organization`` on ``on``, else the reason (message, params)."""
    if teacher is None:
        if mode == LessonMode.ONLINE:
            return None
        return _("A classroom or practical lesson needs its teacher."), {}
    holds = Assignment.objects.filter(
        person=teacher,
        organization=organization,
        role__in=[AssignmentRole.TEACHER, AssignmentRole.PRACTICAL_INSTRUCTOR],
        start_date__lte=on,
    ).exclude(end_date__lt=on)
    if not holds.exists():
        return (
            _("%(name)s holds no teacher or practical-instructor assignment at %(org)s on %(date)s."),
            {"name": teacher.name, "org": organization.name, "date": on.isoformat()},
        )
    return None


def lesson_problem(training_class: TrainingClass, *, mode: str, starts_at: dt.datetime, ends_at: dt.datetime):
    """None if the lesson's time fits the class, else (message, params)."""
    start_local, end_local = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if ends_at <= starts_at:
        return _("A lesson ends after it starts."), {}
    if start_local.date() != end_local.date():
        return _("A lesson starts and ends on the same day."), {}
    if not training_class.start_date <= start_local.date() <= training_class.end_date:
        return (
            _("The lesson lies outside the class's dates (%(start)s to %(end)s)."),
            {"start": training_class.start_date.isoformat(), "end": training_class.end_date.isoformat()},
        )
    return None
