"""The enforcement write path: the catalogue, plans and random draws, inspections, checklists, findings,
evidence, spot exams, decisions within the law, and the rectification loop."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, current_context, snapshot
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.i18n import Bilingual
from peikao.core.models import Region, User
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import apply_transition
from peikao.enforcement.choices import (
    INSPECTION_TRANSITIONS,
    KIND_SUBJECT,
    RECTIFICATION_TRANSITIONS,
    SEVERE_MEASURES,
    CheckOutcome,
    FindingSource,
    InspectionKind,
    InspectionStatus,
    Measure,
    PlanStatus,
    RectificationStatus,
    SpotExamStatus,
    SubjectType,
)
from peikao.enforcement.models import (
    CheckResult,
    Decision,
    Evidence,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    Inspector,
    PlanSubject,
    Rectification,
    RectificationEvent,
    SpotExam,
    ViolationItem,
)
from peikao.registry.choices import AssignmentRole, OrganizationKind, OrganizationStatus
from peikao.registry.models import Assignment, Organization, Person

SPOT_WEIGHTS = {
    AssignmentRole.SPECIAL_OPERATOR: 3,
    AssignmentRole.PRINCIPAL: 2,
    AssignmentRole.SAFETY_MANAGER: 2,
    AssignmentRole.EMPLOYEE: 1,
}
SPOT_QUESTIONS = 10
SPOT_LINK_HOURS = 4
SPOT_FAILURE_VIOLATION = "ENT-NO-TRAIN"
FINE_OUTSIDE_RANGE = _(
    "A fine of %(fine)s yuan is outside the legal range of %(low)s–%(high)s yuan%(overdue)s (%(basis)s)."
)


def _require_jurisdiction(actor, organization: Organization) -> None:
    if actor.sees_everything:
        return
    if not (actor.is_regulator and actor.region.contains(organization.region_id)):
        raise PermissionDenied("outside_jurisdiction", _("The subject is outside your jurisdiction."))


def _next_code(prefix: str, model, field: str = "code") -> str:
    taken = model.objects.filter(**{f"{field}__startswith": prefix}).count()
    number = taken + 1
    while model.objects.filter(**{field: f"{prefix}{number:03d}"}).exists():
        number += 1
    return f"{prefix}{number:03d}"


# -- the catalogue -----------------------------------------------------------------------------------------


CATALOGUE_FIELDS = (
    "subject_type",
    "check_text",
    "basis",
    "surface",
    "order_to_correct",
    "warning",
    "fine_min",
    "fine_max",
    "overdue_fine_min",
    "overdue_fine_max",
    "overdue_suspend",
    "revoke_certificate",
    "ban_years",
)


@transaction.atomic
def violation_save(*, actor, code: str, data: dict) -> ViolationItem:
    """Add an item, or revise one: the current version is retired and a new one takes its place."""
    require_perm(actor, Perm.CATALOGUE_MANAGE)
    code = code.strip().upper()
    if not code:
        raise DomainError("code_required", _("An item needs a code."))
    current = ViolationItem.objects.select_for_update().filter(code=code, retired=False).first()
    version = 1
    if current is not None:  # a revision keeps what it does not change
        data = {**{field: getattr(current, field) for field in CATALOGUE_FIELDS}, **data}
        if all(getattr(current, field) == data.get(field, getattr(current, field)) for field in CATALOGUE_FIELDS):
            return current
        before = snapshot(current)
        current.retired = True
        audited_update(current, before)
        version = current.version + 1
    item = ViolationItem(
        code=code,
        version=version,
        added_by=actor,
        valid_from=timezone.localdate(),
        **{field: data[field] for field in CATALOGUE_FIELDS if field in data},
    )
    return audited_create(item)


def checklist_items(subject_type: str):
    """The checklist of a subject type: its catalogue items in force, then the surface items."""
    return (
        ViolationItem.objects.filter(retired=False)
        .filter(Q(subject_type=subject_type) | Q(subject_type=SubjectType.ANY))
        .order_by("surface", "code")
    )


def current_item(code: str) -> ViolationItem | None:
    return ViolationItem.objects.filter(code=code, retired=False).first()


# -- plans and the random draw -------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor,
    region: Region,
    year: int,
    name: str,
    kinds: list[str],
    subjects_wanted: int,
    inspectors_per_subject: int = 2,
) -> InspectionPlan:
    require_perm(actor, Perm.PLAN_MANAGE)
    if not actor.sees_everything and not actor.region.contains(region.code):
        raise PermissionDenied("outside_jurisdiction", _("The region is outside your jurisdiction."))
    if inspectors_per_subject < 2:
        raise DomainError("two_inspectors", _("An inspection is made by at least two inspectors."))
    if subjects_wanted < 1 or not kinds:
        raise DomainError("plan_empty", _("Say how many subjects of which kinds to draw."))
    return audited_create(
        InspectionPlan(
            region=region,
            year=year,
            name=name.strip() or f"{year}年度执法检查计划",
            subject_kinds=sorted(set(kinds)),
            subjects_wanted=subjects_wanted,
            inspectors_per_subject=inspectors_per_subject,
            created_by=actor,
        )
    )


def risk_weights(organizations) -> dict[int, Decimal]:
    """A simple risk weight per organisation (the risk grade will replace it): 1, plus one for each finding of
    the last three years, plus two for each rectification now overdue, plus one per 10 compliance gaps."""
    from peikao.compliance.models import ComplianceGap

    since = timezone.localdate() - dt.timedelta(days=3 * 365)
    today = timezone.localdate()
    ids = list(organizations.values_list("pk", flat=True))
    weights = {pk: Decimal(1) for pk in ids}
    findings = (
        Finding.objects.filter(inspection__organization_id__in=ids, inspection__inspected_on__gte=since)
        .values("inspection__organization_id")
        .annotate(n=Count("id"))
    )
    for row in findings:
        weights[row["inspection__organization_id"]] += row["n"]
    overdue = (
        Rectification.objects.filter(decision__inspection__organization_id__in=ids, due_on__lt=today)
        .exclude(status=RectificationStatus.CLOSED)
        .values("decision__inspection__organization_id")
        .annotate(n=Count("id"))
    )
    for row in overdue:
        weights[row["decision__inspection__organization_id"]] += 2 * row["n"]
    gaps = ComplianceGap.latest_counts(ids)
    for pk, count in gaps.items():
        weights[pk] += Decimal(count) / 10
    return weights


@dataclass(frozen=True)
class Draw:
    subjects: list[tuple[int, Decimal]]  # (organisation pk, weight) in draw order
    inspectors: list[list[int]]  # user pks per subject


def draw(
    *, candidates: list[tuple[int, Decimal]], inspectors: list[int], wanted: int, per_subject: int, seed: int
) -> Draw:
    """Weighted sampling without replacement (Efraimidis–Spirakis: key u^(1/w)), then inspectors per subject
    from a shuffled pool, round-robin so that the load is even. Pure: the same inputs give the same draw."""
    rng = random.Random(seed)
    keyed = []
    for pk, weight in candidates:  # candidates come sorted: the order is part of the reproducible input
        u = rng.random()
        keyed.append((u ** (1 / float(weight)) if weight > 0 else 0.0, pk, weight))
    keyed.sort(key=lambda item: (-item[0], item[1]))
    chosen = [(pk, weight) for _key, pk, weight in keyed[:wanted]]
    pool = sorted(inspectors)
    rng.shuffle(pool)
    teams = []
    cursor = 0
    for _subject in chosen:
        team = []
        for _seat in range(per_subject):
            team.append(pool[cursor % len(pool)])
            cursor += 1
        teams.append(sorted(set(team)))
    return Draw(subjects=chosen, inspectors=teams)


def plan_candidates(plan: InspectionPlan) -> list[tuple[int, Decimal]]:
    from peikao.core.scoping import region_code_range

    organizations = Organization.objects.filter(
        region__code__range=region_code_range(plan.region.prefix),
        kind__in=plan.subject_kinds,
        status=OrganizationStatus.ACTIVE,
    ).order_by("pk")
    weights = risk_weights(organizations)
    return [(pk, weights[pk]) for pk in organizations.values_list("pk", flat=True)]


def plan_inspectors(plan: InspectionPlan) -> list[int]:
    return plan_inspectors_for(plan.region)


@transaction.atomic
def plan_draw(*, actor, plan: InspectionPlan, seed: int | None = None) -> InspectionPlan:
    """Draw the plan's subjects and inspectors at random; the seed is recorded so anyone can redo the draw."""
    require_perm(actor, Perm.PLAN_MANAGE)
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict("already_drawn", _("This plan has been drawn: a draw is never redone."))
    inspectors = plan_inspectors(plan)
    if len(inspectors) < plan.inspectors_per_subject:
        raise DomainError(
            "too_few_inspectors",
            _("The region has %(n)d inspectors; each subject needs %(per)d."),
            {"n": len(inspectors), "per": plan.inspectors_per_subject},
        )
    seed = seed if seed is not None else secrets.randbelow(2**53)
    candidates = plan_candidates(plan)
    result = draw(
        candidates=candidates,
        inspectors=inspectors,
        wanted=plan.subjects_wanted,
        per_subject=plan.inspectors_per_subject,
        seed=seed,
    )
    before = snapshot(plan)
    for rank, ((pk, weight), team) in enumerate(zip(result.subjects, result.inspectors, strict=True), start=1):
        subject = audited_create(PlanSubject(plan=plan, organization_id=pk, weight=weight, rank=rank))
        subject.inspectors.set(team)
    plan.seed, plan.status, plan.drawn_at = seed, PlanStatus.DRAWN, timezone.now()
    plan.draw_input = {"candidates": [[pk, str(weight)] for pk, weight in candidates], "inspectors": sorted(inspectors)}
    audited_update(plan, before)
    return plan


