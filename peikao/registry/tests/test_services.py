"""The registry's services: transitions, permissions, the change log and the ID-view log."""

from __future__ import annotations

import datetime as dt
from itertools import product

import pytest

from peikao.core.audit import audit_context
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.models import ChangeLog, IdNumberView
from peikao.registry import services
from peikao.registry.choices import ORGANIZATION_TRANSITIONS, OrganizationStatus
from peikao.registry.models import Organization, OrganizationEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("old,new", list(product(OrganizationStatus.values, repeat=2)))
def test_every_status_pair_is_allowed_exactly_when_the_map_says_so(world, old, new):
    admin = world.users["province_admin"]
    org = world.orgs["ent_b"]
    Organization.objects.filter(pk=org.pk).update(status=old)
    org.refresh_from_db()
    if (old, new) in ORGANIZATION_TRANSITIONS:
        event = services.organization_transition(actor=admin, organization=org, to_status=new, reason="检查发现问题")
        assert (event.old_status, event.new_status) == (old, new)
        assert event.transition == ORGANIZATION_TRANSITIONS[(old, new)]
        org.refresh_from_db()
        assert org.status == new
    else:
        with pytest.raises(Conflict):
            services.organization_transition(actor=admin, organization=org, to_status=new, reason="x")
        org.refresh_from_db()
        assert org.status == old
        assert not OrganizationEvent.objects.exists()


def test_a_transition_needs_a_reason_and_a_regulator(world):
    org = world.orgs["ent_a"]
    with pytest.raises(DomainError) as raised:
        services.organization_suspend(actor=world.users["province_admin"], organization=org, reason="  ")
    assert raised.value.code == "reason_required"
    with pytest.raises(PermissionDenied):
        services.organization_suspend(actor=world.users["ent_admin"], organization=org, reason="self-suspension")
    with pytest.raises(PermissionDenied):
        services.organization_suspend(actor=world.users["county_inspector"], organization=org, reason="x")


def test_the_change_log_records_actor_request_and_before_after(world):
    admin = world.users["province_admin"]
    org = world.orgs["ent_b"]
    with audit_context(user=admin, request_id="req-123"):
        services.organization_update(actor=admin, organization=org, data={"name": "新名称有限公司"})
    entry = ChangeLog.objects.get(request_id="req-123")
    assert entry.actor == admin and entry.action == "update"
    assert entry.before["name"] != "新名称有限公司" and entry.after["name"] == "新名称有限公司"


def test_an_organisation_may_edit_its_details_but_not_what_the_regulator_decides(world):
    org = world.orgs["ent_a"]
    admin = world.users["ent_admin"]
    services.organization_update(actor=admin, organization=org, data={"address": "福州市鼓楼区五四路1号"})
    org.refresh_from_db()
    assert org.address == "福州市鼓楼区五四路1号"
    from peikao.core.models import Region

    with pytest.raises(PermissionDenied):
        services.organization_update(actor=admin, organization=org, data={"region": Region.objects.get(code="350103")})
    with pytest.raises(DomainError):
        services.organization_update(actor=admin, organization=org, data={"status": "closed"})
    # Its own region sent back unchanged (as an edit form does) is no move: the edit goes through.
    services.organization_update(
        actor=admin, organization=org, data={"region": org.region, "name": "鼓楼新名称有限公司"}
    )
    org.refresh_from_db()
    assert org.name == "鼓楼新名称有限公司" and org.region_id == "350102"


def test_writes_outside_a_request_are_logged_as_the_system(world):
    services.organization_update(
        actor=world.users["ministry_admin"], organization=world.orgs["ti_c"], data={"name": "改"}
    )
    entry = ChangeLog.objects.filter(action="update").latest("time")
    assert entry.actor is None and entry.actor_label == "system"
    assert entry.request_id


def test_person_snapshots_in_the_change_log_are_masked(world):
    person = services.person_create(actor=world.users["province_admin"], id_number="11010519491231002x", name="测试")
    entry = ChangeLog.objects.get(action="create", content_type__model="person")
    assert entry.after["id_number"] == "1101**********002X"
    assert "11010519491231002X" not in str(entry.after) and "11010519491231002X" not in entry.object_repr
    assert person.birth_date == dt.date(1949, 12, 31) and person.sex == "F"


def test_revealing_a_full_id_number_is_logged_and_limited_to_roles_that_need_it(world):
    person = world.persons["p_a"]
    number = services.person_reveal_id_number(user=world.users["county_inspector"], person=person, purpose="test")
    assert number == person.id_number
    view = IdNumberView.objects.get()
    assert view.user == world.users["county_inspector"] and view.person_id == person.pk
    assert view.masked_id_number == person.masked_id_number
    with pytest.raises(PermissionDenied):
        services.person_reveal_id_number(user=world.users["province_analyst"], person=person, purpose="test")
    with pytest.raises(PermissionDenied):
        services.person_reveal_id_number(user=world.users["candidate"], person=world.persons["p_b"], purpose="test")
    assert IdNumberView.objects.count() == 1


def test_assignments_are_ended_not_deleted(world):
    admin = world.users["ent_admin"]
    assignment = world.persons["p_a"].assignments.get()
    services.assignment_end(actor=admin, assignment=assignment, end_date=dt.date(2026, 3, 1))
    assignment.refresh_from_db()
    assert assignment.end_date == dt.date(2026, 3, 1)
    with pytest.raises(Conflict):
        services.assignment_end(actor=admin, assignment=assignment, end_date=dt.date(2026, 4, 1))


def test_an_organisation_records_assignments_only_at_itself(world):
    with pytest.raises(PermissionDenied):
        services.assignment_create(
            actor=world.users["ent_admin"],
            person=world.persons["p_a"],
            organization=world.orgs["ti_a"],
            role="teacher",
            start_date=dt.date(2026, 1, 1),
        )


def test_exam_roles_only_at_exam_bodies(world):
    with pytest.raises(DomainError) as raised:
        services.assignment_create(
            actor=world.users["province_admin"],
            person=world.persons["p_a"],
            organization=world.orgs["ent_a"],
            role="proctor",
            start_date=dt.date(2026, 1, 1),
        )
    assert raised.value.code == "assignment_role"


def test_register_or_match_refuses_a_regulator_a_known_number_with_another_name(world):
    person = world.persons["p_b"]
    admin = world.users["province_admin"]
    assert services.person_register_or_match(actor=admin, id_number=person.id_number, name=person.name) == person
    with pytest.raises(Conflict):
        services.person_register_or_match(actor=admin, id_number=person.id_number, name="别人")
