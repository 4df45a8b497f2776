"""Amounts of money in Chinese capital numerals (大写金额), as written on invoices, payment documents and
penalty decisions: 30000 → 人民币叁万元整."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = ["yuan_in_words"]

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SECTION_UNITS = ("", "拾", "佰", "仟")


def yuan_in_words(amount: int | float | str | Decimal) -> str:
    """An amount of yuan in Chinese capital numerals, as written on invoices and penalty decisions.

    30000 → 人民币叁万元整, 10500 → 人民币壹万零伍佰元整, 1234567.89 → 人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分,
    200.5 → 人民币贰佰元伍角, 0 → 人民币零元整.

    The rules are those of the People's Bank of China for filling in payment documents: a zero (or a run of
    zeros) between digits is written as one 零; where the 万 or 元 digit is zero but the next digit down is
    not, the optional 零 is left out (壹拾万柒仟, 壹仟陆佰捌拾元叁角); 零 is written between 元 and 分 when 角
    is zero; 整 follows an amount in whole yuan only. Tens are written 壹拾. ``float`` and ``str`` amounts are
    accepted through :class:`~decimal.Decimal` of their string form. Negative amounts, amounts with fractions
    of a 分 and amounts of 亿亿 (10¹⁶) or more raise :class:`ValueError`.
    """
    if isinstance(amount, bool):
        raise TypeError("amount must be a number, not a bool")
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {amount!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    if value < 0:
        raise ValueError(f"negative amount: {amount!r}")
    fen_total = value * 100
    if fen_total != fen_total.to_integral_value():
        raise ValueError(f"amount has fractions of a fen: {amount!r}")
    yuan, fen_part = divmod(int(fen_total), 100)
    jiao, fen = divmod(fen_part, 10)
    if yuan >= 10**16:
        raise ValueError(f"amount too large: {amount!r}")

    words = "人民币"
    if yuan:
        words += _integer_in_words(yuan) + "元"
    elif not fen_part:
        return words + "零元整"
    if not fen_part:
        return words + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    if fen:
        if yuan and not jiao:
            words += "零"
        words += _DIGITS[fen] + "分"
    return words


def _integer_in_words(n: int) -> str:
    """A positive integer in capital numerals, without unit of money."""
    if n < 10**4:
        return _section_in_words(n)
    base, unit = (10**4, "万") if n < 10**8 else (10**8, "亿")
    high, low = divmod(n, base)
    words = _integer_in_words(high) + unit
    if low:
        if low < base // 10:  # the digit right below the unit is zero: 壹万零伍佰
            words += "零"
        words += _integer_in_words(low)
    return words


def _section_in_words(n: int) -> str:
    """0 < n < 10000 in capital numerals: 1010 → 壹仟零壹拾."""
    words = ""
    pending_zero = False
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit == 0:
            pending_zero = bool(words)
        else:
            if pending_zero:
                words += "零"
                pending_zero = False
            words += _DIGITS[digit] + _SECTION_UNITS[power]
    return words
