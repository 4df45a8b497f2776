"""The exams' write path: banks, blueprints, sittings and staff, registration, papers, theory exams,
practical scoring, results, patrols and their sanctions."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, snapshot
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.i18n import Bilingual
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import apply_transition
from peikao.exams import papers
from peikao.exams.choices import (
    RESULT_TRANSITIONS,
    SITTING_TRANSITIONS,
    DeviceType,
    ExamPart,
    FindingSource,
    FindingStatus,
    ResultStatus,
    Sanction,
    SittingStatus,
    StaffRole,
)
from peikao.exams.models import (
    AnswerSheet,
    Blueprint,
    Paper,
    PaperQuestion,
    Patrol,
    PatrolFeed,
    PatrolFinding,
    PracticalScore,
    PracticalSheet,
    Question,
    Registration,
    Result,
    ResultEvent,
    Sitting,
    SittingEvent,
    SittingStaff,
)
from peikao.exams.rules import displayed_answer, fingerprint, normalised_answer
from peikao.exams.selectors import (
    default_blueprint,
    eligibility,
    pool_for,
    sitting_problem,
    staff_conflicts,
    unresolved_conflicts,
)
from peikao.registry.choices import AssignmentRole
from peikao.registry.models import Assignment, OperationItem, Organization, Person

TRAINING_BODY_ROLES = [
    AssignmentRole.TEACHER,
    AssignmentRole.PRACTICAL_INSTRUCTOR,
    AssignmentRole.PRINCIPAL,
    AssignmentRole.EMPLOYEE,
    AssignmentRole.SAFETY_MANAGER,
]


def _require_own(actor, organization: Organization) -> None:
    if actor.is_org_member and actor.organization_id not in {organization.pk, organization.parent_id}:
        raise PermissionDenied("outside_jurisdiction", _("You may act only for your own organisation."))


# -- questions --------------------------------------------------------------------------------------


@transaction.atomic
def question_edit(
    *,
    actor,
    question: Question,
    stem: str,
    options: list[str],
    answer: str,
    knowledge_point: str = "",
    difficulty: int | None = None,
    explanation: str = "",
) -> Question:
    """Change a question. One already drawn into a paper is never changed: a new version replaces it."""
    require_perm(actor, Perm.BANK_MANAGE)
    question = Question.objects.select_for_update().get(pk=question.pk)
    used = PaperQuestion.objects.filter(question=question).exists()
    values = {
        "stem": stem,
        "options": options,
        "answer": answer,
        "knowledge_point": knowledge_point,
        "difficulty": difficulty,
        "explanation": explanation,
        "fingerprint": fingerprint(stem, options),
    }
    if not used:
        before = snapshot(question)
        for field, value in values.items():
            setattr(question, field, value)
        audited_update(question, before)
        return question
    before = snapshot(question)
    question.retired = True
    audited_update(question, before)
    successor = Question(
        question_code=f"{question.question_code.split('~')[0]}~v{question.version + 1}",
        operation_item=question.operation_item,
        trainee_category=question.trainee_category,
        qtype=question.qtype,
        version=question.version + 1,
        supersedes=question,
        source=question.source,
        **values,
    )
    return audited_create(successor)


@transaction.atomic
def blueprint_save(*, actor, blueprint: Blueprint) -> Blueprint:
    """Create or change a blueprint; its points must add up to the full marks of the regime (100)."""
    require_perm(actor, Perm.BANK_MANAGE)
    total = blueprint.total_points
    if total != Decimal(100):
        raise DomainError("blueprint_points", _("The points add up to %(total)s, not 100."), {"total": total})
    papers.sections_of(blueprint.sections)  # well-formed sections
    if blueprint.pk:
        before = snapshot(Blueprint.objects.get(pk=blueprint.pk))
        audited_update(blueprint, before)
        return blueprint
    return audited_create(blueprint)


# -- sittings and staff -------------------------------------------------------------------------------


@transaction.atomic
def sitting_create(
    *,
    actor,
    exam_point: Organization,
    sitting_code: str,
    part: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    operation_item: OperationItem | None = None,
    trainee_category: str = "",
    capacity: int | None = None,
    blueprint: Blueprint | None = None,
) -> Sitting:
    """Plan a sitting at an exam point approved for the item, not suspended or closed, within its capacity."""
    require_perm(actor, Perm.SITTING_MANAGE)
    _require_own(actor, exam_point)
    problem = sitting_problem(
        exam_point=exam_point,
        part=part,
        operation_item=operation_item,
        trainee_category=trainee_category,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
    )
    if problem:
        raise DomainError(problem[0], problem[1], problem[2])
    if part == ExamPart.THEORY and blueprint is None:
        blueprint = default_blueprint(operation_item=operation_item, trainee_category=trainee_category)
    sitting = Sitting(
        sitting_code=sitting_code.strip(),
        exam_point=exam_point,
        part=part,
        operation_item=operation_item,
        trainee_category=trainee_category,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity or exam_point.capacity or 60,
        blueprint=blueprint,
    )
    return audited_create(sitting)


@transaction.atomic
def staff_assign(*, actor, sitting: Sitting, person: Person, role: str, override_reason: str = "") -> SittingStaff:
    """Assign a proctor or examiner. Someone employed by a training institution whose trainees sit here is
    refused, with the reason; only a regulator may override, recording why (教考分离)."""
    if override_reason.strip():
        # Only a regulator overrides a conflict, and says why.
        require_perm(actor, Perm.PATROL)
        if not (actor.is_regulator or actor.is_system_admin):
            raise PermissionDenied("regulator_only", _("Only a regulator may override a conflict, with the reason."))
    else:
        require_perm(actor, Perm.SITTING_MANAGE)
        _require_own(actor, sitting.exam_point)
    if sitting.status != SittingStatus.PLANNED:
        raise Conflict("sitting_not_planned", _("Staff are assigned before the sitting opens."))
    works_here = Assignment.objects.filter(
        person=person,
        organization__in=[sitting.exam_point_id, sitting.exam_point.parent_id],
        role__in=[AssignmentRole.PROCTOR, AssignmentRole.EXAMINER, AssignmentRole.EXAM_ADMIN],
    ).exists()
    if not works_here:
        raise DomainError(
            "not_exam_staff",
            _("%(name)s holds no proctor or examiner assignment at this exam point or its exam institution."),
            {"name": person.name},
        )
    conflicts = staff_conflicts(sitting=sitting, person=person)
    conflict_text = "、".join(conflicts)
    if conflicts and not override_reason.strip():
        raise DomainError(
            "staff_conflict",
            _("%(name)s works for %(orgs)s, whose trainees sit this exam: training and exams must be separate."),
            {"name": person.name, "orgs": conflict_text},
        )
    staff = SittingStaff(
        sitting=sitting,
        person=person,
        role=role,
        conflict=conflict_text,
        override_reason=override_reason.strip() if conflicts else "",
        override_by=actor if conflicts else None,
    )
    return audited_create(staff)


def sitting_open(*, actor, sitting: Sitting) -> SittingEvent:
    require_perm(actor, Perm.SITTING_MANAGE)
    _require_own(actor, sitting.exam_point)
    if not sitting.staff.filter(
        role=StaffRole.PROCTOR if sitting.part == ExamPart.THEORY else StaffRole.EXAMINER
    ).exists():
        raise DomainError("no_staff", _("A sitting opens with its proctors (theory) or examiners (practical)."))
    conflicts = unresolved_conflicts(sitting=sitting)
    if conflicts:
        staff, orgs = conflicts[0]
        raise DomainError(
            "staff_conflict",
            _("%(name)s works for %(orgs)s, whose trainees sit this exam: training and exams must be separate."),
            {"name": staff.person.name, "orgs": "、".join(orgs)},
        )
    return _sitting_transition(sitting, SittingStatus.OPEN, actor=actor)


def sitting_close(*, actor, sitting: Sitting) -> SittingEvent:
    """Close a sitting: answer sheets still open are submitted as they are; registrations without a
    result are recorded as absent."""
    require_perm(actor, Perm.SITTING_MANAGE)
    _require_own(actor, sitting.exam_point)
    with transaction.atomic():
        for sheet in AnswerSheet.objects.filter(registration__sitting=sitting, submitted_at__isnull=True):
            finalize_sheet(sheet, timed_out=True)
        for registration in sitting.registrations.filter(result__isnull=True):
            audited_create(Result(registration=registration, status=ResultStatus.ABSENT, source="absent"))
        return _sitting_transition(sitting, SittingStatus.CLOSED, actor=actor)


def _sitting_transition(sitting: Sitting, to: str, *, actor, reason: str = "") -> SittingEvent:
    return apply_transition(
        sitting,
        to_status=to,
        transitions=SITTING_TRANSITIONS,
        event_model=SittingEvent,
        owner_field="sitting",
        actor=actor,
        reason=reason,
    )


# -- registration and eligibility ---------------------------------------------------------------------


@transaction.atomic
def register(*, actor, sitting: Sitting, person: Person) -> Registration:
    """Register a candidate if every eligibility check passes; refuse with every failed check's reason."""
    require_perm(actor, Perm.SITTING_MANAGE)
    _require_own(actor, sitting.exam_point)
    sitting = Sitting.objects.select_for_update().get(pk=sitting.pk)
    if sitting.status != SittingStatus.PLANNED:
        raise Conflict("sitting_not_planned", _("Candidates register before the sitting opens."))
    if Registration.objects.filter(sitting=sitting, person=person).exists():
        raise Conflict("already_registered", _("This candidate is already registered for this sitting."))
    if sitting.registrations.count() >= sitting.capacity:
        raise DomainError("sitting_full", _("The sitting is full (%(n)d seats)."), {"n": sitting.capacity})
    checks, training_class, attempt = eligibility(person=person, sitting=sitting)
    failed = [check for check in checks if not check.ok]
    if failed:
        raise DomainError(
            "not_eligible",
            _("%(name)s may not sit this exam: %(reasons)s"),
            {
                "name": person.name,
                "reasons": Bilingual("；".join(c.zh for c in failed), "; ".join(c.en for c in failed)),
            },
        )
    registration = Registration(
        sitting=sitting,
        person=person,
        admission_code=f"{secrets.randbelow(10**8):08d}",
        attempt=attempt,
        eligibility=[check.as_dict() for check in checks],
        training_class=training_class,
    )
    audited_create(registration)
    if sitting.part == ExamPart.THEORY and sitting.blueprint_id:
        draw_paper(registration)
    return registration


