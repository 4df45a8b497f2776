from decimal import Decimal

import pytest

from peikao.lib.notice_numbers import count_text, wan_yuan_text


@pytest.mark.parametrize(
    ("count", "text"),
    [
        # the figures of 应急厅函〔2023〕85号
        (4171, "4171"),
        (11_000, "1.1万"),
        (315, "315"),
        (2445, "2445"),
        (5748, "5748"),
        (281_000, "28.1万"),
        (120_000, "12万"),
        (61_000, "6.1万"),
        # edges
        (0, "0"),
        (9999, "9999"),
        (10_000, "1万"),
        (10_049, "1万"),
        (10_500, "1.1万"),  # half up, not to even (1.05 → 1.1)
        (12_500, "1.3万"),  # half up, not to even (1.25 → 1.3)
        (10_950, "1.1万"),
        (280_500, "28.1万"),
        (281_499, "28.1万"),
        (99_999, "10万"),
        (115_000, "11.5万"),
        (119_500, "12万"),
        (1_234_567, "123.5万"),
    ],
)
def test_count_text_writes_counts_as_the_notice(count, text):
    assert count_text(count) == text


@pytest.mark.parametrize(
    ("yuan", "text"),
    [
        (278_770_000, "27877万"),
        (278_765_000, "27877万"),  # half up
        (278_764_999, "27876万"),
        (Decimal("278770000.00"), "27877万"),
        (0, "0万"),
        (4_999, "0万"),
        (5_000, "1万"),
    ],
)
def test_wan_yuan_text_writes_fines_in_wan_yuan(yuan, text):
    assert wan_yuan_text(yuan) == text


@pytest.mark.parametrize("bad", [-1, 1.5, True, "12"])
def test_numbers_refuse_what_is_not_a_figure(bad):
    with pytest.raises((TypeError, ValueError)):
        count_text(bad)