def plan_verify_draw(plan: InspectionPlan) -> bool:
    """Redo the draw from its recorded input (candidates with their weights, the inspectors, the seed):
    does it give exactly the recorded subjects, ranks and teams?"""
    recorded = plan.draw_input or {}
    if plan.status != PlanStatus.DRAWN or not recorded:
        return False
    again = draw(
        candidates=[(pk, Decimal(weight)) for pk, weight in recorded["candidates"]],
        inspectors=recorded["inspectors"],
        wanted=plan.subjects_wanted,
        per_subject=plan.inspectors_per_subject,
        seed=plan.seed,
    )
    subjects = list(plan.subjects.order_by("rank").prefetch_related("inspectors"))
    return [pk for pk, _weight in again.subjects] == [s.organization_id for s in subjects] and again.inspectors == [
        sorted(user.pk for user in s.inspectors.all()) for s in subjects
    ]


# -- inspections ---------------------------------------------------------------------------------------------


def _event(inspection: Inspection, to: str, actor, reason: str = "") -> InspectionEvent:
    return apply_transition(
        inspection,
        to_status=to,
        transitions=INSPECTION_TRANSITIONS,
        event_model=InspectionEvent,
        owner_field="inspection",
        actor=actor,
        reason=reason,
    )


@transaction.atomic
def inspection_create(
    *,
    actor,
    organization: Organization,
    kind: str,
    inspected_on: dt.date,
    inspectors: list[User],
    plan_subject: PlanSubject | None = None,
    lookback_of: Rectification | None = None,
    code: str | None = None,
) -> Inspection:
    """An inspection by at least two inspectors of the subject's jurisdiction."""
    require_perm(actor, Perm.INSPECT)
    _require_jurisdiction(actor, organization)
    team = {user.pk: user for user in inspectors}
    if len(team) < 2:
        raise DomainError("two_inspectors", _("An inspection is made by at least two inspectors."))
    for user in team.values():
        if not (user.is_regulator and (user.sees_everything or user.region.contains(organization.region_id))):
            raise DomainError(
                "inspector_outside", _("%(name)s is not an inspector of this jurisdiction."), {"name": str(user)}
            )
    kind = InspectionKind(kind)
    region = actor.region if actor.is_regulator else organization.region
    inspection = audited_create(
        Inspection(
            code=code or _next_code(f"JC{organization.region_id}{inspected_on:%Y%m%d}", Inspection),
            organization=organization,
            region=region,
            kind=kind,
            inspected_on=inspected_on,
            plan_subject=plan_subject,
            lookback_of=lookback_of,
            created_by=actor,
        )
    )
    for user in team.values():
        audited_create(
            Inspector(inspection=inspection, user=user, person=user.person, name=user.full_name or user.username)
        )
    return inspection


