"""Exchange files of enforcement (historical records): inspections.csv, findings.csv, decisions.csv.

Imported decisions are records of what was decided: they do not change organisations' statuses again
(organizations.csv carries the status), but a fine is still checked against the legal range of its findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from peikao.core.errors import DomainError
from peikao.core.exchange import Column, ExchangeKind, ExportContext, ImportContext, Row, WriteCounts, register
from peikao.core.models import Region
from peikao.core.permissions import Perm
from peikao.core.scoping import region_code_range
from peikao.enforcement import rules, selectors, services
from peikao.enforcement.choices import InspectionKind, Measure
from peikao.enforcement.models import Decision, Finding, Inspection, ViolationItem
from peikao.registry.models import Organization, Person

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
TRUE_WORDS = {"true", "yes", "1", "是", "y"}


def _visible(model, user):
    return model.objects.visible_to(user) if user is not None else model.objects.all()


@register
class InspectionsKind(ExchangeKind):
    """inspections.csv — 执法检查 (key: inspection_code)."""

    name = "inspections"
    title = _("Inspections")
    key = ("inspection_code",)

    def row_key(self, cleaned: dict[str, Any]) -> tuple:
        return (cleaned["code"],)

    # Cleaning needs only committed records (organisations, persons, inspections): the next chunk is cleaned while
    # this one is written (PostgreSQL, outside a larger transaction).
    pipelined = True
    import_perm = Perm.INSPECT
    exports_id_numbers = True  # the inspectors, by ID number
    columns = (
        Column("inspection_code", "检查编号", required=True),
        Column("org_code", "被检查单位编码", required=True),
        Column("region_code", "检查地区", required=True),
        Column("inspected_on", "检查日期", required=True),
        Column("kind", "检查方式", required=True),
        Column("inspectors", "执法人员", required=True),
        Column("basis_plan", "计划编号"),
    )

    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        codes = list({r.raw("org_code") for r in rows})
        ctx.cache["orgs"] = {
            o.org_code: o
            for o in _visible(Organization, ctx.user).filter(org_code__any=codes).only("pk", "org_code", "region_id")
        }
        if "regions" not in ctx.cache:  # once per import, not per chunk
            ctx.cache["regions"] = {r.code: r for r in Region.objects.all()}
        numbers = {n.upper() for r in rows for n in r.items("inspectors")}
        ctx.cache["persons"] = {p.id_number: p for p in Person.objects.filter(id_number__any=list(numbers))}
        ctx.cache["existing"] = dict(  # code → the subject's pk
            Inspection.objects.filter(code__any=list({r.raw("inspection_code") for r in rows})).values_list(
                "code", "organization_id"
            )
        )

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        code = row.text("inspection_code", required=True, max_length=40)
        org = ctx.cache["orgs"].get(row.raw("org_code"))
        if row.raw("org_code") and org is None:
            row.fail("org_code", _("No such organisation in your jurisdiction."), code="unknown_org")
        region = ctx.cache["regions"].get(row.raw("region_code"))
        if row.raw("region_code") and region is None:
            row.fail("region_code", _("Unknown region code."), code="unknown_region")
        day = row.date("inspected_on", required=True)
        kind = row.choice("kind", InspectionKind, required=True)
        inspectors = []
        for number in row.items("inspectors"):
            person = ctx.cache["persons"].get(number.upper())
            if person is None:
                row.fail(
                    "inspectors",
                    _("No person with the ID number of an inspector: import persons first."),
                    code="unknown_person",
                )
                break
            inspectors.append(person)
        if len({p.pk for p in inspectors}) < 2 and not row.problems:
            row.fail("inspectors", rules.TWO_INSPECTORS, code="two_inspectors")
        existing = ctx.cache["existing"].get(code)
        if existing is not None and org is not None and existing != org.pk:
            row.fail("org_code", _("This inspection code belongs to another subject."), code="conflict")
        return {
            "code": code,
            "org": org,
            "region": region,
            "day": day,
            "kind": kind,
            "inspectors": inspectors,
        }

    def write(self, rows, ctx: ImportContext) -> WriteCounts:
        records = (
            services.InspectionRecord(
                code=data["code"],
                organization=data["org"],
                region=data["region"],
                inspected_on=data["day"],
                kind=data["kind"],
                inspectors=data["inspectors"],
            )
            for _number, data in rows
        )
        return services.inspection_record_bulk(actor=ctx.user, rows=records)

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        queryset = (
            _visible(Inspection, ctx.user)
            .select_related("organization", "plan_subject")
            .prefetch_related("inspectors__person")
        )
        if ctx.region is not None:
            queryset = queryset.filter(organization__region__code__range=region_code_range(ctx.region.prefix))
        for inspection in queryset.order_by("code").iterator(chunk_size=2000):
            people = [i.person for i in inspection.inspectors.all() if i.person_id]
            yield {
                "inspection_code": inspection.code,
                "org_code": inspection.organization.org_code,
                "region_code": inspection.region_id,
                "inspected_on": inspection.inspected_on.isoformat(),
                "kind": inspection.kind,
                "inspectors": ";".join(person.id_number for person in people),
                "basis_plan": str(inspection.plan_subject.plan_id) if inspection.plan_subject_id else "",
                "_people": [(person.pk, person.id_number) for person in people],
            }

    def export_person_ids(self, row):
        return row["_people"]


@register
class FindingsKind(ExchangeKind):
    """findings.csv — 问题 (key: finding_code)."""

    name = "findings"
    title = _("Findings")
    key = ("finding_code",)

    def row_key(self, cleaned: dict[str, Any]) -> tuple:
        return (cleaned["code"],)

    # Cleaning needs only committed records (organisations, persons, inspections): the next chunk is cleaned while
    # this one is written (PostgreSQL, outside a larger transaction).
    pipelined = True
    import_perm = Perm.INSPECT
    columns = (
        Column("finding_code", "问题编号", required=True),
        Column("inspection_code", "检查编号", required=True),
        Column("violation_code", "违法行为代码", required=True),
        Column("description", "问题描述"),
        Column("evidence_sha256", "证据摘要"),
    )

    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        codes = list({r.raw("inspection_code") for r in rows})
        ctx.cache["inspections"] = {
            i.code: i for i in _visible(Inspection, ctx.user).filter(code__any=codes).only("pk", "code")
        }
        if "items" not in ctx.cache:  # once per import, not per chunk
            ctx.cache["items"] = {i.code: i for i in ViolationItem.objects.filter(retired=False)}
        ctx.cache["existing"] = dict(  # code → the inspection's pk
            Finding.objects.filter(code__any=list({r.raw("finding_code") for r in rows})).values_list(
                "code", "inspection_id"
            )
        )

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        code = row.text("finding_code", required=True, max_length=48)
        inspection = ctx.cache["inspections"].get(row.raw("inspection_code"))
        if row.raw("inspection_code") and inspection is None:
            row.fail(
                "inspection_code",
                _("No such inspection in your jurisdiction: import inspections first."),
                code="unknown_inspection",
            )
        violation_code = row.raw("violation_code")
        item = None
        if violation_code.lower() != "other":
            item = ctx.cache["items"].get(violation_code.upper())
            if violation_code and item is None:
                row.fail(
                    "violation_code",
                    _("Not in the violation catalogue (or use 'other' with a description)."),
                    code="unknown_violation",
                )
        description = row.text("description")
        if violation_code.lower() == "other" and not description:
            row.fail("description", rules.OTHER_NEEDS_TEXT, code="required")
        digests = [d.lower() for d in row.items("evidence_sha256")]
        if any(not _SHA256.match(d) for d in digests):
            row.fail("evidence_sha256", _("A SHA-256 digest is 64 hexadecimal characters."), code="sha256")
        existing = ctx.cache["existing"].get(code)
        if existing is not None and inspection is not None and existing != inspection.pk:
            row.fail("inspection_code", _("This finding code belongs to another inspection."), code="conflict")
        return {
            "code": code,
            "inspection": inspection,
            "item": item,
            "description": description,
            "digests": digests,
        }

    def write(self, rows, ctx: ImportContext) -> WriteCounts:
        records = (
            services.FindingRecord(
                code=data["code"],
                inspection=data["inspection"],
                violation=data["item"],
                description=data["description"],
                evidence_sha256=data["digests"],
            )
            for _number, data in rows
        )
        return services.finding_record_bulk(actor=ctx.user, rows=records)

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        queryset = _visible(Finding, ctx.user).select_related("inspection", "violation")
        if ctx.region is not None:
            queryset = queryset.filter(
                inspection__organization__region__code__range=region_code_range(ctx.region.prefix)
            )
        for finding in queryset.order_by("code").iterator(chunk_size=2000):
            yield {
                "finding_code": finding.code,
                "inspection_code": finding.inspection.code,
                "violation_code": finding.violation.code if finding.violation_id else "other",
                "description": finding.description,
                "evidence_sha256": ";".join(finding.evidence_sha256 or []),
            }


@register
class DecisionsKind(ExchangeKind):
    """decisions.csv — 处理决定 (key: decision_code). A fine must lie within the legal range of its findings."""

    name = "decisions"
    title = _("Decisions")
    key = ("decision_code",)

    def row_key(self, cleaned: dict[str, Any]) -> tuple:
        return (cleaned["code"],)

    import_perm = Perm.DECIDE
    columns = (
        Column("decision_code", "决定编号", required=True),
        Column("inspection_code", "检查编号", required=True),
        Column("finding_codes", "对应问题编号", required=True),
        Column("measure", "处理措施", required=True),
        Column("fine_yuan", "罚款金额"),
        Column("decided_on", "决定日期", required=True),
        Column("due_on", "整改期限"),
        Column("closed_on", "整改销号日期"),
        Column("publicized", "是否曝光"),
    )

    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        inspection_codes = list({r.raw("inspection_code") for r in rows})
        ctx.cache["inspections"] = {
            i.code: i for i in _visible(Inspection, ctx.user).filter(code__any=inspection_codes).only("pk", "code")
        }
        codes = list({c for r in rows for c in r.items("finding_codes")})
        ctx.cache["findings"] = {
            f.code: f for f in Finding.objects.filter(code__any=codes).select_related("violation", "person")
        }
        # Whether an order to rectify these findings was not complied with, for every fine of the chunk in one
        # query (the records before the chunk, as a query per row would see them); the ranges once per items.
        ctx.cache["overdue"] = selectors.OverdueOrders(f.pk for f in ctx.cache["findings"].values())
        ctx.cache.setdefault("ranges", services.FineRanges())

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        code = row.text("decision_code", required=True, max_length=48)
        inspection = ctx.cache["inspections"].get(row.raw("inspection_code"))
        if row.raw("inspection_code") and inspection is None:
            row.fail(
                "inspection_code",
                _("No such inspection in your jurisdiction: import inspections first."),
                code="unknown_inspection",
            )
        findings = []
        for finding_code in row.items("finding_codes"):
            finding = ctx.cache["findings"].get(finding_code)
            if finding is None or (inspection is not None and finding.inspection_id != inspection.pk):
                row.fail(
                    "finding_codes",
                    _("No such finding of this inspection: %(code)s."),
                    {"code": finding_code},
                    code="unknown_finding",
                )
                break
            findings.append(finding)
        measure = row.choice("measure", Measure, required=True)
        fine = row.decimal("fine_yuan", min_value=Decimal(0))
        decided = row.date("decided_on", required=True)
        due = row.date("due_on")
        closed = row.date("closed_on")
        if measure == Measure.FINE:
            if not fine:
                row.fail("fine_yuan", rules.FINE_AMOUNT_REQUIRED, code="required")
            elif findings and decided and not row.problems:
                try:
                    overdue = ctx.cache["overdue"].overdue(findings, on=decided)
                    allowed = ctx.cache["ranges"].fine_range(findings, overdue=overdue)
                except DomainError as error:  # no fine provided for a violation
                    row.fail("fine_yuan", error.message, error.params, code="no_fine_provided")
                else:
                    if not allowed.allows(fine):
                        row.fail(
                            "fine_yuan",
                            _("Outside the legal range of %(low)s–%(high)s yuan (%(basis)s)."),
                            {"low": f"{allowed.low:,.0f}", "high": f"{allowed.high:,.0f}", "basis": allowed.basis},
                            code="fine_outside_range",
                        )
        elif fine:
            row.fail("fine_yuan", _("Only a fine has an amount."), code="invalid")
        if measure == Measure.RECTIFY_ORDER and rules.deadline_missing(due, decided):
            row.fail("due_on", rules.DEADLINE_REQUIRED, code="required")
        if closed and measure != Measure.RECTIFY_ORDER:
            row.fail("closed_on", _("Only an order to rectify is closed."), code="invalid")
        if measure == Measure.RECTIFY_ORDER and due and findings and not row.problems and (not closed or closed > due):
            # An order of this file not complied with counts for the fines of the rows after it, as the writer
            # counts it (decision_record_bulk) and as it would had the file been imported a row at a time.
            ctx.cache["overdue"].add(findings, due_on=due, closed_late=bool(closed))
        return {
            "code": code,
            "inspection": inspection,
            "findings": findings,
            "measure": measure,
            "fine": fine if measure == Measure.FINE else None,
            "decided": decided,
            "due": due if measure == Measure.RECTIFY_ORDER else None,
            "closed": closed,
            "publicized": row.raw("publicized").lower() in TRUE_WORDS,
        }

    def write(self, rows, ctx: ImportContext) -> WriteCounts:
        records = (
            services.DecisionRecord(
                code=data["code"],
                inspection=data["inspection"],
                findings=data["findings"],
                measure=data["measure"],
                decided_on=data["decided"],
                fine_yuan=data["fine"],
                due_on=data["due"],
                closed_on=data["closed"],
                publicized=data["publicized"],
            )
            for _number, data in rows
        )
        return services.decision_record_bulk(actor=ctx.user, rows=records)

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        queryset = (
            _visible(Decision, ctx.user).select_related("inspection", "rectification").prefetch_related("findings")
        )
        if ctx.region is not None:
            queryset = queryset.filter(
                inspection__organization__region__code__range=region_code_range(ctx.region.prefix)
            )
        for decision in queryset.order_by("code").iterator(chunk_size=2000):
            rectification = getattr(decision, "rectification", None)
            yield {
                "decision_code": decision.code,
                "inspection_code": decision.inspection.code,
                "finding_codes": ";".join(sorted(f.code for f in decision.findings.all())),
                "measure": decision.measure,
                "fine_yuan": f"{decision.fine_yuan:.2f}" if decision.fine_yuan is not None else "",
                "decided_on": decision.decided_on.isoformat(),
                "due_on": decision.due_on.isoformat() if decision.due_on else "",
                "closed_on": rectification.closed_on.isoformat() if rectification and rectification.closed_on else "",
                "publicized": "true" if decision.publicized else "false",
            }
