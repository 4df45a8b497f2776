"""What each compliance gap means, the violation it is, and the dated figures it is judged by.

Figures come from the domain files: hour minimums (training_hours.yaml via HourRule, in force on the day
judged), the deadlines of training_hours.yaml (a high-risk principal or safety manager is assessed within 6
months of taking office, order No. 3 art. 24; a special operator back after 6 months away sits the practical
again, order No. 30 art. 32, until 2026-05-31), and the certificate rules (reviews held until 2026-06-01).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from peikao.core.refdata import as_date, read_domain
from peikao.registry.models import Industry
from peikao.training.models import HourRule
from peikao.training.rules import minimum_rule


class GapType(models.TextChoices):
    SPECOPS_NO_CERTIFICATE = "specops_no_certificate", _("Special operator without a certificate for the item")
    SPECOPS_CERTIFICATE_EXPIRED = "specops_certificate_expired", _("Special operator's certificate expired")
    SPECOPS_REVIEW_OVERDUE = "specops_review_overdue", _("Special operator's certificate missed its review")
    SPECOPS_CERTIFICATE_SUSPENDED = "specops_certificate_suspended", _("Special operator's certificate suspended")
    SPECOPS_CERTIFICATE_REVOKED = "specops_certificate_revoked", _("Special operator's certificate revoked")
    MANAGER_NO_COMPETENCY_CERTIFICATE = (
        "manager_no_competency_certificate",
        _("Principal or safety manager without a competency certificate"),
    )
    NEW_EMPLOYEE_PRE_JOB_TRAINING_SHORT = (
        "new_employee_pre_job_training_short",
        _("New employee without the pre-job training hours"),
    )
    ANNUAL_REFRESHER_SHORT = "annual_refresher_short", _("Annual refresher hours short")
    SPECOPS_AWAY_6_MONTHS = "specops_away_6_months", _("Special operator back after 6 months away, not re-assessed")


# gap → (violation code of domain/violations.yaml, the rule the gap is judged by)
GAP_VIOLATIONS: dict[str, tuple[str, str]] = {
    GapType.SPECOPS_NO_CERTIFICATE: ("ENT-UNCERT-SPECOPS", "order_30 art. 5"),
    GapType.SPECOPS_CERTIFICATE_EXPIRED: ("ENT-UNCERT-SPECOPS", "order_30 art. 19"),
    GapType.SPECOPS_REVIEW_OVERDUE: ("ENT-UNCERT-SPECOPS", "order_30 art. 21"),
    GapType.SPECOPS_CERTIFICATE_SUSPENDED: ("ENT-UNCERT-SPECOPS", "order_30 art. 5"),
    GapType.SPECOPS_CERTIFICATE_REVOKED: ("ENT-UNCERT-SPECOPS", "order_30 art. 30"),
    GapType.MANAGER_NO_COMPETENCY_CERTIFICATE: ("ENT-NO-ASSESS", "order_3 art. 24"),
    GapType.NEW_EMPLOYEE_PRE_JOB_TRAINING_SHORT: ("ENT-NO-TRAIN", "order_3 art. 13"),
    GapType.ANNUAL_REFRESHER_SHORT: ("ENT-HOURS-SHORT", "order_3 art. 9, 13"),
    GapType.SPECOPS_AWAY_6_MONTHS: ("ENT-UNCERT-SPECOPS", "order_30 art. 32"),
}

# A worker hired less than this long ago is a new employee; annual hours are counted over this period.
YEAR = dt.timedelta(days=365)
# "6 months" of a deadline, in days, where the database compares dates.
SIX_MONTHS_DAYS = 183


@dataclass(frozen=True)
class Deadlines:
    manager_assessment_months: int
    away_rule_until: dt.date | None  # the last day on which the 6-months-away rule is in force (None: no end)
    away_rule_from: dt.date | None


def deadlines() -> Deadlines:
    entries = read_domain("training_hours.yaml").get("deadlines", [])
    manager = next((e for e in entries if e.get("basis") == "order_3 art. 24"), {})
    away = next((e for e in entries if e.get("basis") == "order_30 art. 32"), {})
    return Deadlines(
        manager_assessment_months=int(manager.get("within_months", 6)),
        away_rule_until=as_date(away.get("valid_to")),
        away_rule_from=as_date(away.get("valid_from")),
    )


def months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise ValueError(day)


@dataclass(frozen=True)
class HourNeeds:
    """Hours (in tenths) by industry for pre-job training, and by post and industry class for the annual hours."""

    pre_job_by_industry: dict[int, int]
    pre_job_default: int
    pre_job_basis: str
    refresher: dict[tuple[str, bool], int]  # (principal|safety_manager|employee, high risk) → tenths
    refresher_basis: dict[tuple[str, bool], str]


def hour_needs(on: dt.date) -> HourNeeds:
    def tenths(hours) -> int:
        return int(Decimal(hours) * 10)

    by_industry = {}
    for industry in Industry.objects.all():
        rule = minimum_rule(category="employee", industry=industry, training_type="initial", on=on)
        if rule is not None:
            by_industry[industry.pk] = tenths(rule.hours)
    general = minimum_rule(category="employee", industry=None, training_type="initial", on=on)
    refresher, bases = {}, {}
    for category in ("principal", "safety_manager", "employee"):
        for high_risk in (True, False):
            industry_class = HourRule.IndustryClass.HIGH_RISK if high_risk else HourRule.IndustryClass.GENERAL
            rule = (
                HourRule.objects.in_force(on)
                .filter(trainee_category=category, training_type="refresher", per_year=True)
                .filter(industry__isnull=True, industry_class__in=[industry_class, ""])
                .order_by("-industry_class")
                .first()
            )
            if rule is not None:
                refresher[(category, high_risk)] = tenths(rule.hours)
                bases[(category, high_risk)] = rule.basis + ("（政策性要求）" if rule.advisory else "")
    return HourNeeds(
        pre_job_by_industry=by_industry,
        pre_job_default=tenths(general.hours) if general else 0,
        pre_job_basis=general.basis if general else "",
        refresher=refresher,
        refresher_basis=bases,
    )
