"""Legal bases as a Chinese reader cites them: ``work_safety_law_2021 art. 97 (3)`` with the instrument's title
``中华人民共和国安全生产法（2021年修正）`` becomes ``《中华人民共和国安全生产法》第九十七条第三项``.

The reference data names provisions in a compact form (``<instrument code> art. N (k)``, ``art. 22-26``,
``about art. 36``); pages, documents and messages show them as citations, never as the data's keys. Plain
strings in and out: no Django, no database (the caller passes the titles of the instruments it knows).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["cite", "cite_instrument", "instrument_codes", "small_numeral"]

_SMALL = "零一二三四五六七八九"
_STANDARD_RE = re.compile(r"^([A-Z]{1,4}(?:/T)?\s*[\d.]+-\d{4})\s+(.+)$")  # AQ 8011-2023 安全生产培训机构基本条件
_ARTICLE_RE = re.compile(r"(?:about\s+)?art\.\s*(\d+)(?:\s*-\s*(\d+))?(?:\s*\((\d+)\))?", re.IGNORECASE)
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def small_numeral(n: int) -> str:
    """A positive integer as written in an article number: 9 → 九, 10 → 十, 97 → 九十七, 105 → 一百零五."""
    if n <= 0:
        raise ValueError(f"not a positive integer: {n}")
    if n >= 10000:
        return str(n)
    words = ""
    pending_zero = False
    for power, unit in ((3, "千"), (2, "百"), (1, "十"), (0, "")):
        digit = n // 10**power % 10
        if digit == 0:
            pending_zero = bool(words)
            continue
        if pending_zero:
            words += "零"
            pending_zero = False
        words += _SMALL[digit] + unit
    return words[1:] if words.startswith("一十") else words  # 十, 十七: no leading 一 below twenty


def cite_instrument(title: str) -> str:
    """The title in book-title marks, its number kept and its revision years dropped:
    ``中华人民共和国安全生产法（2021年修正）`` → ``《中华人民共和国安全生产法》``;
    ``特种作业人员安全技术培训考核管理规定（应急管理部令第19号）`` keeps ``（应急管理部令第19号）``;
    a standard keeps its number outside the marks: ``AQ 8011-2023《安全生产培训机构基本条件》``."""
    title = title.strip()
    if not title:
        return ""
    standard = _STANDARD_RE.match(title)
    if standard:
        return f"{standard.group(1)}《{standard.group(2)}》"
    name, _sep, rest = title.partition("（")
    if title.startswith("《"):
        return title
    kept = [part for part in rest.rstrip("）").split("，") if part and not part.endswith(("修正", "修订"))]
    return f"《{name}》" + (f"（{'，'.join(kept)}）" if kept else "")


def _articles(text: str) -> str:
    match = _ARTICLE_RE.search(text)
    if match is None:
        return ""
    first, last, item = match.groups()
    words = f"第{small_numeral(int(first))}条"
    if last:
        words += f"至第{small_numeral(int(last))}条"
    if item:
        words += f"第{small_numeral(int(item))}项"
    return words


def instrument_codes(reference: str) -> set[str]:
    """The codes of the instruments a reference names (the first word of each ``;``-separated part)."""
    codes = (piece.strip().split(" ")[0] for piece in reference.split(";"))
    return {code for code in codes if _CODE_RE.match(code)}


def cite(reference: str, titles: Mapping[str, str]) -> str:
    """The citation of ``reference`` (``<code> art. N (k)``, several joined by ``;``), each instrument named by
    its title in ``titles`` (keyed by code). A part whose instrument is not known stays as written."""
    out = []
    for part in (piece.strip() for piece in reference.split(";")):
        if not part:
            continue
        code, _sep, rest = part.partition(" ")
        known = _CODE_RE.match(code) and code in titles
        out.append(cite_instrument(titles[code]) + _articles(rest) if known else part)
    return "；".join(out)
