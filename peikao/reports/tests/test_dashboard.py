"""The regulator's dashboard: trends by month, the rectification loop, sub-regions ranked; scoped like the notice."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.urls import reverse

from peikao.core.models import Region
from peikao.enforcement.models import Decision, Finding, Inspection, Rectification
from peikao.reports.dashboards import dashboard

TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def records(world):
    """Beside the world's own (inspections of 2026-10-01, orders to rectify due 2026-11-02): an inspection of an
    institution in 台江 in March with two findings, and one in 厦门 in June."""
    for code, org, day, findings in (("D-1", "ti_b", dt.date(2026, 3, 5), 2), ("D-2", "ent_b", dt.date(2026, 6, 1), 1)):
        inspection = Inspection.objects.create(
            code=code, organization=world.orgs[org], region_id=world.orgs[org].region_id, kind="routine",
            inspected_on=day, status="completed",
        )  # fmt: skip
        for n in range(findings):
            Finding.objects.create(code=f"{code}-F{n}", inspection=inspection, description="问题")
    decision = Decision.objects.create(
        code="D-D", inspection=Inspection.objects.get(code="D-2"), measure="rectify_order",
        decided_on=dt.date(2026, 6, 2), due_on=dt.date(2026, 7, 2),
    )  # fmt: skip
    Rectification.objects.create(decision=decision, due_on=decision.due_on, status="closed", closed_on=TODAY)
    return world


def test_the_dashboard_counts_by_month_and_ranks_the_regions_below(records):
    data = dashboard(user=records.users["province_admin"], region=Region.objects.get(code="350000"), today=TODAY)

    months = {row["month"]: row for row in data["trend"]}
    assert len(data["trend"]) == 12 and data["trend"][-1]["month"] == "2026-11"
    assert months["2026-03"] == {"month": "2026-03", "inspections": 1, "findings": 2, "decisions": 0}
    assert months["2026-06"]["decisions"] == 1
    assert months["2026-10"]["inspections"] == 2  # the world's inspections in 鼓楼 and 台江 (江西's is elsewhere)
    assert data["rectifications"] == {"total": 3, "closed": 1, "overdue": 2, "closure_rate": 33.3}
    assert [row["code"] for row in data["subregions"]] == ["350100", "350200"]  # 福州 (3 inspected) before 厦门


@time_machine.travel(dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC))
def test_the_dashboard_page_shows_charts_and_tables_of_the_users_region(client, records):
    client.force_login(records.users["city_inspector"])

    response = client.get(reverse("reports:dashboard"))
    foreign = client.get(reverse("reports:dashboard"), {"region": "350000"})  # not offered: its own region

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="chart-trend"' in page and 'id="trend-table"' in page and "vendor/echarts-6.1.0.min.js" in page
    data = json.loads(re.search(r'id="dashboard-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert data["ranking"]["names"] == ["福建省福州市鼓楼区", "福建省福州市台江区"]  # one organisation each: by code
    assert "福建省福州市" in foreign.content.decode() and "厦门" not in foreign.content.decode()
    client.force_login(records.users["ti_admin"])
    assert client.get(reverse("reports:dashboard")).status_code == 404
