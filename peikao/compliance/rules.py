"""What each compliance gap means, the violation it is, and the dated figures it is judged by.

Figures come from the domain files: hour minimums (training_hours.yaml via HourRule, in force on the day
judged), the deadlines of training_hours.yaml (a high-risk principal or safety manager is assessed within 6
months of taking office, order No. 3 art. 24; a special operator back after 6 months away sits the practical
again, order No. 30 art. 32 — kept after order No. 19 took over on 2026-06-01, whose published changes do not
drop it, and marked unconfirmed from then on), and the certificate rules (reviews held until 2026-06-01).

A gap is *advisory* — shown with its source, no violation code, never a finding or a fine of this regulator —
where it rests on a policy figure (an hour rule of ``strength: policy``, e.g. 安委〔2012〕10号), or where the
person is a principal or safety manager of a unit whose department assesses them (construction, road transport:
Safety Law art. 27; order No. 3 covers 工矿商贸 units only, art. 2). A gap is *unconfirmed* where its rule or
the industry class it applies (oil and gas as high-risk, order No. 20 art. 4) is not checked against the text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from peikao.core.refdata import as_date, read_domain
from peikao.registry.models import Industry
from peikao.training.models import HourRule
from peikao.training.rules import pick_rule, rests_on_unconfirmed


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
# The principals and safety managers of a unit whose own department assesses them (Industry.competency_assessed_by).
ASSESSED_ELSEWHERE_BASIS = "work_safety_law_2021 art. 27"
MANAGER_POSTS = ("principal", "safety_manager")
_CONFIRMED_AFTER = re.compile(r"^confirmed_after_(\d{4})_(\d{2})_(\d{2})$")


@dataclass(frozen=True)
class Deadlines:
    manager_assessment_months: int
    manager_basis: str
    away_rule_until: dt.date | None  # the last day on which the 6-months-away rule is in force (None: no end)
    away_rule_from: dt.date | None
    away_unconfirmed_from: dt.date | None  # from this day on the rule is applied marked unconfirmed


def unconfirmed_from(entry: dict) -> dt.date | None:
    """The day from which an entry is applied unconfirmed: ``confirmed_after_2026_06_01: false`` says it could not
    be checked for the regime that starts on 2026-06-01 (the day order No. 19 took over)."""
    days = [
        dt.date(*(int(part) for part in match.groups()))
        for key, value in entry.items()
        if value is False and (match := _CONFIRMED_AFTER.match(str(key)))
    ]
    if entry.get("confirmed") is False:
        days.append(dt.date.min)
    return min(days, default=None)


def deadlines() -> Deadlines:
    entries = read_domain("training_hours.yaml").get("deadlines", [])
    manager = next((e for e in entries if e.get("basis") == "order_3 art. 24"), {})
    away = next((e for e in entries if e.get("basis") == "order_30 art. 32"), {})
    return Deadlines(
        manager_assessment_months=int(manager.get("within_months", 6)),
        manager_basis=manager.get("basis", "order_3 art. 24"),
        away_rule_until=as_date(away.get("valid_to")),
        away_rule_from=as_date(away.get("valid_from")),
        away_unconfirmed_from=unconfirmed_from(away),
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
class Need:
    """A minimum of hours (in tenths) as a gap is judged by it: its basis, whether it is a policy figure (advisory)
    and whether it rests on something unconfirmed."""

    tenths: int
    basis: str
    advisory: bool
    unconfirmed: bool


@dataclass(frozen=True)
class HourNeeds:
    """Pre-job hours of new employees by industry, and yearly hours by post and industry (industry 0: none)."""

    pre_job: dict[int, Need]
    refresher: dict[tuple[str, int], Need]


def hour_needs(on: dt.date) -> HourNeeds:
    """The hour minimums in force on ``on`` for every industry (one query for the rules, one for the industries)."""
    in_force = list(HourRule.objects.in_force(on).order_by("pk"))
    yearly = [rule for rule in in_force if rule.per_year]
    industries: list[Industry | None] = [*Industry.objects.order_by("pk"), None]

    def need(rules: list[HourRule], category: str, industry: Industry | None, training_type: str) -> Need | None:
        rule = pick_rule(rules, category=category, industry=industry, training_type=training_type)
        if rule is None:
            return None
        return Need(
            tenths=int(Decimal(rule.hours) * 10),
            basis=rule.basis,
            advisory=rule.advisory,
            unconfirmed=rests_on_unconfirmed(rule, industry),
        )

    pre_job, refresher = {}, {}
    for industry in industries:
        key = industry.pk if industry is not None else 0
        if (found := need(in_force, "employee", industry, "initial")) is not None:
            pre_job[key] = found
        for category in (*MANAGER_POSTS, "employee"):
            if (found := need(yearly, category, industry, "refresher")) is not None:
                refresher[(category, key)] = found
    return HourNeeds(pre_job=pre_job, refresher=refresher)
