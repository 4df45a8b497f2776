"""Rules of exams as pure functions: a candidate's age, retirement and education on an exam date (each check
explains itself), whether a sitting may be held, a question's identity, answers as kept and as scored.

What needs the database (training completed, attempts used, the theory passed, a ban) is read by
``selectors.eligibility``, which adds its checks to these. ``regime_on`` is the one read left here: the
regime in force on a day, which certificates asks too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from peikao.core.errors import DomainError
from peikao.core.i18n import both
from peikao.exams.choices import ExamPart
from peikao.exams.models import ExamRegime, Question
from peikao.registry.choices import EDUCATION_RANK, Education, OrganizationKind, OrganizationStatus
from peikao.registry.models import OperationItem, Organization, Person

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
    exemption: str = ""  # TrainingExemption: why no (new) training was needed

    def as_dict(self) -> dict:
        return asdict(self)


def check(code: str, ok: bool, message, params: dict | None = None, basis: str = "", exemption: str = "") -> Check:
    zh, en = both(message, params)
    return Check(code, ok, zh, en, basis, exemption)


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


def age_checks(person: Person, day: dt.date, basis: str = "order_30 art. 4") -> list[Check]:
    age = person.age_on(day)
    retire = retirement_date(person.birth_date, person.sex)
    return [
        check("age_min", age >= 18, _("Age %(age)d on the exam date (at least 18)."), {"age": age}, basis),
        check(
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
        return check(
            "education",
            False,
            _("Education not recorded (at least %(level)s required)."),
            {"level": Education(minimum).label},
            regime.code,
        )
    ok = EDUCATION_RANK[person.education] >= EDUCATION_RANK[minimum]
    return check(
        "education",
        ok,
        _("Education %(have)s (at least %(level)s required)."),
        {"have": Education(person.education).label, "level": Education(minimum).label},
        regime.code,
    )


# -- attempts and training exemptions ----------------------------------------------------------------------


@dataclass(frozen=True)
class PastExam:
    """An exam of the item already sat, as eligibility reads it: when, which part, passed or not, and whether
    it was sat on completed training (or an exemption from it)."""

    at: dt.datetime
    part: str
    passed: bool
    trained: bool


def attempts_since(
    history: list[PastExam], *, part: str, regime: ExamRegime, training_end: dt.date | None
) -> tuple[int, dt.datetime | None]:
    """(attempts of ``part`` that count, the passed theory exam they are counted from). Order No. 19: practical
    attempts since the latest passed theory exam (five failures send the candidate back to the theory exam, not
    to a life-long bar); order No. 30: attempts since the latest training (failing the make-up means training
    again) — and a practical's since the later of that training and the latest passed theory."""
    since: dt.datetime | None = None
    if part == ExamPart.PRACTICAL:
        passed = [exam.at for exam in history if exam.part == ExamPart.THEORY and exam.passed]
        since = max(passed) if passed else None
        if regime.practical_since_passed_theory:
            counted = [e for e in history if e.part == part and (since is None or e.at > since)]
            return len(counted), since
    counted = [e for e in history if e.part == part]
    if regime.retraining_after_fail and training_end is not None:
        counted = [e for e in counted if e.at.date() >= training_end]
    if since is not None:
        counted = [e for e in counted if e.at > since]
    return len(counted), since


def retake_without_training(history: list[PastExam], regime: ExamRegime) -> PastExam | None:
    """Order No. 19 (no training again after a failure): the latest failed exam of the item sat on completed
    training or an exemption, since the last passed practical (a completed round) — the candidate sits again
    without new training. None where training is needed."""
    if regime.retraining_after_fail:
        return None
    done = [exam.at for exam in history if exam.part == ExamPart.PRACTICAL and exam.passed]  # a cycle completed
    failed = [e for e in history if e.trained and not e.passed and (not done or e.at > max(done))]
    return max(failed, key=lambda exam: exam.at) if failed else None


# -- sittings -------------------------------------------------------------------------------------------

SittingProblem = tuple[str, Any, dict[str, Any]]  # (code, message, params) of a coded DomainError


def sitting_problem(
    *,
    exam_point: Organization,
    part: str,
    operation_item: OperationItem | None,
    trainee_category: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int | None,
    item_approved: bool,
) -> SittingProblem | None:
    """None, or (code, message, params) for a sitting that may not be held. ``item_approved``: whether the
    exam point is approved for ``operation_item`` (``selectors.sitting_problem`` reads it)."""
    if exam_point.kind != OrganizationKind.EXAM_POINT:
        return "not_an_exam_point", _("Exams are held at exam points."), {}
    if exam_point.status != OrganizationStatus.ACTIVE:
        return (
            "exam_point_not_active",
            _("The exam point is %(status)s: it may not hold exams."),
            {"status": OrganizationStatus(exam_point.status).label},
        )
    if operation_item is not None and not item_approved:
        return (
            "item_not_approved",
            _("The exam point is not approved for operation item %(item)s."),
            {"item": str(operation_item)},
        )
    if operation_item is None and not trainee_category:
        return "subject_required", _("A sitting is for an operation item or a trainee category."), {}
    if ends_at <= starts_at:
        return "sitting_time", _("A sitting ends after it starts."), {}
    if capacity and exam_point.capacity and capacity > exam_point.capacity:
        return (
            "over_capacity",
            _("The exam point has %(n)d seats."),
            {"n": exam_point.capacity},
        )
    if part == ExamPart.PRACTICAL and exam_point.practical_device == "" and operation_item is not None:
        return "no_practical_equipment", _("The exam point has declared no practical exam equipment."), {}
    return None


# -- questions and answers --------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def fingerprint(stem: str, options: list[str]) -> str:
    """Identity of a question's content: the stem and the set of options, whitespace folded."""
    key = _fold(stem) + "\x1f" + "\x1f".join(sorted(_fold(option) for option in options))
    return hashlib.sha256(key.encode()).hexdigest()


def normalised_answer(answer: str) -> str:
    """An answer as kept: its letters upper-cased, once each, in order (at most six)."""
    return "".join(sorted(set(str(answer).upper())))[:6]


def displayed_answer(question: Question, order: list[int], given: str) -> str:
    """Translate the letters a candidate chose on the shuffled paper back to the bank's letters."""
    if question.qtype == "judge" or not order:
        return given
    letters = "ABCDEF"
    return "".join(sorted(letters[order[letters.index(letter)]] for letter in given if letter in letters[: len(order)]))
