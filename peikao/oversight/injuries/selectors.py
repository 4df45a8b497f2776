"""The read path of injury cases: scoped to the regulators of the employer's region (``InjuryCase.Scope``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet
from django.http import Http404

from peikao.core.scoping import region_code_range
from peikao.oversight.injuries.choices import LinkStatus
from peikao.oversight.injuries.models import InjuryCase
from peikao.registry.models import Assignment

if TYPE_CHECKING:
    from peikao.core.models import Region, User


def _visible(user: User | None) -> QuerySet[InjuryCase]:
    return InjuryCase.objects.visible_to(user) if user is not None else InjuryCase.objects.all()


def injury_list(
    *,
    user: User | None,
    region: Region | None = None,
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[InjuryCase]:
    cases = _visible(user).select_related("organization", "dispatched_by", "operation_item", "person")
    if region is not None:
        cases = cases.filter(organization__region__code__range=region_code_range(region.prefix))
    if status:
        cases = cases.filter(link_status=status)
    if date_from is not None:
        cases = cases.filter(occurred_on__gte=date_from)
    if date_to is not None:
        cases = cases.filter(occurred_on__lte=date_to)
    return cases


def review_queue(*, user: User, region: Region | None = None) -> QuerySet[InjuryCase]:
    """Cases awaiting a clerk's decision, oldest first."""
    return injury_list(user=user, region=region, status=LinkStatus.REVIEW).order_by("occurred_on", "case_no")


def injury_get(*, user: User, pk: int) -> InjuryCase:
    case = injury_list(user=user).filter(pk=pk).first()
    if case is None:
        raise Http404("no such injury case in the jurisdiction")
    return case


def link_counts(*, user: User, region: Region | None = None) -> dict[str, int]:
    """How many cases stand in each link status (unlinked ones are counted, not hidden)."""
    rows = injury_list(user=user, region=region).order_by().values("link_status").annotate(n=Count("pk"))
    return dict.fromkeys(LinkStatus.values, 0) | {row["link_status"]: row["n"] for row in rows}


def injuries_stream(*, user: User | None, region: Region | None = None) -> Iterator[Any]:
    """Every visible case as the export writes it (full numbers: the export kind checks the right to see them)."""
    rows = (
        injury_list(user=user, region=region)
        .order_by("case_no")
        .values(
            "case_no",
            "id_number",
            "name",
            "organization__org_code",
            "dispatched_by__org_code",
            "occurred_on",
            "operation_item__code",
            "severity",
            "person_id",
            "person__id_number",
            "link_status",
            "match_weight",
        )
    )
    yield from rows.iterator(chunk_size=5000)


def shown_numbers(*, person_id: int | None, person_number: str | None, given: str) -> list[tuple[int | None, str]]:
    """The full ID numbers a row shows, for the ID-view log: the linked (or proposed) person's, and the number as
    the injury system gave it when that differs and has an ID number's 18 characters (a shorter or longer one is
    nobody's); a number given of nobody linked is logged without a person."""
    shown: list[tuple[int | None, str]] = [(person_id, person_number)] if person_id and person_number else []
    if len(given) == 18 and given != person_number:
        shown.append((person_id, given))
    return shown


def employed_pairs(pairs: list[tuple[int | None, int]]) -> set[tuple[int, int]]:
    """Which (person, organisation) pairs have an assignment there (one query): the review shows whether the
    proposed person is on the employer's roster."""
    persons = {person for person, _org in pairs if person}
    orgs = {org for _person, org in pairs}
    if not persons:
        return set()
    found = Assignment.objects.filter(person_id__in=persons, organization_id__in=orgs).values_list(
        "person_id", "organization_id"
    )
    return set(found.distinct())
