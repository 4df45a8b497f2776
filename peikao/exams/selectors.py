"""The exams' read path, scoped to the user's jurisdiction. Question banks are shared reference data.

Also the reads the services judge by: a candidate's eligibility (with the rules of ``rules.py``), a
proctor's conflicts, whether a sitting may be held, a blueprint's pool of questions."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.choices import RegionLevel
from peikao.core.citations import cite_reference
from peikao.core.errors import PermissionDenied
from peikao.core.models import LegalInstrument, User
from peikao.core.permissions import Perm, has_perm
from peikao.exams import papers, rules, sitting_filters
from peikao.exams.choices import ExamPart, FindingStatus, ResultStatus, TrainingExemption
from peikao.exams.hooks import application_ban_until
from peikao.exams.models import (
    Blueprint,
    ExamRegime,
    Paper,
    PaperQuestion,
    Patrol,
    PatrolFinding,
    Question,
    Registration,
    Result,
    Sitting,
    SittingStaff,
    SkillCertificate,
)
from peikao.lib.legal_citations import cite_instrument
from peikao.registry.choices import AssignmentRole, OrganizationKind
from peikao.registry.models import Assignment, OperationItem, Organization, Person
from peikao.training.models import Enrolment, TrainingClass

BANK_OWNER_LEVELS = frozenset({RegionLevel.NATION, RegionLevel.PROVINCE})


# -- who sees the question banks: the one rule of the bank page, the questions export and the results' answers --


def may_see_banks(user: User) -> bool:
    """Banks are for regulators and exam bodies; never for candidates or trainers (questions must not leak).
    They see the questions as the bank page shows them, never the answer key (``owns_banks``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_regulator or user.is_system_admin:
        return True
    return user.is_org_member and user.organization.kind in {"exam_institution", "exam_point"}


def owns_banks(user: User | None) -> bool:
    """The authority that owns the question banks — the provincial exam administration: an administrator of a
    province's (or the nation's) regulator, or the system administrator — and no one else sees their answer keys.
    The platform grades the papers: exam points, institutions, trainers, enterprises, analysts and the inspectors
    of cities and counties never need a key. ``None`` is the system itself (a command)."""
    if user is None:
        return True
    if not has_perm(user, Perm.BANK_MANAGE):
        return False
    return user.is_system_admin or (user.is_regulator and user.jurisdiction.level in BANK_OWNER_LEVELS)


def require_bank_owner(user: User | None) -> None:
    """Refuse (403, with the reason) anyone but the owner of the banks an answer key: exports, imports, edits."""
    if not owns_banks(user):
        raise PermissionDenied(
            "bank_owner_only",
            _(
                "Question banks and their answers are kept by the authority that owns them (the provincial exam "
                "administration); the platform grades the papers."
            ),
        )


def bank_summary(*, user: User) -> list[Mapping[str, object]]:
    if not may_see_banks(user):
        return []
    rows = (
        Question.objects.active()
        .values("operation_item__code", "operation_item__name", "trainee_category")
        .annotate(
            total=Count("id"),
            judge=Count("id", filter=Q(qtype="judge")),
            single=Count("id", filter=Q(qtype="single")),
            multi=Count("id", filter=Q(qtype="multi")),
        )
        .order_by("operation_item__position", "trainee_category")
    )
    return list(rows)


def question_list(*, user: User, item_code: str | None = None, category: str | None = None) -> QuerySet[Question]:
    if not may_see_banks(user):
        return Question.objects.none()
    queryset = Question.objects.active().annotate(exposure=Count("drawn"))
    if item_code:
        queryset = queryset.filter(operation_item__code=item_code)
    if category:
        queryset = queryset.filter(trainee_category=category)
    return queryset.order_by("-exposure", "question_code")


def blueprint_list(*, user: User) -> QuerySet[Blueprint]:
    if not may_see_banks(user):
        return Blueprint.objects.none()
    return Blueprint.objects.select_related("operation_item")


def sitting_list(*, user: User, filters: dict | None = None) -> QuerySet[Sitting]:
    filters = filters or {}
    queryset = Sitting.objects.visible_to(user).select_related("exam_point", "operation_item")
    if filters.get("part"):
        queryset = queryset.filter(part=filters["part"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("q"):
        value = filters["q"].strip()
        queryset = queryset.filter(Q(sitting_code__icontains=value) | Q(exam_point__name__icontains=value))
    queryset = sitting_filters.apply(queryset, filters)
    return queryset.annotate(registered=Count("registrations", distinct=True)).order_by("-starts_at")


def sitting_get(*, user: User, sitting_code: str) -> Sitting:
    queryset = Sitting.objects.visible_to(user).select_related("exam_point__region", "operation_item", "blueprint")
    return get_object_or_404(queryset, sitting_code=sitting_code)


def registrations(*, user: User, sitting: Sitting) -> QuerySet[Registration]:
    return (
        Registration.objects.visible_to(user)
        .filter(sitting=sitting)
        .select_related("person", "result", "training_class__organization", "sheet")
        .order_by("person__name")
    )


def registration_get(*, user: User, sitting: Sitting, person_id: int) -> Registration:
    return get_object_or_404(registrations(user=user, sitting=sitting), person_id=person_id)


def sitting_overlap(*, sitting: Sitting) -> float:
    """The largest share of questions any two papers of the sitting have in common."""
    items = list(Paper.objects.filter(registration__sitting=sitting).values_list("items", flat=True))
    return papers.max_pairwise_overlap(items)


def exposure(*, sitting: Sitting) -> dict[int, int]:
    return dict(
        PaperQuestion.objects.filter(paper__registration__sitting=sitting)
        .values_list("question")
        .annotate(n=Count("id"))
        .values_list("question", "n")
    )


def patrols(*, user: User, sitting: Sitting) -> QuerySet[Patrol]:
    return Patrol.objects.visible_to(user).filter(sitting=sitting).select_related("watcher")


def findings(*, user: User, sitting: Sitting | None = None) -> QuerySet[PatrolFinding]:
    queryset = PatrolFinding.objects.visible_to(user).select_related("sitting", "registration__person", "feed")
    return queryset.filter(sitting=sitting) if sitting is not None else queryset


def finding_get(*, user: User, pk: int) -> PatrolFinding:
    return get_object_or_404(findings(user=user), pk=pk)


def finding_queue(*, user: User) -> QuerySet[PatrolFinding]:
    if not has_perm(user, Perm.PATROL):
        return PatrolFinding.objects.none()
    return findings(user=user).filter(status=FindingStatus.TO_REVIEW)


def person_results(*, user: User, person: Person) -> QuerySet[Result]:
    return (
        Result.objects.visible_to(user)
        .filter(registration__person=person)
        .select_related("registration__sitting__exam_point", "registration__sitting__operation_item")
        .order_by("-registration__sitting__starts_at")
    )


def person_exam_section(*, user: User, person: Person) -> dict | None:
    results = list(person_results(user=user, person=person))
    upcoming = list(
        Registration.objects.visible_to(user)
        .filter(person=person, result__isnull=True)
        .select_related("sitting__exam_point", "sitting__operation_item")
    )
    # A candidate sees the admission codes of their own registrations (their admission tickets).
    show_codes = getattr(user, "is_candidate", False) and user.person_id == person.pk
    skills = list(SkillCertificate.objects.visible_to(user).filter(person=person))
    return {"results": results, "upcoming": upcoming, "show_codes": show_codes, "skills": skills}


# -- what the services judge by ----------------------------------------------------------------------------


def pool_for(*, blueprint: Blueprint) -> list[papers.PoolQuestion]:
    """The active questions a blueprint draws from, as the drawer needs them."""
    queryset = Question.objects.active()
    queryset = (
        queryset.filter(operation_item=blueprint.operation_item)
        if blueprint.operation_item_id
        else queryset.filter(trainee_category=blueprint.trainee_category)
    )
    return [
        papers.PoolQuestion(pk, qtype, kp, difficulty, len(options))
        for pk, qtype, kp, difficulty, options in queryset.values_list(
            "pk", "qtype", "knowledge_point", "difficulty", "options"
        )
    ]


def default_blueprint(*, operation_item: OperationItem | None, trainee_category: str) -> Blueprint | None:
    """The latest active blueprint of the item (or trainee category): a theory sitting's default."""
    queryset = Blueprint.objects.filter(active=True)
    if operation_item is not None:
        return queryset.filter(operation_item=operation_item).order_by("-updated_at").first()
    return queryset.filter(trainee_category=trainee_category).order_by("-updated_at").first()


def sitting_problem(
    *,
    exam_point: Organization,
    part: str,
    operation_item: OperationItem | None,
    trainee_category: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int | None,
) -> rules.SittingProblem | None:
    """None, or (code, message, params) for a sitting that may not be held (``rules.sitting_problem``, with
    the exam point's approval for the item read here)."""
    item_approved = operation_item is None or exam_point.operation_items.filter(pk=operation_item.pk).exists()
    return rules.sitting_problem(
        exam_point=exam_point,
        part=part,
        operation_item=operation_item,
        trainee_category=trainee_category,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        item_approved=item_approved,
    )


NOT_EXAM_STAFF = _("This person holds no proctor or examiner assignment at this exam point or its exam institution.")


def exam_staff(*, sitting: Sitting) -> QuerySet[Person]:
    """Who may proctor or examine ``sitting``: the persons with a proctor, examiner or exam-admin assignment at its
    exam point or the point's exam institution. The staff form names one of them by ID number; anyone else,
    registered or not, gets the same refusal (the form is no look-up of the register)."""
    return Person.objects.filter(
        assignments__organization__in=[sitting.exam_point_id, sitting.exam_point.parent_id],
        assignments__role__in=[AssignmentRole.PROCTOR, AssignmentRole.EXAMINER, AssignmentRole.EXAM_ADMIN],
    ).distinct()


def staff_conflicts(*, sitting: Sitting, person: Person) -> list[str]:
    """Training institutions that employ ``person`` on the sitting's day and have trainees in it."""
    day = timezone.localdate(sitting.starts_at)
    employers = (
        Assignment.objects.filter(
            person=person,
            organization__kind=OrganizationKind.TRAINING_INSTITUTION,
            start_date__lte=day,
        )
        .exclude(end_date__lt=day)
        .values("organization")
    )
    names = (
        Registration.objects.filter(sitting=sitting, training_class__organization__in=employers)
        .values_list("training_class__organization__name", flat=True)
        .distinct()
    )
    return sorted(set(names))


def unresolved_conflicts(*, sitting: Sitting) -> list[tuple[SittingStaff, list[str]]]:
    """Staff in conflict with the sitting's candidates as registered now, without a regulator's override."""
    out = []
    for staff in sitting.staff.select_related("person"):
        conflicts = staff_conflicts(sitting=sitting, person=staff.person)
        if conflicts and not staff.override_reason:
            out.append((staff, conflicts))
    return out


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


def may_plan_sittings(user: User) -> bool:
    """Whether "plan a sitting" is for this user: the right, and an exam point of its own to plan it at (the form's
    only choices; the service refuses any other)."""
    if not has_perm(user, Perm.SITTING_MANAGE):
        return False
    return Organization.objects.visible_to(user).filter(kind=OrganizationKind.EXAM_POINT).exists()


def registration_count(*, user: User, person: Person) -> int:
    """A person's exams as the person's page lists them: every registration, with its result or still to sit."""
    return Registration.objects.visible_to(user).filter(person=person).count()
