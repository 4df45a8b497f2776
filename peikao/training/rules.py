"""Rules of training applied to a class: the hours it requires and the length of a credited hour,
judged by the rules in force on the class's start date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from peikao.core.errors import DomainError
from peikao.registry.models import Industry
from peikao.training.choices import TraineeCategory
from peikao.training.models import HourRule, HourUnit


@dataclass(frozen=True)
class Requirement:
    tenths: int
    basis: str
    rule: HourRule | None

    @property
    def hours(self) -> Decimal:
        return Decimal(self.tenths).scaleb(-1)


def minimum_rule(*, category: str, industry: Industry | None, training_type: str, on: dt.date) -> HourRule | None:
    """The domain minimum for this kind of class on that date: an industry-specific rule first, then
    the rule for the industry's class (high-risk or general), then a rule for any industry."""
    candidates = HourRule.objects.in_force(on).filter(trainee_category=category, training_type=training_type)
    if industry is not None:
        specific = candidates.filter(industry=industry).first()
        if specific is not None:
            return specific
    industry_class = (
        HourRule.IndustryClass.HIGH_RISK if industry and industry.high_risk else HourRule.IndustryClass.GENERAL
    )
    return (
        candidates.filter(industry__isnull=True, industry_class__in=[industry_class, ""])
        .order_by("-industry_class")  # a rule for the industry's class before a rule for any industry
        .first()
    )


def requirement(
    *, category: str, industry: Industry | None, training_type: str, syllabus_hours: Decimal | None, on: dt.date
) -> Requirement:
    """The larger of the domain minimum in force on ``on`` and the class's syllabus hours (docs/exchange.md)."""
    rule = minimum_rule(category=category, industry=industry, training_type=training_type, on=on)
    minimum = rule.hours if rule else Decimal(0)
    syllabus = syllabus_hours or Decimal(0)
    if category == TraineeCategory.SPECIAL_OPERATOR and not syllabus_hours and rule is None:
        raise DomainError(
            "syllabus_hours_required",
            _("A special-operations class states its syllabus hours (the national syllabus of its item)."),
        )
    if rule is None and not syllabus_hours:
        raise DomainError(
            "requirement_unknown",
            _("No minimum hours are defined for this kind of class: give its syllabus hours."),
        )
    if syllabus > minimum:
        basis = str(_("class syllabus"))
        if rule is not None:
            basis += f"（≥ {rule.hours}，{rule.basis}）"
        return Requirement(int(syllabus * 10), basis, rule)
    return Requirement(int(minimum * 10), rule.basis, rule)


def hour_unit(on: dt.date) -> HourUnit:
    unit = HourUnit.objects.in_force(on).order_by("-valid_from").first()
    if unit is None:
        raise DomainError("hour_unit_missing", _("No definition of a credited hour is loaded."))
    return unit
