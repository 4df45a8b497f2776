"""A refused decision says why in Chinese only, beside the field it concerns (the fine beside 罚款金额)."""

from __future__ import annotations

import re

import pytest

from peikao.enforcement.models import Decision
from peikao.enforcement.tests.test_enforcement import TODAY, site, started  # noqa: F401
from peikao.enforcement.tests.test_fine_ranges import spot_failures

pytestmark = pytest.mark.django_db


def test_a_fine_outside_the_lawful_range_is_refused_beside_the_fine_in_chinese(site, client):  # noqa: F811
    inspection = started(site)
    failures = spot_failures(site, inspection, site["operators"])
    client.force_login(site["a"])
    response = client.post(f"/enforcement/inspections/{inspection.code}/decide/", {
        "measure": "fine", "findings": [str(f.pk) for f in failures], "fine_yuan": "300000",
        "decided_on": TODAY.isoformat(),
    })  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200 and not Decision.objects.exists()
    beside = re.search(r'<ul class="errorlist" id="id_fine_yuan_error">(.*?)</ul>', page, re.S)
    assert beside and "法定" in beside.group(1) and "0–100,000" in beside.group(1), page
    assert "outside the legal range" not in page and 'class="errorlist nonfield"' not in page


def test_an_order_without_a_deadline_is_refused_beside_the_deadline(site, client):  # noqa: F811
    inspection = started(site)
    failures = spot_failures(site, inspection, site["operators"][:1])
    client.force_login(site["a"])
    page = client.post(f"/enforcement/inspections/{inspection.code}/decide/", {
        "measure": "rectify_order", "findings": [str(failures[0].pk)], "decided_on": TODAY.isoformat(),
    }).content.decode()  # fmt: skip
    assert re.search(r'<ul class="errorlist" id="id_due_on_error">', page) and " / " not in page.split("<main", 1)[1]