def _max_overlap(sitting_id: int, items: list[dict]) -> float:
    """The largest share of ``items`` that one paper already drawn in the sitting has too (one query)."""
    from django.db.models import Count

    ids = [item["q"] for item in items]
    shared = (
        PaperQuestion.objects.filter(paper__registration__sitting_id=sitting_id, question_id__in=ids)
        .values("paper_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("n", flat=True)
        .first()
    )
    return (shared or 0) / max(1, len(ids))


def draw_paper(registration: Registration, *, drawer: papers.Drawer | None = None, attempts: int = 20) -> Paper:
    """Draw the candidate's paper; redraw while it shares more with another paper of the sitting than the
    blueprint allows (the overlap is then as low as the bank permits)."""
    blueprint = registration.sitting.blueprint
    drawer = drawer or papers.Drawer(papers.sections_of(blueprint.sections), pool_for(blueprint=blueprint))
    limit = float(blueprint.max_overlap)
    best = None
    for _attempt in range(attempts):
        seed = papers.new_seed()
        items = drawer.draw(seed)
        worst = _max_overlap(registration.sitting_id, items)
        if best is None or worst < best[2]:
            best = (seed, items, worst)
        if worst <= limit:
            break
    seed, items, _worst = best
    paper = Paper.objects.create(registration=registration, blueprint=blueprint, seed=seed, items=items)
    PaperQuestion.objects.bulk_create(
        [PaperQuestion(paper=paper, question_id=item["q"], position=index) for index, item in enumerate(items)]
    )
    return paper


# -- theory exam in the browser -------------------------------------------------------------------------


def candidate_login(*, id_number: str, admission_code: str, now: dt.datetime | None = None) -> Registration:
    """The registration a candidate logs into with ID number and admission code, during its sitting."""
    from peikao.core.validators import normalise_id_number

    now = now or timezone.now()
    registration = (
        Registration.objects.select_related("sitting", "person")
        .filter(
            person__id_number=normalise_id_number(id_number),
            admission_code=admission_code.strip(),
            sitting__part=ExamPart.THEORY,
        )
        .order_by("-sitting__starts_at")
        .first()
    )
    if registration is None:
        raise DomainError("login_failed", _("The ID number and admission code do not match a registration."))
    sitting = registration.sitting
    if sitting.status != SittingStatus.OPEN or not (
        sitting.starts_at - dt.timedelta(minutes=30) <= now <= sitting.ends_at
    ):
        raise DomainError(
            "sitting_not_open",
            _("The sitting is not open now (%(start)s to %(end)s)."),
            {
                "start": timezone.localtime(sitting.starts_at).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(sitting.ends_at).strftime("%H:%M"),
            },
        )
    if hasattr(registration, "result"):
        raise Conflict("already_submitted", _("This exam has been submitted."))
    return registration


@transaction.atomic
def sheet_start(registration: Registration, *, now: dt.datetime | None = None) -> AnswerSheet:
    """The candidate's answer sheet, started on first entry; the deadline is set by the server."""
    now = now or timezone.now()
    sheet = AnswerSheet.objects.select_for_update().filter(registration=registration).first()
    if sheet is not None:
        return sheet
    if not hasattr(registration, "paper"):
        draw_paper(registration)
    minutes = registration.sitting.blueprint.duration_minutes
    deadline = min(now + dt.timedelta(minutes=minutes), registration.sitting.ends_at)
    return AnswerSheet.objects.create(registration=registration, started_at=now, deadline=deadline)


def save_answer(
    *, registration: Registration, position: int, answer: str, now: dt.datetime | None = None
) -> AnswerSheet:
    """Autosave one answer. After the deadline nothing is saved and the sheet is submitted as it is."""
    now = now or timezone.now()
    timed_out = False
    with transaction.atomic():
        sheet = AnswerSheet.objects.select_for_update().get(registration=registration)
        if sheet.submitted_at is not None:
            raise Conflict("already_submitted", _("This exam has been submitted."))
        if now > sheet.deadline:
            finalize_sheet(sheet, timed_out=True, now=now)  # committed before the candidate is told
            timed_out = True
        else:
            items = registration.paper.items
            if not 0 <= position < len(items):
                raise DomainError("bad_position", _("No such question on this paper."))
            sheet.answers[str(position)] = normalised_answer(answer)
            sheet.saved_at = now
            sheet.save(update_fields=["answers", "saved_at"])
    if timed_out:
        raise Conflict("time_is_up", _("Time is up: the answers saved before the end were submitted."))
    return sheet


def save_answer_by_id(*, registration_id: int, position: int, answer: str, now: dt.datetime | None = None) -> bool:
    """``save_answer`` for the exam API's autosave, the busiest call of an exam: two plain statements under
    the row lock (no ORM compilation, no registration loaded). Returns False when there is no sheet. Past the
    deadline or after submission it defers to ``save_answer``, which finalises and refuses."""
    import json

    from django.db import connection

    now = now or timezone.now()
    quote = connection.ops.quote_name
    sheet_table, paper_table = quote(AnswerSheet._meta.db_table), quote(Paper._meta.db_table)
    length = "jsonb_array_length" if connection.vendor == "postgresql" else "json_array_length"
    lock = " FOR UPDATE OF s" if connection.features.has_select_for_update_of else ""
    as_json = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id, s.answers, s.submitted_at, s.deadline, {length}(p.items) FROM {sheet_table} s "
            f"JOIN {paper_table} p ON p.registration_id = s.registration_id WHERE s.registration_id = %s{lock}",
            [registration_id],
        )
        row = cursor.fetchone()
        if row is None:
            return False
        sheet_id, answers, submitted_at, deadline, count = row
        if isinstance(deadline, str) or timezone.is_naive(deadline):  # SQLite hands back naive UTC (or text)
            deadline = connection.ops.convert_datetimefield_value(deadline, None, connection)
        if submitted_at is None and now <= deadline:
            if not 0 <= position < count:
                raise DomainError("bad_position", _("No such question on this paper."))
            answers = json.loads(answers) if isinstance(answers, str) else dict(answers or {})
            answers[str(position)] = normalised_answer(answer)
            cursor.execute(
                f"UPDATE {sheet_table} SET answers = {as_json}, saved_at = %s WHERE id = %s",
                [json.dumps(answers), now, sheet_id],
            )
            return True
    registration = Registration.objects.select_related("paper", "sitting__blueprint").get(pk=registration_id)
    save_answer(registration=registration, position=position, answer=answer, now=now)  # raises: submitted, late
    return True


