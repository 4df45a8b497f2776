"""The registry's write path, by sub-domain: organisations; persons and assignments; person links (who may see a
person, ADR 0009). Every change of registry data goes through a function here."""

from peikao.registry.services.links import (
    person_link_confirm,
    person_link_note,
    person_link_reject,
    person_links_note_bulk,
)
from peikao.registry.services.organizations import (
    ORGANIZATION_EDITABLE,
    REGULATED_FIELDS,
    organization_close,
    organization_create,
    organization_reinstate,
    organization_suspend,
    organization_transition,
    organization_update,
    organizations_link_parents,
    organizations_write_bulk,
)
from peikao.registry.services.persons import (
    assignment_create,
    assignment_end,
    assignments_upsert_bulk,
    person_create,
    person_enter,
    person_register_or_match,
    person_reveal_id_number,
    person_update,
    persons_upsert_bulk,
)

__all__ = [
    "ORGANIZATION_EDITABLE",
    "REGULATED_FIELDS",
    "assignment_create",
    "assignment_end",
    "assignments_upsert_bulk",
    "organization_close",
    "organization_create",
    "organization_reinstate",
    "organization_suspend",
    "organization_transition",
    "organization_update",
    "organizations_link_parents",
    "organizations_write_bulk",
    "person_create",
    "person_enter",
    "person_link_confirm",
    "person_link_note",
    "person_link_reject",
    "person_links_note_bulk",
    "person_register_or_match",
    "person_reveal_id_number",
    "person_update",
    "persons_upsert_bulk",
]
