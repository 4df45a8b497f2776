"""Sections that other apps add to a person's page (一人一档: training, exams, certificates, …).

An app registers ``(order, template_name, context_function)``; the function gets the viewing user and
the person (already fetched through the scoped selector) and returns the template's context, or ``None``
to show nothing. The registry does not import those apps.
"""

from __future__ import annotations

from collections.abc import Callable

PERSON_SECTIONS: list[tuple[int, str, Callable]] = []


def register_person_section(order: int, template_name: str, context: Callable) -> None:
    if all(existing[1] != template_name for existing in PERSON_SECTIONS):
        PERSON_SECTIONS.append((order, template_name, context))
        PERSON_SECTIONS.sort(key=lambda item: item[0])


def person_sections(*, user, person) -> list[tuple[str, dict]]:
    sections = []
    for _order, template_name, context in PERSON_SECTIONS:
        data = context(user=user, person=person)
        if data is not None:
            sections.append((template_name, data))
    return sections
