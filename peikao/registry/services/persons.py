"""The registry's write path for persons and who works where (assignments)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, record_id_number_views, snapshot
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.exchange import StagedUpsert, WriteCounts, apply_upsert, bulk_upsert, fetch_by_key
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.core.validators import id_number_facts, validate_id_number
from peikao.registry.models import Assignment, OperationItem, Organization, Person, PersonLink
from peikao.registry.rules import (
    assignment_problems,
)
from peikao.registry.services.links import person_link_note, person_links_note_bulk


def _register(number: str, name: str, phone: str = "", education: str = "") -> Person:
    facts = id_number_facts(number)
    person = Person(
        id_number=number,
        name=name.strip(),
        sex=facts.sex,
        birth_date=facts.birth_date,
        phone=phone.strip(),
        education=education,
    )
    return audited_create(person)


@transaction.atomic
def person_create(*, actor: User, id_number: str, name: str, phone: str = "", education: str = "") -> Person:
    """A regulator registers a person; birth date and sex come from the ID number. (An organisation enters a person
    with ``person_enter``: it is not told whether the number was registered before.)"""
    require_perm(actor, Perm.PERSON_CHANGE)
    if actor.is_org_member:
        raise PermissionDenied("use_person_enter", _("An organisation enters persons for itself (person_enter)."))
    number = validate_id_number(id_number)
    if Person.objects.filter(id_number=number).exists():
        raise Conflict("person_exists", _("A person with this ID number is already registered."))
    return _register(number, name, phone, education)


@transaction.atomic
def person_enter(
    *, actor: User, organization: Organization, id_number: str, name: str, phone: str = "", education: str = ""
) -> PersonLink:
    """An organisation enters a person by ID number and name (ADR 0009): a new number is registered with what was
    entered; a known one is left as registered. Either way the organisation gets the same answer — a link awaiting
    confirmation, showing the name it entered — so it learns nothing of the person's registration or past."""
    require_perm(actor, Perm.PERSON_CHANGE)
    if actor.is_org_member and organization.pk != actor.organization_id:
        raise PermissionDenied("outside_jurisdiction", _("You may enter persons only for your organisation."))
    number = validate_id_number(id_number)
    if not name.strip():  # only a number the organisation entered before may come alone
        entered = PersonLink.objects.filter(organization=organization, person__id_number=number).first()
        if entered is not None:
            return entered
        raise DomainError("name_required", _("Give the person's name as on the ID card."))
    person = Person.objects.filter(id_number=number).first() or _register(number, name, phone, education)
    return person_link_note(actor=actor, organization=organization, person=person, entered_name=name)


@transaction.atomic
def person_update(*, actor: User, person: Person, name: str, phone: str = "", education: str = "") -> Person:
    """Correct a person's name or contact details (the ID number never changes)."""
    require_perm(actor, Perm.PERSON_CHANGE)
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = snapshot(person)
    person.name, person.phone, person.education = name.strip(), phone.strip(), education
    audited_update(person, before)
    return person


@transaction.atomic
def person_register_or_match(
    *, actor: User, id_number: str, name: str, organization: Organization | None = None
) -> Person:
    """The person with this ID number, registered now if new. A regulator's known number must come with its name;
    an organisation's entry (``organization``) is a link awaiting confirmation and is never refused for the name
    (that would tell it the number is registered, ADR 0009)."""
    if actor.is_org_member:
        return person_enter(
            actor=actor, organization=organization or actor.organization, id_number=id_number, name=name
        ).person
    number = validate_id_number(id_number)
    person = Person.objects.filter(id_number=number).first()
    if person is None:
        return person_create(actor=actor, id_number=number, name=name)
    if person.name != name.strip():
        raise Conflict("name_mismatch", _("This ID number is registered under a different name."))
    return person


@transaction.atomic
def persons_upsert_bulk(*, actor: User | None, staged: StagedUpsert) -> WriteCounts:
    """Write a chunk of persons staged by the persons file (``stage_upsert``: new rows with their change-log
    entries built, changed rows with their before and after); the actor of the change log is the import's."""
    return apply_upsert(staged)


def person_reveal_id_number(*, user: User, person: Person, purpose: str) -> str:
    """Return the full ID number to a role that needs it, and log that it was seen."""
    require_perm(user, Perm.VIEW_FULL_ID_NUMBER)
    if user.is_candidate and person.pk != user.person_id:
        raise PermissionDenied("not_own_person", _("A candidate sees only their own ID number."))
    record_id_number_views(user=user, persons=[(person.pk, person.id_number)], purpose=purpose)
    return person.id_number


def _check_assignment(assignment: Assignment) -> None:
    problems = assignment_problems(
        role=assignment.role,
        org_kind=assignment.organization.kind,
        has_item=assignment.operation_item_id is not None,
        dispatcher_kind=assignment.dispatched_by.kind if assignment.dispatched_by is not None else None,
    )
    if problems:
        field, message = next(iter(problems.items()))
        raise DomainError(f"assignment_{field}", message)


@transaction.atomic
def assignment_create(
    *,
    actor: User,
    person: Person,
    organization: Organization,
    role: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    operation_item: OperationItem | None = None,
    dispatched_by: Organization | None = None,
) -> Assignment:
    """Record that a person holds a role at an organisation from a date."""
    require_perm(actor, Perm.ASSIGNMENT_CHANGE)
    if actor.is_org_member and organization.pk != actor.organization_id:
        raise PermissionDenied("outside_jurisdiction", _("You may record assignments only at your organisation."))
    assignment = Assignment(
        person=person,
        organization=organization,
        role=role,
        start_date=start_date,
        end_date=end_date,
        operation_item=operation_item,
        dispatched_by=dispatched_by,
    )
    _check_assignment(assignment)
    audited_create(assignment)
    for org in (organization, dispatched_by):
        if org is not None:
            person_link_note(actor=actor, organization=org, person=person)
    return assignment


@transaction.atomic
def assignment_end(*, actor: User, assignment: Assignment, end_date: dt.date) -> Assignment:
    """End an assignment on a date (assignments are ended, never deleted)."""
    require_perm(actor, Perm.ASSIGNMENT_CHANGE)
    assignment = Assignment.objects.select_for_update().select_related("organization").get(pk=assignment.pk)
    if actor.is_org_member and assignment.organization_id != actor.organization_id:
        raise PermissionDenied("outside_jurisdiction", _("You may change assignments only at your organisation."))
    if assignment.end_date is not None:
        raise Conflict("assignment_ended", _("This assignment has already ended."))
    before = snapshot(assignment)
    assignment.end_date = end_date
    audited_update(assignment, before)
    return assignment


ASSIGNMENT_KEY = ("person_id", "organization_id", "role", "start_date")


@transaction.atomic
def assignments_upsert_bulk(*, actor: User | None, rows: list[dict[str, Any]]) -> WriteCounts:
    """Create or update assignments in bulk (a chunk of the assignments file), matched on person, organisation,
    role and start date; each change in the change log. ``rows`` come cleaned by the file, which reports every
    row the rules refuse (``assignment_problems``): values by attname."""
    existing = fetch_by_key(Assignment, ASSIGNMENT_KEY, [tuple(row[k] for k in ASSIGNMENT_KEY) for row in rows])
    counts = bulk_upsert(Assignment, ASSIGNMENT_KEY, rows, existing=existing)
    person_links_note_bulk(
        actor=actor,
        links=[
            (row[org], row["person_id"], row.get("_entered_name", ""))
            for row in rows
            for org in ("organization_id", "dispatched_by_id")
            if row.get(org)
        ],
    )
    return counts
