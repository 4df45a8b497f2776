"""Fake-certificate leads: derived from the lookup log (set-based), reported by the public, and reviewed —
review, hand-over to the police, closing — as named transitions (choices.LEAD_TRANSITIONS)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.certificates.choices import LEAD_TRANSITIONS, LeadKind, LeadStatus
from peikao.certificates.models import Certificate, Counter, Lead, LeadEvent, Lookup
from peikao.certificates.services.lookups import LEAD_WATERMARK
from peikao.certificates.verification.leads import (
    LeadKey,
    lead_region,
    lead_region_code,
    number_pattern,
    suspicious_lookups_since,
)
from peikao.certificates.verification.lookups import normalise_number
from peikao.core.audit import audit_context, audited_create, record_bulk, record_id_number_views, snapshot
from peikao.core.choices import ChangeAction
from peikao.core.errors import DomainError
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import apply_transition
from peikao.registry.models import Person


def _lead_transition(actor: User, lead: Lead, to: str, *, reason: str = "", changes: dict | None = None) -> LeadEvent:
    return apply_transition(
        lead,
        to_status=to,
        transitions=LEAD_TRANSITIONS,
        event_model=LeadEvent,
        owner_field="lead",
        actor=actor,
        reason=reason,
        changes=changes,
    )


@transaction.atomic
def lead_start_review(*, actor: User, lead: Lead, note: str = "") -> LeadEvent:
    """Start reviewing a new lead."""
    require_perm(actor, Perm.LEAD_REVIEW)
    return _lead_transition(actor, lead, LeadStatus.REVIEWING, reason=note, changes={"note": note.strip() or lead.note})


@transaction.atomic
def lead_hand_over(*, actor: User, lead: Lead, case_reference: str, note: str = "") -> LeadEvent:
    """Hand a lead to the police liaison with the case reference they gave."""
    require_perm(actor, Perm.LEAD_REVIEW)
    if not case_reference.strip():
        raise DomainError("case_reference_required", _("A lead handed over to the police needs the case reference."))
    return _lead_transition(
        actor,
        lead,
        LeadStatus.HANDED_OVER,
        reason=note,
        changes={"case_reference": case_reference.strip(), "handed_over_at": timezone.now()},
    )


@transaction.atomic
def lead_close(*, actor: User, lead: Lead, reason: str) -> LeadEvent:
    """Close a lead, with the reason."""
    require_perm(actor, Perm.LEAD_REVIEW)
    if not reason.strip():
        raise DomainError("reason_required", _("A reason is required."))
    return _lead_transition(actor, lead, LeadStatus.CLOSED, reason=reason)


def lead_reveal_number(*, user: User, lead: Lead, purpose: str) -> str:
    """The claimed number in full, for a role that sees full ID numbers; a number that carries one ("T" + ID
    number) is logged as a view of that ID number, whether or not it is anybody's in the register."""
    require_perm(user, Perm.VIEW_FULL_ID_NUMBER)
    claimed = lead.claimed_id_number
    if claimed:
        person_id = Person.objects.filter(id_number=claimed).values_list("pk", flat=True).first()
        record_id_number_views(user=user, persons=[(person_id, claimed)], purpose=purpose)
    return lead.cert_no


@transaction.atomic
def leads_apply(*, actor: User, leads: Iterable[Lead], action: str, case_reference: str = "", note: str = "") -> int:
    """Apply one action to several leads (a group); leads already past that step are skipped. The permission is
    checked first: a role that may not review leads is refused whatever their status (403, never 409)."""
    require_perm(actor, Perm.LEAD_REVIEW)
    actions = {
        "review": (LeadStatus.REVIEWING, lambda lead: lead_start_review(actor=actor, lead=lead, note=note)),
        "hand_over": (
            LeadStatus.HANDED_OVER,
            lambda lead: lead_hand_over(actor=actor, lead=lead, case_reference=case_reference, note=note),
        ),
        "close": (LeadStatus.CLOSED, lambda lead: lead_close(actor=actor, lead=lead, reason=note)),
    }
    if action not in actions:
        raise DomainError("unknown_action", _("Unknown action %(action)s."), {"action": action})
    target, apply = actions[action]
    done = 0
    for lead in leads:
        if (lead.status, target) in LEAD_TRANSITIONS:
            apply(lead)
            done += 1
    return done


