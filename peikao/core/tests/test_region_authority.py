"""One rule names a region's emergency-management authority: the pages (``Region.authority``, ``User.label``), the
certificate and the documents (``issuing_authority``) and the public look-up (``authority_name``) agree."""

from __future__ import annotations

import pytest

from peikao.certificates.verification import issuing_authority
from peikao.core.models import Region, authority_name


@pytest.mark.parametrize(
    ("code", "name", "level", "expected"),
    [
        ("000000", "全国", "nation", "应急管理部"),
        ("350000", "福建省", "province", "福建省应急管理厅"),
        ("350100", "福州市", "city", "福州市应急管理局"),
        ("350102", "鼓楼区", "county", "鼓楼区应急管理局"),
    ],
)
def test_a_regions_authority_is_named_by_one_rule(code, name, level, expected):
    region = Region(code=code, name=name, level=level)
    assert region.authority == expected
    assert issuing_authority(region) == expected
    assert authority_name(name, level) == expected
