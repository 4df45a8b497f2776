"""Jurisdiction scoping: what each persona sees of organisations, persons and assignments."""

from __future__ import annotations

import pytest

from peikao.registry.models import Assignment, Organization, Person

pytestmark = pytest.mark.django_db


def codes(queryset) -> set[str]:
    return set(queryset.values_list("org_code", flat=True))


def test_a_county_inspector_sees_its_county_only(world):
    visible = codes(Organization.objects.visible_to(world.users["county_inspector"]))
    o = world.orgs
    assert visible == {o[k].org_code for k in ("ti_a", "ent_a", "ei_a", "ep_a", "dispatch_a")}


def test_a_city_inspector_sees_every_county_of_its_city(world):
    visible = codes(Organization.objects.visible_to(world.users["city_inspector"]))
    assert world.orgs["ti_b"].org_code in visible and world.orgs["ti_a"].org_code in visible
    assert world.orgs["ent_b"].org_code not in visible  # Xiamen


def test_a_province_sees_its_province_and_the_ministry_sees_all(world):
    province = codes(Organization.objects.visible_to(world.users["province_admin"]))
    assert world.orgs["ent_b"].org_code in province and world.orgs["ti_c"].org_code not in province
    everything = codes(Organization.objects.all())
    assert codes(Organization.objects.visible_to(world.users["ministry_admin"])) == everything
    assert codes(Organization.objects.visible_to(world.users["system_admin"])) == everything


def test_an_organisation_sees_itself_and_an_exam_institution_its_exam_points(world):
    assert codes(Organization.objects.visible_to(world.users["ti_admin"])) == {world.orgs["ti_a"].org_code}
    from peikao.core.choices import Role
    from peikao.testing.factories import UserFactory

    centre_admin = UserFactory(username="ei", role=Role.ORG_ADMIN, organization=world.orgs["ei_a"])
    assert codes(Organization.objects.visible_to(centre_admin)) == {
        world.orgs["ei_a"].org_code,
        world.orgs["ep_a"].org_code,
        world.orgs["ep_b"].org_code,
    }


def test_persons_are_seen_through_their_assignments(world):
    p = world.persons
    assert set(Person.objects.visible_to(world.users["county_inspector"])) == {p["p_a"], p["p_t"]}
    assert set(Person.objects.visible_to(world.users["ent_admin"])) == {p["p_a"]}
    # A training institution sees its teachers and its trainees.
    assert set(Person.objects.visible_to(world.users["ti_admin"])) == {p["p_t"], p["p_a"]}
    assert set(Person.objects.visible_to(world.users["candidate"])) == {p["p_a"]}
    assert set(Person.objects.visible_to(world.users["province_admin"])) == {
        p["p_a"],
        p["p_b"],
        p["p_t"],
        p["p_e"],
        p["p_r"],  # registered for an exam in 福建
    }


def test_a_labour_dispatch_company_sees_the_workers_it_dispatched(world):
    from peikao.core.choices import Role
    from peikao.testing.factories import AssignmentFactory, PersonFactory, UserFactory

    worker = PersonFactory()
    AssignmentFactory(person=worker, organization=world.orgs["ent_b"], dispatched_by=world.orgs["dispatch_a"])
    dispatcher = UserFactory(username="d", role=Role.ORG_ADMIN, organization=world.orgs["dispatch_a"])
    assert list(Person.objects.visible_to(dispatcher)) == [worker]
    assert Assignment.objects.visible_to(dispatcher).get().organization == world.orgs["ent_b"]


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Organization.objects.visible_to(AnonymousUser()).exists()
    assert not Organization.objects.visible_to(None).exists()
    inspector = world.users["province_admin"]
    inspector.is_active = False
    assert not Organization.objects.visible_to(inspector).exists()


def test_scoping_is_one_query_without_per_row_work(world, django_assert_num_queries):
    user = world.users["province_admin"]
    with django_assert_num_queries(1):
        list(Person.objects.visible_to(user))
    with django_assert_num_queries(1):
        list(Assignment.objects.visible_to(user).select_related("person", "organization"))