def inspection_start(*, actor, inspection: Inspection) -> InspectionEvent:
    require_perm(actor, Perm.INSPECT)
    return _event(inspection, InspectionStatus.IN_PROGRESS, actor)


def inspection_complete(*, actor, inspection: Inspection, summary: str = "") -> InspectionEvent:
    """Close the inspection record: every checklist item answered, at least two inspectors."""
    require_perm(actor, Perm.INSPECT)
    missing = checklist_items(KIND_SUBJECT[inspection.organization.kind]).exclude(
        pk__in=inspection.checks.values("item_id")
    )
    if missing.exists():
        raise DomainError(
            "checklist_incomplete",
            _("%(n)d checklist items are not answered yet."),
            {"n": missing.count()},
        )
    if inspection.inspectors.count() < 2:
        raise DomainError("two_inspectors", _("An inspection is made by at least two inspectors."))
    if summary.strip():
        before = snapshot(inspection)
        inspection.summary = summary.strip()
        audited_update(inspection, before)
    return _event(inspection, InspectionStatus.COMPLETED, actor)


def _require_open(inspection: Inspection) -> None:
    if inspection.status != InspectionStatus.IN_PROGRESS:
        raise Conflict("inspection_not_in_progress", _("Start the inspection first; a completed one is not changed."))


