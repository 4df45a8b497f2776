"""Synthetic but valid identifiers and names, for the demo province, factories and benchmarks."""

from __future__ import annotations

import datetime as dt
import random

from peikao.core.validators import USCC_ALPHABET, _org_code_check_char, id_check_char, uscc_check_char

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉荣新春宇晨浩凯鹏飞斌志国海波林峰俊宏亮成东振福祥发德才清水金龙"  # noqa: E501


def chinese_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def id_number(rng: random.Random, region_code: str, birth: dt.date, sex: str | None = None) -> str:
    """A valid 18-character ID number for someone born in ``region_code`` on ``birth``."""
    sequence = rng.randint(0, 99)
    gender_digit = rng.choice("13579" if sex == "M" else "02468" if sex == "F" else "0123456789")
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:02d}{gender_digit}"
    return first17 + id_check_char(first17)


def birth_date(rng: random.Random, youngest: int = 18, oldest: int = 60, today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    start = dt.date(today.year - oldest, 1, 1)
    end = dt.date(today.year - youngest, 12, 31) - dt.timedelta(days=366)
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def uscc(rng: random.Random, region_code: str, authority: str = "9", category: str = "1") -> str:
    """A valid unified social credit code: registration authority, category, region, organisation code."""
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    org_code = body + _org_code_check_char(body)
    first17 = f"{authority}{category}{region_code}{org_code}"
    assert all(char in USCC_ALPHABET for char in first17)
    return first17 + uscc_check_char(first17)


def phone(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