def submit(*, registration: Registration, now: dt.datetime | None = None) -> Result:
    """Submit the sheet and score it at once. A second submission changes nothing."""
    with transaction.atomic():
        sheet = AnswerSheet.objects.select_for_update().get(registration=registration)
        if sheet.submitted_at is not None:
            return Result.objects.get(registration=registration)
        sheet.registration = registration  # already loaded with its paper and blueprint
        return finalize_sheet(sheet, timed_out=(now or timezone.now()) > sheet.deadline, now=now)


def finalize_sheet(sheet: AnswerSheet, *, timed_out: bool, now: dt.datetime | None = None) -> Result:
    """Score the sheet: the points of every question answered exactly right."""
    now = now or timezone.now()
    registration = sheet.registration
    paper = registration.paper
    questions = Question.objects.only("id", "qtype", "answer", "question_code").in_bulk(
        [item["q"] for item in paper.items]
    )
    score = Decimal(0)
    given_by_code = {}
    for position, item in enumerate(paper.items):
        question = questions[item["q"]]
        given = sheet.answers.get(str(position), "")
        bank_answer = displayed_answer(question, item["o"], given)
        given_by_code[question.question_code] = bank_answer
        if bank_answer and bank_answer == question.answer:
            score += Decimal(item["p"])
    sheet.submitted_at = min(now, sheet.deadline) if timed_out else now
    sheet.timed_out = timed_out
    sheet.save(update_fields=["submitted_at", "timed_out"])
    pass_score = registration.sitting.blueprint.pass_score
    result = Result(
        registration=registration,
        score=score,
        passed=score >= pass_score,
        status=ResultStatus.VALID,
        started_at=sheet.started_at,
        submitted_at=sheet.submitted_at,
        source="online",
        answers=given_by_code,
    )
    return audited_create(result, validate=False)  # every value computed here; the database checks the rest


