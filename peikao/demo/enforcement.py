"""The enforcement part of the demo province: the catalogue, a compliance scan, an annual plan drawn at random,
an inspection on site with checklist, evidence, spot exams and a lawful fine, an overdue rectification that
was escalated, a verified one, a soft inspection with only surface findings, and a published case."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count

from peikao.certificates.signing import qr_png
from peikao.compliance import services as compliance_services
from peikao.core.audit import audit_context
from peikao.core.models import Region, User
from peikao.demo.steps import DemoContext, step
from peikao.enforcement import selectors, services
from peikao.enforcement.models import Rectification
from peikao.exams.models import Question
from peikao.registry.models import Assignment, Organization


def _photo(text: str) -> SimpleUploadedFile:
    """A small PNG standing in for a photo taken on site."""
    return SimpleUploadedFile(f"{text}.png", qr_png(text, box_size=3), content_type="image/png")


def _answers(exam, right: bool) -> dict[str, str]:
    questions = Question.objects.in_bulk([item["q"] for item in exam.items])
    letters = "ABCDEF"
    answers = {}
    for position, item in enumerate(exam.items):
        question = questions[item["q"]]
        if question.qtype == "judge":
            correct = question.answer
            answers[str(position)] = correct if right else ("F" if correct == "T" else "T")
        else:
            shown = [letters[item["o"].index(letters.index(letter))] for letter in question.answer]
            wrong = next(letter for letter in letters[: len(item["o"])] if letter not in shown)
            answers[str(position)] = "".join(sorted(shown)) if right else wrong
    return answers


def _county_inspector(organization: Organization) -> User:
    """An inspector of the organisation's county (gl-inspector in 鼓楼): the city's inspector goes with one."""
    return (
        User.objects.filter(role="inspector", is_active=True, region_id=organization.region_id).order_by("pk").first()
    ) or User.objects.get(username="fj-admin")


@step(500, "enforcement")
def build_enforcement(ctx: DemoContext) -> str:
    today = ctx.today
    admin = User.objects.get(username="fj-admin")
    fuzhou = User.objects.get(username="fz-inspector")
    province = Region.objects.get(code=ctx.province)
    with audit_context(user=admin):
        scan = compliance_services.scan(actor=admin, region=province, as_of=today)
        plan = services.plan_create(
            actor=admin,
            region=province,
            year=today.year,
            name=f"{today.year}年度安全培训专项执法检查计划",
            kinds=["enterprise", "training_institution"],
            subjects_wanted=8,
        )
        services.plan_draw(actor=admin, plan=plan, seed=20260101)

    # An enterprise in 福州 whose special operators work in items the demo banks cover: the on-site inspection.
    covered = (
        Assignment.objects.filter(
            role="special_operator",
            operation_item__code__in=["1.2", "2.1", "3.1"],
            organization__kind="enterprise",
            organization__region__code__startswith="3501",
            end_date__isnull=True,
        )
        .values("organization")
        .annotate(n=Count("id"))
        .order_by("-n", "organization")
    )
    target = Organization.objects.get(pk=covered[0]["organization"])
    team = [fuzhou, _county_inspector(target)]
    with audit_context(user=fuzhou):
        inspection = services.inspection_create(
            actor=fuzhou, organization=target, kind="special", inspected_on=today, inspectors=team
        )
        services.inspection_start(actor=fuzhou, inspection=inspection)
        uncertified = None
        for item in selectors.checklist_items("enterprise"):
            outcome = "compliant"
            note = ""
            if item.code == "ENT-UNCERT-SPECOPS":
                outcome, note = "violation", "现场抽查焊工作业人员，1人无特种作业操作证，1人证书逾期未复审"
            elif item.code == "SURFACE-2":
                outcome, note = "violation", "配电房安全警示标志不全"
            services.check_record(actor=fuzhou, inspection=inspection, item=item, outcome=outcome, note=note)
            if item.code == "ENT-UNCERT-SPECOPS":
                uncertified = inspection.findings.get(violation=item)
        services.evidence_add(
            actor=fuzhou,
            inspection=inspection,
            upload=_photo(f"{inspection.code}-焊接作业现场"),
            finding=uncertified,
            captured_at=dt.datetime.combine(today, dt.time(10, 12), tzinfo=dt.timezone(dt.timedelta(hours=8))),
            latitude=Decimal("26.074508"),
            longitude=Decimal("119.296494"),
            accuracy_m=12,
        )
        drawn = services.spot_draw(actor=fuzhou, inspection=inspection, count=3, seed=7)
        answered = [(exam, raw) for exam, raw in drawn if exam.status == "drawn"]
        for index, (exam, raw) in enumerate(answered):
            services.spot_submit(raw=raw, answers=_answers(exam, right=index != 1))
        services.decision_issue(
            actor=fuzhou,
            inspection=inspection,
            findings=[uncertified],
            measure="fine",
            fine_yuan=Decimal("30000"),
            decided_on=today,
            publicized=True,
            note="安排未持证人员从事特种作业",
        )
        others = list(inspection.findings.exclude(pk=uncertified.pk))
        services.decision_issue(
            actor=fuzhou,
            inspection=inspection,
            findings=others,
            measure="rectify_order",
            decided_on=today,
            due_on=today + dt.timedelta(days=30),
            note="立即停止无证人员作业，组织从业人员培训并补考；完善安全警示标志。",
        )
        services.inspection_complete(actor=fuzhou, inspection=inspection, summary="专项检查：特种作业人员持证情况")

    # Two months ago: an order to rectify that nobody complied with (overdue, escalated) …
    enterprises = list(
        Organization.objects.filter(kind="enterprise", region__code__startswith="3501")
        .exclude(pk=target.pk)
        .order_by("org_code")[:3]
    )
    past = today - dt.timedelta(days=60)
    results = []
    for index, enterprise in enumerate(enterprises):
        pair = [fuzhou, _county_inspector(enterprise)]
        with audit_context(user=fuzhou):
            old = services.inspection_create(
                actor=fuzhou, organization=enterprise, kind="routine", inspected_on=past, inspectors=pair
            )
            services.inspection_start(actor=fuzhou, inspection=old)
            for item in selectors.checklist_items("enterprise"):
                if index == 2:  # … a soft inspection: only a surface item written up, no decision
                    outcome = "violation" if item.code == "SURFACE-1" else "compliant"
                else:
                    outcome = "violation" if item.code in ("ENT-PLAN", "ENT-NO-TRAIN") else "compliant"
                services.check_record(actor=fuzhou, inspection=old, item=item, outcome=outcome, note="")
            if index < 2:
                decision = services.decision_issue(
                    actor=fuzhou,
                    inspection=old,
                    findings=list(old.findings.all()),
                    measure="rectify_order",
                    decided_on=past,
                    due_on=past + dt.timedelta(days=30 + 10 * index),
                )
                results.append(decision.rectification)
            services.inspection_complete(actor=fuzhou, inspection=old)
    overdue, verified = results
    with audit_context(user=fuzhou):
        services.rectification_escalate(actor=fuzhou, rectification=overdue, note="逾期未报送整改情况")
    enterprise_user = User.objects.filter(link__organization=verified.decision.inspection.organization).first()
    with audit_context(user=fuzhou):
        services.rectification_submit(
            actor=enterprise_user or fuzhou,
            rectification=verified,
            note="已制定年度培训计划并组织全员培训，附培训记录和照片。",
            files=[_photo("培训记录")],
        )
        services.rectification_verify(
            actor=fuzhou, rectification=Rectification.objects.get(pk=verified.pk), accept=True, note="现场复核，已整改"
        )
    return (
        f"compliance scan: {scan.gap_count} gaps at {scan.enterprise_count} enterprises; plan drawn "
        f"({plan.subjects.count()} subjects); 4 inspections, spot exams, a fine, orders to rectify (one overdue)"
    )
