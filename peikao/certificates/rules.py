"""Certificate life-cycle by the rules in force (domain/exams_certificates.yaml, loaded as CertificateRule).

- Validity: six years for special operations (orders No. 30 and No. 19), three for competency (order No. 44).
- Review (复审): under order No. 30 every three years (may extend to six), counted from the first issue;
  from 2026-06-01 (order No. 19) no review is held. A review is judged by the rules in force on its *due*
  date: one falling due on or after the day reviews were abolished is not held and never overdue.
- Renewal (换证): at the six-year expiry, a new validity period under the same number.

``standing`` (and ``with_standing`` for querysets, the same logic as one SQL CASE) say what a
certificate is worth on a day: revoked, cancelled, suspended, then expired, review overdue, valid.

An issuance rests on checks (``Check``), each with its reason and legal basis, gathered in an ``IssuancePlan``
(read by ``selectors.special_operation_plan`` and ``selectors.competency_plan``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from peikao.certificates.choices import CertificateStatus, CertificateType, Standing
from peikao.certificates.models import CertificateRule
from peikao.core.errors import Conflict, DomainError
from peikao.core.i18n import Bilingual, both

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from peikao.exams.models import Result
    from peikao.training.models import Enrolment

NO_RULE = _("No certificate rule is in force on %(day)s for %(type)s.")
CANNOT_ISSUE = _("Cannot be issued: %(reasons)s")
ORDER_30_ART_30 = "order_30 art. 30"
# The post's digit in a competency certificate number (ADR 0006).
COMPETENCY_POSTS = {"principal": "1", "safety_manager": "2"}


def years_later(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Rule:
    code: str
    cert_type: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    validity_years: int
    review_every_years: int | None
    review_may_extend_to_years: int | None
    review_window_days: int
    renew_window_days: int | None  # applications open this many days before expiry (None: any time while valid)
    renew_deadline_days: int | None  # applied for at the latest this many days before expiry (later: marked late)
    basis: str
    basis_title: str

    def in_force_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def holds_reviews(self) -> bool:
        return bool(self.review_every_years)


@lru_cache(maxsize=1)
def _rules() -> tuple[Rule, ...]:
    return tuple(
        Rule(
            code=rule.code,
            cert_type=rule.cert_type,
            valid_from=rule.valid_from,
            valid_to=rule.valid_to,
            validity_years=rule.validity_years,
            review_every_years=rule.review_every_years,
            review_may_extend_to_years=rule.review_may_extend_to_years,
            review_window_days=rule.review_window_days,
            renew_window_days=rule.renew_window_days,
            renew_deadline_days=rule.renew_deadline_days,
            basis=rule.basis,
            basis_title=rule.basis_title,
        )
        for rule in CertificateRule.objects.select_related("instrument").order_by("valid_from", "code")
    )


def clear_cache() -> None:
    _rules.cache_clear()


def rule_on(cert_type: str, day: dt.date) -> Rule:
    for rule in _rules():
        if rule.cert_type == cert_type and rule.in_force_on(day):
            return rule
    raise DomainError("no_certificate_rule", NO_RULE, {"day": day.isoformat(), "type": cert_type})


def reviews_abolished_on() -> dt.date | None:
    """The first day from which no special-operations review is held (2026-06-01 under order No. 19)."""
    days = [
        rule.valid_from
        for rule in _rules()
        if rule.cert_type == CertificateType.SPECIAL_OPERATION and not rule.holds_reviews and rule.valid_from
    ]
    return min(days) if days else None


def review_held(due: dt.date | None) -> bool:
    """Whether a review falling due on ``due`` is held at all (judged by the rules in force on that date)."""
    if due is None:
        return False
    abolished = reviews_abolished_on()
    # Before the first rule on record (legacy certificates) reviews were held, as under order No. 30.
    return abolished is None or due < abolished


@dataclass(frozen=True)
class Dates:
    valid_from: dt.date
    valid_until: dt.date
    next_review_due: dt.date | None
    rule: Rule


def dates_for_issue(cert_type: str, issued_on: dt.date) -> Dates:
    """Validity and first review of a certificate issued on ``issued_on`` under the rules then in force."""
    rule = rule_on(cert_type, issued_on)
    valid_until = years_later(issued_on, rule.validity_years) - dt.timedelta(days=1)
    due = None
    if rule.holds_reviews:
        due = next_due_after(issued_on, valid_until, rule.review_every_years)
    return Dates(valid_from=issued_on, valid_until=valid_until, next_review_due=due, rule=rule)


def next_due_after(start: dt.date, valid_until: dt.date, every_years: int) -> dt.date | None:
    """The review due ``every_years`` after ``start``, if it comes before expiry (expiry means renewal)."""
    due = years_later(start, every_years)
    return due if due <= valid_until else None


def dates_for_renewal(cert_type: str, valid_until: dt.date, renewed_on: dt.date) -> Dates:
    """A renewal (换证) continues the validity: the new period starts the day after the old one ends."""
    start = valid_until + dt.timedelta(days=1) if renewed_on <= valid_until else renewed_on
    return dates_for_issue(cert_type, start)


def standing(*, status: str, valid_until: dt.date, next_review_due: dt.date | None, today: dt.date) -> Standing:
    if status == CertificateStatus.REVOKED:
        return Standing.REVOKED
    if status == CertificateStatus.CANCELLED:
        return Standing.CANCELLED
    if status == CertificateStatus.SUSPENDED:
        return Standing.SUSPENDED
    if valid_until < today:
        return Standing.EXPIRED
    if next_review_due is not None and next_review_due < today and review_held(next_review_due):
        return Standing.REVIEW_OVERDUE
    return Standing.VALID


def standing_expression(today: dt.date) -> Case:
    """``standing`` as one SQL CASE, for lists, counts and compliance checks over many certificates."""
    abolished = reviews_abolished_on()
    overdue = Q(next_review_due__lt=today)
    if abolished is not None:
        overdue &= Q(next_review_due__lt=abolished)
    return Case(
        When(status=CertificateStatus.REVOKED, then=Value(Standing.REVOKED.value)),
        When(status=CertificateStatus.CANCELLED, then=Value(Standing.CANCELLED.value)),
        When(status=CertificateStatus.SUSPENDED, then=Value(Standing.SUSPENDED.value)),
        When(valid_until__lt=today, then=Value(Standing.EXPIRED.value)),
        When(overdue, then=Value(Standing.REVIEW_OVERDUE.value)),
        default=Value(Standing.VALID.value),
        output_field=CharField(),
    )


def with_standing(queryset: QuerySet, today: dt.date) -> QuerySet:
    return queryset.annotate(standing=standing_expression(today))


def review_due_q(today: dt.date, days: int) -> Q:
    """Certificates whose (held) review falls due within ``days`` from ``today``."""
    q = Q(next_review_due__gte=today, next_review_due__lte=today + dt.timedelta(days=days))
    abolished = reviews_abolished_on()
    if abolished is not None:
        q &= Q(next_review_due__lt=abolished)
    return q & Q(status=CertificateStatus.VALID)


def expiry_due_q(today: dt.date, days: int) -> Q:
    """Certificates to renew within ``days`` from ``today``: those expiring by then, and those whose rule sets an
    application deadline before expiry (order No. 44 art. 25: 30 days) falling by then — the reminder comes before
    the deadline, not at it."""
    horizon = today + dt.timedelta(days=days)
    due = Q(valid_until__lte=horizon)
    for rule in _rules():
        if rule.renew_deadline_days and rule.in_force_on(today):
            due |= Q(cert_type=rule.cert_type, valid_until__lte=horizon + dt.timedelta(days=rule.renew_deadline_days))
    return due & Q(valid_until__gte=today) & Q(status__in=[CertificateStatus.VALID, CertificateStatus.SUSPENDED])


# -- issuance ----------------------------------------------------------------------------------------------


@dataclass
class Check:
    code: str
    ok: bool
    text: Bilingual
    basis: str = ""

    def as_dict(self) -> dict:
        return {"code": self.code, "ok": self.ok, "zh": self.text.zh, "en": self.text.en, "basis": self.basis}


def make_check(code: str, ok: bool, message: str | Promise, params: dict | None = None, basis: str = "") -> Check:
    """A check with its text rendered in both languages."""
    zh, en = both(message, params)
    return Check(code, ok, Bilingual(zh, en), basis)


@dataclass
class IssuancePlan:
    """What an issuance would be based on, and every check with its reason."""

    checks: list[Check] = field(default_factory=list)
    theory: Result | None = None
    practical: Result | None = None
    enrolment: Enrolment | None = None

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def refusal(self) -> DomainError:
        failed = "；".join(check.text.zh for check in self.checks if not check.ok)
        failed_en = "; ".join(check.text.en for check in self.checks if not check.ok)
        return DomainError("not_issuable", CANNOT_ISSUE, {"reasons": Bilingual(failed, failed_en)})


def ban_check(ban_until: dt.date | None) -> Check | None:
    """The refusal of an application while a ban runs (order No. 30 art. 30), or None."""
    if ban_until:
        return make_check(
            "banned",
            False,
            _("Barred from applying until %(day)s after a revocation for false information or fraud."),
            {"day": ban_until.isoformat()},
            ORDER_30_ART_30,
        )
    return None


def competency_prefix(region_code: str, post: str, on: dt.date) -> str:
    """A competency certificate number's first 11 digits: issuing region (6) + year (4) + post (1: principal,
    2: safety manager)."""
    return f"{region_code}{on.year}{COMPETENCY_POSTS[post]}"


def competency_number(prefix: str, sequence: int) -> str:
    """The prefix + a sequence (6) per authority, year and post: 17 digits, e.g. ``35010020262000001``."""
    if sequence > 999_999:
        raise Conflict(
            "numbers_exhausted", _("No competency certificate numbers are left for %(prefix)s."), {"prefix": prefix}
        )
    return f"{prefix}{sequence:06d}"
