"""The registry's read path: every user-facing read is scoped by ``visible_to``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from peikao.core.models import User, region_code_range
from peikao.registry.choices import OrganizationKind, OrganizationStatus, PersonLinkStatus
from peikao.registry.filters import AssignmentFilter, OrganizationFilter, PersonFilter
from peikao.registry.models import Assignment, Organization, OrganizationEvent, Person, PersonLink


def organization_list(*, user: User, filters: dict | None = None) -> QuerySet[Organization]:
    queryset = Organization.objects.visible_to(user).select_related("region__parent", "industry", "parent")
    return OrganizationFilter(filters or {}, queryset=queryset).qs.order_by("org_code")


def organization_counts(*, user: User) -> dict[str, int]:
    """The organisations the user sees, counted per kind (one query)."""
    rows = Organization.objects.visible_to(user).values_list("kind").annotate(n=Count("id")).order_by()
    return dict(rows.values_list("kind", "n"))


def organization_get(*, user: User, org_code: str) -> Organization:
    queryset = Organization.objects.visible_to(user).select_related("region__parent__parent", "industry", "parent")
    return get_object_or_404(queryset.prefetch_related("operation_items"), org_code=org_code)


def openable_organizations(*, user: User, organizations: Iterable[Organization | None]) -> set[int]:
    """Which of ``organizations`` the user may open (their page): a page links to the others by name only.
    One query, through the same scoping as the organisation's page."""
    ids = {org.pk for org in organizations if org is not None}
    if not ids:
        return set()
    return set(Organization.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def organization_events(*, user: User, organization: Organization) -> QuerySet[OrganizationEvent]:
    return OrganizationEvent.objects.visible_to(user).filter(organization=organization).order_by("-time", "-id")


def organization_staff_counts(*, user: User, organization: Organization) -> dict[str, int]:
    rows = (
        Assignment.objects.visible_to(user)
        .filter(organization=organization, end_date__isnull=True)
        .values("role")
        .annotate(n=Count("id"))
    )
    return {row["role"]: row["n"] for row in rows}


def person_list(*, user: User, filters: dict | None = None) -> QuerySet[Person]:
    queryset = Person.objects.visible_to(user)
    return PersonFilter(filters or {}, queryset=queryset).qs.order_by("name", "id")


def person_get(*, user: User, pk: int) -> Person:
    return get_object_or_404(Person.objects.visible_to(user), pk=pk)


def assignment_list(*, user: User, filters: dict | None = None) -> QuerySet[Assignment]:
    """Assignments the user may see; for an organisation's member each carries ``person_label``, the person's name
    as it may read it (ADR 0009: the name it entered until its link is confirmed)."""
    queryset: QuerySet[Assignment] = Assignment.objects.visible_to(user).select_related(
        "person", "organization", "operation_item", "dispatched_by"
    )
    if user.is_org_member:
        queryset = queryset.annotate(person_label=_person_label(user, key="person_id", name="person__name")[0])
    return AssignmentFilter(filters or {}, queryset=queryset).qs


def _person_label(user: User, *, key: str, name: str) -> tuple[Case, Exists]:
    """ADR 0009's rule of what an organisation's member reads of a person of its records, in SQL, for the rows
    whose person's key is ``key`` and name ``name``: the label — the registered name once its organisation's link is
    confirmed, else the name it entered ("" when none: the caller shows the masked ID number) — and whether it may
    open the person's record."""
    own = Q(organization_id=user.organization_id)  # none for a member of no organisation
    link = PersonLink.objects.filter(own, person=OuterRef(key))
    confirmed = Exists(link.filter(status=PersonLinkStatus.CONFIRMED))
    entered = Subquery(link.values("entered_name")[:1])
    return Case(When(confirmed, then=F(name)), default=Coalesce(entered, Value(""))), confirmed


ROLE_ORDER = [
    "principal",
    "safety_manager",
    "special_operator",
    "teacher",
    "practical_instructor",
    "exam_admin",
    "examiner",
    "proctor",
    "employee",
]


def roster(*, user: User, organization: Organization) -> QuerySet[Assignment]:
    """Current assignments at an organisation: principals first, then managers, operators, others."""
    order = Case(*[When(role=role, then=index) for index, role in enumerate(ROLE_ORDER)], default=len(ROLE_ORDER))
    return (
        assignment_list(user=user, filters={"organization": organization.org_code, "current": True})
        .annotate(role_order=order)
        .order_by("role_order", "person__name", "pk")
    )


def assignment_get(*, user: User, pk: int) -> Assignment:
    return get_object_or_404(assignment_list(user=user), pk=pk)


def dispatcher_choices(*, user: User) -> QuerySet[Organization]:
    """Labour-dispatch companies a roster may name. Regulators pick from their jurisdiction; an
    organisation names any active dispatch company of its province (their names are public
    registrations; naming one reveals nothing else of it)."""
    dispatch = Organization.objects.filter(kind=OrganizationKind.LABOR_DISPATCH)
    if user.is_org_member:
        low, high = region_code_range(user.organization.region_id[:2])
        return dispatch.filter(status=OrganizationStatus.ACTIVE, region__code__range=(low, high))
    return dispatch.visible_to(user)


def region_filter_choices(*, user: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """Cities and their counties within the user's jurisdiction, for a region filter (grouped by city)."""
    from peikao.core.choices import RegionLevel
    from peikao.core.models import Region

    if not (user.is_regulator or user.is_system_admin):
        return []
    regions = Region.objects.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY])
    if not user.sees_everything:
        regions = regions.filter(code__range=region_code_range(user.jurisdiction.prefix))
    else:  # the whole country: provinces and cities are enough to choose from
        regions = regions.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY])
    groups: dict[str, list[tuple[str, str]]] = {}
    names = {}
    for region in regions.order_by("code"):
        names[region.code] = region.name
        if region.level == RegionLevel.PROVINCE:
            groups.setdefault(region.code, []).append((region.code, f"{region.name}（全省）"))
        elif region.level == RegionLevel.CITY:
            groups.setdefault(region.code, []).append((region.code, f"{region.name}（全市）"))
        else:
            groups.setdefault(region.code[:4] + "00", []).append((region.code, region.name))
    return [(names.get(code, code), options) for code, options in groups.items()]