@transaction.atomic
def check_record(*, actor, inspection: Inspection, item: ViolationItem, outcome: str, note: str = "") -> CheckResult:
    """Answer one checklist item; a violation becomes a finding of this inspection."""
    require_perm(actor, Perm.INSPECT)
    _require_open(inspection)
    outcome = CheckOutcome(outcome)
    result = CheckResult.objects.filter(inspection=inspection, item=item).first()
    if result is None:
        result = audited_create(
            CheckResult(inspection=inspection, item=item, outcome=outcome, note=note.strip(), checked_by=actor)
        )
    else:
        before = snapshot(result)
        result.outcome, result.note, result.checked_by, result.checked_at = outcome, note.strip(), actor, timezone.now()
        audited_update(result, before)
    if outcome == CheckOutcome.VIOLATION and not inspection.findings.filter(violation=item).exists():
        finding_record(
            actor=actor,
            inspection=inspection,
            violation=item,
            description=note.strip() or item.check_text,
            source=FindingSource.CHECKLIST,
        )
    return result


@transaction.atomic
def finding_record(
    *,
    actor,
    inspection: Inspection,
    violation: ViolationItem | None,
    description: str,
    person: Person | None = None,
    source: str = FindingSource.MANUAL,
    code: str | None = None,
) -> Finding:
    if actor is not None:
        require_perm(actor, Perm.INSPECT)
    if source not in (FindingSource.SPOT_EXAM, FindingSource.IMPORTED):  # a worker may finish later; history
        _require_open(inspection)
    if violation is None and not description.strip():
        raise DomainError("other_needs_text", _("A problem outside the catalogue needs a description."))
    if violation is not None and violation.retired:
        raise DomainError("retired_item", _("This catalogue item has been replaced by a newer version."))
    return audited_create(
        Finding(
            code=code or _next_code(f"{inspection.code}-F", Finding),
            inspection=inspection,
            violation=violation,
            description=description.strip() or (violation.check_text if violation else ""),
            surface=bool(violation and violation.surface),
            person=person,
            source=source,
            created_by=actor,
        )
    )


# -- evidence ----------------------------------------------------------------------------------------------


@transaction.atomic
def evidence_add(
    *,
    actor,
    inspection: Inspection,
    upload,
    finding: Finding | None = None,
    rectification: Rectification | None = None,
    captured_at: dt.datetime | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    accuracy_m: int | None = None,
) -> Evidence:
    """Keep a file as evidence under its SHA-256: stored once, never replaced, never edited."""
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    if size == 0:
        raise DomainError("empty_file", _("The file is empty."))
    sha = digest.hexdigest()
    evidence = Evidence(
        inspection=inspection,
        finding=finding,
        rectification=rectification,
        sha256=sha,
        original_name=(getattr(upload, "name", "") or "evidence")[:200],
        content_type=(getattr(upload, "content_type", "") or "")[:100],
        size=size,
        captured_at=captured_at,
        latitude=latitude,
        longitude=longitude,
        accuracy_m=accuracy_m,
        uploaded_by=actor,
    )
    from peikao.enforcement.models import evidence_path

    name = evidence_path(evidence, evidence.original_name)
    if default_storage.exists(name):
        evidence.file.name = name  # the same bytes are already kept: point at them
    else:
        upload.seek(0)
        evidence.file.save(name.rsplit("/", 1)[-1], File(upload), save=False)
    return audited_create(evidence)


