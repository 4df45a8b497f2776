"""alerts — 监管预警 (export only; key: fingerprint): one row per alert the exporter may see, as the queue shows it.

Columns that do not apply are empty (no person: no ID number; no suggested violation: no code). The ID number is in
full only for a role that may see full ID numbers (each one shown is in the ID-view log); masked for the others."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from peikao.core.exchange import Column, ExchangeKind, ExportContext, register
from peikao.core.permissions import Perm, has_perm, require_perm
from peikao.core.privacy import mask_id_number
from peikao.core.scoping import region_code_range
from peikao.oversight import selectors
from peikao.oversight.models import Alert


@register
class AlertsKind(ExchangeKind):
    name = "alerts"
    title = _("Alerts")
    key = ("fingerprint",)
    importable = False
    exports_id_numbers = True  # in full for who may see them (logged), masked for the others
    columns = (
        Column("fingerprint", "指纹"),
        Column("detector", "检测规则"),
        Column("org_code", "单位编码"),
        Column("id_number", "身份证号", id_number=True),
        Column("period_from", "起始日期"),
        Column("period_to", "截止日期"),
        Column("severity", "严重程度"),
        Column("state", "处理状态"),
        Column("violation_code", "违法行为代码"),
        Column("explanation", "说明"),
    )

    def require_export(self, user) -> None:
        """The export permission alone: the ID numbers are masked for a role that may not see them in full."""
        require_perm(user, self.export_perm)

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        full = ctx.user is None or has_perm(ctx.user, Perm.VIEW_FULL_ID_NUMBER)
        if ctx.user is not None:
            queryset = selectors.alert_list(user=ctx.user)
        else:  # a command acts for the system
            queryset = Alert.objects.select_related("detector", "organization", "person")
        if ctx.region is not None:
            queryset = queryset.filter(organization__region__code__range=region_code_range(ctx.region.prefix))
        for alert in queryset.order_by("fingerprint").iterator(chunk_size=2000):
            number = alert.person.id_number if alert.person_id else ""
            yield {
                "fingerprint": alert.fingerprint,
                "detector": alert.detector_id,
                "org_code": alert.organization.org_code,
                "id_number": number if full else mask_id_number(number),
                "period_from": alert.period_from.isoformat(),
                "period_to": alert.period_to.isoformat(),
                "severity": alert.severity,
                "state": alert.state,
                "violation_code": alert.violation_code,
                "explanation": alert.explanation,
                "_person": (alert.person_id, number) if full and number else None,
            }

    def export_person_ids(self, row):
        return [row["_person"]] if row["_person"] else []
