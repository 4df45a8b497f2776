"""compliance_gaps — 持证/培训合规缺口 (export only, ``--as-of DATE``): one row per gap found on that day. An advisory
gap has no violation code; its detail says why (a policy figure, the department that assesses the person), and a
rule applied unconfirmed is noted 待确认."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from peikao.compliance import selectors
from peikao.core.exchange import Column, ExchangeKind, ExportContext, register


@register
class ComplianceGapsKind(ExchangeKind):
    name = "compliance_gaps"
    title = _("Compliance gaps")
    key = ("org_code", "id_number", "gap")
    importable = False
    exports_id_numbers = True
    columns = (
        Column("org_code", "单位编码"),
        Column("id_number", "身份证号", id_number=True),
        Column("gap", "缺口类型"),
        Column("violation_code", "违法行为代码"),
        Column("detail", "说明"),
    )

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        for row in selectors.stream(user=ctx.user, as_of=ctx.as_of, region=ctx.region, show_id_numbers=True):
            yield {
                "org_code": row["org_code"],
                "id_number": row["id_number"],
                "gap": row["gap"],
                "violation_code": row["violation_code"],
                "detail": f"{row['detail']}（{row['note']}）" if row["note"] else row["detail"],
                "_pk": row["person_id"],
            }

    def export_person_ids(self, row):
        return [(row["_pk"], row["id_number"])]
