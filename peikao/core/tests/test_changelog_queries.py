"""The change log names the records a page of entries points to in a fixed number of queries, also records whose
name is made of other records (an enrolment is named by its person and class)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peikao.core.changelog_display import describe
from peikao.core.models import ChangeLog
from peikao.testing.factories import EnrolmentFactory, PersonFactory
from peikao.training.models import CreditedHours

pytestmark = pytest.mark.django_db


def hours_entries(n: int) -> list[ChangeLog]:
    """``n`` entries of credited hours, each pointing to an enrolment of its own."""
    content_type = ContentType.objects.get_for_model(CreditedHours)
    entries = []
    for _ in range(n):
        enrolment = EnrolmentFactory(person=PersonFactory())
        entries.append(
            ChangeLog(
                actor_label="command:class_hours",
                action="create",
                content_type=content_type,
                object_id=str(enrolment.pk),
                object_repr=str(enrolment.pk),
                after={"enrolment_id": enrolment.pk},
            )
        )
    return entries


def queries_to_describe(entries: list[ChangeLog]) -> tuple[int, list]:
    with CaptureQueriesContext(connection) as captured:
        views = describe(entries)
    return len(captured.captured_queries), views


def test_linked_records_are_named_in_as_many_queries_for_one_entry_as_for_many():
    one, _views = queries_to_describe(hours_entries(1))
    entries = hours_entries(6)
    many, views = queries_to_describe(entries)
    assert many == one
    for entry, view in zip(entries, views, strict=True):
        enrolment = CreditedHours._meta.get_field("enrolment").related_model.objects.get(pk=entry.after["enrolment_id"])
        [change] = view.changes
        assert change.after == f"{enrolment.person.name} @ {enrolment.training_class}"
