"""The certificates part of the demo province: certificates issued from the demo exams, legacy certificates
(certificates.csv) across items and states — valid, expiring, expired, review overdue under order No. 30,
review not held under order No. 19, suspended, revoked with a ban, cancelled — and fake-certificate leads
from failed lookups, a forged QR code, a revoked certificate still shown, and reports from the public."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone

from peikao.certificates import publishing, rules, services, signing, verification
from peikao.certificates.choices import CertificateStatus, CertificateType, LookupChannel
from peikao.certificates.models import Certificate
from peikao.core.audit import audit_context
from peikao.core.exchange.runner import run_import
from peikao.core.exchange.tables import write_table
from peikao.core.models import User
from peikao.demo.steps import DemoContext, imported, step
from peikao.exams.models import Result
from peikao.registry.models import Assignment
from peikao.training.models import Enrolment

ISSUERS = ["350100", "350200", "350300", "350500", "350600", "350700", "350800", "350900"]


def _legacy_rows(ctx: DemoContext) -> list[list[str]]:
    """Certificates of the enterprises' special operators, principals and safety managers, issued before Peikao."""
    rng, today = ctx.rng, ctx.today
    rows: list[list[str]] = []
    seen: set[tuple[str, str]] = set()
    # Trainees of this year's initial classes are getting their first certificate now. 福州's workers trained and
    # examined in the earlier system's last years (history.py) are certified a few weeks after the exam they passed,
    # or not (yet); their draws are made all the same, so that everyone else's stay what they were.
    history = ctx.data.get("history", {})
    new_trainees = Enrolment.objects.filter(
        training_class__training_type="initial", training_class__trainee_category="special_operator"
    ).exclude(training_class__class_code__in=ctx.data.get("history_classes", []))
    operators = (
        Assignment.objects.filter(role="special_operator", organization__kind="enterprise", end_date__isnull=True)
        .exclude(person__in=new_trainees.values("person"))
        .select_related("person", "operation_item", "organization__region")
        .order_by("id")
    )
    for assignment in operators:
        person, item = assignment.person, assignment.operation_item
        key = (person.id_number, item.code)
        if key in seen:
            continue
        uncertified = rng.random() < 0.12  # some work without a certificate
        if uncertified and history.get(key) is None:
            continue
        seen.add(key)
        status = "valid"
        if uncertified:  # but passed the exam in the earlier records: certified since
            issued, issuer = history[key], "350100"
        else:
            roll = rng.random()
            if roll < 0.05:  # expired years ago
                issued = today - dt.timedelta(days=rng.randint(6 * 365 + 30, 8 * 365))
            elif roll < 0.12:  # issued under order 30, review fell due before 2026-06-01 and was missed
                issued = dt.date(rng.choice([2021, 2022]), rng.randint(1, 12), rng.randint(1, 28))
            elif roll < 0.17:  # expiring within 90 days
                issued = rules.years_later(today + dt.timedelta(days=rng.randint(5, 85)), -6) + dt.timedelta(days=1)
            else:
                issued = today - dt.timedelta(days=rng.randint(30, 5 * 365))
            if rules.years_later(issued, 6) - dt.timedelta(days=1) < today:
                status = "expired"
            elif rng.random() < 0.02:
                status = "suspended"
            issuer = assignment.organization.region.code[:4] + "00"
            issuer = issuer if issuer in ISSUERS else rng.choice(ISSUERS)
            if key in history:
                if history[key] is None:  # trained, not passed (or passed too lately): no certificate yet
                    continue
                issued, status = history[key], "suspended" if status == "suspended" else "valid"
        valid_until = rules.years_later(issued, 6) - dt.timedelta(days=1)
        rows.append(
            [
                "T" + person.id_number,
                "special_operation",
                person.id_number,
                person.name,
                item.code,
                "",
                "",
                issued.isoformat(),
                valid_until.isoformat(),
                "",  # the review date: by the rules of the issue date (none under order No. 19), as imported
                issuer,
                status,
            ]
        )
    managers = (
        Assignment.objects.filter(
            role__in=["principal", "safety_manager"], organization__kind="enterprise", end_date__isnull=True
        )
        .select_related("person", "organization__industry", "organization__region")
        .order_by("id")
    )
    for number, assignment in enumerate(managers, start=1):
        if rng.random() < 0.2:  # no competency certificate: a gap for compliance
            continue
        issued = today - dt.timedelta(days=rng.randint(60, 3 * 365 + 60))
        valid_until = rules.years_later(issued, 3) - dt.timedelta(days=1)
        region = assignment.organization.region.code[:4] + "00"
        region = region if region in ISSUERS else "350100"
        post = "1" if assignment.role == "principal" else "2"
        rows.append(
            [
                f"{region}{issued.year}{post}{number:06d}",
                "competency",
                assignment.person.id_number,
                assignment.person.name,
                "",
                assignment.role,
                assignment.organization.industry.code if assignment.organization.industry_id else "",
                issued.isoformat(),
                valid_until.isoformat(),
                "",
                region,
                "expired" if valid_until < today else "valid",
            ]
        )
    return rows


HEADER = [
    "cert_no",
    "cert_type",
    "id_number",
    "name",
    "operation_item",
    "trainee_category",
    "industry",
    "issued_on",
    "valid_until",
    "next_review_due",
    "issuer_region_code",
    "status",
]