# -- practical -------------------------------------------------------------------------------------------

PERFORMED_ON_EQUIPMENT = "hands_on"


@transaction.atomic
def practical_score(
    *,
    actor,
    registration: Registration,
    examiner: Person,
    task_scores: dict[str, Decimal],
    device_type: str,
    performed: str,
    notes: str = "",
) -> Result:
    """Record an examiner's scoring sheet. The device actually used is recorded; an exam replaced by oral
    questions is not a practical result and is refused (violation EX-ORAL-PRACTICAL)."""
    require_perm(actor, Perm.SITTING_MANAGE)
    sitting = registration.sitting
    _require_own(actor, sitting.exam_point)
    if sitting.part != ExamPart.PRACTICAL:
        raise DomainError("not_practical", _("This sitting is not a practical exam."))
    if performed != PERFORMED_ON_EQUIPMENT:
        raise DomainError(
            "oral_instead_of_practical",
            _(
                "Oral questions instead of the practical exam cannot be recorded as a practical result "
                "(exam_cert_measures_2013; violation EX-ORAL-PRACTICAL)."
            ),
        )
    if device_type not in DeviceType.values:
        raise DomainError("device_type", _("Say whether the equipment was real or a simulator."))
    if not SittingStaff.objects.filter(sitting=sitting, person=examiner, role=StaffRole.EXAMINER).exists():
        raise DomainError(
            "not_assigned_examiner", _("%(name)s is not an examiner of this sitting."), {"name": examiner.name}
        )
    if hasattr(registration, "result"):
        raise Conflict("already_scored", _("This candidate's practical has been scored."))
    sheet = PracticalSheet.objects.filter(operation_item=sitting.operation_item, active=True).first()
    if sheet is None:
        raise DomainError("no_practical_sheet", _("No practical scoring sheet for this item."))
    total = Decimal(0)
    for task in sheet.tasks:
        points = Decimal(str(task_scores.get(task["code"], 0)))
        if not Decimal(0) <= points <= Decimal(str(task["points"])):
            raise DomainError(
                "task_points", _("Task %(task)s scores 0 to %(max)s."), {"task": task["name"], "max": task["points"]}
            )
        total += points
    result = audited_create(
        Result(
            registration=registration,
            score=total,
            passed=total >= sheet.pass_score,
            status=ResultStatus.VALID,
            submitted_at=timezone.now(),
            device_type=device_type,
            source="practical",
        )
    )
    audited_create(
        PracticalScore(
            result=result,
            sheet=sheet,
            examiner=examiner,
            task_scores={k: str(v) for k, v in task_scores.items()},
            device_type=device_type,
            notes=notes,
        )
    )
    return result


