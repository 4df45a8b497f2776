"""Issue 19, reading 11: the violation catalogue says where each item comes from. Thirteen items are traced to
the 2021 campaign's own lists (应急厅函〔2021〕274号's items for training institutions and exam bodies; the county
plans for enterprises); every other item cites the rule it comes from."""

from __future__ import annotations

import pytest

from peikao.core.models import Region
from peikao.enforcement import services
from peikao.enforcement.models import ViolationItem
from peikao.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTICE_274 = {
    "TI-CONDITIONS", "TI-SYLLABUS", "TI-ARCHIVE", "TI-COLLUSION",
    "EX-CONDITIONS", "EX-TRAINING-CONFLICT", "EX-PLAN", "EX-ORAL-PRACTICAL", "EX-PROCTORING",
}  # fmt: skip
COUNTY_PLANS = {"ENT-PLAN", "ENT-UNCERT-SPECOPS", "ENT-NO-ASSESS", "ENT-FALSE-RECORD"}


def current():
    return {item.code: item for item in ViolationItem.objects.filter(retired=False, surface=False)}


def test_campaign_2021_274_the_13_items_of_the_campaigns_lists_are_marked():
    """应急厅函〔2021〕274号 (institutions, exam bodies) and the county plans (enterprises): 13 items."""
    items = current()
    marked = {code for code, item in items.items() if item.campaign_list}
    assert marked == NOTICE_274 | COUNTY_PLANS and len(marked) == 13
    assert {code for code, item in items.items() if item.campaign_list == "notice"} == NOTICE_274
    assert {code for code, item in items.items() if item.campaign_list == "county_plans"} == COUNTY_PLANS
    assert all("274号" in items[code].source_text for code in NOTICE_274)
    assert all("县" in items[code].source_text for code in COUNTY_PLANS)


def test_every_other_item_cites_the_rule_it_comes_from():
    """The rest come from the underlying rules: each cites its source, in Chinese, never a data key."""
    others = {code: item for code, item in current().items() if not item.campaign_list}
    assert set(others) >= {"ENT-NO-TRAIN", "ENT-HOURS-SHORT", "IND-FORGE-CERT", "TI-PROXY-LEARNING", "EX-DATA-TAMPER"}
    for code, item in others.items():
        assert item.source, code
        assert item.source_text and "_" not in item.source_text and "art." not in item.source_text, code
    assert others["ENT-NO-TRAIN"].source_text == "《中华人民共和国安全生产法》第九十七条第三项"
    assert others["IND-LEND-CERT"].source_text.endswith("第四十一条第二项")
    assert "274号" not in others["ENT-NO-TRAIN"].source_text


def test_the_catalogue_page_shows_the_campaign_mark_and_each_source(client):
    client.force_login(UserFactory(role="inspector", region=Region.objects.get(code="350102")))
    body = client.get("/enforcement/catalogue/").content.decode()
    assert body.count('class="badge campaign"') == 13
    row = body.split("<code>ENT-NO-TRAIN</code>")[1].split("</tr>")[0]
    assert "《中华人民共和国安全生产法》第九十七条第三项" in row and "campaign" not in row
    row = body.split("<code>EX-PLAN</code>")[1].split("</tr>")[0]
    assert "专项整治" in row and "274号" in row


def test_an_administrator_gives_a_new_item_its_source():
    admin = UserFactory(role="regulator_admin", region=Region.objects.get(code="350000"))
    item = services.violation_save(
        actor=admin,
        code="X-LOCAL",
        data={"subject_type": "enterprise", "check_text": "地方检查项", "basis": "order_3 art. 29",
              "source": "order_3 art. 29"},
    )  # fmt: skip
    assert item.source_text.endswith("第二十九条") and not item.campaign_list
