"""An exam point registers a candidate by ID card (ADR 0009): the number alone does not unlock a stranger's name,
training or exam record through the eligibility checks."""

from __future__ import annotations

import datetime as dt

import pytest

from peikao.core.errors import DomainError
from peikao.exams import services
from peikao.registry.choices import PersonLinkStatus
from peikao.registry.models import PersonLink
from peikao.testing.exams import sitting_at
from peikao.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _post(client, sitting, **data):
    return client.post(f"/exams/sittings/{sitting.sitting_code}/candidates/", data, follow=True).content.decode()


def test_a_number_with_a_wrong_name_is_refused_without_a_word_of_the_person(exam_world, client):
    sitting = sitting_at(exam_world, "PRIV-1", day=dt.date(2026, 9, 15))
    stranger = PersonFactory(birth=dt.date(2010, 1, 1))  # registered elsewhere; too young to sit
    client.force_login(exam_world["staff"])
    page = _post(client, sitting, id_number=stranger.id_number, name="王某某")
    assert "身份证" in page  # the refusal asks to check the ID card
    assert stranger.name not in page and "年龄" not in page and "周岁" not in page
    assert not sitting.registrations.exists()
    assert not PersonLink.objects.filter(organization=exam_world["point"], person=stranger).exists()


def test_the_same_refusal_for_a_wrong_name_whatever_the_persons_record(exam_world):
    sitting = sitting_at(exam_world, "PRIV-2", day=dt.date(2026, 9, 15))
    trained, young = exam_world["candidates"][1], PersonFactory(birth=dt.date(2010, 1, 1))
    texts = set()
    for person in (trained, young):
        with pytest.raises(DomainError) as refused:
            services.candidate_identify(
                actor=exam_world["staff"], sitting=sitting, id_number=person.id_number, name="王某某"
            )
        assert refused.value.code == "id_number_name_mismatch"
        texts.add(refused.value.zh)
    assert len(texts) == 1


def test_the_right_name_registers_and_leaves_a_link_awaiting_confirmation(exam_world, client):
    sitting = sitting_at(exam_world, "PRIV-3", day=dt.date(2026, 9, 15))
    candidate = exam_world["candidates"][2]
    PersonLink.objects.filter(organization=exam_world["point"], person=candidate).delete()
    client.force_login(exam_world["staff"])
    _post(client, sitting, id_number=candidate.id_number, name=candidate.name)
    assert sitting.registrations.filter(person=candidate).exists()
    link = PersonLink.objects.get(organization=exam_world["point"], person=candidate)
    assert link.status == PersonLinkStatus.PENDING and link.entered_name == candidate.name


def test_a_name_is_needed_unless_the_exam_point_entered_the_person_before(exam_world):
    sitting = sitting_at(exam_world, "PRIV-4", day=dt.date(2026, 9, 15))
    candidate = exam_world["candidates"][3]
    PersonLink.objects.filter(organization=exam_world["point"], person=candidate).delete()
    with pytest.raises(DomainError) as refused:
        services.candidate_identify(actor=exam_world["staff"], sitting=sitting, id_number=candidate.id_number)
    assert refused.value.code == "name_required"
    services.candidate_identify(
        actor=exam_world["staff"], sitting=sitting, id_number=candidate.id_number, name=candidate.name
    )
    again = services.candidate_identify(actor=exam_world["staff"], sitting=sitting, id_number=candidate.id_number)
    assert again == candidate


def test_only_who_registers_candidates_may_name_one_by_number(exam_world):
    """A regulator without the right to manage sittings gets the refusal of the right, whether or not the number is
    registered: it learns nothing of the register."""
    from peikao.core.choices import Role
    from peikao.core.errors import PermissionDenied
    from peikao.testing.factories import UserFactory

    sitting = sitting_at(exam_world)
    analyst = UserFactory(username="gl-analyst", role=Role.ANALYST, region=exam_world["regulator"].region)
    for number in (exam_world["candidates"][0].id_number, PersonFactory.build().id_number):
        with pytest.raises(PermissionDenied):
            services.candidate_identify(actor=analyst, sitting=sitting, id_number=number)
    known = exam_world["candidates"][0]  # a provincial regulator may
    assert services.candidate_identify(actor=exam_world["admin"], sitting=sitting, id_number=known.id_number) == known
