"""Inspectors are offered by who they are and where they work: the person's name, or the username when the account
names none, and the office — two inspectors of one office are told apart."""

from __future__ import annotations

import pytest

from peikao.core.choices import Role
from peikao.core.models import Region, User
from peikao.oversight.tests.alerts import make_alert
from peikao.registry.choices import OrganizationKind
from peikao.testing.factories import OrganizationFactory, UserFactory

GULOU = Region(code="350102", name="鼓楼区", level="county")


@pytest.mark.parametrize(
    ("full_name", "region", "label"),
    [
        ("王五", GULOU, "王五（鼓楼区应急管理局）"),
        ("", GULOU, "gl-x（鼓楼区应急管理局）"),
        ("鼓楼区应急管理局 执法员", GULOU, "鼓楼区应急管理局 执法员"),  # the office is not said twice
        ("陈建华", Region(code="350000", name="福建省", level="province"), "陈建华（福建省应急管理厅）"),
        ("周立群", Region(code="000000", name="中华人民共和国", level="nation"), "周立群（应急管理部）"),
    ],
)
def test_the_label_names_the_person_or_the_account_and_the_office(full_name, region, label):
    user = User(username="gl-x", full_name=full_name, role=Role.INSPECTOR, region=region)
    assert user.label == label


@pytest.mark.django_db
def test_the_confirm_form_offers_inspectors_by_name_and_office(client, world):
    gulou = Region.objects.get(code="350102")
    institution = OrganizationFactory(kind=OrganizationKind.TRAINING_INSTITUTION, region=gulou)
    alert = make_alert(institution)
    user = world.users["county_inspector"]
    User.objects.filter(pk=user.pk).update(full_name="")
    UserFactory(username="gl-inspector-2", full_name="林志强", role=Role.INSPECTOR, region=gulou)
    client.force_login(user)
    body = client.get(f"/oversight/alerts/{alert.pk}/").content.decode()
    choices = body.split('name="confirm-inspectors"', 1)[1].split("</form>", 1)[0]
    assert "gl-inspector（鼓楼区应急管理局）" in choices and "林志强（鼓楼区应急管理局）" in choices
