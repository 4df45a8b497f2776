"""The enforcement read path: plans, inspections, decisions, rectifications scoped to the user; the catalogue and
checklists; what the draws draw from (candidates with their risk weights, inspectors, a subject's roster, a spot
exam's question bank); and the soft-enforcement indicators of a region and period (set-based)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.compliance.models import ComplianceGap
from peikao.core.choices import Role
from peikao.core.errors import DomainError
from peikao.core.models import Region, User
from peikao.core.scoping import region_code_range
from peikao.enforcement import hooks, rules
from peikao.enforcement.choices import (
    InspectionStatus,
    Measure,
    PlanStatus,
    RectificationStatus,
    SpotExamStatus,
    SubjectType,
)
from peikao.enforcement.models import (
    Decision,
    Finding,
    Inspection,
    InspectionPlan,
    PlanSubject,
    Rectification,
    SpotExam,
    ViolationItem,
)
from peikao.exams.models import Question
from peikao.registry.choices import AssignmentRole, OrganizationStatus
from peikao.registry.models import Assignment, Organization, Person


def plan_list(*, user: User) -> QuerySet[InspectionPlan]:
    return InspectionPlan.objects.visible_to(user).select_related("region").annotate(drawn=Count("subjects"))


def plan_get(*, user: User, plan_id: int) -> InspectionPlan:
    return get_object_or_404(plan_list(user=user), pk=plan_id)


def subjects_to_inspect(*, user: User) -> QuerySet[PlanSubject]:
    """The subjects drawn in the plans the user sees whose inspection has not been opened yet, plan by plan."""
    opened = Inspection.objects.filter(plan_subject=OuterRef("pk"))
    return (
        PlanSubject.objects.filter(plan__in=InspectionPlan.objects.visible_to(user), plan__status=PlanStatus.DRAWN)
        .filter(~Exists(opened))
        .select_related("plan", "organization__region")
        .order_by("plan__year", "plan_id", "rank")
    )


def _holders_q(region: Region) -> Q:
    """Users whose region holds ``region``: the region itself and the regions above it (their jurisdiction)."""
    codes = []
    current: Region | None = region
    while current is not None:
        codes.append(current.code)
        current = current.parent
    return Q(region_id__in=codes)


def _within_q(region: Region) -> Q:
    """Users of the regions below ``region`` (and of the region itself)."""
    return Q(region__code__range=region_code_range(region.prefix))


def inspector_choices(*, user: User, organization: Organization | None = None) -> QuerySet[User]:
    """The inspectors (and regulator administrators) a user may put on an inspection: those of the regions below
    theirs and of theirs and the regions above it (whose jurisdiction holds theirs); for a known subject, those
    whose jurisdiction holds it. Their own region's first, then from the nearest."""
    queryset = User.objects.filter(is_active=True, role__in=[Role.INSPECTOR, Role.REGULATOR_ADMIN]).select_related(
        "region"
    )
    if organization is not None:
        queryset = queryset.filter(_holders_q(organization.region))
    elif user.is_regulator and not user.sees_everything:
        region = user.region
        assert region is not None, "a regulator has a region (check constraint user_regulator_has_region)"
        queryset = queryset.filter(_within_q(region) | _holders_q(region))
    return queryset.order_by("-region__code", "role", "username")


def plan_inspector_pool(region: Region) -> list[User]:
    """The active inspectors a plan of ``region`` sends (双随机): those of the region and the regions below it,
    and of the regions above it, whose jurisdiction holds the whole region. A subject's team is drawn from those
    whose jurisdiction holds the subject (``rules.draw``), so that what is drawn can be carried out."""
    return list(
        User.objects.filter(role=Role.INSPECTOR, is_active=True)
        .filter(_within_q(region) | _holders_q(region))
        .select_related("region")
        .order_by("pk")
    )


