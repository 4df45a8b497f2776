"""Exchange files of certificates: certificates.csv (legacy certificates enter only this way) and the
leads export for the police liaison."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.certificates import rules, services
from peikao.certificates.choices import CertificateSource, CertificateStatus, CertificateType, LeadKind, Standing
from peikao.certificates.models import Certificate, Lead
from peikao.core.exchange import Column, ExchangeKind, ExportContext, ImportContext, Row, WriteCounts, register
from peikao.core.models import Region
from peikao.core.permissions import Perm
from peikao.core.scoping import region_code_range
from peikao.registry.models import Industry, OperationItem, Person
from peikao.training.choices import TraineeCategory

FILE_STATUSES = {
    "valid": CertificateStatus.VALID,
    "有效": CertificateStatus.VALID,
    "suspended": CertificateStatus.SUSPENDED,
    "暂扣": CertificateStatus.SUSPENDED,
    "revoked": CertificateStatus.REVOKED,
    "撤销": CertificateStatus.REVOKED,
    "吊销": CertificateStatus.REVOKED,
    "expired": "expired",
    "过期": "expired",
    "cancelled": CertificateStatus.CANCELLED,
    "注销": CertificateStatus.CANCELLED,
}
TYPE_ALIASES = {
    "特种作业操作证": CertificateType.SPECIAL_OPERATION,
    "特种作业": CertificateType.SPECIAL_OPERATION,
    "安全生产知识和管理能力考核合格证": CertificateType.COMPETENCY,
    "安全管理人员证": CertificateType.COMPETENCY,
    "安全资格证": CertificateType.COMPETENCY,
}
COMPETENCY_POSTS = [TraineeCategory.PRINCIPAL, TraineeCategory.SAFETY_MANAGER]


def _visible(model, user):
    return model.objects.visible_to(user) if user is not None else model.objects.all()


@register
class CertificatesKind(ExchangeKind):
    """certificates.csv — 证书 (key: cert_no; a holder's second special-operations item is a second row
    under the same number, told apart by operation_item: ADR 6)."""

    name = "certificates"
    title = _("Certificates")
    key = ("cert_no", "operation_item")
    import_perm = Perm.CERTIFICATE_MANAGE
    exports_id_numbers = True
    columns = (
        Column("cert_no", "证书编号", required=True),
        Column("cert_type", "证书类型", required=True),
        Column("id_number", "身份证号", required=True, id_number=True),
        Column("name", "姓名", required=True),
        Column("operation_item", "作业项目"),
        Column("trainee_category", "人员类别"),
        Column("industry", "行业"),
        Column("issued_on", "初领日期", required=True),
        Column("valid_until", "有效期至", required=True),
        Column("next_review_due", "应复审日期"),
        Column("issuer_region_code", "发证机关区划", required=True),
        Column("status", "状态"),
    )

    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        if "items" not in ctx.cache:
            items = {item.code: item for item in OperationItem.objects.all()}
            ctx.cache["items"] = items | {item.name: item for item in items.values()}
            industries = {i.code: i for i in Industry.objects.all()}
            ctx.cache["industries"] = industries | {i.name: i for i in industries.values()}
            ctx.cache["regions"] = {}
        numbers = [row.raw("id_number").upper() for row in rows]
        ctx.cache["persons"] = {p.id_number: p for p in Person.objects.filter(id_number__any=numbers)}
        cert_nos = [row.raw("cert_no").replace(" ", "").upper() for row in rows]
        existing: dict[tuple, Certificate] = {}
        for certificate in Certificate.objects.filter(cert_no__any=cert_nos).order_by("id"):
            key = (certificate.cert_no, certificate.operation_item_id)
            # The live record wins over history (a revoked record and its re-issue share number and item).
            if key not in existing or certificate.status in (CertificateStatus.VALID, CertificateStatus.SUSPENDED):
                existing[key] = certificate
        ctx.cache["certificates"] = existing
        wanted = {row.raw("issuer_region_code") for row in rows} - set(ctx.cache["regions"])
        for region in Region.objects.filter(code__in=wanted):
            ctx.cache["regions"][region.code] = region

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        cert_type = row.choice("cert_type", CertificateType, required=True, aliases=TYPE_ALIASES)
        id_number = row.id_number("id_number")
        name = row.text("name", required=True, max_length=50)
        cert_no = row.text("cert_no", required=True, max_length=32).replace(" ", "").upper()
        item = None
        category = ""
        industry = None
        if cert_type == CertificateType.SPECIAL_OPERATION:
            code = row.raw("operation_item")
            item = ctx.cache["items"].get(code)
            if not code:
                row.fail(
                    "operation_item", _("A special-operations certificate names its operation item."), code="required"
                )
            elif item is None:
                row.fail("operation_item", _("Unknown operation item."), code="unknown_item")
            if id_number and cert_no != "T" + id_number:
                row.fail(
                    "cert_no",
                    _("A special-operations certificate number is T + the holder's ID number."),
                    code="cert_no",
                )
        elif cert_type == CertificateType.COMPETENCY:
            category = row.choice("trainee_category", TraineeCategory, required=True)
            if category and category not in COMPETENCY_POSTS:
                row.fail(
                    "trainee_category",
                    _("A competency certificate is for a principal or a safety manager."),
                    code="choice",
                )
            if row.raw("industry"):
                industry = ctx.cache["industries"].get(row.raw("industry"))
                if industry is None:
                    row.fail("industry", _("Unknown industry."), code="unknown_industry")
            if row.raw("operation_item"):
                row.fail("operation_item", _("A competency certificate has no operation item."), code="invalid")
        issued = row.date("issued_on", required=True)
        valid_until = row.date("valid_until", required=True)
        review_due = row.date("next_review_due")
        if issued and issued > ctx.today:
            row.fail("issued_on", _("The first issue date is in the future."), code="future")
        if issued and valid_until and valid_until < issued:
            row.fail("valid_until", _("The validity ends before the first issue."), code="range")
        if review_due and cert_type == CertificateType.COMPETENCY:
            row.fail("next_review_due", _("A competency certificate has no review."), code="invalid")
        region_code = row.raw("issuer_region_code")
        region = ctx.cache["regions"].get(region_code)
        if region_code and region is None:
            row.fail("issuer_region_code", _("Unknown region code."), code="unknown_region")
        elif region is not None and not ctx.unrestricted:
            user = ctx.user
            if not (user.is_regulator and user.region.contains(region.code)):
                row.fail("issuer_region_code", _("Outside your jurisdiction."), code="outside_jurisdiction")
        status_text = row.raw("status") or "valid"
        status = FILE_STATUSES.get(status_text.lower()) or FILE_STATUSES.get(status_text)
        if status is None:
            row.fail(
                "status",
                _("Unknown value; allowed: %(allowed)s."),
                {"allowed": "valid, suspended, revoked, expired"},
                code="choice",
            )
        elif status == "expired":
            if valid_until and valid_until >= ctx.today:
                row.fail(
                    "status",
                    _("Marked expired, but valid until %(day)s."),
                    {"day": valid_until.isoformat()},
                    code="status",
                )
            status = CertificateStatus.VALID
        person = ctx.cache["persons"].get(id_number)
        if person is not None and name and person.name != name:
            row.fail("name", _("This ID number is registered under a different name."), code="name_mismatch")
        if (
            cert_type == CertificateType.SPECIAL_OPERATION
            and issued
            and review_due is None
            and not row.raw("next_review_due")
        ):
            review_due = _default_review(issued, valid_until)
        existing = ctx.cache["certificates"].get((cert_no, item.pk if item else None))
        if existing is not None and existing.source == CertificateSource.ISSUED:
            row.fail(
                "cert_no",
                _("This certificate was issued by Peikao: change it through its page, not an import."),
                code="issued_here",
            )
        return {
            "cert_no": cert_no,
            "operation_item": item.pk if item else None,
            "cert_type": cert_type,
            "id_number": id_number,
            "name": name,
            "person": person,
            "trainee_category": category,
            "industry_id": industry.pk if industry else None,
            "issuer_region_id": region.pk if region else None,
            "first_issued_on": issued,
            "valid_from": issued,
            "valid_until": valid_until,
            "next_review_due": review_due,
            "status": status,
            "_existing": existing,
        }

    def write(self, rows: list[tuple[int, dict[str, Any]]], ctx: ImportContext) -> WriteCounts:
        return services.certificates_import_bulk(
            rows=[data for _number, data in rows],
            actor=ctx.user,
            run_id=ctx.run.pk if ctx.run is not None else None,
        )

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        queryset = rules.with_standing(_visible(Certificate, ctx.user), ctx.as_of)
        if ctx.region is not None:
            queryset = queryset.filter(issuer_region__code__range=region_code_range(ctx.region.prefix))
        queryset = queryset.select_related("person", "operation_item", "industry", "issuer_region").order_by(
            "cert_no", "operation_item__code"
        )
        for certificate in queryset.iterator(chunk_size=5000):
            status = certificate.status
            if certificate.standing == Standing.EXPIRED:
                status = "expired"
            yield {
                "cert_no": certificate.cert_no,
                "cert_type": certificate.cert_type,
                "id_number": certificate.person.id_number,
                "name": certificate.person.name,
                "operation_item": certificate.operation_item.code if certificate.operation_item_id else "",
                "trainee_category": certificate.trainee_category,
                "industry": certificate.industry.code if certificate.industry_id else "",
                "issued_on": certificate.first_issued_on.isoformat(),
                "valid_until": certificate.valid_until.isoformat(),
                "next_review_due": certificate.next_review_due.isoformat() if certificate.next_review_due else "",
                "issuer_region_code": certificate.issuer_region.code,
                "status": status,
                "_pk": certificate.person_id,
            }

    def export_person_ids(self, row):
        return [(row["_pk"], row["id_number"])]


def _default_review(issued: dt.date, valid_until: dt.date | None) -> dt.date | None:
    """The first review of a legacy certificate, under the rules of its issue date (none after order 19)."""
    try:
        dates = rules.dates_for_issue(CertificateType.SPECIAL_OPERATION, issued)
    except Exception:  # before the first rule on record: reviews every three years, as under order No. 30
        due = rules.years_later(issued, 3)
        return due if valid_until is None or due <= valid_until else None
    return dates.next_review_due


@register
class LeadsKind(ExchangeKind):
    """leads — 假证线索 (export only): for the police liaison, with the case references given back."""

    name = "leads"
    title = _("Fake-certificate leads")
    key = ("lead_id",)
    importable = False
    export_perm = Perm.LEAD_REVIEW
    exports_id_numbers = True  # for the police: claimed T-numbers in full (T + ID number), logged
    columns = (
        Column("lead_id", "线索编号"),
        Column("kind", "线索类型"),
        Column("status", "状态"),
        Column("cert_no", "证书编号"),
        Column("name", "姓名"),
        Column("claimed_issuer", "声称的发证机关"),
        Column("number_pattern", "编号特征"),
        Column("source", "来源"),
        Column("region_code", "所属地区"),
        Column("occurrences", "次数"),
        Column("first_seen", "首次发现"),
        Column("last_seen", "最近发现"),
        Column("description", "举报内容"),
        Column("case_reference", "公安案件编号"),
    )

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        # The registered person whose ID number a claimed T-number carries, if any (for the ID-view log).
        holder = Person.objects.filter(id_number=Substr(OuterRef("cert_no"), 2)).values("pk")[:1]
        queryset = _visible(Lead, ctx.user).select_related("region").annotate(holder_id=Subquery(holder)).order_by("id")
        if ctx.region is not None:
            queryset = queryset.filter(region__code__range=region_code_range(ctx.region.prefix))
        local = timezone.get_current_timezone()
        for lead in queryset.iterator(chunk_size=5000):
            yield {
                "_claimed_id_number": lead.claimed_id_number,
                "_pk": lead.holder_id,
                "lead_id": str(lead.pk),
                "kind": LeadKind(lead.kind).value,
                "status": lead.status,
                "cert_no": lead.cert_no,
                "name": lead.name,
                "claimed_issuer": lead.claimed_issuer,
                "number_pattern": lead.number_pattern,
                "source": lead.source,
                "region_code": lead.region.code if lead.region_id else "",
                "occurrences": str(lead.occurrences),
                "first_seen": lead.first_seen.astimezone(local).isoformat(timespec="seconds"),
                "last_seen": lead.last_seen.astimezone(local).isoformat(timespec="seconds"),
                "description": lead.description,
                "case_reference": lead.case_reference,
            }

    def export_person_ids(self, row):
        return [(row["_pk"], row["_claimed_id_number"])] if row["_claimed_id_number"] else []