# -- spot exams ----------------------------------------------------------------------------------------------


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def roster(organization: Organization, day: dt.date):
    """The current assignments of an organisation that spot exams draw from (dispatched workers included)."""
    return (
        Assignment.objects.filter(organization=organization, role__in=list(SPOT_WEIGHTS), start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("person", "operation_item")
        .order_by("pk")
    )


def _spot_paper(rng: random.Random, assignment: Assignment, count: int) -> list[dict]:
    from peikao.exams.models import Question

    bank = Question.objects.active()
    if assignment.role == AssignmentRole.SPECIAL_OPERATOR:
        bank = bank.filter(operation_item=assignment.operation_item)
    else:
        bank = bank.filter(trainee_category=assignment.role)
    ids = sorted(bank.values_list("pk", "qtype", "options"), key=lambda row: row[0])
    if not ids:
        return []
    picked = rng.sample(ids, min(count, len(ids)))
    points = Decimal(100) / len(picked)
    items = []
    for pk, qtype, options in picked:
        order = list(range(len(options or [])))
        if qtype != "judge":
            rng.shuffle(order)
        items.append({"q": pk, "o": order, "p": str(points.quantize(Decimal("0.01")))})
    return items


@transaction.atomic
def spot_draw(
    *, actor, inspection: Inspection, count: int = 3, seed: int | None = None, pass_score: int = 80
) -> list[tuple[SpotExam, str]]:
    """Draw ``count`` workers at random from the roster (special operators ×3, principals and safety managers
    ×2, others ×1) and give each a short paper from their item's bank; return the exams and one-time links."""
    require_perm(actor, Perm.INSPECT)
    _require_open(inspection)
    if not 1 <= pass_score <= 100:
        raise DomainError("pass_score", _("The pass mark lies between 1 and 100."))
    already = set(inspection.spot_exams.values_list("person_id", flat=True))
    candidates = [a for a in roster(inspection.organization, inspection.inspected_on) if a.person_id not in already]
    by_person: dict[int, Assignment] = {}
    for assignment in candidates:  # one entry per person: the post that weighs most
        best = by_person.get(assignment.person_id)
        if best is None or SPOT_WEIGHTS[assignment.role] > SPOT_WEIGHTS[best.role]:
            by_person[assignment.person_id] = assignment
    if not by_person:
        raise DomainError("empty_roster", _("Nobody on the roster is left to draw."))
    rng = random.Random(seed if seed is not None else secrets.randbelow(2**53))
    pool = sorted(by_person.values(), key=lambda a: a.person_id)
    keyed = sorted(pool, key=lambda a: -(rng.random() ** (1 / SPOT_WEIGHTS[a.role])))
    drawn = []
    for assignment in keyed[:count]:
        raw = secrets.token_urlsafe(18)
        items = _spot_paper(rng, assignment, SPOT_QUESTIONS)
        exam = audited_create(
            SpotExam(
                inspection=inspection,
                person=assignment.person,
                role=assignment.role,
                operation_item=assignment.operation_item,
                trainee_category="" if assignment.operation_item_id else assignment.role,
                items=items,
                pass_score=pass_score,
                token_hash=_hash_token(raw),
                expires_at=timezone.now() + dt.timedelta(hours=SPOT_LINK_HOURS),
                status=SpotExamStatus.DRAWN if items else SpotExamStatus.NO_BANK,
            )
        )
        drawn.append((exam, raw))
    return drawn


@transaction.atomic
def spot_relink(*, actor, exam: SpotExam) -> str:
    """A new one-time link for a paper not answered yet (the old link stops working): links are shown only
    once, to the inspector who drew them, and a phone gets lost or a worker steps away."""
    require_perm(actor, Perm.INSPECT)
    _require_open(exam.inspection)
    exam = SpotExam.objects.select_for_update().get(pk=exam.pk)
    if exam.status != SpotExamStatus.DRAWN:
        raise Conflict("spot_answered", _("This paper has been answered: its link is not renewed."))
    raw = secrets.token_urlsafe(18)
    before = snapshot(exam)
    exam.token_hash = _hash_token(raw)
    exam.expires_at = timezone.now() + dt.timedelta(hours=SPOT_LINK_HOURS)
    audited_update(exam, before)
    return raw


def spot_open(raw: str) -> SpotExam:
    exam = (
        SpotExam.objects.select_related("person", "inspection__organization")
        .filter(token_hash=_hash_token(raw))
        .first()
    )
    if exam is None or exam.status != SpotExamStatus.DRAWN:
        raise DomainError("link_used", _("This link is not valid or has been used."), status=404)
    if exam.expires_at < timezone.now():
        raise DomainError("link_expired", _("This link has expired: ask the inspector for a new one."), status=410)
    return exam


@transaction.atomic
def spot_submit(*, raw: str, answers: dict[str, str]) -> SpotExam:
    """Score at once; a failure becomes a finding of the inspection. The link works once."""
    from peikao.exams.models import Question
    from peikao.exams.services import displayed_answer, normalised_answer

    exam = spot_open(raw)
    exam = SpotExam.objects.select_for_update().get(pk=exam.pk)
    if exam.status != SpotExamStatus.DRAWN:
        raise DomainError("link_used", _("This link is not valid or has been used."), status=404)
    questions = Question.objects.in_bulk([item["q"] for item in exam.items])
    score = Decimal(0)
    given_all = {}
    for position, item in enumerate(exam.items):
        question = questions[item["q"]]
        given = normalised_answer(answers.get(str(position), ""))
        given_all[str(position)] = given
        if given and displayed_answer(question, item["o"], given) == question.answer:
            score += Decimal(item["p"])
    score = min(Decimal(100), score.quantize(Decimal("0.1")))
    before = snapshot(exam)
    exam.answers, exam.score, exam.passed = given_all, score, score >= exam.pass_score
    exam.status, exam.submitted_at = SpotExamStatus.SUBMITTED, timezone.now()
    if not exam.passed:
        violation = current_item(SPOT_FAILURE_VIOLATION)
        exam.finding = finding_record(
            actor=None,
            inspection=exam.inspection,
            violation=violation,
            description=str(
                _("Spot exam: %(name)s scored %(score)s, below the pass mark of %(pass)s.")
                % {"name": exam.person.name, "score": score, "pass": exam.pass_score}
            ),
            person=exam.person,
            source=FindingSource.SPOT_EXAM,
        )
    audited_update(exam, before)
    return exam


# -- decisions -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FineRange:
    low: Decimal
    high: Decimal
    overdue: bool
    basis: str


def fine_range(findings: list[Finding], *, on: dt.date) -> FineRange:
    """The legal range of a fine for these findings: the sum of their violations' ranges; the range for
    violations not corrected in time only where an order to rectify them was not complied with by its deadline."""
    overdue = (
        Rectification.objects.filter(decision__findings__in=[f.pk for f in findings])
        .filter(
            Q(status__in=[RectificationStatus.OPEN, RectificationStatus.SUBMITTED], due_on__lt=on)
            | Q(status=RectificationStatus.CLOSED, closed_on__gt=F("due_on"))
        )
        .exists()
    )
    low = high = Decimal(0)
    bases = []
    for finding in findings:
        item = finding.violation
        if item is None or item.fine_max is None:
            raise DomainError(
                "no_fine_provided",
                _("No fine is provided for %(finding)s (%(item)s)."),
                {"finding": finding.code, "item": item.code if item else _("other")},
            )
        if overdue and item.overdue_fine_max is not None:
            low += item.overdue_fine_min or 0
            high += item.overdue_fine_max
        else:
            low += item.fine_min or 0
            high += item.fine_max
        bases.append(f"{item.code}：{item.basis_title}")
    return FineRange(low=low, high=high, overdue=overdue, basis="；".join(bases))


@transaction.atomic
def decision_issue(
    *,
    actor,
    inspection: Inspection,
    findings: list[Finding],
    measure: str,
    decided_on: dt.date,
    fine_yuan: Decimal | None = None,
    due_on: dt.date | None = None,
    certificate=None,
    revoke_ground: str = "",
    publicized: bool = False,
    note: str = "",
    code: str | None = None,
) -> Decision:
    """A decision within the law: the fine inside the legal range of the findings' violations (shown with the
    basis when it is not), suspension and closure changing the subject's status, an order to rectify opening
    the rectification loop."""
    require_perm(actor, Perm.DECIDE)
    measure = Measure(measure)
    organization = inspection.organization
    _require_jurisdiction(actor, organization)
    if measure in SEVERE_MEASURES:
        needed = (
            Perm.CERTIFICATE_MANAGE if measure == Measure.REVOKE_CERTIFICATE else Perm.ORGANIZATION_CHANGE_REGULATED
        )
        require_perm(actor, needed)
    if not findings:
        raise DomainError("findings_required", _("A decision rests on findings of the inspection."))
    if any(f.inspection_id != inspection.pk for f in findings):
        raise DomainError("foreign_finding", _("Every finding must belong to this inspection."))
    if decided_on < inspection.inspected_on:
        raise DomainError("decided_before_inspection", _("A decision cannot come before the inspection."))
    bases = "；".join(sorted({f"{f.violation.code}：{f.violation.basis_title}" for f in findings if f.violation_id}))
    overdue_range = False
    if measure == Measure.FINE:
        if fine_yuan is None or fine_yuan <= 0:
            raise DomainError("fine_amount", _("A fine needs its amount."))
        allowed = fine_range(findings, on=decided_on)
        if not allowed.low <= fine_yuan <= allowed.high:
            raise DomainError(
                "fine_outside_range",
                FINE_OUTSIDE_RANGE,
                {
                    "fine": f"{fine_yuan:,.0f}",
                    "low": f"{allowed.low:,.0f}",
                    "high": f"{allowed.high:,.0f}",
                    "overdue": Bilingual(
                        "，适用逾期未改正的罚款幅度", ", the range for violations not corrected in time"
                    )
                    if allowed.overdue
                    else Bilingual("", ""),
                    "basis": Bilingual(allowed.basis, allowed.basis),
                },
            )
        overdue_range = allowed.overdue
        bases = allowed.basis
    else:
        fine_yuan = None
    if measure == Measure.RECTIFY_ORDER:
        if due_on is None or due_on <= decided_on:
            raise DomainError("deadline_required", _("An order to rectify needs a deadline after the decision."))
    else:
        due_on = None
    if (
        measure in (Measure.CANCEL_EXAM_POINT, Measure.SUSPEND_EXAM)
        and organization.kind != OrganizationKind.EXAM_POINT
    ):
        raise DomainError("not_an_exam_point", _("This measure applies to exam points only."))
    if measure == Measure.REVOKE_CERTIFICATE and certificate is None:
        raise DomainError("certificate_required", _("Name the certificate to revoke."))
    decision = Decision(
        code=code or _next_code(f"JD{inspection.code[2:]}-", Decision),
        inspection=inspection,
        measure=measure,
        fine_yuan=fine_yuan,
        overdue_range=overdue_range,
        basis=bases,
        decided_on=decided_on,
        due_on=due_on,
        certificate=certificate if measure == Measure.REVOKE_CERTIFICATE else None,
        publicized=publicized,
        note=note.strip(),
        decided_by=actor,
    )
    audited_create(decision)
    decision.findings.set(findings)
    if measure == Measure.RECTIFY_ORDER:
        audited_create(Rectification(decision=decision, due_on=due_on))
    _apply_measure(actor, decision, organization, revoke_ground)
    return decision


def _apply_measure(actor, decision: Decision, organization: Organization, revoke_ground: str) -> None:
    from peikao.registry.choices import ORGANIZATION_TRANSITIONS
    from peikao.registry.models import OrganizationEvent

    reason = f"{decision.get_measure_display()}（{decision.code}）"
    target = {
        Measure.SUSPEND: OrganizationStatus.SUSPENDED,
        Measure.SUSPEND_EXAM: OrganizationStatus.SUSPENDED,
        Measure.CLOSE: OrganizationStatus.CLOSED,
        Measure.CANCEL_EXAM_POINT: OrganizationStatus.CLOSED,
    }.get(decision.measure)
    if target is not None and organization.status != target:
        apply_transition(
            organization,
            to_status=target,
            transitions=ORGANIZATION_TRANSITIONS,
            event_model=OrganizationEvent,
            owner_field="organization",
            actor=actor,
            reason=reason,
        )
    if decision.measure == Measure.REVOKE_CERTIFICATE:
        from peikao.certificates import services as certificate_services

        certificate_services.revoke(
            actor=actor,
            certificate=decision.certificate,
            ground=revoke_ground or "no_longer_fit",
            reason=reason,
            on=decision.decided_on,
        )


# -- rectification ---------------------------------------------------------------------------------------------


def _rect_transition(actor, rectification: Rectification, to: str, reason: str = "", changes: dict | None = None):
    return apply_transition(
        rectification,
        to_status=to,
        transitions=RECTIFICATION_TRANSITIONS,
        event_model=RectificationEvent,
        owner_field="rectification",
        actor=actor,
        reason=reason,
        changes={"updated_at": timezone.now(), **(changes or {})},
    )


@transaction.atomic
def rectification_submit(*, actor, rectification: Rectification, note: str, files=()) -> RectificationEvent:
    """The subject (or an inspector for it) reports what was done, with evidence files."""
    organization = rectification.decision.inspection.organization
    if actor.is_org_member:
        require_perm(actor, Perm.RECTIFY_SUBMIT)
        if actor.organization_id != organization.pk:
            raise PermissionDenied("not_yours", _("Only the organisation concerned reports its rectification."))
    else:
        require_perm(actor, Perm.INSPECT)
    if not note.strip() and not files:
        raise DomainError("evidence_required", _("Describe what was done, or attach evidence."))
    for upload in files:
        evidence_add(
            actor=actor, inspection=rectification.decision.inspection, upload=upload, rectification=rectification
        )
    return _rect_transition(actor, rectification, RectificationStatus.SUBMITTED, note, {"submitted_at": timezone.now()})


@transaction.atomic
def rectification_verify(
    *, actor, rectification: Rectification, accept: bool, note: str = "", on: dt.date | None = None
):
    """An inspector checks the evidence: closes the case, or returns it. Nothing closes without this step."""
    require_perm(actor, Perm.INSPECT)
    _require_jurisdiction(actor, rectification.decision.inspection.organization)
    if rectification.status != RectificationStatus.SUBMITTED:
        raise Conflict("nothing_submitted", _("Nothing has been submitted to verify."))
    if accept:
        return _rect_transition(
            actor, rectification, RectificationStatus.CLOSED, note, {"closed_on": on or timezone.localdate()}
        )
    if not note.strip():
        raise DomainError("reason_required", _("Say why the rectification is returned."))
    return _rect_transition(actor, rectification, RectificationStatus.OPEN, note)


@transaction.atomic
def rectification_escalate(*, actor, rectification: Rectification, note: str = "") -> Rectification:
    """Flag an overdue rectification for the overdue penalty."""
    require_perm(actor, Perm.INSPECT)
    if not rectification.is_overdue():
        raise Conflict("not_overdue", _("This rectification is not overdue."))
    before = snapshot(rectification)
    rectification.escalated_at = timezone.now()
    audited_update(rectification, before)
    audited_create(
        RectificationEvent(
            rectification=rectification,
            transition="escalate",
            old_status=rectification.status,
            new_status=rectification.status,
            reason=note.strip(),
            actor=actor,
            actor_label=current_context().actor_label,
        )
    )
    return rectification


@transaction.atomic
def lookback_sample(
    *,
    actor,
    region: Region,
    share: Decimal,
    since: dt.date,
    until: dt.date,
    inspected_on: dt.date,
    seed: int | None = None,
) -> list[Inspection]:
    """Draw a share of the rectifications closed in a period for look-back inspections (回头看)."""
    require_perm(actor, Perm.PLAN_MANAGE)
    from peikao.core.scoping import region_code_range

    if not Decimal(0) < share <= Decimal(1):
        raise DomainError("share_range", _("The share lies between 0 and 1."))
    closed = list(
        Rectification.objects.filter(
            status=RectificationStatus.CLOSED,
            closed_on__range=(since, until),
            decision__inspection__organization__region__code__range=region_code_range(region.prefix),
            lookbacks__isnull=True,
        )
        .select_related("decision__inspection__organization")
        .order_by("pk")
    )
    rng = random.Random(seed if seed is not None else secrets.randbelow(2**53))
    count = max(1, round(len(closed) * float(share))) if closed else 0
    sample = rng.sample(closed, count)
    created = []
    for rectification in sample:
        original = rectification.decision.inspection
        team = [i.user for i in original.inspectors.select_related("user") if i.user_id]
        if len(team) < 2:
            team = [User.objects.get(pk=pk) for pk in plan_inspectors_for(region)[:2]]
        created.append(
            inspection_create(
                actor=actor,
                organization=original.organization,
                kind=InspectionKind.LOOKBACK,
                inspected_on=inspected_on,
                inspectors=team,
                lookback_of=rectification,
            )
        )
    return created


def plan_inspectors_for(region: Region) -> list[int]:
    from peikao.core.choices import Role
    from peikao.core.scoping import region_code_range

    return list(
        User.objects.filter(role=Role.INSPECTOR, is_active=True, region__code__range=region_code_range(region.prefix))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
