"""Rules of exams applied to a candidate on an exam date: the regime in force, age and retirement,
education, training completed, attempts left, theory before practical. Each check explains itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peikao.core.errors import DomainError
from peikao.core.i18n import both
from peikao.exams.choices import ExamPart, ResultStatus
from peikao.exams.models import ExamRegime, Result
from peikao.registry.choices import EDUCATION_RANK, Education
from peikao.registry.models import Person

RETIREMENT_BASIS = "全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定（2024年9月13日）"


def regime_on(day: dt.date) -> ExamRegime:
    regime = ExamRegime.objects.in_force(day).order_by("-valid_from").first()
    if regime is None:
        raise DomainError("no_exam_regime", _("No exam rules are in force on %(day)s."), {"day": day.isoformat()})
    return regime


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return dt.date(year, month, min(day.day, last))


def retirement_date(birth: dt.date, sex: str) -> dt.date:
    """The statutory retirement date: men at 60, women workers at 50, raised gradually for those born from
    1965 (men: one month per four months of birth, up to 3 years) and from 1975 (women workers: one month
    per two months, up to 5 years), by the 2024 decision."""
    if sex == "M":
        base, start, step, cap = 60, dt.date(1965, 1, 1), 4, 36
    else:
        base, start, step, cap = 50, dt.date(1975, 1, 1), 2, 60
    delay = 0
    if birth >= start:
        months_since = (birth.year - start.year) * 12 + birth.month - start.month
        delay = min(cap, months_since // step + 1)
    return add_months(birth, base * 12 + delay)


@dataclass(frozen=True)
class Check:
    """One eligibility check: whether it passed and why, in both languages."""

    code: str
    ok: bool
    zh: str
    en: str
    basis: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _check(code: str, ok: bool, message, params: dict | None = None, basis: str = "") -> Check:
    zh, en = both(message, params)
    return Check(code, ok, zh, en, basis)


def education_minimum(item, regime: ExamRegime) -> str:
    """order No. 30: junior high school, senior high school for hazardous-chemicals processes (category 9);
    order No. 19 drops the junior-high minimum for categories 1, 2 and 3."""
    if item is None:
        return ""
    category = item.category
    if category.education_min:
        return category.education_min
    if regime.code == "order_19" and category.code in {"1", "2", "3"}:
        return ""
    return Education.JUNIOR_HIGH


def age_checks(person: Person, day: dt.date) -> list[Check]:
    age = person.age_on(day)
    retire = retirement_date(person.birth_date, person.sex)
    return [
        _check("age_min", age >= 18, _("Age %(age)d on the exam date (at least 18)."), {"age": age}, "order_30 art. 4"),
        _check(
            "age_max",
            day < retire,
            _("Statutory retirement on %(date)s (the exam must come before it)."),
            {"date": retire.isoformat()},
            RETIREMENT_BASIS,
        ),
    ]


def education_check(person: Person, item, regime: ExamRegime) -> Check | None:
    minimum = education_minimum(item, regime)
    if not minimum:
        return None
    if not person.education:
        return _check(
            "education",
            False,
            _("Education not recorded (at least %(level)s required)."),
            {"level": Education(minimum).label},
            regime.code,
        )
    ok = EDUCATION_RANK[person.education] >= EDUCATION_RANK[minimum]
    return _check(
        "education",
        ok,
        _("Education %(have)s (at least %(level)s required)."),
        {"have": Education(person.education).label, "level": Education(minimum).label},
        regime.code,
    )


def prior_attempts(person: Person, *, item, category: str, part: str, since: dt.date | None) -> int:
    """Exams of this part already sat (valid or cancelled results; absences do not count) since ``since``."""
    queryset = Result.objects.filter(
        registration__person=person,
        registration__sitting__part=part,
        status__in=[ResultStatus.VALID, ResultStatus.CANCELLED],
    )
    queryset = (
        queryset.filter(registration__sitting__operation_item=item)
        if item
        else queryset.filter(registration__sitting__trainee_category=category)
    )
    if since is not None:
        queryset = queryset.filter(registration__sitting__starts_at__date__gte=since)
    return queryset.count()


def passed_theory(person: Person, *, item, category: str, since: dt.date) -> Result | None:
    queryset = Result.objects.filter(
        registration__person=person,
        registration__sitting__part=ExamPart.THEORY,
        status=ResultStatus.VALID,
        passed=True,
        registration__sitting__starts_at__date__gte=since,
    )
    queryset = (
        queryset.filter(Q(registration__sitting__operation_item=item))
        if item
        else queryset.filter(registration__sitting__trainee_category=category)
    )
    return queryset.order_by("-registration__sitting__starts_at").first()
