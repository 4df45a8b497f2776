"""A candidate's eligibility for a sitting (with the rules of ``rules.py``): training or its exemptions, attempts,
bans, the theory passed before a practical."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.citations import cite_reference
from peikao.core.models import LegalInstrument
from peikao.exams import rules
from peikao.exams.choices import ExamPart, ResultStatus, TrainingExemption
from peikao.exams.hooks import application_ban_until
from peikao.exams.models import (
    ExamRegime,
    Result,
    Sitting,
    SkillCertificate,
)
from peikao.lib.legal_citations import cite_instrument
from peikao.registry.models import OperationItem, Person
from peikao.training.models import Enrolment, TrainingClass


def eligibility(*, person: Person, sitting: Sitting) -> tuple[list[rules.Check], TrainingClass | None, int]:
    """(checks, training class, attempt number) for ``person`` sitting ``sitting`` under the regime in force on
    its date. Every check explains itself, its legal basis cited in Chinese; a candidate is eligible when every
    check is ok. Training is completed within the regime's months, or not needed: a matching vocational skill
    level certificate, or (order No. 19) a failed exam sat on training before."""
    day = timezone.localdate(sitting.starts_at)
    regime = rules.regime_on(day)
    item, category = sitting.operation_item, sitting.trainee_category
    checks = rules.age_checks(person, day, regime.cites("conditions"))
    education = rules.education_check(person, item, regime)
    if education is not None:
        checks.append(education)
    since = rules.add_months(day, -regime.training_valid_months)
    completed = Enrolment.objects.filter(
        person=person, credited__completed=True, training_class__end_date__gte=since, training_class__end_date__lte=day
    ).select_related("training_class__organization")
    completed = (
        completed.filter(training_class__operation_item=item, training_class__trainee_category="special_operator")
        if item
        else completed.filter(training_class__trainee_category=category)
    )
    enrolment = completed.order_by("-training_class__end_date").first()
    training_class = enrolment.training_class if enrolment else None
    history = exam_history(person, item=item, category=category, before=sitting.starts_at)
    done, theory_since = rules.attempts_since(
        history,
        part=sitting.part,
        regime=regime,
        training_end=training_class.end_date if training_class else None,
    )
    allowed = regime.attempts(sitting.part)
    checks.append(_training_check(person, sitting, regime, training_class, history, day))
    banned_until = barred_until(person, day)
    if banned_until is not None:
        checks.append(
            rules.check(
                "banned",
                False,
                _("Barred from applying until %(day)s after a revocation for false information or fraud."),
                {"day": banned_until.isoformat()},
                "order_30 art. 30",
            )
        )
    checks.append(_attempts_check(regime, sitting.part, done, allowed, theory_since))
    if sitting.part == ExamPart.PRACTICAL:
        theory_since_day = rules.add_months(day, -(regime.result_valid_months or 12))
        theory = passed_theory(person, item=item, category=category, since=theory_since_day)
        checks.append(
            rules.check(
                "theory_first",
                theory is not None,
                _("Theory passed before the practical.") if theory else _("No valid passed theory exam for this item."),
                None,
                regime.basis,
            )
        )
    titles = dict(LegalInstrument.objects.values_list("code", "title"))
    cited = [dataclasses.replace(c, basis=cite_reference(c.basis, titles) or c.basis) for c in checks]
    return cited, training_class, done + 1


def _training_check(
    person: Person,
    sitting: Sitting,
    regime: ExamRegime,
    training_class: TrainingClass | None,
    history: list[rules.PastExam],
    day: dt.date,
) -> rules.Check:
    """Training completed for this exam, or the exemption that applies (explained, with its basis), or neither."""
    if training_class is not None:
        return rules.check(
            "training",
            True,
            _("Training completed: class %(code)s of %(org)s, ended %(end)s."),
            {
                "code": training_class.class_code,
                "org": training_class.organization.name,
                "end": training_class.end_date.isoformat(),
            },
            regime.cites("training"),
        )
    if regime.skill_certificate_skips_training:
        for skill in SkillCertificate.objects.filter(person=person, issued_on__lte=day).order_by("-issued_on"):
            if skill.valid_on(day) and regime.skill_matches(skill.occupation, sitting.operation_item):
                return rules.check(
                    "training",
                    True,
                    _(
                        "No training needed: holder of the vocational skill level certificate %(number)s "
                        "(%(occupation)s, %(level)s, issued by %(issuer)s on %(issued)s), which matches this "
                        "operation item: the exams are taken directly."
                    ),
                    {
                        "number": skill.number,
                        "occupation": skill.occupation,
                        "level": skill.get_level_display(),
                        "issuer": skill.issuer,
                        "issued": skill.issued_on.isoformat(),
                    },
                    regime.cites("skill_certificate"),
                    TrainingExemption.SKILL_CERTIFICATE,
                )
    retake = rules.retake_without_training(history, regime)
    if retake is not None and sitting.part == ExamPart.THEORY and regime.practical_attempts:
        failed, passed_on = rules.attempts_since(history, part=ExamPart.PRACTICAL, regime=regime, training_end=None)
        if regime.practical_since_passed_theory and failed >= regime.practical_attempts and passed_on:
            return rules.check(
                "training",
                True,
                _(
                    "No training again: the practical exam was failed %(n)d times since the theory exam passed on "
                    "%(since)s; the candidate registers for the theory exam again without new training."
                ),
                {"n": failed, "since": timezone.localdate(passed_on).isoformat()},
                regime.cites("retake"),
                TrainingExemption.RETAKE,
            )
    if retake is not None:
        return rules.check(
            "training",
            True,
            _(
                "No training again: trained before and failed the %(part)s exam of %(day)s; a candidate who "
                "failed registers again without new training."
            ),
            {"part": ExamPart(retake.part).label, "day": timezone.localdate(retake.at).isoformat()},
            regime.cites("retake"),
            TrainingExemption.RETAKE,
        )
    return rules.check(
        "training",
        False,
        _("No training completed for this exam within the last %(n)d months."),
        {"n": regime.training_valid_months},
        regime.cites("training"),
    )


def _attempts_check(
    regime: ExamRegime, part: str, done: int, allowed: int | None, theory_since: dt.datetime | None
) -> rules.Check:
    title = cite_instrument(regime.title)
    if allowed is None:
        return rules.check(
            "attempts",
            True,
            _("Attempts: %(done)d so far, no limit (%(regime)s)."),
            {"done": done, "regime": title},
            regime.basis,
        )
    if part == ExamPart.PRACTICAL and regime.practical_since_passed_theory:
        since = timezone.localdate(theory_since).isoformat() if theory_since else "—"
        if done < allowed:
            message = _("Practical attempts since the theory exam passed on %(since)s: %(done)d of %(allowed)d used.")
        else:
            message = _(
                "Practical attempts since the theory exam passed on %(since)s: all %(allowed)d used. Register for "
                "the theory exam again (no training again needed); attempts count anew after it is passed."
            )
        return rules.check(
            "attempts", done < allowed, message, {"since": since, "done": done, "allowed": allowed}, regime.basis
        )
    return rules.check(
        "attempts",
        done < allowed,
        _("Attempts: %(done)d of %(allowed)d used (%(regime)s)."),
        {"done": done, "allowed": allowed, "regime": title},
        regime.basis,
    )


def exam_history(
    person: Person, *, item: OperationItem | None, category: str, before: dt.datetime
) -> list[rules.PastExam]:
    """The exams of this item (or trainee category) the person sat before ``before`` (valid or cancelled results;
    absences are not attempts), with whether each was sat on training or an exemption from it."""
    queryset = Result.objects.filter(
        registration__person=person,
        registration__sitting__starts_at__lt=before,
        status__in=[ResultStatus.VALID, ResultStatus.CANCELLED],
    )
    queryset = (
        queryset.filter(registration__sitting__operation_item=item)
        if item
        else queryset.filter(registration__sitting__trainee_category=category)
    )
    rows = queryset.values_list(
        "registration__sitting__starts_at",
        "registration__sitting__part",
        "passed",
        "registration__training_class_id",
        "registration__eligibility",
    )
    return [
        rules.PastExam(
            at=at,
            part=part,
            passed=passed,
            trained=trained is not None
            or any(c.get("code") == "training" and c.get("ok") for c in (eligibility or [])),
        )
        for at, part, passed, trained, eligibility in rows
    ]


def skill_occupations() -> list[str]:
    """The occupations whose skill certificates some regime takes for training (the registration form's list)."""
    names = {name for mapping in ExamRegime.objects.values_list("skill_occupations", flat=True) for name in mapping}
    return sorted(names)


def barred_until(person: Person, day: dt.date) -> dt.date | None:
    """The end of a ban from applying that runs on ``day`` (certificates answers, through a hook), if one runs."""
    bans = application_ban_until.results(person_id=person.pk, day=day)
    return max(bans) if bans else None


def passed_theory(person: Person, *, item: OperationItem | None, category: str, since: dt.date) -> Result | None:
    """The latest valid passed theory exam of this item (or trainee category) since ``since``."""
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
