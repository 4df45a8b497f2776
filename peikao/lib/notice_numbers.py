"""Figures written the way the campaign notices write them (应急厅函〔2023〕85号): a count below 10,000 as an
integer, a count of 10,000 or more in 万 with one decimal and a trailing .0 dropped, money in 万元 as an
integer.

``count_text(4171) == "4171"``, ``count_text(11000) == "1.1万"``, ``count_text(281000) == "28.1万"``,
``count_text(120000) == "12万"``, ``wan_yuan_text(278_770_000) == "27877万"``.

Rounding is half up (the way a clerk rounds: 10,950 → 1.1万), never the banker's rounding of ``round()``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["count_text", "wan_yuan_text"]

_WAN = Decimal(10_000)


def _whole(value: int | Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError("a figure is an int or a Decimal")
    number = Decimal(value)
    if number < 0:
        raise ValueError("a figure of the notice is never negative")
    return number


def count_text(count: int) -> str:
    """A count as the notice writes it: below 10,000 the integer (4171); from 10,000 up in 万 with one decimal,
    rounded half up, a trailing .0 dropped (1.1万, 28.1万, 12万)."""
    number = _whole(count)
    if number != number.to_integral_value():
        raise ValueError("a count is a whole number")
    if number < _WAN:
        return str(int(number))
    wan = (number / _WAN).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{wan:f}"
    return text.removesuffix(".0") + "万"


def wan_yuan_text(yuan: int | Decimal) -> str:
    """An amount of yuan in 万 as an integer, rounded half up: 278,770,000 → 27877万 (the notice adds 元)."""
    number = _whole(yuan)
    return f"{(number / _WAN).quantize(Decimal(1), rounding=ROUND_HALF_UP):f}万"
