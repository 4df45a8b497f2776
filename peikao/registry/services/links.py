"""Person links (ADR 0009): an organisation that names a person by ID number claims to know them. The claim is
recorded unconfirmed; a regulator's match or the person's own confirmation opens the person's record to the
organisation. Whether the number was registered before is never told to the organisation."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, record_bulk_rows
from peikao.core.choices import ChangeAction
from peikao.core.errors import DomainError, PermissionDenied
from peikao.core.models import User
from peikao.core.permissions import Perm, has_perm
from peikao.core.transitions import apply_transition
from peikao.registry.choices import PERSON_LINK_TRANSITIONS, PersonLinkStatus
from peikao.registry.models import Organization, Person, PersonLink, PersonLinkEvent


def _status_for(actor: User | None) -> str:
    """A link an organisation makes for itself waits for confirmation; one a regulator (or the system: a command,
    the demo) makes is a match already."""
    if actor is not None and getattr(actor, "is_authenticated", False) and actor.is_org_member:
        return PersonLinkStatus.PENDING
    return PersonLinkStatus.CONFIRMED


def person_link_note(
    *, actor: User | None, organization: Organization, person: Person, entered_name: str = ""
) -> PersonLink:
    """Record that ``organization`` named ``person`` (enrolled, employed, registered, imported them); an existing link
    is kept as it is (a second enrolment neither confirms nor resets it)."""
    link = PersonLink.objects.filter(organization=organization, person=person).first()
    if link is None:
        link = audited_create(
            PersonLink(
                organization=organization,
                person=person,
                entered_name=entered_name.strip()[:50],
                status=_status_for(actor),
            ),
            validate=False,
        )
    return link


def person_links_note_bulk(*, actor: User | None, links: Iterable[tuple[int, int, str]]) -> int:
    """``person_link_note`` for many (organisation id, person id, name as entered) at once (imports, bulk
    enrolments): the links not yet made are created, each in the change log. Returns how many were created."""
    wanted: dict[tuple[int, int], str] = {}
    for organization_id, person_id, name in links:
        if organization_id is not None and person_id is not None:
            wanted.setdefault((organization_id, person_id), (name or "").strip()[:50])
    if not wanted:
        return 0
    existing = set()
    organizations = {org for org, _person in wanted}
    persons = [person for _org, person in wanted]
    for start in range(0, len(persons), 5000):
        existing |= set(
            PersonLink.objects.filter(
                organization_id__in=organizations, person_id__in=persons[start : start + 5000]
            ).values_list("organization_id", "person_id")
        )
    now = timezone.now()
    new = [
        PersonLink(
            organization_id=org,
            person_id=person,
            entered_name=name,
            status=_status_for(actor),
            created_at=now,
            updated_at=now,
        )
        for (org, person), name in wanted.items()
        if (org, person) not in existing
    ]
    created = PersonLink.objects.bulk_create(new, batch_size=2000)  # keys returned (PostgreSQL, SQLite)
    record_bulk_rows(
        PersonLink,
        [
            (
                ChangeAction.CREATE,
                link.pk,
                f"person link #{link.pk}",
                None,
                {"organization_id": link.organization_id, "person_id": link.person_id, "status": link.status},
            )
            for link in created
        ],
    )
    return len(created)


def _may_decide(actor: User, link: PersonLink) -> bool:
    if actor.is_candidate:
        return actor.person_id is not None and actor.person_id == link.person_id
    if not has_perm(actor, Perm.PERSON_MATCH):
        return False
    return PersonLink.objects.visible_to(actor).filter(pk=link.pk).exists()


def _decide(*, actor: User, link: PersonLink, to_status: str, reason: str) -> PersonLinkEvent:
    if not _may_decide(actor, link):  # the permission before the state: a stranger learns nothing of the link
        raise PermissionDenied(
            "person_link_not_yours",
            _("Only a regulator of the organisation's region, or the person, may confirm or reject this link."),
        )
    if to_status == PersonLinkStatus.REJECTED and not (reason or "").strip():
        raise DomainError("reason_required", _("A reason is required to reject a link."))
    return apply_transition(
        link,
        to_status=to_status,
        transitions=PERSON_LINK_TRANSITIONS,
        event_model=PersonLinkEvent,
        owner_field="link",
        actor=actor,
        reason=reason,
        changes={"updated_at": timezone.now()},
    )


@transaction.atomic
def person_link_confirm(*, actor: User, link: PersonLink, reason: str = "") -> PersonLinkEvent:
    """A regulator matches the organisation's link to the registered person, or the person confirms it."""
    return _decide(actor=actor, link=link, to_status=PersonLinkStatus.CONFIRMED, reason=reason)


@transaction.atomic
def person_link_reject(*, actor: User, link: PersonLink, reason: str) -> PersonLinkEvent:
    """A regulator or the person says the organisation does not know this person (or no longer may see them)."""
    return _decide(actor=actor, link=link, to_status=PersonLinkStatus.REJECTED, reason=reason)
