"""A role is offered only the actions and the menu entries it may carry out (issue 14, landing pages): an enterprise
sees no "plan a sitting", an exam point no "open a class" (the forms would offer them nothing to choose and the
services refuse them), and no menu leads to a page that holds nothing for its viewer."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from peikao.core.choices import Role
from peikao.testing.factories import UserFactory
from peikao.web.navigation import menu_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(world):
    users = dict(world.users)
    users["ep_admin"] = UserFactory(username="ep-admin", role=Role.ORG_ADMIN, organization=world.orgs["ep_a"])
    return users


def page(user, name: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("persona", "offered"),
    [
        ("ep_admin", True),
        ("province_admin", True),
        ("ent_admin", False),
        ("ti_admin", False),
        ("county_inspector", False),
    ],
)
def test_plan_a_sitting_is_offered_only_to_who_may_plan_one(users, persona, offered):
    assert (reverse("exams:sitting_create") in page(users[persona], "exams:sitting_list")) is offered


@pytest.mark.parametrize(
    ("persona", "offered"),
    [("ti_admin", True), ("ent_admin", True), ("province_admin", True), ("ep_admin", False)],
)
def test_open_a_class_is_offered_only_to_who_may_open_one(users, persona, offered):
    assert (reverse("training:class_create") in page(users[persona], "training:class_list")) is offered


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("ti_admin", {"training:class_list", "training:devices"}, {"exams:sitting_list"}),
        ("ent_admin", {"training:class_list"}, {"exams:sitting_list"}),
        ("ep_admin", {"exams:sitting_list"}, {"training:class_list", "training:devices"}),
        ("province_admin", {"training:class_list", "exams:sitting_list"}, set()),
    ],
)
def test_the_menu_leads_only_to_pages_that_hold_something_for_the_role(users, persona, shown, hidden):
    urls = {item["url"] for item in menu_for(users[persona])}
    assert {reverse(name) for name in shown} <= urls
    assert not {reverse(name) for name in hidden} & urls
