"""Decisions within the law: a fine inside the legal range of the findings' violations, measures that change the
subject's status or revoke a certificate, an order to rectify that opens the rectification loop; and decisions of
the past, recorded in bulk from exchange files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from peikao.certificates import services as certificate_services
from peikao.certificates.models import Certificate
from peikao.core.audit import audited_create
from peikao.core.bulk import insert_rows
from peikao.core.errors import DomainError
from peikao.core.exchange import WriteCounts
from peikao.core.i18n import Bilingual
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import apply_transition
from peikao.enforcement import rules, selectors
from peikao.enforcement.choices import SEVERE_MEASURES, Measure, RectificationStatus
from peikao.enforcement.models import Decision, Finding, Inspection, Rectification
from peikao.enforcement.services._bulk import create_logged
from peikao.enforcement.services._common import _next_code, _require_jurisdiction
from peikao.registry.choices import ORGANIZATION_TRANSITIONS, OrganizationKind, OrganizationStatus
from peikao.registry.models import Organization, OrganizationEvent, Person

FINE_OUTSIDE_RANGE = _(
    "A fine of %(fine)s yuan is outside the legal range of %(low)s–%(high)s yuan%(overdue)s (%(basis)s)."
)
RESPONSIBLE_OUTSIDE_RANGE = _(
    "A fine of %(fine)s yuan on the person directly responsible is outside the legal range of %(low)s–%(high)s "
    "yuan (%(basis)s)."
)
RESPONSIBLE_NOT_OVERDUE = _(
    "The person directly responsible is fined only beside the unit's fine for a violation not corrected in time, "
    "where its rule provides such a fine (e.g. the Work Safety Law, art. 97)."
)


def _require_findings_of(inspection: Inspection, findings: list[Finding]) -> None:
    if not findings:
        raise DomainError("findings_required", _("A decision rests on findings of the inspection."), field="findings")
    if any(f.inspection_id != inspection.pk for f in findings):
        raise DomainError("foreign_finding", _("Every finding must belong to this inspection."), field="findings")


@transaction.atomic
def decision_issue(
    *,
    actor: User,
    inspection: Inspection,
    findings: list[Finding],
    measure: str,
    decided_on: dt.date,
    fine_yuan: Decimal | None = None,
    due_on: dt.date | None = None,
    certificate: Certificate | None = None,
    revoke_ground: str = "",
    publicized: bool = False,
    note: str = "",
    code: str | None = None,
    responsible_person: Person | None = None,
    responsible_fine_yuan: Decimal | None = None,
) -> Decision:
    """A decision within the law: the fine inside the lawful range of the findings' violations — one range per
    distinct violation, whatever the number of findings or persons (``rules.fine_range``; shown with the basis
    when it is not) — and, beside it, the fine of the person directly responsible, only for a violation not
    corrected in time whose rule provides one; suspension and closure changing the subject's status, an order
    to rectify opening the rectification loop."""
    require_perm(actor, Perm.DECIDE)
    measure = Measure(measure)
    organization = inspection.organization
    _require_jurisdiction(actor, organization)
    if measure in SEVERE_MEASURES:
        needed = (
            Perm.CERTIFICATE_MANAGE if measure == Measure.REVOKE_CERTIFICATE else Perm.ORGANIZATION_CHANGE_REGULATED
        )
        require_perm(actor, needed)
    _require_findings_of(inspection, findings)
    if decided_on < inspection.inspected_on:
        raise DomainError(
            "decided_before_inspection", _("A decision cannot come before the inspection."), field="decided_on"
        )
    bases = rules.decision_basis(findings)
    overdue_range = False
    allowed: rules.FineRange | None = None
    if measure == Measure.FINE:
        if fine_yuan is None or fine_yuan <= 0:
            raise DomainError("fine_amount", rules.FINE_AMOUNT_REQUIRED, field="fine_yuan")
        allowed = rules.fine_range(findings, overdue=selectors.rectification_overdue(findings, on=decided_on))
        if not allowed.allows(fine_yuan):
            raise DomainError(
                "fine_outside_range",
                FINE_OUTSIDE_RANGE,
                {
                    "fine": f"{fine_yuan:,.0f}",
                    "low": f"{allowed.low:,.0f}",
                    "high": f"{allowed.high:,.0f}",
                    "overdue": Bilingual(
                        "，适用逾期未改正的罚款幅度", ", the range for violations not corrected in time"
                    )
                    if allowed.overdue
                    else Bilingual("", ""),
                    "basis": Bilingual(allowed.basis, allowed.basis),
                },
                field="fine_yuan",
            )
        overdue_range = allowed.overdue
        bases = allowed.basis
    else:
        fine_yuan = None
    _check_responsible(actor, allowed, responsible_person, responsible_fine_yuan)
    if measure == Measure.RECTIFY_ORDER:
        if rules.deadline_missing(due_on, decided_on):
            raise DomainError("deadline_required", rules.DEADLINE_REQUIRED, field="due_on")
    else:
        due_on = None
    if (
        measure in (Measure.CANCEL_EXAM_POINT, Measure.SUSPEND_EXAM)
        and organization.kind != OrganizationKind.EXAM_POINT
    ):
        raise DomainError("not_an_exam_point", _("This measure applies to exam points only."))
    if measure == Measure.REVOKE_CERTIFICATE and certificate is None:
        raise DomainError("certificate_required", _("Name the certificate to revoke."), field="certificate_id")
    decision = Decision(
        code=code or _next_code(f"JD{inspection.code[2:]}-", Decision),
        inspection=inspection,
        measure=measure,
        fine_yuan=fine_yuan,
        overdue_range=overdue_range,
        basis=bases,
        decided_on=decided_on,
        due_on=due_on,
        certificate=certificate if measure == Measure.REVOKE_CERTIFICATE else None,
        publicized=publicized,
        note=note.strip(),
        decided_by=actor,
        fine_low=allowed.low if allowed else None,
        fine_high=allowed.high if allowed else None,
        responsible_person=responsible_person,
        responsible_fine_yuan=responsible_fine_yuan if responsible_person else None,
        responsible_fine_low=allowed.responsible_low if allowed and responsible_person else None,
        responsible_fine_high=allowed.responsible_high if allowed and responsible_person else None,
    )
    audited_create(decision)
    decision.findings.set(findings)
    if measure == Measure.RECTIFY_ORDER:
        assert due_on is not None, "refused above: deadline_missing holds for a missing deadline"
        audited_create(Rectification(decision=decision, due_on=due_on))
    _apply_measure(actor, decision, organization, revoke_ground)
    return decision


def _check_responsible(
    actor: User, allowed: rules.FineRange | None, person: Person | None, fine: Decimal | None
) -> None:
    """The person directly responsible: a registered person the actor may see, fined inside their own lawful
    range, and only where the unit is fined for a violation not corrected in time whose rule provides it."""
    if person is None and fine is None:
        return
    if person is None:
        raise DomainError(
            "responsible_person_required",
            _("Name the person directly responsible for this fine."),
            field="responsible_person",
        )
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise DomainError(
            "unknown_person", _("No such registered person in your jurisdiction."), field="responsible_person"
        )
    if allowed is None or not allowed.responsible:
        raise DomainError("responsible_not_overdue", RESPONSIBLE_NOT_OVERDUE, field="responsible_person")
    if fine is None or fine <= 0:
        raise DomainError(
            "responsible_fine_amount",
            _("The fine of the person directly responsible needs its amount."),
            field="responsible_fine_yuan",
        )
    if not allowed.allows_responsible(fine):
        raise DomainError(
            "responsible_fine_outside_range",
            RESPONSIBLE_OUTSIDE_RANGE,
            {
                "fine": f"{fine:,.0f}",
                "low": f"{allowed.responsible_low or 0:,.0f}",
                "high": f"{allowed.responsible_high or 0:,.0f}",
                "basis": Bilingual(allowed.responsible_basis, allowed.responsible_basis),
            },
            field="responsible_fine_yuan",
        )


def _apply_measure(actor: User, decision: Decision, organization: Organization, revoke_ground: str) -> None:
    reason = f"{decision.get_measure_display()}（{decision.code}）"
    target = {
        Measure.SUSPEND: OrganizationStatus.SUSPENDED,
        Measure.SUSPEND_EXAM: OrganizationStatus.SUSPENDED,
        Measure.CLOSE: OrganizationStatus.CLOSED,
        Measure.CANCEL_EXAM_POINT: OrganizationStatus.CLOSED,
    }.get(Measure(decision.measure))
    if target is not None and organization.status != target:
        apply_transition(
            organization,
            to_status=target,
            transitions=ORGANIZATION_TRANSITIONS,
            event_model=OrganizationEvent,
            owner_field="organization",
            actor=actor,
            reason=reason,
        )
    if decision.measure == Measure.REVOKE_CERTIFICATE:
        assert decision.certificate is not None, "decision_issue refuses a revocation without its certificate"
        certificate_services.revoke(
            actor=actor,
            certificate=decision.certificate,
            ground=revoke_ground or "no_longer_fit",
            reason=reason,
            on=decision.decided_on,
        )


# -- records of the past (decisions.csv) -----------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionRecord:
    """A past decision as an exchange file carries it; an order to rectify with the day it was closed, if so."""

    code: str
    inspection: Inspection
    findings: list[Finding]
    measure: str
    decided_on: dt.date
    fine_yuan: Decimal | None = None
    due_on: dt.date | None = None
    closed_on: dt.date | None = None
    publicized: bool = False


class FineRanges:
    """``rules.fine_range`` and ``rules.decision_basis`` for many decisions (imports): the range depends only on the
    findings' catalogue items (in their order) and on whether the violations were not corrected in time, so it is
    worked out once per such combination (a few dozen in a national file), not once per decision."""

    def __init__(self) -> None:
        self._ranges: dict[tuple, rules.FineRange] = {}
        self._bases: dict[tuple, str] = {}

    def fine_range(self, findings: list[Finding], *, overdue: bool) -> rules.FineRange:
        key = (tuple(f.violation_id for f in findings), overdue)
        found = self._ranges.get(key)
        if found is None:
            found = rules.fine_range(findings, overdue=overdue)  # raises for a violation no rule fines: not kept
            self._ranges[key] = found
        return found

    def basis(self, findings: list[Finding]) -> str:
        key = tuple(sorted({f.violation_id for f in findings if f.violation_id is not None}))
        found = self._bases.get(key)
        if found is None:
            found = self._bases[key] = rules.decision_basis(findings)
        return found


@transaction.atomic
def decision_record_bulk(*, actor: User | None, rows: Iterable[DecisionRecord]) -> WriteCounts:
    """Record past decisions, matched on their code. A decision is a legal record: a known code is left as it is.
    They are records of what was decided: they change no subject's status again (organizations.csv carries it).
    The legal range of a fine is the reader's to check, against the records before the file
    (``rules.fine_range``), as the rows are read; the other rules of ``decision_issue`` are checked here. Written in
    bulk: decisions, their findings and orders to rectify in a few statements for the whole list, each logged."""
    if actor is not None:
        require_perm(actor, Perm.DECIDE)
    rows = list(rows)
    existing = set(Decision.objects.filter(code__in={row.code for row in rows}).values_list("code", flat=True))
    counts = WriteCounts()
    fined = [row for row in rows if row.code not in existing and row.measure == Measure.FINE]
    orders = selectors.OverdueOrders(f.pk for row in fined for f in row.findings)
    ranges = FineRanges()
    new: list[dict] = []
    links: list[tuple[str, list[Finding]]] = []
    rectifications: list[tuple[str, dict]] = []
    for row in rows:
        if row.code in existing:
            counts.unchanged += 1  # a decision is a legal record: never rewritten by an import
            continue
        measure = Measure(row.measure)
        _require_findings_of(row.inspection, row.findings)
        if measure == Measure.FINE and not row.fine_yuan:
            raise DomainError("fine_amount", rules.FINE_AMOUNT_REQUIRED)
        if measure == Measure.RECTIFY_ORDER and rules.deadline_missing(row.due_on, row.decided_on):
            raise DomainError("deadline_required", rules.DEADLINE_REQUIRED)
        if row.closed_on and measure != Measure.RECTIFY_ORDER:
            raise DomainError("invalid", _("Only an order to rectify is closed."))
        allowed = None
        if measure == Measure.FINE:  # the range it was set in, as the reader checked it
            overdue = orders.overdue(row.findings, on=row.decided_on)
            allowed = ranges.fine_range(row.findings, overdue=overdue)
        new.append(
            {
                "code": row.code,
                "inspection_id": row.inspection.pk,
                "measure": measure.value,
                "fine_yuan": row.fine_yuan if measure == Measure.FINE else None,
                "overdue_range": allowed.overdue if allowed else False,
                "fine_low": allowed.low if allowed else None,
                "fine_high": allowed.high if allowed else None,
                "basis": allowed.basis if allowed else ranges.basis(row.findings),
                "decided_on": row.decided_on,
                "due_on": row.due_on if measure == Measure.RECTIFY_ORDER else None,
                "publicized": row.publicized,
            }
        )
        links.append((row.code, row.findings))
        if measure == Measure.RECTIFY_ORDER:
            assert row.due_on is not None, "refused above: deadline_missing holds for a missing deadline"
            closed = row.closed_on is not None
            rectifications.append(
                (
                    row.code,
                    {
                        "due_on": row.due_on,
                        "status": (RectificationStatus.CLOSED if closed else RectificationStatus.OPEN).value,
                        "closed_on": row.closed_on,
                    },
                )
            )
            if not closed or row.closed_on > row.due_on:  # type: ignore[operator]
                # Counts for the rows after it, as when the decisions were written one by one.
                orders.add(row.findings, due_on=row.due_on, closed_late=closed)
        counts.imported += 1
    created = create_logged(Decision, new, key_fields=("code",))
    ids = {values["code"]: values["id"] for values in created}
    through = Decision.findings.through
    insert_rows(
        through,
        ["decision_id", "finding_id"],
        ((ids[code], pk) for code, findings in links for pk in dict.fromkeys(f.pk for f in findings)),
    )
    create_logged(
        Rectification,
        [{"decision_id": ids[code], **values} for code, values in rectifications],
        key_fields=("decision_id",),
    )
    return counts