# -- results and patrols -----------------------------------------------------------------------------------


def result_cancel(*, actor, result: Result, reason: str) -> ResultEvent:
    """Cancel a score (e.g. cheating seen by a patrol): a logged transition; the result no longer passes."""
    require_perm(actor, Perm.PATROL)
    if not reason.strip():
        raise DomainError("reason_required", _("A reason is required."))
    return apply_transition(
        result,
        to_status=ResultStatus.CANCELLED,
        transitions=RESULT_TRANSITIONS,
        event_model=ResultEvent,
        owner_field="result",
        actor=actor,
        reason=reason,
        changes={"passed": False},
    )


@transaction.atomic
def patrol_record(
    *, actor, sitting: Sitting, mode: str, started_at: dt.datetime, ended_at: dt.datetime | None, notes: str
) -> Patrol:
    """A regulator's patrol of a sitting, live or from the recording."""
    require_perm(actor, Perm.PATROL)
    return audited_create(
        Patrol(sitting=sitting, watcher=actor, mode=mode, started_at=started_at, ended_at=ended_at, notes=notes)
    )


@transaction.atomic
def finding_record(
    *,
    actor,
    sitting: Sitting,
    observation: str,
    sanction: str,
    observed_at: dt.datetime,
    registration: Registration | None = None,
    patrol: Patrol | None = None,
) -> PatrolFinding:
    """What a patrol saw, and the sanction: a cancelled score changes the result through its transition."""
    require_perm(actor, Perm.PATROL)
    if sanction != Sanction.NONE and registration is None:
        raise DomainError("candidate_required", _("A sanction names the candidate."))
    finding = audited_create(
        PatrolFinding(
            sitting=sitting,
            patrol=patrol,
            registration=registration,
            source=FindingSource.PATROL,
            observed_at=observed_at,
            observation=observation,
            sanction=sanction,
            status=FindingStatus.CONFIRMED,
            reviewed_by=actor,
            reviewed_at=timezone.now(),
        )
    )
    _apply_sanction(actor, finding)
    return finding


