"""registry 0004: the links that existed before person links (ADR 0009) become confirmed links, in the database."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from peikao.registry.choices import PersonLinkStatus
from peikao.registry.models import Assignment, PersonLink
from peikao.training.models import Enrolment

pytestmark = pytest.mark.django_db

migration = importlib.import_module("peikao.registry.migrations.0004_confirm_existing_links")


def test_every_existing_link_becomes_one_confirmed_link(world):
    expected = set(Assignment.objects.values_list("organization_id", "person_id"))
    expected |= set(Assignment.objects.exclude(dispatched_by=None).values_list("dispatched_by_id", "person_id"))
    expected |= set(Enrolment.objects.values_list("training_class__organization_id", "person_id"))
    expected |= set(apps.get_model("exams", "Registration").objects.values_list("sitting__exam_point_id", "person_id"))
    PersonLink.objects.filter(events__isnull=True).delete()
    kept = set(PersonLink.objects.values_list("organization_id", "person_id"))
    for _ in range(2):  # run twice: what is there already is left alone
        migration.confirm_existing(apps, SimpleNamespace(connection=connection))
    links = PersonLink.objects.values_list("organization_id", "person_id", "status")
    assert {(org, person) for org, person, _status in links} == expected | kept
    assert len(links) == len(expected | kept)
    assert {status for org, person, status in links if (org, person) not in kept} == {PersonLinkStatus.CONFIRMED}
