"""The alerts about a person on his page (一人一档), for the regulators who may see them: registered as a person
section (registry.sections). Registry has no organisation section hook: an alert's page links to its subject."""

from __future__ import annotations

from peikao.oversight import selectors

LIMIT = 20


def person_alert_section(*, user, person) -> dict | None:
    """The alerts naming ``person`` that ``user`` may see (none for an organisation or a candidate: no section)."""
    if not (user.is_regulator or user.is_system_admin):
        return None
    alerts = list(selectors.alert_list(user=user, filters={"person": person.pk})[: LIMIT + 1])
    if not alerts:
        return None
    return {"alerts": alerts[:LIMIT], "more": len(alerts) > LIMIT}


def register() -> None:
    from peikao.registry.sections import register_person_section

    register_person_section(40, "oversight/alerts/person_section.html", person_alert_section)