def subject_inspectors(organization: Organization, *, within: Region) -> list[User]:
    """The active inspectors of ``within`` (a plan's or a look-back's region, and the regions above and below it)
    whose jurisdiction holds ``organization``, by pk."""
    return [
        user
        for user in plan_inspector_pool(within)
        if user.region is not None and user.region.contains(organization.region_id)  # an inspector's is never None
    ]


def risk_weights(organizations: QuerySet[Organization]) -> dict[int, Decimal]:
    """A simple risk weight per organisation (the risk grade will replace it): 1, plus one for each finding of
    the last three years, plus two for each rectification now overdue, plus one per 10 compliance gaps."""
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
    for late in overdue:
        weights[late["decision__inspection__organization_id"]] += 2 * late["n"]
    gaps = ComplianceGap.latest_counts(ids)
    for pk, count in gaps.items():
        weights[pk] += Decimal(count) / 10
    return weights


def plan_candidates(plan: InspectionPlan) -> list[tuple[int, Decimal, str]]:
    """The active organisations of the plan's kinds in its region, by pk, each with its risk weight and region."""
    organizations = Organization.objects.filter(
        region__code__range=region_code_range(plan.region.prefix),
        kind__in=plan.subject_kinds,
        status=OrganizationStatus.ACTIVE,
    ).order_by("pk")
    weights = risk_weights(organizations)
    ids = list(weights)
    for answer in hooks.draw_weights.results(plan=plan, organization_ids=ids):  # the risk grades, where present
        weights |= {pk: weight for pk, weight in answer.items() if pk in weights}
    return [(pk, weights[pk], region) for pk, region in organizations.values_list("pk", "region_id")]


def plan_forced(plan: InspectionPlan, organization_ids: list[int]) -> set[int]:
    """The candidates the draw takes first (a grade's minimum inspections a year): what the hooks answer."""
    wanted = set(organization_ids)
    forced: set[int] = set()
    for answer in hooks.forced_subjects.results(plan=plan, organization_ids=organization_ids):
        forced |= set(answer) & wanted
    return forced


def _redraw(plan: InspectionPlan) -> rules.Draw | None:
    """The draw again from its recorded input (candidates with their weights and regions, the inspectors with
    their jurisdictions, the seed); None where nothing was recorded."""
    recorded = plan.draw_input or {}
    if plan.status != PlanStatus.DRAWN or not recorded or plan.seed is None:
        return None
    candidates = recorded["candidates"]
    inspectors = recorded["inspectors"]
    staffed = bool(recorded.get("by_jurisdiction"))  # teams from the inspectors whose jurisdiction holds each
    return rules.draw(
        candidates=[(row[0], Decimal(row[1])) for row in candidates],
        inspectors=[i[0] for i in inspectors] if staffed else inspectors,
        wanted=plan.subjects_wanted,
        per_subject=plan.inspectors_per_subject,
        seed=plan.seed,
        subject_regions={row[0]: row[2] for row in candidates} if staffed else None,
        inspector_prefixes=dict(inspectors) if staffed else None,
        forced=frozenset(recorded.get("forced") or ()),
    )


def plan_verify_draw(plan: InspectionPlan) -> bool:
    """Redo the draw from its recorded input: does it give exactly the recorded subjects, ranks and teams?"""
    again = _redraw(plan)
    if again is None:
        return False  # nothing recorded to redo the draw from
    subjects = list(plan.subjects.order_by("rank").prefetch_related("inspectors"))
    return [pk for pk, _weight in again.subjects] == [s.organization_id for s in subjects] and again.inspectors == [
        sorted(user.pk for user in s.inspectors.all()) for s in subjects
    ]


def plan_unstaffed(plan: InspectionPlan) -> list[Organization]:
    """The candidates of a drawn plan that could not be drawn: fewer inspectors of the plan hold them than a team
    needs (their regions want inspectors)."""
    again = _redraw(plan)
    if again is None or not again.unstaffed:
        return []
    return list(Organization.objects.filter(pk__in=again.unstaffed).select_related("region").order_by("region", "pk"))