def person_link_list(*, user: User, status: str | None = None) -> QuerySet[PersonLink]:
    """Person links the user may see (ADR 0009): an organisation its own, a regulator those of its region (pending
    first: they wait for a match), a candidate those naming them."""
    queryset = PersonLink.objects.visible_to(user).select_related("organization", "person")
    if status:
        queryset = queryset.filter(status=status)
    pending_first = Case(When(status=PersonLinkStatus.PENDING, then=0), default=1)
    return queryset.order_by(pending_first, "-created_at", "-id")


def person_link_get(*, user: User, pk: int) -> PersonLink:
    return get_object_or_404(PersonLink.objects.visible_to(user).select_related("organization", "person"), pk=pk)


def person_link_shows_person(*, user: User, link: PersonLink) -> bool:
    """Whether the user reading ``link`` may read the registered person behind it: not an organisation whose link
    is unconfirmed (it reads only what it entered)."""
    return not user.is_org_member or link.status == PersonLinkStatus.CONFIRMED  # its own links only (visible_to)


def label_persons(*, user: User, persons: list[Person]) -> list[Person]:
    """Set ``person.label``, the name ``user`` may read for each of the persons of its own records (ADR 0009), and
    ``person.readable``, whether it may open the person's record: the registered name and yes, except for an
    organisation's member without a confirmed link — the name it entered (or the masked ID number) and no. One
    query."""
    shown: dict[int, tuple[str, bool]] = {}
    if user.is_org_member:
        label, readable = _person_label(user, key="pk", name="name")
        rows = Person.objects.filter(pk__in={p.pk for p in persons}).annotate(_label=label, _readable=readable)
        shown = {pk: (text, may) for pk, text, may in rows.values_list("pk", "_label", "_readable")}
    for person in persons:
        text, person.readable = shown.get(person.pk, (person.name, True))
        person.label = text or person.masked_id_number
    return persons
