"""The accounts write path: an account's link follows from its role; creating and deactivating accounts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from peikao.accounts.models import AccountLink
from peikao.accounts.services import account_link_set, user_create, user_deactivate
from peikao.core.choices import Role
from peikao.core.errors import DomainError, PermissionDenied
from peikao.core.models import ChangeLog, Region, User
from peikao.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_a_member_account_is_created_with_its_organisation_and_logged(world):
    clerk = user_create(
        username="new-clerk", password="pw-12345678", role=Role.ORG_CLERK, organization=world.orgs["ti_a"]
    )
    assert clerk.organization == world.orgs["ti_a"] and clerk.person is None
    assert AccountLink.objects.get(user=clerk).organization_id == world.orgs["ti_a"].pk
    assert ChangeLog.objects.filter(
        content_type__model="accountlink", object_id=str(clerk.pk), action="create"
    ).exists()
    assert User.objects.filter(link__organization=world.orgs["ti_a"]).count() == 3  # ti-admin, ti-clerk, new-clerk


def test_a_candidate_account_is_a_person_and_a_regulator_has_no_link(world):
    person = PersonFactory()
    candidate = user_create(username="cand-2", password=None, role=Role.CANDIDATE, person=person)
    assert candidate.person == person and candidate.organization_id is None and person.account.user == candidate
    inspector = user_create(
        username="insp-2", password=None, role=Role.INSPECTOR, region=Region.objects.get(code="350102")
    )
    assert inspector.account_link is None and inspector.organization is None and inspector.person_id is None
    assert not AccountLink.objects.filter(user=inspector).exists()


@pytest.mark.parametrize(
    ("role", "link", "code"),
    [
        (Role.ORG_ADMIN, {}, "organization_required"),
        (Role.ORG_ADMIN, {"organization": "ti_a", "person": "p_e"}, "person_not_allowed"),
        (Role.CANDIDATE, {}, "person_required"),
        (Role.CANDIDATE, {"organization": "ti_a", "person": "p_e"}, "organization_not_allowed"),
        (Role.INSPECTOR, {"organization": "ti_a"}, "organization_not_allowed"),
        (Role.ANALYST, {"person": "p_e"}, "person_not_allowed"),
        (Role.SYSTEM_ADMIN, {"organization": "ti_a"}, "organization_not_allowed"),
    ],
)
def test_the_role_decides_the_link(world, role, link, code):
    region = Region.objects.get(code="350102") if role in {Role.INSPECTOR, Role.ANALYST} else None
    kwargs = {
        "organization": world.orgs[link["organization"]] if "organization" in link else None,
        "person": world.persons[link["person"]] if "person" in link else None,
    }
    with pytest.raises(DomainError) as refused:
        user_create(username="someone", password=None, role=role, region=region, **kwargs)
    assert refused.value.code == code and " / " in refused.value.bilingual  # Chinese and English
    assert not User.objects.filter(username="someone").exists()


def test_a_link_holds_one_organisation_or_one_person_in_the_database_too(world):
    user = User.objects.create(username="raw", role=Role.ORG_CLERK)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountLink.objects.create(user=user, organization=world.orgs["ti_a"], person=world.persons["p_e"])
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountLink.objects.create(user=user)
    with pytest.raises(ValidationError):
        AccountLink(user=user).full_clean()


def test_an_organisation_admin_creates_accounts_of_its_own_organisation_only(world):
    admin = world.users["ti_admin"]
    clerk = user_create(
        actor=admin, username="ti-clerk-2", password="pw-12345678", role=Role.ORG_CLERK, organization=world.orgs["ti_a"]
    )
    assert clerk.organization_id == world.orgs["ti_a"].pk
    with pytest.raises(PermissionDenied):
        user_create(actor=admin, username="x", password=None, role=Role.ORG_CLERK, organization=world.orgs["ent_a"])


def test_a_regulator_creates_accounts_inside_its_jurisdiction_only(world):
    city = world.users["city_inspector"]  # no MANAGE_USERS
    with pytest.raises(DomainError):
        user_create(actor=city, username="x", password=None, role=Role.ORG_CLERK, organization=world.orgs["ti_a"])
    province = world.users["province_admin"]
    member = user_create(
        actor=province, username="ent-b", password=None, role=Role.ORG_ADMIN, organization=world.orgs["ent_b"]
    )
    assert member.organization == world.orgs["ent_b"]
    with pytest.raises(PermissionDenied):
        user_create(actor=province, username="y", password=None, role=Role.ORG_ADMIN, organization=world.orgs["ti_c"])


def test_deactivating_an_account(world):
    admin = world.users["ti_admin"]
    clerk = user_deactivate(actor=admin, user=world.users["ti_clerk"])
    assert not User.objects.get(pk=clerk.pk).is_active
    with pytest.raises(DomainError) as refused:
        user_deactivate(actor=admin, user=admin)
    assert refused.value.code == "own_account"


def test_an_account_is_pointed_at_another_person(world):
    candidate = world.users["candidate"]
    other = PersonFactory()
    link = account_link_set(user=candidate, person=other)
    assert link is not None and candidate.person == other
    assert User.objects.get(pk=candidate.pk).person_id == other.pk
    assert ChangeLog.objects.filter(
        content_type__model="accountlink", object_id=str(candidate.pk), action="update"
    ).exists()
    with pytest.raises(DomainError) as refused:
        account_link_set(user=candidate, organization=world.orgs["ti_a"])
    assert refused.value.code == "person_required"