def inspection_list(*, user: User, filters: dict | None = None) -> QuerySet[Inspection]:
    filters = filters or {}
    queryset = (
        Inspection.objects.visible_to(user)
        .select_related("organization__region", "region")
        .annotate(finding_count=Count("findings", distinct=True))
    )
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    elif filters.get("open"):  # not completed yet: planned or in progress
        queryset = queryset.exclude(status=InspectionStatus.COMPLETED)
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    year = str(filters.get("year") or "").strip()
    if year.isdigit() and len(year) == 4:
        queryset = queryset.filter(inspected_on__year=int(year))
    q = (filters.get("q") or "").strip()
    if q:
        queryset = queryset.filter(Q(code__icontains=q) | Q(organization__name__icontains=q))
    if filters.get("mine") and getattr(user, "is_regulator", False):
        queryset = queryset.filter(inspectors__user=user)
    return queryset.order_by("-inspected_on", "-id")


def inspection_get(*, user: User, code: str) -> Inspection:
    return get_object_or_404(
        Inspection.objects.visible_to(user).select_related("organization__region", "region", "plan_subject__plan"),
        code=code,
    )


def decision_list(*, user: User, filters: dict | None = None) -> QuerySet[Decision]:
    filters = filters or {}
    queryset = Decision.objects.visible_to(user).select_related("inspection__organization", "rectification")
    if filters.get("measure"):
        queryset = queryset.filter(measure=filters["measure"])
    return queryset.order_by("-decided_on", "-id")


def decision_get(*, user: User, code: str) -> Decision:
    return get_object_or_404(
        Decision.objects.visible_to(user).select_related("inspection__organization__region", "certificate__person"),
        code=code,
    )


def rectification_list(
    *, user: User, filters: dict | None = None, today: dt.date | None = None
) -> QuerySet[Rectification]:
    today = today or timezone.localdate()
    filters = filters or {}
    queryset = Rectification.objects.visible_to(user).select_related("decision__inspection__organization")
    state = filters.get("state")
    if state == "overdue":
        queryset = queryset.exclude(status=RectificationStatus.CLOSED).filter(due_on__lt=today)
    elif state == "to_verify":
        queryset = queryset.filter(status=RectificationStatus.SUBMITTED)
    elif state == "open":
        queryset = queryset.exclude(status=RectificationStatus.CLOSED)
    elif state == "closed":
        queryset = queryset.filter(status=RectificationStatus.CLOSED)
    return queryset.order_by("due_on", "id")


def rectification_overdue(findings: Iterable[Finding], *, on: dt.date) -> bool:
    """Was an order to rectify these findings not complied with by its deadline (still open after it on ``on``,
    or closed late)? Then a fine for them takes the range for violations not corrected in time."""
    findings = list(findings)
    return OverdueOrders(f.pk for f in findings).overdue(findings, on=on)


class OverdueOrders:
    """``rectification_overdue`` for many decisions at once (imports): the orders to rectify of the given findings
    that are or may become not complied with, read in one query per few thousand findings; then ``overdue``
    answers for any of those findings on any day, as ``rectification_overdue`` would, without a query."""

    def __init__(self, finding_ids: Iterable[int]) -> None:
        self.orders: dict[int, list[tuple[bool, dt.date]]] = {}
        ids = sorted(set(finding_ids))
        for start in range(0, len(ids), 5000):
            found = (
                Rectification.objects.filter(decision__findings__in=ids[start : start + 5000])
                .filter(
                    Q(status__in=[RectificationStatus.OPEN, RectificationStatus.SUBMITTED])
                    | Q(status=RectificationStatus.CLOSED, closed_on__gt=F("due_on"))
                )
                .values_list("decision__findings", "status", "due_on")
            )
            for finding_id, status, due_on in found:
                self.orders.setdefault(finding_id, []).append((status == RectificationStatus.CLOSED, due_on))

    def add(self, findings: Iterable[Finding], *, due_on: dt.date, closed_late: bool) -> None:
        """An order to rectify ``findings`` written since (an earlier row of an import): open, or closed late."""
        for f in findings:
            self.orders.setdefault(f.pk, []).append((closed_late, due_on))

    def overdue(self, findings: Iterable[Finding], *, on: dt.date) -> bool:
        """Closed late, or still open after its deadline on ``on``."""
        return any(closed_late or due_on < on for f in findings for closed_late, due_on in self.orders.get(f.pk, ()))


