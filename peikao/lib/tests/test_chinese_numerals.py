"""Amounts of money in Chinese capital numerals, by the rules for payment documents (peikao.lib.chinese_numerals)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from peikao.lib.chinese_numerals import yuan_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (30000, "人民币叁万元整"),
        (10500, "人民币壹万零伍佰元整"),
        (0, "人民币零元整"),
        (Decimal("0.00"), "人民币零元整"),
        (Decimal("1234567.89"), "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        (1234567.89, "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        (100000, "人民币壹拾万元整"),
        (Decimal("200.5"), "人民币贰佰元伍角"),
        (200.5, "人民币贰佰元伍角"),
        (1000001, "人民币壹佰万零壹元整"),
        (10, "人民币壹拾元整"),
        (110, "人民币壹佰壹拾元整"),
        (1010, "人民币壹仟零壹拾元整"),
        (1, "人民币壹元整"),
        (15, "人民币壹拾伍元整"),
        (101, "人民币壹佰零壹元整"),
        (1001, "人民币壹仟零壹元整"),
        (6007, "人民币陆仟零柒元整"),
        (10000, "人民币壹万元整"),
        (10010, "人民币壹万零壹拾元整"),
        (11000, "人民币壹万壹仟元整"),
        (107000, "人民币壹拾万柒仟元整"),
        (100500, "人民币壹拾万零伍佰元整"),
        (2000000, "人民币贰佰万元整"),
        (50000000, "人民币伍仟万元整"),
        (100000000, "人民币壹亿元整"),
        (100010000, "人民币壹亿零壹万元整"),
        (110000000, "人民币壹亿壹仟万元整"),
        (1000000000000, "人民币壹万亿元整"),
        (Decimal("1409.50"), "人民币壹仟肆佰零玖元伍角"),
        (Decimal("1680.32"), "人民币壹仟陆佰捌拾元叁角贰分"),
        (Decimal("325.04"), "人民币叁佰贰拾伍元零肆分"),
        (Decimal("0.05"), "人民币伍分"),
        (Decimal("0.50"), "人民币伍角"),
        (Decimal("0.56"), "人民币伍角陆分"),
        (Decimal("30000.00"), "人民币叁万元整"),
        ("1500", "人民币壹仟伍佰元整"),
    ],
)
def test_yuan_in_words(amount, words):
    assert yuan_in_words(amount) == words


@pytest.mark.parametrize("amount", [-1, Decimal("0.001"), Decimal("12.345"), Decimal("NaN"), 10**16, "三万"])
def test_yuan_in_words_refuses_what_is_no_amount(amount):
    with pytest.raises(ValueError):
        yuan_in_words(amount)


def test_yuan_in_words_refuses_bool():
    with pytest.raises(TypeError):
        yuan_in_words(True)