@step(400, "certificates")
def build_certificates(ctx: DemoContext) -> str:
    admin = User.objects.get(username="fj-admin")
    today = ctx.today
    summary = []

    buffer = io.BytesIO()
    rows = _legacy_rows(ctx)
    write_table(buffer, "certificates.csv", HEADER, rows)
    result = run_import(
        kind_name="certificates",
        source=io.BytesIO(buffer.getvalue()),
        filename="legacy-certificates.csv",
        label="command:demo",
    )
    imported(result, "certificates")
    summary.append(f"{result.counts.imported} legacy certificates")

    # Issued by Peikao from the demo exams: every candidate who passed the theory and the practical.
    issued = 0
    with audit_context(user=admin):
        practicals = Result.objects.filter(
            registration__sitting__part="practical", status="valid", passed=True
        ).select_related("registration__person", "registration__sitting__operation_item")
        for practical in practicals.order_by("id"):
            person, item = practical.registration.person, practical.registration.sitting.operation_item
            if Certificate.objects.filter(
                person=person, operation_item=item, status__in=["valid", "suspended"]
            ).exists():
                continue
            plan = services.special_operation_plan(person=person, operation_item=item, on=today)
            if plan.ok:
                services.issue_special_operation(actor=admin, person=person, operation_item=item, on=today)
                issued += 1
        summary.append(f"{issued} issued from results")

        # Decisions: a revocation for false information (3-year ban), a suspension, a cancellation, a review.
        live = Certificate.objects.filter(
            cert_type=CertificateType.SPECIAL_OPERATION, status=CertificateStatus.VALID, valid_until__gt=today
        ).order_by("id")
        revoked = live.filter(source="imported").first()
        services.revoke(
            actor=admin,
            certificate=revoked,
            ground="false_information",
            reason="报名时提交的学历证明系伪造（闽应急罚〔2026〕12号）",
        )
        suspended = live.filter(source="imported").exclude(pk=revoked.pk)[1]
        services.suspend(
            actor=admin, certificate=suspended, ground="investigation", reason="涉嫌无证上岗事故调查期间暂扣"
        )
        cancelled = live.filter(source="imported").exclude(pk__in=[revoked.pk, suspended.pk])[2]
        services.cancel(actor=admin, certificate=cancelled, ground="holder_request", reason="本人申请注销")
        reviewed = (
            Certificate.objects.filter(
                cert_type=CertificateType.SPECIAL_OPERATION,
                status=CertificateStatus.VALID,
                next_review_due__lt=rules.reviews_abolished_on(),
                next_review_due__gt=today - dt.timedelta(days=700),
            )
            .order_by("id")
            .first()
        )
        if reviewed is not None:
            services.review_record(
                actor=admin,
                certificate=reviewed,
                reviewed_on=reviewed.next_review_due - dt.timedelta(days=20),
                passed=True,
                reason="复审培训8学时，考试合格",
            )
        summary.append("a revocation with a 3-year ban, a suspension, a cancellation, a review")

    summary.append(_leads(ctx, revoked))
    return "; ".join(summary)


def _leads(ctx: DemoContext, revoked: Certificate) -> str:
    """What the public verification would have seen: fake numbers, a forged QR, a revoked card still shown."""
    rng = ctx.rng
    now = timezone.now()
    entries = []
    # A seller of fake certificates: numbers in a run, looked up by employers from the same few addresses.
    for index in range(14):
        birth = f"1990{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        fake = f"T350102{birth}{rng.randint(100, 999)}{rng.choice('0123456789X')}"
        client = rng.choice(["36.250.11.7", "36.250.11.8", "117.28.5.40"])
        answer = verification.by_number(fake, rng.choice(["王强", "李明", "陈建华", "林志强"]))
        entry = verification.entry_for(
            answer, channel=LookupChannel.PAGE, client=client, user_agent="demo", cert_no=fake
        )
        entries.append(entry._replace(time=now - dt.timedelta(days=rng.randint(0, 20), minutes=index)))
    # A QR code signed with some other key (a forgery).
    forged = signing.KeyRing.ephemeral().sign(
        signing.certificate_claims(
            no="T350102199203154417",
            type="special_operation",
            name="黄伟",
            id_number="350102199203154417",
            item="1.2 低压电工作业",
            issuer="350100",
            issued=dt.date(2024, 3, 1),
            valid_until=dt.date(2030, 2, 28),
            status_index=12345,
        )
    )
    for client in ("220.160.3.9", "220.160.3.9", "27.151.90.2"):
        answer = verification.by_token(forged)
        entries.append(verification.entry_for(answer, channel=LookupChannel.QR, client=client, user_agent="demo"))
    # The revoked certificate is still being shown on a site.
    token = publishing.token_for(revoked)
    for _ in range(3):
        answer = verification.by_token(token)
        entries.append(verification.entry_for(answer, channel=LookupChannel.QR, client="59.57.12.3", user_agent="demo"))
    # And genuine checks by employers.
    for certificate in Certificate.objects.filter(status="valid").order_by("id")[:30]:
        answer = verification.by_number(certificate.cert_no, certificate.person.name)
        entries.append(
            verification.entry_for(
                answer, channel=LookupChannel.API, client="218.85.1.20", user_agent="demo", cert_no=certificate.cert_no
            )
        )
    verification.write_entries(entries)
    created = verification.derive_leads()
    services.report_from_public(
        cert_no="T350102199105223318",
        name="赵磊",
        claimed_issuer="福州市应急管理局",
        where="福州某建筑工地（仓山区）",
        description="施工方出示的高处作业证，扫码后提示签名无效，证件纸张粗糙。",
        contact="138****5566",
        client="36.250.11.7",
    )
    return f"{created + 1} fake-certificate leads"