def lookback_candidates(*, region: Region, since: dt.date, until: dt.date) -> list[Rectification]:
    """The rectifications of a region closed in a period and not looked back at yet, by pk."""
    return list(
        Rectification.objects.filter(
            status=RectificationStatus.CLOSED,
            closed_on__range=(since, until),
            decision__inspection__organization__region__code__range=region_code_range(region.prefix),
            lookbacks__isnull=True,
        )
        .select_related("decision__inspection__organization")
        .order_by("pk")
    )


def suggested_overdue_penalty(rectification: Rectification) -> dict | None:
    """The range for violations not corrected in time, of the order's findings (what escalation suggests): one
    range per distinct violation (``rules.violations``), and that of the person directly responsible."""
    findings = [
        f
        for f in rectification.decision.findings.select_related("violation__instrument", "person")
        if f.violation is not None and f.violation.overdue_fine_max is not None
    ]
    if not findings:
        return None
    found = rules.violations(findings, overdue=True)
    responsible = [v.responsible for v in found if v.responsible is not None]
    return {
        "low": sum(v.low for v in found),
        "high": sum(v.high for v in found),
        "suspend": any(v.item.overdue_suspend for v in found),
        "basis": "；".join(dict.fromkeys(v.basis for v in found)),
        "responsible_low": sum(low for low, _high in responsible) if responsible else None,
        "responsible_high": sum(high for _low, high in responsible) if responsible else None,
    }


def catalogue(*, subject_type: str | None = None) -> QuerySet[ViolationItem]:
    queryset = ViolationItem.objects.filter(retired=False).select_related("instrument")
    if subject_type:
        queryset = queryset.filter(subject_type=subject_type)
    return queryset.order_by("subject_type", "surface", "code")


def current_violations() -> dict[str, ViolationItem]:
    """The current version of every violation item, by code (answers compliance's violation_catalogue hook)."""
    return {item.code: item for item in ViolationItem.objects.filter(retired=False).select_related("instrument")}


def checklist_items(subject_type: str) -> QuerySet[ViolationItem]:
    """The checklist of a subject type: its catalogue items in force, then the surface items."""
    return (
        ViolationItem.objects.filter(retired=False)
        .filter(Q(subject_type=subject_type) | Q(subject_type=SubjectType.ANY))
        .order_by("surface", "code")
    )


def current_item(code: str) -> ViolationItem | None:
    """The version in force of a catalogue item."""
    return ViolationItem.objects.filter(code=code, retired=False).first()


def violation_get(pk: int | str | None) -> ViolationItem | None:
    """A catalogue item (any version) by primary key, or None."""
    return ViolationItem.objects.filter(pk=pk).first() if pk else None


# -- spot exams --------------------------------------------------------------------------------------------------


def decision_preview(findings: list[Finding], *, on: dt.date) -> rules.FineRange | None:
    """The lawful range of a fine on the findings that provide one, as it would be decided on ``on``: what the
    decision form shows the inspector (one range per distinct violation, the persons concerned, the range of
    the person directly responsible where a violation was not corrected in time)."""
    fined = [
        f
        for f in findings
        if f.violation is not None and (f.violation.fine_max is not None or f.violation.overdue_fine_max is not None)
    ]
    if not fined:
        return None
    return rules.fine_range(fined, overdue=rectification_overdue(fined, on=on))


