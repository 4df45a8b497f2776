"""patrols.csv — 巡考记录: historical remote patrol records, imported beside those the patrol API records
(docs/exchange.md). Import only: the platform's own patrols are read on the sitting's page and in the notice."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from peikao.core.exchange import Column, ExchangeKind, ImportContext, Row, WriteCounts, register
from peikao.core.permissions import Perm
from peikao.exams.models import Registration, Sitting
from peikao.reports import services
from peikao.reports.services import PatrolRow


class Outcome(models.TextChoices):
    NO_ISSUE = "no_issue", _("No issue")
    WARNING = "warning", _("Warning")
    SCORE_CANCELLED = "score_cancelled", _("Score cancelled")


@register
class PatrolsKind(ExchangeKind):
    """patrols.csv (key: sitting_code, patrolled_at, patroller_id_number, id_number)."""

    name = "patrols"
    title = _("Patrol records")
    key = ("sitting_code", "patrolled_at", "patroller_id_number", "id_number")
    import_perm = Perm.PATROL
    exportable = False
    columns = (
        Column("sitting_code", "场次编号", required=True),
        Column("patrolled_at", "巡考时间", required=True),
        Column("patroller_id_number", "巡考人员身份证号", required=True, id_number=True),
        Column("outcome", "巡考结果", required=True),
        Column("id_number", "考生身份证号", id_number=True),
        Column("note", "备注"),
    )

    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        codes = {row.raw("sitting_code") for row in rows}
        sittings = Sitting.objects.visible_to(ctx.user) if ctx.user is not None else Sitting.objects.none()
        ctx.cache["sittings"] = {s.sitting_code: s for s in sittings.filter(sitting_code__in=codes)}
        numbers = {row.raw("id_number").upper() for row in rows if row.raw("id_number")}
        ctx.cache["registrations"] = {
            (r.sitting.sitting_code, r.person.id_number): r
            for r in Registration.objects.filter(
                sitting__sitting_code__in=codes, person__id_number__in=numbers
            ).select_related("sitting", "person")
        }

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        if ctx.user is None:
            row.fail(
                "sitting_code",
                _("Patrols are imported by a regulator, who records them (--user)."),
                code="user_required",
            )
        code = row.raw("sitting_code")
        sitting = ctx.cache["sittings"].get(code)
        if code and sitting is None and ctx.user is not None:
            row.fail("sitting_code", _("No such sitting in your jurisdiction."), code="unknown_sitting")
        patrolled_at = row.datetime("patrolled_at", required=True)
        patroller = row.id_number("patroller_id_number")
        outcome = row.choice("outcome", Outcome, required=True)
        number = row.id_number("id_number", required=outcome in {Outcome.WARNING, Outcome.SCORE_CANCELLED})
        registration = ctx.cache["registrations"].get((code, number)) if number else None
        if number and registration is None and sitting is not None:
            row.fail("id_number", _("This person did not sit this exam."), code="not_registered")
        if number and outcome == Outcome.NO_ISSUE:
            row.fail("id_number", _("A patrol without an issue names no candidate."), code="no_candidate")
        return {
            "sitting_code": code,
            "sitting": sitting,
            "patrolled_at": patrolled_at,
            "patroller_id_number": patroller,
            "outcome": outcome,
            "id_number": number,
            "registration": registration,
            "note": row.text("note", max_length=2000),
        }

    def write(self, rows, ctx: ImportContext) -> WriteCounts:
        records = [
            PatrolRow(
                sitting=data["sitting"],
                patrolled_at=data["patrolled_at"],
                patroller_id_number=data["patroller_id_number"],
                outcome=data["outcome"],
                registration=data["registration"],
                note=data["note"],
            )
            for _number, data in rows
        ]
        return services.patrol_import_bulk(actor=ctx.user, rows=records)
