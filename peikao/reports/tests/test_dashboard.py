"""The regulator's dashboard: trends by month, the rectification loop, fines against the legal maximum, pass rates
per exam point, alerts by detector and state, the soft-enforcement practices and the sub-regions ranked; scoped
like the notice, every figure's link leading to exactly the rows it counts.

Hand-built data on the persona world (its inspections of 2026-10-01 in 鼓楼, 台江 and 南昌, their orders to
rectify due 2026-11-02, a theory sitting at each exam point on 2026-09-15 with one candidate who passed, an alert
of cloned check-ins about each inspected subject, grades and commitments of 企业 a, 机构 b and 南昌's institution).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from decimal import Decimal
from urllib.parse import urlsplit

import lxml.html
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from peikao.core.errors import PermissionDenied
from peikao.core.models import Region
from peikao.enforcement.models import Decision, Finding, Inspection, Rectification
from peikao.exams.models import Registration, Result, Sitting
from peikao.oversight.models import Alert
from peikao.registry.models import OperationItem
from peikao.reports.dashboards import dashboard, exams
from peikao.reports.selectors import Period, practice_codes
from peikao.testing.factories import BEIJING, OrganizationFactory, PersonFactory

TODAY = dt.date(2026, 11, 30)
NOW = dt.datetime(2026, 11, 30, 12, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def inspection(code, org, day, *, kind="routine", findings=0):
    made = Inspection.objects.create(
        code=code, organization=org, region_id=org.region_id, kind=kind, inspected_on=day, status="completed"
    )
    for n in range(findings):
        Finding.objects.create(code=f"{code}-F{n}", inspection=made, description="问题")
    return made


def fine(code, inspection_code, day, amount, low=None, high=None, **responsible):
    return Decision.objects.create(
        code=code, inspection=Inspection.objects.get(code=inspection_code), measure="fine", decided_on=day,
        fine_yuan=Decimal(amount), fine_low=low, fine_high=high, **responsible,
    )  # fmt: skip


def sitting(code, point, part, day):
    start = dt.datetime.combine(day, dt.time(9), tzinfo=BEIJING)
    return Sitting.objects.create(
        sitting_code=code, exam_point=point, part=part, operation_item=OperationItem.objects.get(code="1.2"),
        starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=30,
    )  # fmt: skip


def sat(at, *, passed, status="valid", attempt=1):
    registration = Registration.objects.create(
        sitting=at, person=PersonFactory(), admission_code=f"{Registration.objects.count():08d}", attempt=attempt
    )
    Result.objects.create(registration=registration, score=90 if passed else 40, passed=passed, status=status)


def alert(key, detector, org, *, state="new", period=(dt.date(2026, 10, 1), dt.date(2026, 10, 31)), **extra):
    return Alert.objects.create(
        fingerprint=hashlib.sha256(key.encode()).hexdigest(), detector_id=detector, organization=org,
        period_from=period[0], period_to=period[1], severity="high", state=state, explanation="说明", **extra,
    )  # fmt: skip


@pytest.fixture
def records(world):
    orgs = world.orgs
    # trend: an inspection of 机构 b (台江) in March with two findings, one of 企业 b (厦门) in June, ordered to
    # rectify (closed), and a look-back inspection in 厦门 in August
    inspection("D-1", orgs["ti_b"], dt.date(2026, 3, 5), findings=2)
    inspection("D-2", orgs["ent_b"], dt.date(2026, 6, 1), findings=1)
    inspection("D-3", orgs["ent_b"], dt.date(2026, 8, 1), kind="lookback")
    decision = Decision.objects.create(
        code="D-D", inspection=Inspection.objects.get(code="D-2"), measure="rectify_order",
        decided_on=dt.date(2026, 6, 2), due_on=dt.date(2026, 7, 2),
    )  # fmt: skip
    Rectification.objects.create(decision=decision, due_on=decision.due_on, status="closed", closed_on=TODAY)
    # fines: 企业 a (鼓楼) 30,000 of 10,000–50,000 and its person responsible 5,000 of 1,000–10,000; 机构 b (台江)
    # 20,000 of 20,000–100,000; 企业 b (厦门) 8,000 without a recorded range; 南昌 (江西) 99,999 of 100,000
    fine("F-A", "INSP-A", dt.date(2026, 10, 5), 30000, 10000, 50000, responsible_person=world.persons["p_a"],
         responsible_fine_yuan=Decimal(5000), responsible_fine_low=Decimal(1000), responsible_fine_high=Decimal(10000))  # fmt: skip
    fine("F-B", "INSP-B", dt.date(2026, 11, 3), 20000, 20000, 100000)
    fine("F-X", "D-2", dt.date(2026, 7, 3), 8000)
    fine("F-C", "INSP-C", dt.date(2026, 10, 5), 99999, 1000, 100000)
    # an exit decision: 机构 b (台江) closed
    Decision.objects.create(
        code="X-B", inspection=Inspection.objects.get(code="INSP-B"), measure="close", decided_on=dt.date(2026, 11, 4)
    )
    # exams at 鼓楼's exam point: a theory sitting (two passed, one failed, one absent, one cancelled, one at a
    # second attempt who passed) and a practical sitting (one passed, one failed); 南昌's point: three fails
    theory = sitting("S-T", orgs["ep_a"], "theory", dt.date(2026, 10, 10))
    for passed in (True, True, False):
        sat(theory, passed=passed)
    sat(theory, passed=False, status="absent")
    sat(theory, passed=False, status="cancelled")
    sat(theory, passed=True, attempt=2)
    practical = sitting("S-P", orgs["ep_a"], "practical", dt.date(2026, 10, 11))
    sat(practical, passed=True)
    sat(practical, passed=False)
    foreign = sitting("S-C", orgs["ep_c"], "theory", dt.date(2026, 10, 10))
    for _n in range(3):
        sat(foreign, passed=False)
    # alerts: 机构 b's (the world's) taken into review; one dismissed about 鼓楼's exam point; one of 2025 (outside
    # the period); one in 南昌
    Alert.objects.filter(organization=orgs["ti_b"]).update(state="reviewing")
    alert("d-1", "EXM-TOO-FAST", orgs["ep_a"], state="dismissed", dismiss_reason="explained")
    alert("d-2", "EXM-TOO-FAST", orgs["ep_a"], period=(dt.date(2025, 1, 1), dt.date(2025, 1, 31)))
    alert("d-3", "EXM-TOO-FAST", orgs["ep_c"])
    return world


def province(records):
    return dashboard(user=records.users["province_admin"], region=Region.objects.get(code="350000"), today=TODAY)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows_behind(client: Client, url: str) -> int:
    """How many rows the page at ``url`` lists."""
    parts = urlsplit(url)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 200, url
    if "regions" in response.context:
        return len(response.context["regions"])
    return response.context["page_obj"].paginator.count


def test_the_dashboard_counts_by_month_and_ranks_the_regions_below(records):
    data = province(records)

    months = {row["month"]: row for row in data["trend"]}
    assert (
        len(data["trend"]) == 12 and data["trend"][0]["month"] == "2025-12" and data["trend"][-1]["month"] == "2026-11"
    )
    assert {key: months["2026-03"][key] for key in ("inspections", "findings", "decisions")} == {
        "inspections": 1, "findings": 2, "decisions": 0,
    }  # fmt: skip
    assert months["2026-06"]["decisions"] == 1 and months["2026-07"]["decisions"] == 1  # the order, the fine
    assert months["2026-10"]["inspections"] == 2  # the world's inspections in 鼓楼 and 台江 (江西's is elsewhere)
    assert months["2026-11"]["decisions"] == 2  # 机构 b's fine and closure
    assert data["rectifications"] == {"total": 3, "closed": 1, "overdue": 2, "closure_rate": 33.3}
    assert [row["code"] for row in data["subregions"]] == ["350100", "350200"]  # 福州 (3 inspected) before 厦门


def test_fines_are_set_against_the_top_of_their_lawful_range(records):
    fines = province(records)["fines"]

    # 35,000 of 60,000 (鼓楼, unit and person) and 20,000 of 100,000 (台江); 厦门's fine has no range
    assert {key: value for key, value in fines["total"].items() if key != "url"} == {
        "decisions": 3, "without_range": 1, "fined_yuan": 55000, "maximum_yuan": 160000,
        "fined_all_yuan": 63000, "ratio": 34.4,
    }  # fmt: skip
    months = {row["month"]: row for row in fines["by_month"]}
    assert len(fines["by_month"]) == 12
    assert (months["2026-07"]["decisions"], months["2026-07"]["without_range"], months["2026-07"]["ratio"]) == (
        1,
        1,
        None,
    )
    assert (months["2026-10"]["fined_yuan"], months["2026-10"]["maximum_yuan"], months["2026-10"]["ratio"]) == (
        35000, 60000, 58.3,
    )  # fmt: skip
    assert (months["2026-11"]["fined_yuan"], months["2026-11"]["ratio"]) == (20000, 20.0)
    assert months["2026-09"]["decisions"] == 0 and months["2026-09"]["ratio"] is None
    assert [(row["code"], row["decisions"], row["ratio"]) for row in fines["by_subregion"]] == [
        ("350100", 2, 34.4), ("350200", 1, None),
    ]  # fmt: skip


def test_pass_rates_count_first_attempts_per_exam_point(records):
    data = province(records)

    rows = {row["org_code"]: row for row in data["pass_rates"]}
    ep_a, ep_b = records.orgs["ep_a"], records.orgs["ep_b"]
    assert [row["org_code"] for row in data["pass_rates"]] == [ep_b.org_code, ep_a.org_code]  # 100 % before 60 %
    assert rows[ep_a.org_code]["sittings"] == 3
    # the world's candidate and three of the theory sitting, one cancelled: absent and second attempts left out
    assert rows[ep_a.org_code]["theory"] == {"sat": 5, "passed": 3, "rate": 60.0}
    assert rows[ep_a.org_code]["practical"] == {"sat": 2, "passed": 1, "rate": 50.0}
    assert rows[ep_b.org_code]["theory"] == {"sat": 1, "passed": 1, "rate": 100.0}
    assert rows[ep_b.org_code]["practical"] == {"sat": 0, "passed": 0, "rate": None}
    assert records.orgs["ep_c"].org_code not in rows  # 江西
    assert data["pass_overall"] == {
        "theory": {"sat": 6, "passed": 4, "rate": 66.7}, "practical": {"sat": 2, "passed": 1, "rate": 50.0},
    }  # fmt: skip
    october = dashboard(
        user=records.users["province_admin"], region=Region.objects.get(code="350000"), today=TODAY,
        period=Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
    )  # fmt: skip
    assert [(row["org_code"], row["sittings"], row["theory"]["sat"]) for row in october["pass_rates"]] == [
        (ep_a.org_code, 2, 4)
    ]


def test_alerts_are_counted_by_detector_and_state(records):
    alerts = province(records)["alerts"]

    assert [state["code"] for state in alerts["states"]] == ["new", "reviewing", "confirmed", "dismissed"]
    matrix = {row["code"]: [cell["n"] for cell in row["cells"]] for row in alerts["rows"]}
    assert matrix == {"TRN-CLONED-CHECKINS": [1, 1, 0, 0], "EXM-TOO-FAST": [0, 0, 0, 1]}  # 2025's is out
    assert [row["code"] for row in alerts["rows"]] == ["TRN-CLONED-CHECKINS", "EXM-TOO-FAST"]  # detector order
    assert alerts["rows"][1]["name"] == "理论考试用时过短"  # the detector's Chinese name
    assert [cell["n"] for cell in alerts["totals"]] == [1, 1, 0, 1]
    assert (alerts["total"], alerts["open"]) == (3, 2)


def test_the_practices_are_shown_per_region_below(records):
    practices = province(records)["practices"]

    rows = {row["code"]: [cell["n"] for cell in row["cells"]] for row in practices["rows"]}
    # exit, grading, commitments, spot exams, look-back: counted in counties (福州: 鼓楼 and 台江)
    assert rows == {"350100": [1, 2, 2, 0, 0], "350200": [0, 0, 0, 0, 1]}
    assert [row["code"] for row in practices["rows"]] == ["350100", "350200"]  # most practices shown first
    assert [cell["n"] for cell in practices["total"]] == [1, 1, 1, 0, 1]  # in cities


def test_the_records_of_one_practice_read_that_practice_only(records, django_assert_num_queries):
    fujian = Region.objects.get(code="350000")
    period = Period(dt.date(2025, 12, 1), TODAY)
    every = practice_codes(fujian, period)

    with django_assert_num_queries(1):
        grading = practice_codes(fujian, period, only="regions_with_grading")

    assert grading == {"regions_with_grading": every["regions_with_grading"]} and len(every) == 5
    assert {code[:4] for code in grading["regions_with_grading"]} == {"3501"}  # 鼓楼 and 台江


def test_every_link_leads_to_the_rows_its_figure_counts(records):
    data = province(records)
    client = client_of(records.users["province_admin"])

    figures = [(row["inspections"], row["inspections_url"]) for row in data["trend"] if row["inspections"]]
    figures += [(row["decisions"], row["decisions_url"]) for row in data["trend"] if row["decisions"]]
    figures += [(data["fines"]["total"]["decisions"], data["fines"]["total"]["url"])]
    figures += [(row["decisions"], row["url"]) for row in data["fines"]["by_month"] + data["fines"]["by_subregion"]]
    figures += [(row["sittings"], row["sittings_url"]) for row in data["pass_rates"]]
    figures += [(cell["n"], cell["url"]) for row in data["alerts"]["rows"] for cell in row["cells"]]
    figures += [(row["total"], row["url"]) for row in data["alerts"]["rows"]]
    figures += [(cell["n"], cell["url"]) for cell in data["alerts"]["totals"]] + [(3, data["alerts"]["url"])]
    figures += [(cell["n"], cell["url"]) for row in data["practices"]["rows"] for cell in row["cells"]]
    figures += [(cell["n"], cell["url"]) for cell in data["practices"]["total"]]
    assert len(figures) == 55  # every cell of every panel with a link
    assert [(n, url) for n, url in figures if rows_behind(client, url) != n] == []
    assert rows_behind(client, data["fines"]["by_subregion"][0]["url"]) == 2


def test_a_county_sees_its_own_figures_only(records):
    county = records.users["county_inspector"]  # 鼓楼
    own = Region.objects.get(code="350102")

    data = dashboard(user=county, region=own, today=TODAY)

    assert (data["fines"]["total"]["decisions"], data["fines"]["total"]["ratio"]) == (1, 58.3)  # not 台江's
    assert data["fines"]["by_subregion"] == []
    assert [row["org_code"] for row in data["pass_rates"]] == [records.orgs["ep_a"].org_code]
    assert {row["code"]: row["total"] for row in data["alerts"]["rows"]} == {
        "TRN-CLONED-CHECKINS": 1,
        "EXM-TOO-FAST": 1,
    }
    assert [(row["code"], [cell["n"] for cell in row["cells"]]) for row in data["practices"]["rows"]] == [
        ("350102", [0, 1, 1, 0, 0])
    ]
    with pytest.raises(PermissionDenied):
        dashboard(user=county, region=Region.objects.get(code="350103"), today=TODAY)
    client = client_of(county)
    foreign = {"kind": "fines", "region": "350103", "date_from": "2026-01-01", "date_to": "2026-11-30"}
    assert client.get(reverse("reports:dashboard_records"), foreign).status_code == 400
    page = client.get(reverse("reports:dashboard"), {"region": "350103"}).content.decode()
    assert "台江" not in page.split('id="panel-trend"')[1]  # the form falls back to its own county
    assert rows_behind(client, data["fines"]["total"]["url"]) == 1


def test_the_dashboard_page_shows_charts_and_tables_of_the_users_region(records):
    client = client_of(records.users["city_inspector"])

    response = client.get(reverse("reports:dashboard"))
    foreign = client.get(reverse("reports:dashboard"), {"region": "350000"})  # not offered: its own region

    page = response.content.decode()
    assert response.status_code == 200
    for table in ("trend-table", "fines-month-table", "fines-region-table", "pass-rates-table", "alerts-table",
                  "practices-table", "ranking-table"):  # fmt: skip
        assert f'id="{table}"' in page, table
    assert "vendor/echarts-6.1.0.min.js" in page and "reports/dashboard.js" in page
    specs = json.loads(re.search(r'id="dashboard-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    charts = {spec["id"]: spec for spec in specs}
    assert all(f'id="{chart}"' in page for chart in charts)
    assert charts["chart-ranking"]["categories"] == ["鼓楼区", "台江区"]  # by code, named within 福州市
    fines = charts["chart-fines-regions"]  # the highest share of the maximum first
    assert (fines["categories"], fines["series"][0]["data"]) == (
        ["鼓楼区", "台江区"],
        [58.3, 20.0],
    )
    shown = lxml.html.fromstring(page)  # the tables name the sub-regions as their charts do
    for table in ("ranking-table", "fines-region-table"):
        names = [cell.text_content() for cell in shown.xpath(f"//table[@id='{table}']/tbody/tr/td[1]")]
        assert sorted(names) == ["台江区", "鼓楼区"], (table, names)
    assert "福建省福州市" in foreign.content.decode() and "厦门" not in foreign.content.decode()
    client.force_login(records.users["ti_admin"])
    assert client.get(reverse("reports:dashboard")).status_code == 404
    assert client.get(reverse("reports:dashboard_records"), {"kind": "fines"}).status_code == 404


def test_the_period_is_chosen_on_the_page(records):
    client = client_of(records.users["province_admin"])

    page = client.get(reverse("reports:dashboard"), {"date_from": "2026-10-01", "date_to": "2026-11-30"})
    reversed_ = client.get(reverse("reports:dashboard"), {"date_from": "2026-10-01", "date_to": "2026-09-30"})

    data = page.context["data"]
    assert [row["month"] for row in data["trend"]] == ["2026-10", "2026-11"]
    assert data["fines"]["total"]["decisions"] == 2  # 厦门's July fine is before the period
    assert reversed_.status_code == 200 and reversed_.context["form"].errors["date_to"]
    assert len(reversed_.context["data"]["trend"]) == 12  # the default period, the error beside the field


def test_a_regulators_landing_page_shows_the_key_panels_of_its_region(records):
    client = client_of(records.users["city_inspector"])  # 福州

    response = client.get(reverse("web:home"))

    page = response.content.decode()
    summary = response.context["dashboard"]
    assert summary["region"]["code"] == "350100" and 'id="dashboard-summary"' in page
    assert summary["url"] in page.replace("&amp;", "&")  # the full dashboard of its region and period
    assert (summary["fines"]["decisions"], summary["fines"]["ratio"]) == (2, 34.4)
    assert summary["pass_overall"]["theory"] == {"sat": 6, "passed": 4, "rate": 66.7}
    assert (summary["alerts"]["open"], summary["alerts"]["total"]) == (2, 3)
    assert summary["rectifications"] == {"total": 2, "closed": 0, "overdue": 2, "closure_rate": 0.0}
    assert 'id="work-list"' in page or 'id="region-figures"' in page  # the work-list cards stay
    specs = json.loads(re.search(r'id="dashboard-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert [spec["id"] for spec in specs] == ["chart-trend", "chart-alerts"]
    assert rows_behind(client, summary["fines"]["url"]) == 2
    assert reverse("reports:dashboard") in [item["url"] for item in response.context["nav_menu"]]


def test_the_landing_page_of_an_organisation_has_no_dashboard(records):
    response = client_of(records.users["ti_admin"]).get(reverse("web:home"))

    assert response.status_code == 200 and "dashboard" not in response.context
    assert 'id="dashboard-summary"' not in response.content.decode()
    assert reverse("reports:dashboard") not in [item["url"] for item in response.context["nav_menu"]]


def test_a_long_list_of_exam_points_shows_the_highest_and_the_lowest_rates():
    rows = [{"org_code": f"P{n:02d}", "theory": {"rate": float(100 - n)}} for n in range(45)]
    rows.append({"org_code": "P99", "theory": {"rate": None}})  # no theory candidate: last

    shown, left_out = exams.shown(rows, limit=40)

    assert [row["theory"]["rate"] for row in shown] == [float(r) for r in range(100, 80, -1)] + [
        float(r) for r in range(75, 55, -1)
    ]
    assert left_out == 6  # 80 … 76 and the exam point without a rate
    assert exams.shown(rows[:40], limit=40) == (rows[:40], 0)


def test_the_number_of_queries_does_not_grow_with_the_records(records):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        province(records)
    points = []
    for n in range(6):  # more inspections, fines, sittings and alerts, in more regions and months
        org = records.orgs[("ti_a", "ent_a", "ent_b")[n % 3]]
        inspection(f"Q-{n}", org, dt.date(2026, 4 + n, 3), findings=2)
        fine(f"Q-F{n}", f"Q-{n}", dt.date(2026, 4 + n, 4), 1000 * (n + 1), 500, 10000)
        sat(sitting(f"Q-S{n}", records.orgs[("ep_a", "ep_b")[n % 2]], "theory", dt.date(2026, 4 + n, 5)), passed=True)
        # and exam points of their own, each named with its region's full name
        points.append(
            OrganizationFactory(kind="exam_point", region=Region.objects.get(code=("350104", "350203")[n % 2]))
        )
        sat(sitting(f"Q-P{n}", points[-1], "theory", dt.date(2026, 4 + n, 6)), passed=True)
        alert(f"q-{n}", ("EXM-TOO-FAST", "TRN-DAY-OVERLOAD")[n % 2], org)
    with CaptureQueriesContext(connection) as after:
        grown = province(records)

    assert grown["fines"]["total"]["decisions"] == 9
    assert {point.org_code for point in points} <= {row["org_code"] for row in grown["pass_rates"]}
    assert len(after.captured_queries) == len(before.captured_queries) < 40


def test_the_records_behind_a_figure_are_scoped_to_what_the_user_may_see(records):
    """The records page lists rows through ``visible_to``: a window on a region outside the user's jurisdiction
    (which ``dashboards.window`` refuses) lists nothing, however it was made."""
    from peikao.reports.dashboards import Window
    from peikao.reports.dashboards import records as behind

    county = records.users["county_inspector"]  # 鼓楼
    year = Period(dt.date(2026, 1, 1), TODAY)
    foreign = Window(user=county, region=Region.objects.get(code="350103"), period=year, today=TODAY)  # 台江
    own = Window(user=county, region=Region.objects.get(code="350102"), period=year, today=TODAY)

    assert Inspection.objects.filter(organization__region_id="350103").exists()  # 台江 has rows to hide
    assert (behind.inspections(foreign).count(), behind.decisions(foreign).count(), behind.fines(foreign).count()) == (
        0,
        0,
        0,
    )
    assert behind.inspections(own).count() == 1 and behind.fines(own).count() == 1  # 鼓楼's own rows


def test_a_region_deeper_than_the_form_lists_is_shown_when_it_lies_in_the_jurisdiction(records):
    """The ministry's form lists provinces and cities; a county followed from a city's ranking is shown all the
    same. A region outside the jurisdiction is not added to the choices: the records page refuses it."""
    ministry = client_of(records.users["ministry_admin"])
    city = client_of(records.users["city_inspector"])  # 福州

    county = ministry.get(reverse("reports:dashboard"), {"region": "350102"})  # 鼓楼
    fines = {"kind": "fines", "date_from": "2026-01-01", "date_to": "2026-11-30"}
    behind = ministry.get(reverse("reports:dashboard_records"), {**fines, "region": "350102"})
    foreign = city.get(reverse("reports:dashboard_records"), {**fines, "region": "350203"})  # 厦门's 思明

    assert county.context["data"]["region"]["code"] == "350102"
    assert ("350102", "福建省福州市鼓楼区（350102）") in county.context["form"].fields["region"].choices
    assert behind.status_code == 200 and behind.context["page_obj"].paginator.count == 1
    assert foreign.status_code == 400 and "region" in foreign.context["form"].errors
    assert "350203" not in dict(foreign.context["form"].fields["region"].choices)
