"""Compliance scans (set-based, INSERT … SELECT) and the words that explain a gap with its legal basis."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peikao.compliance import gaps
from peikao.compliance.models import ComplianceGap, ComplianceScan
from peikao.compliance.rules import GAP_VIOLATIONS, GapType
from peikao.core.audit import audited_create, audited_update, current_context, snapshot
from peikao.core.errors import PermissionDenied
from peikao.core.models import Region, User
from peikao.core.permissions import Perm, require_perm
from peikao.registry.choices import AssessingDepartment
from peikao.training import services as training_services
from peikao.training.models import TrainingClass


def refresh_stale_hours() -> int:
    """Credited hours are computed lazily per class: bring the stale ones up to date first.

    All of them, not only the scope's: an enterprise's people train at institutions anywhere.
    """
    ids = list(TrainingClass.objects.filter(hours_stale=True).values_list("pk", flat=True))
    if ids:
        training_services.refresh_hours(ids)
    return len(ids)


@transaction.atomic
def scan(*, actor: User | None, region: Region | None, as_of: dt.date | None = None) -> ComplianceScan:
    """Compute and store the gaps of a region's enterprises (``None``: everything) in one statement. A scan is a
    write: an analyst, who reads, is refused (the permission is checked before the region)."""
    if actor is not None:
        require_perm(actor, Perm.COMPLIANCE_SCAN)
    if (
        actor is not None
        and not actor.sees_everything
        and not (
            actor.is_regulator
            and region is not None
            and actor.region is not None
            and actor.region.contains(region.code)
        )
    ):
        raise PermissionDenied("outside_jurisdiction", _("The region is outside your jurisdiction."))
    as_of = as_of or timezone.localdate()
    scope = gaps.Scope(region_prefix=region.prefix if region is not None and region.level != "nation" else None)
    refresh_stale_hours()
    record = audited_create(
        ComplianceScan(
            as_of=as_of,
            region=region,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            actor_label=current_context().actor_label,
        )
    )
    sql, params = gaps.insert_sql(connection.ops.quote_name(ComplianceGap._meta.db_table), record.pk, as_of, scope)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    before = snapshot(record)
    counts = ComplianceGap.objects.filter(scan=record)
    record.gap_count = counts.count()
    record.enterprise_count = counts.values("organization_id").distinct().count()
    record.finished_at = timezone.now()
    audited_update(record, before)
    return record


@dataclass(frozen=True)
class GapRow:
    organization_id: int
    person_id: int
    gap: str
    operation_item_id: int | None
    dispatched_by_id: int | None
    ref_date: dt.date | None
    have_tenths: int | None
    need_tenths: int | None
    basis: str = ""
    assessed_by: str = ""
    advisory: bool = False
    unconfirmed: bool = False

    def __post_init__(self) -> None:  # SQLite answers booleans as 0/1
        object.__setattr__(self, "advisory", bool(self.advisory))
        object.__setattr__(self, "unconfirmed", bool(self.unconfirmed))

    @property
    def violation_code(self) -> str:
        """The catalogue item the gap is a violation of; none for an advisory gap (never a finding or a fine)."""
        return "" if self.advisory else GAP_VIOLATIONS[self.gap][0]

    @property
    def rule(self) -> str:
        """The rule the gap rests on: the row's own (hours, assessing department) or the gap type's."""
        return self.basis or GAP_VIOLATIONS[self.gap][1]

    @property
    def advisory_reason(self) -> str:
        """Why an advisory gap is not a finding of this regulator, in words ('' for a finding)."""
        if self.assessed_by:
            return _("Assessed by %(department)s") % {"department": AssessingDepartment(self.assessed_by).label}
        return _("Policy requirement, advisory only") if self.advisory else ""


def _hours(tenths: int | None) -> str:
    tenths = tenths or 0
    return f"{tenths // 10}.{tenths % 10}"


def explain(row: GapRow, items: dict, organizations: dict) -> str:
    """The gap in words (Chinese, as the detail column of compliance_gaps and the pages show it)."""
    item = items.get(row.operation_item_id)
    item_text = f"{item.code} {item.name}" if item else ""
    day = row.ref_date.isoformat() if isinstance(row.ref_date, dt.date) else (row.ref_date or "")
    texts = {
        GapType.SPECOPS_NO_CERTIFICATE: f"{item_text}：无该项目的特种作业操作证",
        GapType.SPECOPS_CERTIFICATE_EXPIRED: f"{item_text}：证书已于 {day} 到期",
        GapType.SPECOPS_REVIEW_OVERDUE: f"{item_text}：证书逾期未复审（第30号令）",
        GapType.SPECOPS_CERTIFICATE_SUSPENDED: f"{item_text}：证书被暂扣",
        GapType.SPECOPS_CERTIFICATE_REVOKED: f"{item_text}：证书已撤销或注销",
        GapType.MANAGER_NO_COMPETENCY_CERTIFICATE: f"{day} 任职，逾6个月未取得安全生产知识和管理能力考核合格证",
        GapType.NEW_EMPLOYEE_PRE_JOB_TRAINING_SHORT: (
            f"{day} 入职，岗前培训 {_hours(row.have_tenths)} 学时，应不少于 {_hours(row.need_tenths)} 学时"
        ),
        GapType.ANNUAL_REFRESHER_SHORT: (
            f"近一年再培训 {_hours(row.have_tenths)} 学时，应不少于 {_hours(row.need_tenths)} 学时"
        ),
        GapType.SPECOPS_AWAY_6_MONTHS: f"{item_text}：{day} 离岗，离岗6个月以上复岗，未重新进行实际操作考试",
    }
    text = texts[GapType(row.gap)]
    if row.dispatched_by_id:
        dispatcher = organizations.get(row.dispatched_by_id)
        text += f"（劳务派遣：{dispatcher.name if dispatcher else row.dispatched_by_id}）"
    return text
