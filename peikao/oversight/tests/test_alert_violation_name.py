"""An alert names the violation it suggests by its short Chinese name; the code is at most a small tag."""

from __future__ import annotations

import pytest

from peikao.core.models import Region
from peikao.oversight.tests.alerts import make_alert
from peikao.registry.choices import OrganizationKind
from peikao.testing.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_an_alert_page_names_the_suggested_violation(client, world):
    institution = OrganizationFactory(
        kind=OrganizationKind.TRAINING_INSTITUTION, region=Region.objects.get(code="350102")
    )
    alert = make_alert(institution)  # TRN-PERSON-TWO-PLACES suggests TI-ARCHIVE
    assert alert.violation_code == "TI-ARCHIVE"
    client.force_login(world.users["county_inspector"])
    body = client.get(f"/oversight/alerts/{alert.pk}/").content.decode()
    suggested = body.split("<dd><strong>", 1)[1].split("</dd>", 1)[0]
    assert suggested.startswith("未建立培训档案或者培训档案管理不规范</strong>")
    assert '<small class="muted"><code>TI-ARCHIVE</code></small>' in suggested
