"""Reference data (regions, domain rules) and ID numbers masked in logs."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from peikao.core.choices import RegionLevel
from peikao.core.logging import MaskIdNumbersFilter
from peikao.core.models import ChangeLog, LegalInstrument, Region
from peikao.core.privacy import mask_id_numbers_in_text as mask_id_numbers
from peikao.core.refdata import load_all
from peikao.registry.models import Industry, OperationItem

pytestmark = pytest.mark.django_db


def test_regions_follow_the_nbs_2023_tables():
    assert Region.objects.filter(level=RegionLevel.PROVINCE).count() == 31
    # 342 prefectures; 东莞, 中山 and 儋州 have no counties and are their own county-level region.
    assert Region.objects.filter(level=RegionLevel.CITY).count() == 342 - 3
    assert Region.objects.filter(level=RegionLevel.COUNTY).count() == 2978
    assert Region.objects.get(code="441900").level == RegionLevel.COUNTY
    gulou = Region.objects.get(code="350102")
    assert gulou.parent.code == "350100" and gulou.parent.parent.code == "350000"
    assert gulou.full_name == "福建省福州市鼓楼区"
    assert Region.objects.filter(is_development_zone=True).count() == 124


def test_a_full_name_read_with_the_parents_up_to_the_province_costs_no_query(django_assert_num_queries):
    """The nation adds no name to a full name: it is not fetched (a dashboard names every exam point so)."""
    county, dongguan = Region.objects.select_related("parent__parent").filter(code__in=["350102", "441900"])
    with django_assert_num_queries(0):
        assert (county.full_name, dongguan.full_name) == ("福建省福州市鼓楼区", "广东省东莞市")
    assert [Region.objects.get(code=code).full_name for code in ("350000", "000000")] == ["福建省", "全国"]


def test_loading_reference_data_again_changes_nothing():
    before = ChangeLog.objects.count()
    summaries = dict(load_all())
    assert ChangeLog.objects.count() == before
    assert "0 created, 0 updated" in summaries["regions"]


def test_rules_are_dated_data():
    order_30 = LegalInstrument.objects.get(code="order_30")
    assert order_30.valid_to == dt.date(2026, 5, 31)
    in_force = set(LegalInstrument.objects.in_force(dt.date(2026, 6, 1)).values_list("code", flat=True))
    assert "order_19" in in_force and "order_30" not in in_force
    assert Industry.objects.get(code="hazardous_chemicals").high_risk
    items_2025 = OperationItem.objects.in_force(dt.date(2025, 1, 1)).count()
    items_2027 = OperationItem.objects.in_force(dt.date(2027, 1, 1)).count()
    assert (items_2025, items_2027) == (51, 54)
    assert not OperationItem.objects.get(code="1.4").confirmed


def test_logs_never_carry_a_full_id_number():
    assert mask_id_numbers("GET /registry/persons/?q=11010519491231002X HTTP/1.1") == (
        "GET /registry/persons/?q=1101**********002X HTTP/1.1"
    )
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "person %s", ("35010219900101123x",), None)
    MaskIdNumbersFilter().filter(record)
    assert record.getMessage() == "person 3501**********123X"
    assert mask_id_numbers("order 12345678901234567890") == "order 12345678901234567890"
    # A special-operations certificate number is "T" + the holder's ID number.
    assert mask_id_numbers("GET /verify/?cert_no=T11010519491231002X") == "GET /verify/?cert_no=T1101**********002X"
    assert mask_id_numbers("GET /v/ET11010519491231002X") == "GET /v/ET11010519491231002X"  # not an ID number
