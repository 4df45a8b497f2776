"""The compliance read path: an enterprise's gaps computed live; a region's from its latest scan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.compliance import gaps
from peikao.compliance.hooks import violation_catalogue
from peikao.compliance.models import ComplianceGap, ComplianceScan
from peikao.compliance.rules import GAP_VIOLATIONS, GapType
from peikao.compliance.services import GapRow, explain
from peikao.core.citations import cite_reference
from peikao.core.models import LegalInstrument, Region, User
from peikao.core.scoping import region_code_range
from peikao.registry.models import OperationItem, Organization, Person

#: The tag beside a basis that could not be checked against the primary text.
UNCONFIRMED = _("to be confirmed")


def violation_bases() -> dict[str, Any]:
    """The current violation catalogue by code (owned by enforcement, asked through a hook)."""
    catalogue: dict[str, Any] = {}
    for part in violation_catalogue.results():
        catalogue |= part
    return catalogue


def scope_for(user: User | None, region=None) -> gaps.Scope | None:
    """The enterprises a user may see gaps of (``None``: nothing), narrowed to ``region`` if given."""
    if user is None or user.sees_everything:
        return gaps.Scope(region_prefix=region.prefix if region is not None and region.level != "nation" else None)
    if user.is_regulator:
        jurisdiction = user.jurisdiction
        if region is not None and jurisdiction.contains(region.code):
            return gaps.Scope(region_prefix=region.prefix)
        return gaps.Scope(region_prefix=jurisdiction.prefix if jurisdiction.level != "nation" else None)
    if user.is_org_member:
        return gaps.Scope(organization_id=user.organization_id)
    return None


def enriched(rows: list[tuple], *, show_id_numbers: bool = False) -> list[dict]:
    """Rows of gaps.rows() with names, codes, the violation and its basis, and the detail in words; an advisory
    gap says why it is one (``advisory_reason``) and has no violation; ``note`` adds 待确认 where the rule applied
    is not confirmed."""
    if not rows:
        return []
    records = [GapRow(*row) for row in rows]
    organizations = Organization.objects.in_bulk(
        {r.organization_id for r in records} | {r.dispatched_by_id for r in records if r.dispatched_by_id}
    )
    persons = Person.objects.in_bulk({r.person_id for r in records})
    items = OperationItem.objects.in_bulk({r.operation_item_id for r in records if r.operation_item_id})
    bases = violation_bases()
    titles = dict(LegalInstrument.objects.values_list("code", "title"))
    out = []
    for record in records:
        person = persons[record.person_id]
        organization = organizations[record.organization_id]
        violation = bases.get(record.violation_code)
        reason = str(record.advisory_reason)
        note = [reason] if reason else []
        if record.unconfirmed:
            note.append(str(UNCONFIRMED))
        out.append(
            {
                "org_code": organization.org_code,
                "org_name": organization.name,
                "person_id": person.pk,
                "person_name": person.name,
                "id_number": person.id_number if show_id_numbers else person.masked_id_number,
                "gap": record.gap,
                "gap_label": str(GapType(record.gap).label),
                "violation_code": record.violation_code,
                "violation_name": violation.label if violation else "",
                "violation_basis": str(violation.basis_title) if violation else "",
                "rule": record.rule,
                "basis": cite_reference(record.rule, titles) or record.rule,
                "advisory": record.advisory,
                "advisory_reason": reason,
                "unconfirmed": record.unconfirmed,
                "note": "；".join(note),
                "detail": str(explain(record, items, organizations)),
                "dispatched_by": organizations[record.dispatched_by_id].name if record.dispatched_by_id else "",
            }
        )
    return out


def enterprise_gaps(*, user: User, organization: Organization, as_of: dt.date | None = None) -> list[dict]:
    """Computed now from the roster and the rules in force on ``as_of``; ``organization`` was fetched scoped."""
    as_of = as_of or timezone.localdate()
    if scope_for(user) is None:
        raise Http404
    return enriched(list(gaps.rows(as_of, gaps.Scope(organization_id=organization.pk))))


def stream(*, user: User, as_of: dt.date, region=None, show_id_numbers: bool = True) -> Iterator[dict]:
    """Every gap the user may see, computed now, in batches (the compliance_gaps export)."""
    scope = scope_for(user, region)
    if scope is None:
        return
    batch: list[tuple] = []
    for row in gaps.rows(as_of, scope):
        batch.append(row)
        if len(batch) >= 5000:
            yield from enriched(batch, show_id_numbers=show_id_numbers)
            batch = []
    yield from enriched(batch, show_id_numbers=show_id_numbers)


def latest_scan(*, user: User, region) -> ComplianceScan | None:
    """The newest finished scan that covers ``region``: its own, or one of a region above it (a province's
    scan covers its counties; the rows shown are then narrowed to the region and to what the user sees)."""
    covered = region is None or (user.is_regulator and user.jurisdiction.contains(region.code))
    if not (user.sees_everything or (user.is_regulator and covered)):
        return None
    queryset = ComplianceScan.objects.filter(finished_at__isnull=False)
    if region is None or region.level == "nation":
        queryset = queryset.filter(Q(region__isnull=True) | Q(region__code="000000"))
    else:
        code = region.code
        covering = {code, code[:4] + "00", code[:2] + "0000", "000000"}
        queryset = queryset.filter(Q(region__isnull=True) | Q(region__code__in=covering))
    return queryset.order_by("-finished_at").first()


def region_summary(*, user: User, scan: ComplianceScan, region=None) -> dict:
    """Counts by gap type (violations and advisory gaps apart), the enterprises with most gaps, and the counts per
    child region, from a scan
    (narrowed to ``region`` when the scan is of a region above it)."""
    region = region or scan.region
    rows = ComplianceGap.objects.filter(scan=scan).visible_to(user)
    if region is not None and region.level != "nation" and region.pk != scan.region_id:
        rows = rows.filter(organization__region__code__range=region_code_range(region.prefix))
    counts = rows.values("gap").annotate(n=Count("id"), advisory=Count("id", filter=Q(advisory=True))).order_by()
    by_gap = {row["gap"]: row["n"] for row in counts}
    advisory = {row["gap"]: row["advisory"] for row in counts}
    top = list(
        rows.values("organization__org_code", "organization__name", "organization__region__name")
        .annotate(n=Count("id"))
        .order_by("-n", "organization__org_code")[:50]
    )
    length = {"province": 4, "city": 6}.get(region.level if region is not None else "nation", 2)
    children: dict[str, int] = {}
    for region_code, count in rows.values_list("organization__region_id").annotate(n=Count("id")).order_by():
        key = region_code[:length].ljust(6, "0")
        children[key] = children.get(key, 0) + count
    names = Region.objects.in_bulk(list(children))
    per_region = [
        {"code": code, "name": names[code].name if code in names else code, "n": n}
        for code, n in sorted(children.items(), key=lambda item: -item[1])
    ]
    return {
        # (gap, label, violations, advisory gaps): advisory ones are counted apart, never as violations
        "by_gap": [
            (value, label, by_gap.get(value, 0) - advisory.get(value, 0), advisory.get(value, 0))
            for value, label in GapType.choices
        ],
        "top": top,
        "per_region": per_region,
        "total": sum(by_gap.values()),
        "enterprises": rows.values("organization_id").distinct().count(),
        "range": region_code_range(region.prefix) if region is not None else None,
    }


def gap_violations() -> list[tuple[str, object, str, str, str]]:
    """(gap, its label, the violation's code, its short name, its basis as cited) for every gap type."""
    bases = violation_bases()
    rows: list[tuple[str, object, str, str, str]] = []
    for value, label in GapType.choices:
        code = GAP_VIOLATIONS[value][0]
        item = bases.get(code)
        rows.append((value, label, code, item.label if item else "", item.basis_title if item else ""))
    return rows
