"""Text helpers: cells as text, wrapped lines joined, running numbers taken off stems, comparison keys."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
# A line break between two CJK characters is a copy-from-PDF wrap ("压力管\n道"): joining the halves
# restores the word, where a space would split it. Other breaks become a space.
_CJK_BREAK_RE = re.compile(rf"(?<=[{_CJK}])[ \t]*\r?\n\s*(?=[{_CJK}])")
_BREAK_RE = re.compile(r"\s*\r?\n\s*")
_STEM_NUMBER_RE = re.compile(r"^(\d{1,4})(?:\s*([.．、，,:：])|(\s+)|)\s*")


def cell_text(value: Any) -> str:
    """A cell value as text: whole floats without ".0", dates as ISO, None as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _join_lines(text: str) -> str:
    """Join wrapped lines inside a cell (see ``_CJK_BREAK_RE``)."""
    text = _CJK_BREAK_RE.sub("", text)
    return _BREAK_RE.sub(" ", text)


class StemNumbers:
    """Removes the running number in front of stems, one sheet at a time.

    The number ("12.", "12、", "12，", "12\t") is the bank's order, not part of the question: keeping it
    would defeat de-duplication and leak the bank's order into exams. But stems also start with numbers
    that are content ("1000kW以下…", "1个标准大气压…", "0Ⅰ类设备…"), and numbering is sometimes glued to
    the text ("178关于…") or followed by content digits ("260.1kW以上…", "60、36V…"). What decides is
    the separator and the sequence: a number that continues the count of the rows above is numbering.
    """

    def __init__(self) -> None:
        self.last: int | None = None

    def strip(self, stem: str) -> str:
        match = _STEM_NUMBER_RE.match(stem)
        rest = stem[match.end() :] if match else ""
        if not match or not rest:
            return stem
        number, separator, space = int(match.group(1)), match.group(2), match.group(3)
        sequential = self.last is not None and 0 < number - self.last <= 3  # a row or two may lack a number
        starts_with_digit = rest[0].isdigit()
        if (
            (separator and not starts_with_digit)  # "12.下列…", "12、下列…"
            or (space and not starts_with_digit and not rest[0].isascii())  # "12 下列…", not "10 kV…"
            or sequential  # "178关于…", "260.1kW以上…", "325 E4301焊条…"
        ):
            self.last = number
            # Some rows carry the number twice ("54.54、在三相…", "536、536.焊接…").
            again = _STEM_NUMBER_RE.match(rest)
            if again and int(again.group(1)) == number and (again.group(2) or again.group(3)):
                rest = rest[again.end() :]
            return rest.strip()
        return stem


def clean_stem(raw: str, numbers: StemNumbers) -> str:
    """The stem as stored: tabs become spaces, wrapped lines joined, running number and outer blanks removed."""
    return numbers.strip(_join_lines(raw.replace("\t", " ").strip()))


def clean_text(raw: str) -> str:
    """An option, explanation or other free text: outer whitespace off, wrapped lines joined."""
    return _join_lines(raw.replace("\t", " ").strip())


# Comparison keys fold what differs between copies of the same question: full-width/half-width forms
# (NFKC), the CJK punctuation NFKC leaves alone, all whitespace and a final full stop. Not letter case:
# "瞬时值一般用大写字母e、u、i来表示" and "…E、U、I…" are two questions with opposite answers.
_KEY_PUNCT = str.maketrans({"。": ".", "、": ",", "“": '"', "”": '"', "‘": "'", "’": "'", "【": "[", "】": "]"})
_KEY_TRAILING = ".,;:!?"


def key_text(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).translate(_KEY_PUNCT)
    return re.sub(r"\s+", "", folded).rstrip(_KEY_TRAILING)