def _apply_sanction(actor, finding: PatrolFinding) -> None:
    if finding.sanction == Sanction.SCORE_CANCELLED:
        result = Result.objects.filter(registration=finding.registration).first()
        if result is None:  # not submitted yet: the cancelled score is recorded now
            result = audited_create(
                Result(registration=finding.registration, status=ResultStatus.VALID, source="patrol")
            )
        if result.status != ResultStatus.CANCELLED:
            result_cancel(actor=actor, result=result, reason=f"{finding.get_sanction_display()}：{finding.observation}")


@transaction.atomic
def finding_review(*, actor, finding: PatrolFinding, confirm: bool, sanction: str = Sanction.NONE) -> PatrolFinding:
    """A regulator confirms (with a sanction) or dismisses what video analytics reported."""
    require_perm(actor, Perm.PATROL)
    finding = PatrolFinding.objects.select_for_update().get(pk=finding.pk)
    if finding.status != FindingStatus.TO_REVIEW:
        raise Conflict("already_reviewed", _("This finding has been reviewed."))
    before = snapshot(finding)
    finding.status = FindingStatus.CONFIRMED if confirm else FindingStatus.DISMISSED
    finding.sanction = sanction if confirm else Sanction.NONE
    finding.reviewed_by, finding.reviewed_at = actor, timezone.now()
    audited_update(finding, before)
    if confirm:
        _apply_sanction(actor, finding)
    return finding


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def feed_register(*, actor, name: str, region) -> tuple[PatrolFeed, str]:
    require_perm(actor, Perm.PATROL)
    raw = "va_" + secrets.token_urlsafe(32)
    feed = audited_create(PatrolFeed(name=name, region=region, key_prefix=raw[:10], key_hash=_hash_key(raw)))
    return feed, raw


