"""The certificates' read path, scoped to the user's jurisdiction: lists with their standing on a day,
reminders per enterprise and per region, results waiting for a certificate, what an issuance would rest on,
and leads."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.certificates import rules
from peikao.certificates.choices import SUSPICIOUS_OUTCOMES, LeadGrouping, LeadStatus
from peikao.certificates.models import LIVE_STATUSES, Certificate, CertificateEvent, Lead, LeadEvent, Lookup
from peikao.certificates.rules import IssuancePlan, make_check
from peikao.core.i18n import Bilingual
from peikao.core.models import User
from peikao.core.permissions import Perm, has_perm
from peikao.exams import rules as exam_rules
from peikao.exams.choices import ExamPart, ResultStatus
from peikao.exams.models import Result
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import Assignment, OperationItem, Person
from peikao.training.models import Enrolment

CERTIFICATE_RELATED = ("person", "operation_item__category", "industry", "issuer_region")


def certificate_list(*, user: User, filters=None, today: dt.date | None = None) -> QuerySet[Certificate]:
    today = today or timezone.localdate()
    filters = filters or {}
    queryset = rules.with_standing(Certificate.objects.visible_to(user), today).select_related(*CERTIFICATE_RELATED)
    q = (filters.get("q") or "").strip()
    if q:
        queryset = queryset.filter(Q(cert_no__icontains=q.upper()) | Q(person__name__icontains=q))
    if filters.get("cert_type"):
        queryset = queryset.filter(cert_type=filters["cert_type"])
    if filters.get("standing"):
        queryset = queryset.filter(standing=filters["standing"])
    if filters.get("item"):
        queryset = queryset.filter(operation_item__code=filters["item"])
    if filters.get("issuer"):
        queryset = queryset.filter(issuer_region__code__startswith=str(filters["issuer"]).rstrip("0") or "")
    days = settings_days()
    if filters.get("due") == "review":
        queryset = queryset.filter(rules.review_due_q(today, days))
    elif filters.get("due") == "expiry":
        queryset = queryset.filter(rules.expiry_due_q(today, days))
    if filters.get("organization"):
        queryset = queryset.filter(
            Exists(_current_assignments(today).filter(organization__org_code=filters["organization"]))
        )
    return queryset.order_by("cert_no", "operation_item__code")


def settings_days() -> int:
    return int(settings.PEIKAO.get("CERTIFICATE_REMINDER_DAYS", 90))


def certificate_get(*, user: User, certificate_id: int, today: dt.date | None = None) -> Certificate:
    today = today or timezone.localdate()
    queryset = rules.with_standing(Certificate.objects.visible_to(user), today).select_related(
        *CERTIFICATE_RELATED,
        "theory_result__registration__sitting",
        "practical_result__registration__sitting__exam_point",
        "enrolment__training_class",
        "issued_by",
    )
    return get_object_or_404(queryset, pk=certificate_id)


def certificate_events(certificate: Certificate) -> QuerySet[CertificateEvent]:
    return certificate.events.select_related("actor").order_by("time", "id")


def _current_assignments(today: dt.date):
    return Assignment.objects.filter(person=OuterRef("person"), start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


def reminders(*, user: User, today: dt.date | None = None) -> dict:
    """Reviews and expiries due in the next N days, counted per enterprise (current employer) and per region."""
    today = today or timezone.localdate()
    days = settings_days()
    review_q, expiry_q = rules.review_due_q(today, days), rules.expiry_due_q(today, days)
    visible = Certificate.objects.visible_to(user)
    due = visible.filter(review_q | expiry_q)
    totals = due.aggregate(reviews=Count("id", filter=review_q), expiries=Count("id", filter=expiry_q))
    per_region = list(
        due.values("issuer_region__code", "issuer_region__name")
        .annotate(reviews=Count("id", filter=review_q), expiries=Count("id", filter=expiry_q))
        .order_by("issuer_region__code")
    )
    employers = (
        Assignment.objects.visible_to(user)
        .filter(start_date__lte=today, organization__kind=OrganizationKind.ENTERPRISE)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    )
    per_enterprise = list(
        employers.filter(person__certificates__in=due.values("pk"))
        .values("organization__org_code", "organization__name")
        .annotate(
            reviews=Count(
                "person__certificates",
                filter=Q(person__certificates__in=visible.filter(review_q).values("pk")),
                distinct=True,
            ),
            expiries=Count(
                "person__certificates",
                filter=Q(person__certificates__in=visible.filter(expiry_q).values("pk")),
                distinct=True,
            ),
        )
        .order_by("-expiries", "-reviews", "organization__name")[:200]
    )
    return {"days": days, "today": today, "totals": totals, "per_region": per_region, "per_enterprise": per_enterprise}


def pending_issuance(*, user: User) -> QuerySet[Result]:
    """Passed practical exams and competency assessments that no certificate was issued from yet."""
    used = Certificate.objects.filter(Q(practical_result__isnull=False) | Q(theory_result__isnull=False))
    passed = Result.objects.visible_to(user).filter(status=ResultStatus.VALID, passed=True)
    practical = Q(registration__sitting__part=ExamPart.PRACTICAL, registration__sitting__operation_item__isnull=False)
    competency = Q(
        registration__sitting__part=ExamPart.THEORY,
        registration__sitting__operation_item__isnull=True,
        registration__sitting__trainee_category__in=["principal", "safety_manager"],
    )
    live = Certificate.objects.filter(
        person=OuterRef("registration__person"),
        operation_item=OuterRef("registration__sitting__operation_item"),
        status__in=["valid", "suspended"],
    )
    return (
        passed.filter(practical | competency)
        .exclude(pk__in=used.values("practical_result"))
        .exclude(pk__in=used.values("theory_result"))
        .exclude(Exists(live))
        .select_related(
            "registration__person", "registration__sitting__operation_item", "registration__sitting__exam_point"
        )
        .order_by("registration__sitting__starts_at", "id")
    )


def application_ban_until(*, person_id: int, day: dt.date) -> dt.date | None:
    """The end of a 3-year ban from applying after a certificate was revoked for false information or fraud
    (order No. 30 art. 30), if one runs on ``day``. Answers the exams app's hook of the same name."""
    return (
        Certificate.objects.filter(person_id=person_id, ban_until__gte=day)
        .order_by("-ban_until")
        .values_list("ban_until", flat=True)
        .first()
    )


