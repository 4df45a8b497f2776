"""A person's page (一人一档) shows the alerts naming him to the regulators who see them (registry's person
section hook), each a link to the alert; nothing to an organisation or a candidate."""

from __future__ import annotations

import pytest

from peikao.core.models import Region
from peikao.oversight import sections
from peikao.oversight.tests.alerts import make_alert
from peikao.registry.choices import OrganizationKind
from peikao.testing.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world):
    sections.register()  # as OversightConfig.ready() does (idempotent)
    person = world.persons["p_a"]  # 张三: employee of 企业 a (鼓楼)
    gulou = OrganizationFactory(kind=OrganizationKind.EXAM_POINT, region=Region.objects.get(code="350102"))
    siming = OrganizationFactory(kind=OrganizationKind.EXAM_POINT, region=Region.objects.get(code="350203"))
    return {
        "world": world,
        "person": person,
        "near": make_alert(gulou, code="EXM-TOO-FAST", person=person),
        "far": make_alert(siming, code="EXM-TOO-FAST", person=person),
    }


def test_the_section_holds_the_alerts_the_viewer_sees(scene):
    users, person = scene["world"].users, scene["person"]
    county = sections.person_alert_section(user=users["county_inspector"], person=person)
    assert [a.pk for a in county["alerts"]] == [scene["near"].pk]
    province = sections.person_alert_section(user=users["province_admin"], person=person)
    assert {a.pk for a in province["alerts"]} == {scene["near"].pk, scene["far"].pk}
    for persona in ("ent_admin", "candidate"):
        assert sections.person_alert_section(user=users[persona], person=person) is None


def test_the_person_page_links_to_the_alerts(client, scene):
    client.force_login(scene["world"].users["county_inspector"])
    body = client.get(f"/registry/persons/{scene['person'].pk}/").content.decode()
    assert 'id="person-alerts"' in body
    assert f'href="/oversight/alerts/{scene["near"].pk}/"' in body
    assert f'href="/oversight/alerts/{scene["far"].pk}/"' not in body
    client.force_login(scene["world"].users["candidate"])
    assert 'id="person-alerts"' not in client.get(f"/registry/persons/{scene['person'].pk}/").content.decode()
