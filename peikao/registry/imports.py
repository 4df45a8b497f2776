"""Exchange files of the registry: organizations.csv, persons.csv, assignments.csv."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Case, Q, When
from django.utils.translation import gettext_lazy as _

from peikao.core.choices import RegionLevel
from peikao.core.exchange import (
    Column,
    ExchangeKind,
    ExportContext,
    ImportContext,
    Row,
    StagedUpsert,
    WriteCounts,
    register,
    stage_upsert,
)
from peikao.core.models import Region, region_code_range
from peikao.core.validators import id_number_facts
from peikao.registry import services
from peikao.registry.choices import (
    EDUCATION_ALIASES,
    AssignmentRole,
    Education,
    OrganizationKind,
    OrganizationStatus,
    PracticalDevice,
)
from peikao.registry.models import (
    Assignment,
    Industry,
    OperationItem,
    Organization,
    Person,
)
from peikao.registry.rules import (
    STATUS_CHANGE_REFUSED,
    assignment_problems,
    organization_problems,
    status_change_refused,
)
from peikao.registry.selectors import dispatcher_choices

OUTSIDE_JURISDICTION = _("Outside your jurisdiction: you may not import this row.")


def _region_filter(queryset, path: str, ctx: ExportContext):
    if ctx.region is None:
        return queryset
    low, high = region_code_range(ctx.region.prefix)
    return queryset.filter(**{f"{path}__code__range": (low, high)})


def _cached(ctx: ImportContext, name: str, loader):
    if name not in ctx.cache:
        ctx.cache[name] = loader()
    return ctx.cache[name]


def county_codes(ctx: ImportContext) -> set[str]:
    return _cached(
        ctx, "county_codes", lambda: set(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", flat=True))
    )


def industries(ctx: ImportContext) -> dict[str, int]:
    return _cached(ctx, "industries", lambda: dict(Industry.objects.values_list("code", "pk")))


def operation_items(ctx: ImportContext) -> dict[str, OperationItem]:
    return _cached(ctx, "operation_items", lambda: {item.code: item for item in OperationItem.objects.all()})


def in_user_region(ctx: ImportContext, region_code: str) -> bool:
    user = ctx.user
    if ctx.unrestricted:
        return True
    return user.is_regulator and region_code.startswith(user.region.prefix)


@register
class OrganizationsKind(ExchangeKind):
    """organizations.csv — 机构 (key: org_code)."""

    name = "organizations"
    title = _("Organisations")
    key = ("org_code",)
    columns = (
        Column("org_code", "机构编码", required=True),
        Column("kind", "机构类型", required=True),
        Column("name", "名称", required=True),
        Column("uscc", "统一社会信用代码"),
        Column("region_code", "行政区划代码", required=True),
        Column("parent_org_code", "上级机构编码"),
        Column("industry", "行业"),
        Column("operation_items", "准考/准培项目"),
        Column("practical_device", "实操设备"),
        Column("capacity", "容量"),
        Column("status", "状态"),
    )

    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        codes = {row.raw("org_code") for row in rows} | {row.raw("parent_org_code") for row in rows}
        codes.discard("")
        found = Organization.objects.filter(org_code__in=codes).prefetch_related("operation_items")
        ctx.cache["orgs"] = {org.org_code: org for org in found}
        visible = Organization.objects.visible_to(ctx.user) if ctx.user is not None else Organization.objects.all()
        ctx.cache["visible_orgs"] = set(visible.filter(org_code__in=codes).values_list("org_code", flat=True))
        ctx.cache.setdefault("file_kinds", {})

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        org_code = row.text("org_code", required=True, max_length=32)
        kind = row.choice("kind", OrganizationKind, required=True)
        name = row.text("name", required=True, max_length=200)
        uscc = row.uscc("uscc")
        region_code = row.text("region_code", required=True)
        if region_code and region_code not in county_codes(ctx):
            row.fail("region_code", _("Not an existing county-level region code."), code="region")
        industry_code = row.raw("industry")
        industry_id = None
        if industry_code:
            industry_id = industries(ctx).get(industry_code)
            if industry_id is None:
                row.fail("industry", _("Unknown industry code."), code="industry")
        item_codes = row.items("operation_items")
        known_items = operation_items(ctx)
        unknown = [code for code in item_codes if code not in known_items]
        if unknown:
            row.fail("operation_items", _("Unknown operation item codes: %(codes)s."), {"codes": ", ".join(unknown)})
        practical_device = row.choice("practical_device", PracticalDevice)
        capacity = row.integer("capacity", min_value=1, max_value=1_000_000)
        status = row.choice("status", OrganizationStatus) or ""
        parent_code = row.raw("parent_org_code")
        parent_kind = None
        if parent_code:
            parent = ctx.cache["orgs"].get(parent_code)
            parent_kind = parent.kind if parent else ctx.cache["file_kinds"].get(parent_code)
            if parent_kind is None or (parent is not None and parent_code not in ctx.cache["visible_orgs"]):
                row.fail("parent_org_code", _("No such organisation (in the platform or earlier in this file)."))
                parent_kind = None
        problems = (
            organization_problems(
                org_code=org_code,
                kind=kind,
                uscc=uscc,
                has_industry=bool(industry_code),
                has_items=bool(item_codes),
                practical_device=practical_device,
                parent_kind=parent_kind,
            )
            if kind
            else {}
        )  # rules that depend on the kind say nothing useful about an unknown kind
        for field, message in problems.items():
            if field not in {p.column for p in row.problems}:
                row.fail(field, message)
        existing = ctx.cache["orgs"].get(org_code)
        if existing is not None and status and (refused := status_change_refused(existing.status, status)):
            row.fail("status", STATUS_CHANGE_REFUSED, refused, code="transition")
        cleaned = {
            "org_code": org_code,
            "kind": kind,
            "name": name,
            "uscc": uscc or None,
            "region_id": region_code,
            "industry_id": industry_id,
            "practical_device": practical_device,
            "capacity": capacity,
            "status": status or (existing.status if existing else OrganizationStatus.ACTIVE),
            "_items": sorted(
                set(item_codes), key=lambda code: known_items[code].position if code in known_items else 0
            ),
            "_parent": parent_code,
        }
        self._check_scope(row, ctx, cleaned, existing)
        if row.ok:
            ctx.cache["file_kinds"][org_code] = kind
        return cleaned

    def _check_scope(self, row: Row, ctx: ImportContext, cleaned: dict, existing: Organization | None) -> None:
        if ctx.unrestricted or not row.ok:
            return
        user = ctx.user
        if user.is_regulator:
            if existing is not None and existing.org_code not in ctx.cache["visible_orgs"]:
                row.fail("org_code", OUTSIDE_JURISDICTION, code="scope")
            elif not in_user_region(ctx, cleaned["region_id"]):
                row.fail("region_code", OUTSIDE_JURISDICTION, code="scope")
            return
        # An organisation may update its own record, but not what the regulator decides.
        if existing is None or existing.pk != user.organization_id:
            row.fail("org_code", OUTSIDE_JURISDICTION, code="scope")
            return
        parent_code = existing.parent.org_code if existing.parent_id else ""
        changed = [
            field
            for field in ("kind", "region_id", "status", "uscc", "industry_id")
            if getattr(existing, field) != cleaned[field]
        ]
        if parent_code != cleaned["_parent"] or self._item_codes(existing) != cleaned["_items"]:
            changed.append("operation_items")
        if changed:
            row.fail(
                "org_code",
                _("Only the regulator may change kind, region, status, approvals or parent (%(fields)s)."),
                {"fields": ", ".join(changed)},
                code="regulated_field",
            )

    @staticmethod
    def _item_codes(org: Organization) -> list[str]:
        return [item.code for item in org.operation_items.all()]

    def write(self, rows: list[tuple[int, dict[str, Any]]], ctx: ImportContext) -> WriteCounts:
        counts, links = services.organizations_write_bulk(
            actor=ctx.user,
            rows=[cleaned for _number, cleaned in rows],
            existing=ctx.cache["orgs"],
            operation_items=operation_items(ctx),
        )
        ctx.cache.setdefault("pending_parents", []).extend(links)
        return counts

    def finish(self, ctx: ImportContext) -> None:
        """Link exam points to their exam institutions once every row of the file is written."""
        services.organizations_link_parents(links=ctx.cache.get("pending_parents") or [])

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        queryset = Organization.objects.visible_to(ctx.user) if ctx.user is not None else Organization.objects.all()
        queryset = (
            _region_filter(queryset, "region", ctx)
            .select_related("parent", "industry")
            .prefetch_related("operation_items")
            # Exam institutions first: an exam point's parent must come before it when the file is re-imported.
            .order_by(Case(When(kind=OrganizationKind.EXAM_INSTITUTION, then=0), default=1), "org_code")
        )
        for org in queryset.iterator(chunk_size=2000):
            yield {
                "org_code": org.org_code,
                "kind": org.kind,
                "name": org.name,
                "uscc": org.uscc or "",
                "region_code": org.region_id,
                "parent_org_code": org.parent.org_code if org.parent_id else "",
                "industry": org.industry.code if org.industry_id else "",
                "operation_items": ";".join(item.code for item in org.operation_items.all()),
                "practical_device": org.practical_device,
                "capacity": "" if org.capacity is None else str(org.capacity),
                "status": org.status,
            }


@register
class PersonsKind(ExchangeKind):
    """persons.csv — 人员 (key: id_number)."""

    name = "persons"
    title = _("Persons")
    key = ("id_number",)
    exports_id_numbers = True
    columns = (
        Column("id_number", "身份证号", required=True, id_number=True),
        Column("name", "姓名", required=True),
        Column("phone", "手机号"),
        Column("education", "文化程度"),
    )
    FIELDS = ("name", "sex", "birth_date", "phone", "education")
    pipelined = True  # cleaning reads committed persons only; each cleaned row carries what write() needs

    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        numbers = [row.raw("id_number").upper() for row in rows]
        found = Person.objects.filter(id_number__any=numbers)
        ctx.cache["persons"] = {person.id_number: person for person in found}
        if ctx.unrestricted:
            ctx.cache["visible_persons"] = None
        else:
            ctx.cache["visible_persons"] = set(
                Person.objects.visible_to(ctx.user).filter(id_number__any=numbers).values_list("id_number", flat=True)
            )

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        id_number = row.id_number("id_number")
        name = row.text("name", required=True, max_length=50)
        phone = row.text("phone")
        if phone and not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
            row.fail("phone", _("A mobile phone number has 11 digits and starts with 1."), code="phone")
        education = row.choice("education", Education, aliases=EDUCATION_ALIASES)
        cleaned: dict[str, Any] = {"id_number": id_number, "name": name, "phone": phone, "education": education}
        if id_number:
            facts = id_number_facts(id_number)
            cleaned["sex"], cleaned["birth_date"] = facts.sex, facts.birth_date
        existing = ctx.cache["persons"].get(id_number)
        visible = ctx.cache["visible_persons"]
        cleaned["_existing"] = existing
        cleaned["_readonly"] = False
        if existing is not None and visible is not None and id_number not in visible:
            # Registered, but not seen by the importer: change nothing and say nothing of it (ADR 0009); the
            # importer's organisation gets a link awaiting confirmation, as for a new number.
            cleaned["_readonly"] = True
        return cleaned

    def stage(self, rows: list[tuple[int, dict[str, Any]]], ctx: ImportContext) -> StagedUpsert:
        readonly = 0
        data, existing = [], {}
        entered = {cleaned["id_number"]: cleaned["name"] for _number, cleaned in rows}  # for write's links
        for _number, cleaned in rows:  # the cleaned dicts are ours: strip the markers in place
            found, is_readonly = cleaned.pop("_existing"), cleaned.pop("_readonly")
            if is_readonly:
                readonly += 1
                continue
            if found is not None:
                existing[(cleaned["id_number"],)] = found
            data.append(cleaned)
        staged = stage_upsert(Person, ["id_number"], data, existing=existing, compare_fields=self.FIELDS)
        staged.counts.unchanged += readonly
        staged.entered = entered  # type: ignore[attr-defined]  # staged ahead of writing: carried with the chunk
        return staged

    def write(self, staged: StagedUpsert, ctx: ImportContext) -> WriteCounts:
        counts = services.persons_upsert_bulk(actor=ctx.user, staged=staged)
        entered = getattr(staged, "entered", {})
        if entered and not ctx.unrestricted and ctx.user.is_org_member:
            ids = Person.objects.filter(id_number__any=list(entered)).values_list("id_number", "pk")
            services.person_links_note_bulk(
                actor=ctx.user, links=[(ctx.user.organization_id, pk, entered[number]) for number, pk in ids]
            )
        return counts

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        queryset = Person.objects.visible_to(ctx.user) if ctx.user is not None else Person.objects.all()
        if ctx.region is not None:
            low, high = region_code_range(ctx.region.prefix)
            queryset = queryset.filter(Q(assignments__organization__region__code__range=(low, high))).distinct()
        for person in queryset.order_by("id_number").iterator(chunk_size=5000):
            yield {
                "id_number": person.id_number,
                "name": person.name,
                "phone": person.phone,
                "education": person.education,
                "_pk": person.pk,
            }

    def export_person_ids(self, row):
        return [(row["_pk"], row["id_number"])]


@register
class AssignmentsKind(ExchangeKind):
    """assignments.csv — 任职 (key: id_number, org_code, role, start_date)."""

    name = "assignments"
    title = _("Assignments")
    key = ("id_number", "org_code", "role", "start_date")
    exports_id_numbers = True
    columns = (
        Column("id_number", "身份证号", required=True, id_number=True),
        Column("org_code", "机构编码", required=True),
        Column("role", "岗位角色", required=True),
        Column("operation_item", "作业项目"),
        Column("start_date", "开始日期", required=True),
        Column("end_date", "结束日期"),
        Column("dispatched_by", "劳务派遣单位编码"),
    )

    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        numbers = {row.raw("id_number").upper() for row in rows}
        persons = Person.objects.filter(id_number__any=list(numbers))
        if not ctx.unrestricted and ctx.user.is_org_member:  # only persons it entered (ADR 0009): never says more
            persons = persons.filter(links__organization_id=ctx.user.organization_id)
        ctx.cache["person_ids"] = dict(persons.values_list("id_number", "pk"))
        codes = {row.raw("org_code") for row in rows}
        orgs = Organization.objects.visible_to(ctx.user) if ctx.user is not None else Organization.objects.all()
        ctx.cache["orgs"] = {org.org_code: org for org in orgs.filter(org_code__in=codes)}
        dispatchers = dispatcher_choices(user=ctx.user) if ctx.user is not None else Organization.objects.all()
        dispatcher_codes = {row.raw("dispatched_by") for row in rows} - {""}
        ctx.cache["dispatchers"] = {org.org_code: org for org in dispatchers.filter(org_code__in=dispatcher_codes)}

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        id_number = row.id_number("id_number")
        person_id = ctx.cache["person_ids"].get(id_number)
        if id_number and person_id is None:
            row.fail(
                "id_number",
                _("This ID number has not been entered: import or enter the person (ID number and name) first."),
                code="unknown_person",
            )
        org_code = row.text("org_code", required=True)
        org = ctx.cache["orgs"].get(org_code)
        if org_code and org is None:
            row.fail("org_code", _("No such organisation in your jurisdiction."), code="unknown_org")
        role = row.choice("role", AssignmentRole, required=True)
        item_code = row.raw("operation_item")
        item = operation_items(ctx).get(item_code) if item_code else None
        if item_code and item is None:
            row.fail("operation_item", _("Unknown operation item code."))
        start = row.date("start_date", required=True)
        end = row.date("end_date")
        if start and end and end < start:
            row.fail("end_date", _("The end date is before the start date."), code="date_order")
        dispatcher_code = row.raw("dispatched_by")
        dispatcher = ctx.cache["dispatchers"].get(dispatcher_code) if dispatcher_code else None
        if dispatcher_code and dispatcher is None:
            row.fail("dispatched_by", _("No such organisation in your jurisdiction."), code="unknown_org")
        if org is not None and role:
            for field, message in assignment_problems(
                role=role,
                org_kind=org.kind,
                has_item=item is not None or bool(item_code),
                dispatcher_kind=dispatcher.kind if dispatcher else None,
            ).items():
                row.fail(field, message)
        user = ctx.user
        if org is not None and not ctx.unrestricted and user.is_org_member and org.pk != user.organization_id:
            row.fail("org_code", OUTSIDE_JURISDICTION, code="scope")
        return {
            "id_number": id_number,
            "org_code": org_code,
            "role": role,
            "start_date": start,
            "person_id": person_id,
            "organization_id": org.pk if org else None,
            "operation_item_id": item.pk if item else None,
            "end_date": end,
            "dispatched_by_id": dispatcher.pk if dispatcher else None,
        }

    def write(self, rows: list[tuple[int, dict[str, Any]]], ctx: ImportContext) -> WriteCounts:
        data = [{k: v for k, v in cleaned.items() if k not in ("id_number", "org_code")} for _number, cleaned in rows]
        return services.assignments_upsert_bulk(actor=ctx.user, rows=data)

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        queryset = Assignment.objects.visible_to(ctx.user) if ctx.user is not None else Assignment.objects.all()
        queryset = (
            _region_filter(queryset, "organization__region", ctx)
            .select_related("person", "organization", "operation_item", "dispatched_by")
            .order_by("organization__org_code", "person__id_number", "role", "start_date")
        )
        for assignment in queryset.iterator(chunk_size=5000):
            yield {
                "id_number": assignment.person.id_number,
                "org_code": assignment.organization.org_code,
                "role": assignment.role,
                "operation_item": assignment.operation_item.code if assignment.operation_item_id else "",
                "start_date": assignment.start_date.isoformat(),
                "end_date": assignment.end_date.isoformat() if assignment.end_date else "",
                "dispatched_by": assignment.dispatched_by.org_code if assignment.dispatched_by_id else "",
                "_pk": assignment.person_id,
            }

    def export_person_ids(self, row):
        return [(row["_pk"], row["id_number"])]
