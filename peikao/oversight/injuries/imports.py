"""injuries.csv — 工伤 (key: case_no), and the export-only injury_analysis — 工伤与培训交叉分析.

A mistyped ID number is not a bad row here: the case is imported as given and the linkage decides (exchange.md).
The linkage columns of an export (linked_id_number, link_status, match_weight) are ignored on import, so that
re-importing an export changes nothing. ``name`` (姓名, optional) is an addition of Peikao to the file: where the
injury system gives it, the linkage compares it (ADR 0010).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from peikao.core.errors import PermissionDenied
from peikao.core.exchange import Column, ExchangeKind, ExportContext, ImportContext, Row, WriteCounts, register
from peikao.core.validators import normalise_id_number
from peikao.oversight.injuries import (
    analysis,
    priorities,
    refdata,  # noqa: F401 — registers the linkage weights' loader
    selectors,
    services,
)
from peikao.oversight.injuries.choices import InjurySeverity
from peikao.oversight.injuries.models import InjuryCase
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import OperationItem, Organization

SEVERITY_ALIASES = {"轻伤": "minor", "重伤": "serious", "死亡": "death"}


def _visible_orgs(ctx: ImportContext):
    return Organization.objects.all() if ctx.unrestricted else Organization.objects.visible_to(ctx.user)


@register
class InjuriesKind(ExchangeKind):
    name = "injuries"
    title = _("Work injuries")
    key = ("case_no",)
    exports_id_numbers = True
    columns = (
        Column("case_no", "案件编号", required=True),
        Column("id_number", "身份证号", required=True, id_number=True),
        Column("org_code", "用人单位编码", required=True),
        Column("dispatched_by", "劳务派遣单位编码"),
        Column("occurred_on", "发生日期", required=True),
        Column("operation_item", "作业项目"),
        Column("severity", "伤情", required=True),
        Column("name", "姓名"),
        Column("linked_id_number", "关联人员身份证号", id_number=True),
        Column("link_status", "关联状态"),
        Column("match_weight", "匹配权重"),
    )

    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        codes = {r.raw("org_code") for r in rows} | {r.raw("dispatched_by") for r in rows}
        ctx.cache["orgs"] = {o.org_code: o for o in _visible_orgs(ctx).filter(org_code__in=codes - {""})}
        if "items" not in ctx.cache:
            ctx.cache["items"] = dict(OperationItem.objects.values_list("code", "pk"))
        # A case number held by a case outside the importer's jurisdiction is not the importer's to overwrite.
        numbers = {r.raw("case_no") for r in rows}
        ctx.cache["foreign"] = (
            set()
            if ctx.unrestricted
            else set(
                InjuryCase.objects.filter(case_no__in=numbers)
                .exclude(pk__in=InjuryCase.objects.visible_to(ctx.user).filter(case_no__in=numbers).values("pk"))
                .values_list("case_no", flat=True)
            )
        )

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        case_no = row.text("case_no", required=True, max_length=40)
        if case_no in ctx.cache["foreign"]:
            row.fail("case_no", _("The case is outside your jurisdiction."), code="outside_jurisdiction")
        number = normalise_id_number(row.raw("id_number"))
        if not number:
            row.fail("id_number", _("This value is required."), code="required")
        elif len(number) > 32:
            row.fail("id_number", _("At most %(n)d characters."), {"n": 32}, code="too_long")
        org = ctx.cache["orgs"].get(row.raw("org_code"))
        if row.raw("org_code") and org is None:
            row.fail("org_code", _("No such organisation in your jurisdiction."), code="unknown_org")
        elif not row.raw("org_code"):
            row.fail("org_code", _("This value is required."), code="required")
        dispatcher = None
        if row.raw("dispatched_by"):
            dispatcher = ctx.cache["orgs"].get(row.raw("dispatched_by"))
            if dispatcher is None or dispatcher.kind != OrganizationKind.LABOR_DISPATCH:
                row.fail(
                    "dispatched_by",
                    _("Not a labour-dispatch company in your jurisdiction."),
                    code="not_dispatch",
                )
                dispatcher = None
        day = row.date("occurred_on", required=True)
        if day is not None and day > ctx.today:
            row.fail("occurred_on", _("The day lies in the future."), code="future")
        item = None
        if row.raw("operation_item"):
            item = ctx.cache["items"].get(row.raw("operation_item"))
            if item is None:
                row.fail("operation_item", _("Unknown operation item code."), code="unknown_item")
        severity = row.choice("severity", InjurySeverity, required=True, aliases=SEVERITY_ALIASES)
        name = row.text("name", max_length=50).strip()
        return {
            "record": services.InjuryRecord(
                case_no=case_no,
                id_number=number,
                name=name,
                organization_id=org.pk if org is not None else 0,
                dispatched_by_id=dispatcher.pk if dispatcher is not None else None,
                occurred_on=day,  # type: ignore[arg-type]  # a row without a day is rejected
                operation_item_id=item,
                severity=severity,
            ),
            "case_no": case_no,
        }

    def write(self, rows, ctx: ImportContext) -> WriteCounts:
        return services.injury_import_bulk(actor=ctx.user, rows=(data["record"] for _n, data in rows))

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        for row in selectors.injuries_stream(user=ctx.user, region=ctx.region):
            shows_person = row["link_status"] not in ("unlinked", "rejected")
            weight = row["match_weight"]
            yield {
                "case_no": row["case_no"],
                "id_number": row["id_number"],
                "org_code": row["organization__org_code"],
                "dispatched_by": row["dispatched_by__org_code"] or "",
                "occurred_on": row["occurred_on"].isoformat(),
                "operation_item": row["operation_item__code"] or "",
                "severity": row["severity"],
                "name": row["name"],
                "linked_id_number": row["person__id_number"] if shows_person else "",
                "link_status": row["link_status"],
                "match_weight": f"{weight:.2f}" if weight is not None else "",
                "_shown": selectors.shown_numbers(
                    person_id=row["person_id"] if shows_person else None,
                    person_number=row["person__id_number"] if shows_person else None,
                    given=row["id_number"],
                ),
            }

    def export_person_ids(self, row):
        return row["_shown"]


def _number(value: float | None, places: int) -> str:
    return f"{value:.{places}f}" if value is not None else ""


@register
class InjuryAnalysisKind(ExchangeKind):
    """injury_analysis — 工伤与培训交叉分析 (export only): one row per group of each dimension, over the period
    ``--from``/``--to`` (the page's link passes the period chosen on the page); without them, three years up to
    ``--to`` or ``--as-of``, and from ``--from`` up to ``--as-of``."""

    name = "injury_analysis"
    title = _("Injuries against training")
    key = ("dimension", "group")
    importable = False
    columns = (
        Column("dimension", "维度"),
        Column("group", "分组"),
        Column("cases", "工伤人数"),
        Column("workers", "在岗人数"),
        Column("rate_per_1000", "千人工伤率"),
        Column("relative_risk", "相对风险"),
        Column("ci_low", "95%置信下限"),
        Column("ci_high", "95%置信上限"),
        Column("ranked", "参与排名"),
    )

    def require_export(self, user) -> None:
        super().require_export(user)
        if not analysis.may_analyse(user):
            raise PermissionDenied(
                "regulators_only", _("Only regulators read the analysis of work injuries against training.")
            )

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        date_to = ctx.date_to or ctx.as_of
        date_from = ctx.date_from or analysis.default_period(date_to)[0]  # the period is checked by run_export
        result = analysis.injury_analysis(user=ctx.user, region=ctx.region, date_from=date_from, date_to=date_to)
        for row in result.rows():
            yield {
                "dimension": row.dimension,
                "group": row.group,
                "cases": str(row.cases),
                "workers": str(row.workers),
                "rate_per_1000": _number(row.rate_per_1000, 2),
                "relative_risk": _number(row.relative_risk, 3),
                "ci_low": _number(row.ci_low, 3),
                "ci_high": _number(row.ci_high, 3),
                "ranked": "true" if row.ranked else "false",
            }


priorities.register()  # raised priorities are forced subjects of the next draw (imported once, at start-up)