# -- issuance plans -------------------------------------------------------------------------------------


def _unused(queryset: QuerySet[Result]) -> QuerySet[Result]:
    used = Certificate.objects.filter(Q(theory_result__isnull=False) | Q(practical_result__isnull=False))
    return queryset.exclude(pk__in=used.values("theory_result")).exclude(pk__in=used.values("practical_result"))


def special_operation_plan(*, person: Person, operation_item: OperationItem, on: dt.date) -> IssuancePlan:
    """The results and training a special-operations certificate would be issued from, with every check."""
    plan = IssuancePlan()
    results = Result.objects.filter(
        registration__person=person,
        registration__sitting__operation_item=operation_item,
        status=ResultStatus.VALID,
        passed=True,
    ).select_related("registration__sitting__exam_point__region", "registration__training_class")
    practical = (
        _unused(results.filter(registration__sitting__part=ExamPart.PRACTICAL))
        .order_by("-registration__sitting__starts_at")
        .first()
    )
    if practical is None:
        plan.checks.append(
            make_check("practical", False, _("No passed practical exam for this item."), None, "order_30 art. 14")
        )
        return plan
    plan.practical = practical
    practical_day = timezone.localdate(practical.registration.sitting.starts_at)
    plan.checks.append(
        make_check(
            "practical",
            True,
            _("Practical passed on %(day)s (%(score)s points, sitting %(code)s)."),
            {
                "day": practical_day.isoformat(),
                "score": practical.score,
                "code": practical.registration.sitting.sitting_code,
            },
            "order_30 art. 14",
        )
    )
    regime = exam_rules.regime_on(practical_day)
    theory_results = results.filter(
        registration__sitting__part=ExamPart.THEORY,
        registration__sitting__starts_at__lte=practical.registration.sitting.starts_at,
    )
    if regime.result_valid_months:
        since = exam_rules.add_months(practical_day, -regime.result_valid_months)
        theory_results = theory_results.filter(registration__sitting__starts_at__date__gte=since)
    theory = _unused(theory_results).order_by("-registration__sitting__starts_at").first()
    if theory is None:
        plan.checks.append(
            make_check(
                "theory", False, _("No passed theory exam for this item before the practical."), None, regime.code
            )
        )
        return plan
    plan.theory = theory
    theory_day = timezone.localdate(theory.registration.sitting.starts_at)
    plan.checks.append(
        make_check(
            "theory",
            True,
            _("Theory passed on %(day)s (%(score)s points, sitting %(code)s)."),
            {"day": theory_day.isoformat(), "score": theory.score, "code": theory.registration.sitting.sitting_code},
            regime.code,
        )
    )
    completed = Enrolment.objects.filter(
        person=person,
        credited__completed=True,
        training_class__operation_item=operation_item,
        training_class__end_date__lte=theory_day,
    ).select_related("training_class__organization")
    if theory.registration.training_class_id:
        completed = completed.filter(training_class=theory.registration.training_class_id)
    enrolment = completed.order_by("-training_class__end_date").first()
    exempt = next(
        (c for c in theory.registration.eligibility if c.get("code") == "training" and c.get("exemption")), None
    )
    if enrolment is None and exempt is not None:  # admitted to the exams without training (order No. 19)
        plan.checks.append(
            make_check(
                "training",
                True,
                _("Admitted to the exams without training: %(why)s"),
                {"why": Bilingual(exempt["zh"], exempt["en"])},
                exempt["basis"],
            )
        )
    elif enrolment is None:
        plan.checks.append(
            make_check(
                "training", False, _("No completed training for this item before the exams."), None, "order_30 art. 5"
            )
        )
    else:
        plan.enrolment = enrolment
        plan.checks.append(
            make_check(
                "training",
                True,
                _("Training completed: class %(code)s of %(org)s."),
                {"code": enrolment.training_class.class_code, "org": enrolment.training_class.organization.name},
                "order_30 art. 5",
            )
        )
    cert_no = "T" + person.id_number
    if Certificate.objects.filter(cert_no=cert_no, operation_item=operation_item, status__in=LIVE_STATUSES).exists():
        plan.checks.append(
            make_check("unique", False, _("The holder already has a live certificate for this item."), None, "")
        )
    ban = rules.ban_check(application_ban_until(person_id=person.pk, day=on))
    if ban is not None:
        plan.checks.append(ban)
    return plan