def responsible_candidates(organization: Organization, day: dt.date) -> list[tuple[Person, str]]:
    """Registered persons of the subject on ``day`` who may be named as directly responsible: its principals and
    safety managers first, then the others, each once with their post."""
    first: dict[str, int] = {AssignmentRole.PRINCIPAL: 0, AssignmentRole.SAFETY_MANAGER: 1}
    assignments = (
        Assignment.objects.filter(organization=organization, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("person")
    )
    seen: dict[int, tuple[int, Person, str]] = {}
    for assignment in assignments:
        rank = first.get(assignment.role, 2)
        known = seen.get(assignment.person_id)
        if known is None or rank < known[0]:
            seen[assignment.person_id] = (rank, assignment.person, str(assignment.get_role_display()))
    ordered = sorted(seen.values(), key=lambda entry: (entry[0], entry[1].name, entry[1].pk))
    return [(person, role) for _rank, person, role in ordered]


def registered_person(*, user: User, id_number: str) -> Person | None:
    """The registered person of an ID number, among those the user may see (a decision's responsible person)."""
    return Person.objects.visible_to(user).filter(id_number=id_number.strip().upper()).first()


def roster(organization: Organization, day: dt.date) -> QuerySet[Assignment]:
    """The current assignments of an organisation that spot exams draw from (dispatched workers included)."""
    return (
        Assignment.objects.filter(organization=organization, role__in=list(rules.SPOT_WEIGHTS), start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("person", "operation_item")
        .order_by("pk")
    )


# The general bank of a worker whose operation item has no bank of its own: that of all employees (从业人员).
GENERAL_BANK = AssignmentRole.EMPLOYEE


def spot_question_bank(assignment: Assignment) -> tuple[list[tuple[int, str, list | None]], str]:
    """The active questions for a worker's post, as (pk, type, options) sorted by pk, and the trainee category of
    the bank they come from ('' for an operation item's): the operation item's bank for a special operator (the
    general bank of employees where the item has none), the trainee category's for the others."""
    active = Question.objects.active()
    category = assignment.role
    if assignment.role == AssignmentRole.SPECIAL_OPERATOR:
        own = _bank_rows(active.filter(operation_item=assignment.operation_item))
        if own or assignment.operation_item_id is None:
            return own, ""
        category = GENERAL_BANK
    return _bank_rows(active.filter(trainee_category=category)), category


def _bank_rows(bank: QuerySet[Question]) -> list[tuple[int, str, list | None]]:
    return sorted(bank.values_list("pk", "qtype", "options"), key=lambda row: row[0])


def spot_open(raw: str) -> SpotExam:
    """The spot exam of a one-time link, while the link is unused and not expired."""
    exam = (
        SpotExam.objects.select_related("person", "inspection__organization")
        .filter(token_hash=rules.spot_token_hash(raw))
        .first()
    )
    if exam is None or exam.status != SpotExamStatus.DRAWN:
        raise DomainError("link_used", _("This link is not valid or has been used."), status=404)
    if exam.expires_at < timezone.now():
        raise DomainError("link_expired", _("This link has expired: ask the inspector for a new one."), status=410)
    return exam


def spot_exam_paper(exam: SpotExam) -> list[dict]:
    """The paper as the worker sees it: each question with its options in the drawn order, lettered A, B …"""
    questions = Question.objects.in_bulk([item["q"] for item in exam.items])
    letters = "ABCDEF"
    paper = []
    for position, item in enumerate(exam.items):
        question = questions[item["q"]]
        options = [(letters[i], question.options[original]) for i, original in enumerate(item["o"])]
        paper.append({"position": position, "question": question, "options": options})
    return paper


# -- soft-enforcement indicators ---------------------------------------------------------------------------------


def _ratio(part, whole) -> float | None:
    return round(float(part) / float(whole), 3) if whole else None


def indicators(*, user: User, region: Region, since: dt.date, until: dt.date, today: dt.date | None = None) -> dict:
    """Share of inspections with only surface findings, share of findings with no decision, fines relative to
    the legal maximum, overdue and unverified rectifications — for the region, and for each region below it."""
    today = today or timezone.localdate()
    low, high = region_code_range(region.prefix)
    inspections = Inspection.objects.visible_to(user).filter(
        organization__region__code__range=(low, high), inspected_on__range=(since, until)
    )
    substantive = Finding.objects.filter(inspection=OuterRef("pk"), surface=False)
    any_finding = Finding.objects.filter(inspection=OuterRef("pk"))
    findings = Finding.objects.filter(inspection__in=inspections.values("pk"))
    fines = Decision.objects.filter(inspection__in=inspections.values("pk"), measure=Measure.FINE)
    rectifications = Rectification.objects.filter(decision__inspection__in=inspections.values("pk"))
    length = {"nation": 2, "province": 4, "city": 6}.get(region.level, 6)

    def block(inspection_qs, finding_qs, fine_qs, rect_qs) -> dict:
        inspection_counts = inspection_qs.aggregate(
            total=Count("id"),
            completed=Count("id", filter=Q(status=InspectionStatus.COMPLETED)),
        )
        surface_only = inspection_qs.filter(Exists(any_finding), ~Exists(substantive)).count()
        with_findings = inspection_qs.filter(Exists(any_finding)).count()
        finding_counts = finding_qs.aggregate(
            total=Count("id", distinct=True),  # a finding may rest under several decisions
            undecided=Count("id", filter=Q(decisions__isnull=True), distinct=True),
        )
        fine_sum = fine_qs.aggregate(total=Sum("fine_yuan"))["total"] or Decimal(0)
        # The legal maximum of each fine: the top of the lawful range it was set in (one range per distinct
        # violation, recorded with the decision).
        legal_max = fine_qs.aggregate(top=Sum("fine_high"))["top"] or Decimal(0)
        rect = rect_qs.aggregate(
            total=Count("id"),
            overdue=Count("id", filter=~Q(status=RectificationStatus.CLOSED) & Q(due_on__lt=today)),
            unverified=Count("id", filter=Q(status=RectificationStatus.SUBMITTED)),
            closed_late=Count("id", filter=Q(status=RectificationStatus.CLOSED, closed_on__gt=F("due_on"))),
        )
        return {
            "inspections": inspection_counts["total"],
            "completed": inspection_counts["completed"],
            "with_findings": with_findings,
            "surface_only": surface_only,
            "surface_only_share": _ratio(surface_only, with_findings),
            "findings": finding_counts["total"],
            "undecided": finding_counts["undecided"],
            "undecided_share": _ratio(finding_counts["undecided"], finding_counts["total"]),
            "fines": fine_qs.count(),
            "fine_total": fine_sum,
            "fine_legal_max": legal_max,
            "fine_to_max": _ratio(fine_sum, legal_max),
            "rectifications": rect["total"],
            "overdue": rect["overdue"],
            "unverified": rect["unverified"],
            "closed_late": rect["closed_late"],
        }

    overall = block(inspections, findings, fines, rectifications)
    children = []
    codes = sorted(
        {code[:length].ljust(6, "0") for code in inspections.values_list("organization__region_id", flat=True)}
    )
    names = Region.objects.in_bulk(codes)
    for code in codes:
        prefix = code[:length]
        child_inspections = inspections.filter(organization__region__code__startswith=prefix)
        children.append(
            {
                "code": code,
                "name": names[code].name if code in names else code,
                **block(
                    child_inspections,
                    findings.filter(inspection__organization__region__code__startswith=prefix),
                    fines.filter(inspection__organization__region__code__startswith=prefix),
                    rectifications.filter(decision__inspection__organization__region__code__startswith=prefix),
                ),
            }
        )
    return {"overall": overall, "children": children, "since": since, "until": until, "region": region}


def public_cases() -> QuerySet[Decision]:
    return (
        Decision.objects.filter(publicized=True)
        .select_related("inspection__organization__region")
        .prefetch_related("findings__violation")
        .order_by("-decided_on", "-id")
    )
