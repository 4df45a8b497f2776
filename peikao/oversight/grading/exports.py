"""grades — 分级评定 and exit_proposals — 退出建议 (export only; docs/exchange.md): one row per grade or proposal the
exporter may see. ``--as-of DATE`` gives the grades in force that day, from their history."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from peikao.core.exchange import Column, ExchangeKind, ExportContext, register
from peikao.oversight.grading import selectors

STATE = {"proposed": "open", "decided": "decided", "rejected": "rejected"}


@register
class GradesKind(ExchangeKind):
    name = "grades"
    title = _("Risk grades")
    key = ("org_code",)
    importable = False
    columns = (
        Column("org_code", "单位编码"),
        Column("kind", "类型"),
        Column("grade", "等级"),
        Column("points", "分值"),
        Column("indicator_set", "指标体系版本"),
        Column("computed_on", "评定日期"),
        Column("overridden", "人工调整"),
    )

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        for row in selectors.grades_in_force(user=ctx.user, on=ctx.as_of, region=ctx.region):
            yield {
                "org_code": row["org_code"],
                "kind": row["kind"],
                "grade": row["grade"],
                "points": f"{row['points']:.2f}",
                "indicator_set": row["indicator_set"],
                "computed_on": row["computed_on"].isoformat() if row["computed_on"] else "",
                "overridden": "true" if row["overridden"] else "false",
            }


@register
class ExitProposalsKind(ExchangeKind):
    name = "exit_proposals"
    title = _("Exit proposals")
    key = ("org_code", "rule", "proposed_on")
    importable = False
    columns = (
        Column("org_code", "单位编码"),
        Column("rule", "退出规则"),
        Column("proposed_measure", "建议措施"),
        Column("proposed_on", "提出日期"),
        Column("state", "状态"),
        Column("decision_code", "决定书编号"),
    )

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        for proposal in selectors.proposals_for_export(user=ctx.user, region=ctx.region):
            yield {
                "org_code": proposal.organization.org_code,
                "rule": proposal.rule_id,
                "proposed_measure": proposal.measure,
                "proposed_on": proposal.proposed_on.isoformat(),
                "state": STATE[proposal.status],
                "decision_code": proposal.decision.code if proposal.decision_id else "",
            }