def competency_plan(*, result: Result, on: dt.date) -> IssuancePlan:
    """The checks a competency certificate issued from ``result`` would rest on."""
    plan = IssuancePlan(theory=result)
    sitting = result.registration.sitting
    ok = (
        sitting.operation_item_id is None
        and sitting.trainee_category in rules.COMPETENCY_POSTS
        and result.status == ResultStatus.VALID
        and result.passed
    )
    plan.checks.append(
        make_check(
            "assessment",
            ok,
            _("Competency assessment passed on %(day)s (%(score)s points).")
            if ok
            else _("This result is not a passed competency assessment."),
            {"day": timezone.localdate(sitting.starts_at).isoformat(), "score": result.score},
            "order_44 art. 22",
        )
    )
    if Certificate.objects.filter(theory_result=result).exists():
        plan.checks.append(make_check("used", False, _("A certificate was already issued from this result."), None, ""))
    ban = rules.ban_check(application_ban_until(person_id=result.registration.person_id, day=on))
    if ban is not None:
        plan.checks.append(ban)
    return plan


def person_certificates(*, user: User, person: Person, today: dt.date | None = None) -> QuerySet[Certificate]:
    return certificate_list(user=user, today=today).filter(person=person)


def person_certificate_section(*, user: User, person: Person) -> dict | None:
    return {"certificates": list(person_certificates(user=user, person=person))}


# -- leads ----------------------------------------------------------------------------------------------


def may_see_leads(user: User) -> bool:
    return has_perm(user, Perm.LEAD_REVIEW) or (getattr(user, "is_regulator", False))


def lead_list(*, user: User, filters=None) -> QuerySet[Lead]:
    if not may_see_leads(user):
        return Lead.objects.none()
    filters = filters or {}
    queryset = Lead.objects.visible_to(user).select_related("region", "certificate")
    for name in ("status", "kind", "number_pattern", "source", "claimed_issuer"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    if filters.get("open"):
        queryset = queryset.filter(status__in=[LeadStatus.NEW, LeadStatus.REVIEWING])
    q = (filters.get("q") or "").strip()
    if q:
        queryset = queryset.filter(
            Q(cert_no__icontains=q.upper()) | Q(name__icontains=q) | Q(case_reference__icontains=q)
        )
    return queryset.order_by("-last_seen", "-id")


GROUP_FIELDS = {
    LeadGrouping.PATTERN: "number_pattern",
    LeadGrouping.ISSUER: "claimed_issuer",
    LeadGrouping.SOURCE: "source",
}


def lead_groups(*, user: User, grouping: str, open_only: bool = True) -> list[dict]:
    """Leads that share a number pattern, a claimed issuer or a source, largest groups first (two or more)."""
    field = GROUP_FIELDS[LeadGrouping(grouping)]
    queryset = lead_list(user=user, filters={"open": open_only}).exclude(**{field: ""})
    return list(
        queryset.values(field)
        .annotate(
            leads=Count("id"),
            occurrences=Sum("occurrences"),
            last_seen=Max("last_seen"),
            numbers=Count("cert_no", distinct=True),
        )
        .filter(leads__gte=2)
        .order_by("-leads", "-occurrences")[:100]
    )


def lead_get(*, user: User, lead_id: int) -> Lead:
    return get_object_or_404(lead_list(user=user), pk=lead_id)


def lead_events(lead: Lead) -> QuerySet[LeadEvent]:
    return lead.events.select_related("actor").order_by("time", "id")


def lead_lookups(lead: Lead) -> list[Lookup]:
    """The latest suspicious lookups of the lead's number (through the partial index lookup_suspicious_number)."""
    if not lead.cert_no:
        return []
    return list(
        Lookup.objects.filter(cert_no=lead.cert_no, outcome__in=SUSPICIOUS_OUTCOMES).order_by("-time", "-id")[:20]
    )


def certificate_counts(*, user: User, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    queryset = rules.with_standing(Certificate.objects.visible_to(user), today)
    return {row["standing"]: row["n"] for row in queryset.values("standing").annotate(n=Count("id")).order_by()}