@transaction.atomic
def report_from_public(
    *, cert_no: str, name: str, claimed_issuer: str, where: str, description: str, contact: str, client: str
) -> Lead:
    """ "I was shown this certificate": a lead of its own, never merged with another report."""
    number = normalise_number(cert_no)
    if not number and not description.strip():
        raise DomainError("report_empty", _("Give the certificate number or describe what you were shown."))
    now = timezone.now()
    certificate = Certificate.objects.filter(cert_no=number).order_by("-valid_until").first() if number else None
    return audited_create(
        Lead(
            kind=LeadKind.PUBLIC_REPORT,
            cert_no=number,
            name=name.strip()[:50],
            claimed_issuer=claimed_issuer.strip()[:64],
            number_pattern=number_pattern(number),
            source=(f"report:{where.strip()}" if where.strip() else f"ip:{client}")[:120],
            region=lead_region(number, claimed_issuer),
            certificate=certificate,
            description=description.strip(),
            reporter_contact=contact.strip()[:100],
            first_seen=now,
            last_seen=now,
        )
    )


# -- leads from the lookup log ---------------------------------------------------------------------------


def leads_derive(*, limit: int = 500_000) -> int:
    """Turn the suspicious lookups logged since the last run into leads: grouped in the database by outcome,
    number and client; a repeat adds up on the open lead of the same kind, number and source. Runs from
    ``manage.py derive_leads`` (cron), and before the leads are listed. Returns the number of leads created."""
    with transaction.atomic(), audit_context(label="system:verification"):
        counter, _created = Counter.objects.select_for_update().get_or_create(name=LEAD_WATERMARK)
        start = counter.value
        top = Lookup.objects.filter(pk__gt=start).aggregate(top=Max("pk"))["top"]
        if top is None:
            return 0
        top = min(top, start + limit)
        groups = suspicious_lookups_since(start, top)
        created = _merge_leads(groups) if groups else 0
        Counter.objects.filter(pk=counter.pk).update(value=top)
    return created


def _merge_leads(groups: dict[LeadKey, dict]) -> int:
    keys_q = Q()
    for kind, cert_no, source in groups:
        keys_q |= Q(kind=kind, cert_no=cert_no, source=source)
    open_leads = {
        (lead.kind, lead.cert_no, lead.source): lead
        for lead in Lead.objects.select_for_update().filter(keys_q, status__in=[LeadStatus.NEW, LeadStatus.REVIEWING])
    }
    created, changed = [], []
    now = timezone.now()
    for key, group in groups.items():
        lead = open_leads.get(key)
        if lead is not None:
            lead.occurrences += group["n"]
            lead.last_seen = max(lead.last_seen, group["last"])
            lead.updated_at = now
            changed.append(lead)
            continue
        kind, cert_no, source = key
        created.append(
            Lead(
                kind=kind,
                cert_no=cert_no,
                name=group["name"] or "",
                claimed_issuer=group["issuer"] or "",
                number_pattern=number_pattern(cert_no),
                source=source,
                region_id=lead_region_code(cert_no, group["issuer"] or ""),
                certificate_id=group["certificate"],
                occurrences=group["n"],
                first_seen=group["first"],
                last_seen=group["last"],
            )
        )
    Lead.objects.bulk_create(created, batch_size=2000)
    if changed:
        Lead.objects.bulk_update(changed, ["occurrences", "last_seen", "updated_at"], batch_size=2000)
    record_bulk([(ChangeAction.CREATE, lead, None, snapshot(lead)) for lead in created if lead.pk])
    return len(created)