def feed_authenticate(raw: str) -> PatrolFeed | None:
    if not raw or not raw.startswith("va_"):
        return None
    return PatrolFeed.objects.select_related("region").filter(key_hash=_hash_key(raw), is_active=True).first()


@transaction.atomic
def analytics_event(
    *,
    feed: PatrolFeed,
    external_id: str,
    sitting_code: str,
    observed_at: dt.datetime,
    observation: str,
    admission_code: str = "",
    confidence: Decimal | None = None,
):
    """An event from video analytics becomes a finding to review. Idempotent on (feed, external id).
    Returns (finding, created)."""
    existing = PatrolFinding.objects.filter(feed=feed, external_id=external_id).first()
    if existing is not None:
        return existing, False
    sitting = Sitting.objects.filter(
        sitting_code=sitting_code, exam_point__region__code__startswith=feed.region.prefix
    ).first()
    if sitting is None:
        raise DomainError("unknown_sitting", _("No such sitting in the feed's region."), status=404)
    registration = None
    if admission_code:
        registration = sitting.registrations.filter(admission_code=admission_code).first()
        if registration is None:
            raise DomainError("unknown_candidate", _("No candidate with this admission code in the sitting."))
    finding = PatrolFinding(
        sitting=sitting,
        registration=registration,
        source=FindingSource.ANALYTICS,
        feed=feed,
        external_id=external_id,
        observed_at=observed_at,
        observation=observation[:2000],
        confidence=confidence,
        status=FindingStatus.TO_REVIEW,
    )
    return audited_create(finding), True
