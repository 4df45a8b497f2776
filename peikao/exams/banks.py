"""Parse the question-bank files the industry actually uses into normalised questions.

Pure Python (openpyxl for XLSX, nothing from Django): a later import wires ``parse_bank`` into the
exchange machinery. The parser accepts every well-formed question, names every defective row with a
bilingual reason, and drops duplicate questions (counting them).

Layouts understood (see ../../../shared/spec/exchange.md and the NOTE.txt files of the real banks):

* spreadsheets (XLSX, or CSV) with a header row: the training-site layout
  ``作业种类 | 试题类型 | 题目内容 | 题目选项 | 题目答案`` where all options sit in one cell joined with
  ``**`` or ``##``, and the exchange layout ``questions.csv`` (English keys or Chinese labels, one
  column per option ``option_a`` … ``option_f`` / ``选项A`` … ``选项F``);
* JSON: a list of objects ``{"category": <question type>, "title", "choices", "answer"}`` (gtpx_web);
* the diyadiangong scrapes: ``<n>#<statement>$<0|1>`` and ``<n>#<stem>#<o1>$<o2>$…`` text lines, and
  their headerless XLSX (sheets ``xz`` and ``pd``); there the FIRST option is the correct one and
  ``0`` means 正确.

Row numbers are what a person sees: the spreadsheet row (header = row 1), the line of a text file,
or the 1-based index in a JSON list.

Normalisation, and why:

* stems lose the bank's running number ("12.", "12、", "178关于…" when it continues the count), tabs
  become spaces, and lines wrapped inside a cell are joined (PDF copies: "压力管\n道" → "压力管道");
* options lose their labels and outer blanks, nothing else; a "**C" left inside an option by the
  converter that wrote the "**A" labels ("**CO2", "30m**A") becomes the plain letter again;
* a cell whose labels are missing, repeated or ambiguous is rejected with ``option_labels`` rather
  than split by guesswork: a wrongly split question is worse than a reported one;
* duplicates are the same stem and the same set of options after folding whitespace and full-width
  forms (not letter case); copies that disagree on the answer are all rejected as contradictions.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

QType = Literal["judge", "single", "multi"]
MAX_OPTIONS = 6
MIN_OPTIONS = {"single": 2, "multi": 3}
LETTERS = "ABCDEF"
VALUE_LIMIT = 200  # a report shows at most this much of a cell

# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass
class ParsedQuestion:
    """One accepted question, normalised.

    ``answer`` is "T"/"F" for judge, one letter for single, sorted letters for multi. ``code`` (the
    exchange file's question_code) and ``sheet`` (which worksheet the row came from) are extras with
    defaults: the real banks have no codes, and diyadiangong's workbook has two data sheets.
    """

    source_row: int
    qtype: QType
    stem: str
    options: list[str]
    answer: str
    category: str = ""
    knowledge_point: str = ""
    difficulty: int | None = None
    explanation: str = ""
    code: str = ""
    sheet: str = ""


@dataclass(frozen=True)
class BankProblem:
    """Why one row (or the whole file, row 0/1) was rejected; ``zh`` and ``en`` say the same thing."""

    row: int
    column: str
    value: str
    code: str
    zh: str
    en: str
    sheet: str = ""


@dataclass
class BankResult:
    """What ``parse_bank`` found: accepted questions, problems, and how many duplicates it dropped."""

    format: str
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[BankProblem] = field(default_factory=list)
    duplicates: int = 0
    # Non-empty worksheets that hold no question layout (e.g. a task list next to the bank). They are
    # named here rather than reported as problems: none of their rows is a question.
    skipped_sheets: list[str] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        """How many distinct rows were rejected (a row may have several problems)."""
        return len({(p.sheet, p.row) for p in self.problems})

    def counts(self) -> dict[str, int]:
        """Accepted questions per type, e.g. ``{"judge": 10, "single": 5, "multi": 0}``."""
        found = Counter(q.qtype for q in self.questions)
        return {qtype: found.get(qtype, 0) for qtype in ("judge", "single", "multi")}

    def problem_codes(self) -> dict[str, int]:
        """How many problems of each code."""
        return dict(Counter(p.code for p in self.problems))


# ---------------------------------------------------------------------------------------------
# Reasons: (zh, en) templates filled with str.format
# ---------------------------------------------------------------------------------------------

MESSAGES: dict[str, tuple[str, str]] = {
    "empty_stem": ("题干为空。", "The stem is empty."),
    "empty_qtype": ("题型为空。", "The question type is empty."),
    "unknown_qtype": (
        "未知题型“{value}”：只能导入判断题（是非题）、单选题和多选题。",
        'Unknown question type "{value}": only true/false (判断题, 是非题), single-choice (单选题) and '
        "multiple-choice (多选题) questions can be imported.",
    ),
    "unknown_qtype_no_options": (
        "未知题型“{value}”，且没有选项：这是填空类题目，只能导入判断题（是非题）、单选题和多选题。",
        'Unknown question type "{value}" with no options: a fill-in question cannot be imported; only '
        "true/false (判断题, 是非题), single-choice (单选题) and multiple-choice (多选题) questions can.",
    ),
    "empty_answer": ("答案为空。", "The answer is empty."),
    "invalid_answer": (
        "答案“{value}”无法识别：应为选项字母，如 A 或 ABD。",
        'Answer "{value}" is not understood: expected option letters such as A or ABD.',
    ),
    "invalid_judge_answer": (
        "判断题答案“{value}”无法识别：应为 对/错、正确/错误、√/×、T/F 或 A/B。",
        'True/false answer "{value}" is not understood: expected 对/错, 正确/错误, √/×, T/F or A/B.',
    ),
    "ambiguous_judge_answer": (
        "判断题答案“{value}”含义不明：本文件没有约定 0 和 1 哪个表示正确。",
        'True/false answer "{value}" is ambiguous: this file does not say whether 0 or 1 means true.',
    ),
    "judge_options": (
        "判断题的选项应为“正确/错误”，却是“{value}”，无法确定答案字母的含义。",
        'A true/false question should offer "正确/错误" but offers "{value}"; the answer letter cannot be interpreted.',
    ),
    "answer_out_of_range": (
        "答案“{value}”超出选项范围：只有 {count} 个选项（A–{last}）。",
        'Answer "{value}" points past the last option: there are only {count} options (A–{last}).',
    ),
    "single_many_answers": (
        "单选题只能有一个答案，却给了“{value}”。",
        'A single-choice question has exactly one answer, but the answer is "{value}".',
    ),
    "multi_one_answer": (
        "多选题至少要有两个正确选项，却只给了“{value}”。",
        'A multiple-choice question needs at least two correct options, but the answer is only "{value}".',
    ),
    "repeated_answer": (
        "答案“{value}”中有重复的字母。",
        'Answer "{value}" repeats a letter.',
    ),
    "too_few_options": (
        "{qtype_zh}至少需要 {minimum} 个选项，只有 {count} 个。",
        "A {qtype_en} question needs at least {minimum} options, but has {count}.",
    ),
    "too_many_options": (
        "最多只能有 6 个选项（A–F），却有 {count} 个。",
        "At most 6 options (A–F) are allowed, but there are {count}.",
    ),
    "empty_option": ("选项 {letters} 为空。", "Option {letters} is empty."),
    "option_labels": (
        "选项标号有误（{detail_zh}），无法可靠地拆分选项。",
        "The option labels are wrong ({detail_en}); the options cannot be split reliably.",
    ),
    "invalid_difficulty": (
        "难度“{value}”无效：应为 1–5 的整数。",
        'Difficulty "{value}" is invalid: expected a whole number from 1 to 5.',
    ),
    "missing_code": ("试题编号为空。", "The question code is empty."),
    "duplicate_code": (
        "试题编号“{value}”重复：第 {first} 行已使用。",
        'Question code "{value}" is repeated: row {first} already uses it.',
    ),
    "conflicting_duplicate": (
        "与第 {others} 行题干和选项相同，但题型或答案不同，无法判断哪一个正确。",
        "Same stem and options as row {others} but a different type or answer; which one is right cannot be decided.",
    ),
    "bad_line": (
        "无法识别的行：应为“序号#题干$0或1”或“序号#题干#选项1$选项2…”。",
        'Unrecognised line: expected "<n>#<statement>$<0|1>" or "<n>#<stem>#<option1>$<option2>…".',
    ),
    "bad_record": (
        "第 {index} 项不是对象，无法作为试题读取。",
        "Item {index} is not an object and cannot be read as a question.",
    ),
    "unknown_layout": (
        "无法识别的题库格式：{detail_zh}",
        "Unrecognised question-bank layout: {detail_en}",
    ),
}

QTYPE_NAMES = {"single": ("单选题", "single-choice"), "multi": ("多选题", "multiple-choice")}


def _problem(row: int, column: str, value: Any, code: str, sheet: str = "", **params: Any) -> BankProblem:
    """A problem with its reason filled in from ``MESSAGES`` (``value`` is also a template parameter)."""
    text = _cell_text(value)
    zh, en = MESSAGES[code]
    params.setdefault("value", text[:VALUE_LIMIT])
    return BankProblem(row, column, text[:VALUE_LIMIT], code, zh.format(**params), en.format(**params), sheet)


# ---------------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------------

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
# A line break between two CJK characters is a copy-from-PDF wrap ("压力管\n道"): joining the halves
# restores the word, where a space would split it. Other breaks become a space.
_CJK_BREAK_RE = re.compile(rf"(?<=[{_CJK}])[ \t]*\r?\n\s*(?=[{_CJK}])")
_BREAK_RE = re.compile(r"\s*\r?\n\s*")
_STEM_NUMBER_RE = re.compile(r"^(\d{1,4})(?:\s*([.．、，,:：])|(\s+)|)\s*")


def _cell_text(value: Any) -> str:
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


class _StemNumbers:
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


def _clean_stem(raw: str, numbers: _StemNumbers) -> str:
    """The stem as stored: tabs become spaces, wrapped lines joined, running number and outer blanks removed."""
    return numbers.strip(_join_lines(raw.replace("\t", " ").strip()))


def _clean_text(raw: str) -> str:
    """An option, explanation or other free text: outer whitespace off, wrapped lines joined."""
    return _join_lines(raw.replace("\t", " ").strip())


# Comparison keys fold what differs between copies of the same question: full-width/half-width forms
# (NFKC), the CJK punctuation NFKC leaves alone, all whitespace and a final full stop. Not letter case:
# "瞬时值一般用大写字母e、u、i来表示" and "…E、U、I…" are two questions with opposite answers.
_KEY_PUNCT = str.maketrans({"。": ".", "、": ",", "“": '"', "”": '"', "‘": "'", "’": "'", "【": "[", "】": "]"})
_KEY_TRAILING = ".,;:!?"


def _key_text(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).translate(_KEY_PUNCT)
    return re.sub(r"\s+", "", folded).rstrip(_KEY_TRAILING)


# ---------------------------------------------------------------------------------------------
# Splitting an options cell
# ---------------------------------------------------------------------------------------------

# Label punctuation, grouped so that "A:" and "A：" (or "A." and "A．") count as the same style.
_PUNCT_CLASS = {
    ".": "dot",
    "．": "dot",
    "、": "comma",
    ",": "comma",
    "，": "comma",
    ":": "colon",
    "：": "colon",
    ")": "paren",
    "）": "paren",
}
_PUNCT = "".join(_PUNCT_CLASS)
_SEP_RE = re.compile(r"\*{2,}|#{2,}")
# After a separator: an optional label. Upper-case letters may stand alone ("**A弧柱"); a lower-case
# one only with punctuation ("**c、润滑系"), since "**cm" is text.
_SEP_LABEL_RE = re.compile(rf"\s*(?:([A-Z])\s*([{_PUNCT}])?|([a-z])\s*([{_PUNCT}]))[{_PUNCT}]?")
# A label inside the text without a separator ("…部门C、国务院…"): a letter not glued to other
# letters or digits ("GB、" is text), followed by label punctuation.
_INLINE_LABEL_RE = re.compile(rf"(?<![A-Za-z0-9])([A-Z])\s*([{_PUNCT}])")
_START_LABEL_RE = re.compile(rf"^\s*([A-Z])\s*([{_PUNCT}])[{_PUNCT}]?")
# The label after the last one, glued between Chinese characters at the end of the cell ("…楼梯用D提升
# 高度大"): a fourth option that lost its separator and punctuation. "A、B、C、D级" (after 、) is text.
_HIDDEN_LABEL = r"(?<=[\u4e00-\u9fff.。]){letter}(?=[\u4e00-\u9fff])"
_MAX_CHAINS = 20000  # the search below is tiny on real cells; this only guards against a pathological one


@dataclass(frozen=True)
class _Marker:
    """A possible option label: where it starts, where its text starts, its letter and punctuation class."""

    start: int
    text_start: int
    letter: str | None
    style: str | None  # punctuation class, None when the letter stands alone


@dataclass
class OptionSplit:
    """The options found in one cell, or why they could not be found."""

    options: list[str]
    detail: tuple[str, str] | None = None  # (zh, en) when the labels are broken


def _strip_separators(text: str) -> str:
    # A converter that wrote "**A" for every label also turned letters inside the text into "**C"
    # ("**CO2", "30m**A"): once the labels are known, a leftover separator is that artefact.
    return _clean_text(_SEP_RE.sub("", text))


def _separator_markers(text: str) -> list[_Marker]:
    markers = []
    for match in _SEP_RE.finditer(text):
        label = _SEP_LABEL_RE.match(text, match.end())
        if label and (label.group(1) or label.group(3)):
            letter = (label.group(1) or label.group(3)).upper()
            punct = label.group(2) or label.group(4)
            end = label.end()
            markers.append(_Marker(match.start(), end, letter, _PUNCT_CLASS[punct] if punct else None))
        else:
            markers.append(_Marker(match.start(), match.end(), None, None))
    return markers


def _inline_markers(text: str, after: int, seps: list[_Marker]) -> list[_Marker]:
    # A separator's own label ("**B、") also looks like an inline label two characters later; skip those.
    inside = [(m.start, m.text_start) for m in seps]
    return [
        _Marker(m.start(), m.end(), m.group(1), _PUNCT_CLASS[m.group(2)])
        for m in _INLINE_LABEL_RE.finditer(text, after)
        if not any(lo <= m.start() < hi for lo, hi in inside)
    ]


def _chain_texts(text: str, chain: list[_Marker]) -> list[str]:
    ends = [m.start for m in chain[1:]] + [len(text)]
    return [_strip_separators(text[m.text_start : end]) for m, end in zip(chain, ends, strict=True)]


def _best_chain(text: str, first: _Marker, candidates: list[_Marker], style: str | None) -> tuple[list[_Marker], bool]:
    """The label chain A, B, C… (in text order, starting at ``first``) that best explains the cell, and
    whether it is ambiguous.

    Preference: more options; then fewer empty options (a label directly after a label is an artefact,
    "**A**CO   **B**CO2"); then more labels in the row's own punctuation style; then fewer labels glued to
    the marker before them ("**C**CO2": the second one is the artefact). Chains that tie on all four mean
    the cell cannot be split reliably (e.g. "**A.4**B.6**B.10").
    """
    by_letter: dict[str, list[_Marker]] = {}
    for marker in sorted(candidates, key=lambda m: m.start):
        if marker.letter and marker.start > first.start:
            by_letter.setdefault(marker.letter, []).append(marker)
    glued = {m.start for m in candidates for other in candidates if other.text_start == m.start}
    best: tuple[int, int, int, int] | None = None
    best_chains: list[list[_Marker]] = []
    visited = 0

    def score(chain: list[_Marker]) -> tuple[int, int, int, int]:
        texts = _chain_texts(text, chain)
        empty = sum(1 for t in texts if not t)
        return (len(chain), -empty, sum(1 for m in chain if m.style == style), -sum(m.start in glued for m in chain))

    def walk(chain: list[_Marker]) -> None:
        nonlocal best, best_chains, visited
        visited += 1
        if visited > _MAX_CHAINS:
            return
        current = score(chain)
        if best is None or current > best:
            best, best_chains = current, [list(chain)]
        elif current == best:
            best_chains.append(list(chain))
        following = chr(ord(chain[-1].letter or "A") + 1)
        for nxt in by_letter.get(following, []):
            if nxt.start > chain[-1].start:
                walk([*chain, nxt])

    walk([first])
    return best_chains[0], len(best_chains) > 1


def _misplaced_labels(chain: list[_Marker], markers: Iterable[_Marker]) -> list[str]:
    """Labels the chain could not reach: letters after its last one ("**A…**B…**D…" lacks C)."""
    last = chain[-1].letter or "A"
    beyond = sorted({m.letter for m in markers if m.letter and m.letter > last})
    if not beyond:
        return []
    skipped = [chr(c) for c in range(ord(last) + 1, ord(beyond[-1])) if chr(c) not in beyond]
    return skipped or beyond  # nothing skipped: a later label stands before an earlier one


def split_options(cell: str) -> OptionSplit:
    """Split one options cell into option texts, labels removed, in label order.

    Handles ``**`` and ``##`` separators, labels ``A、`` ``A.`` ``A:`` ``A：`` ``A．`` ``A)`` or bare
    ``A``, unlabelled lists, labels in shuffled order ("**C…**A…**B…"), labels written without a
    separator ("A、… B、… C、…"), and the "**X" artefacts inside option texts. When the labels are
    missing, repeated or ambiguous, returns no options and a (zh, en) detail instead of guessing.
    """
    text = cell.strip()
    if not text:
        return OptionSplit([])
    seps = _separator_markers(text)
    prefix = text[: seps[0].start] if seps else text
    start_label = _START_LABEL_RE.match(prefix)
    virtual = (
        [_Marker(0, start_label.end(), start_label.group(1), _PUNCT_CLASS[start_label.group(2)])] if start_label else []
    )
    if not seps and not virtual:
        # No separator and no label: one option per line, or the whole cell is one option.
        return OptionSplit([_clean_text(line) for line in text.splitlines() if line.strip()])
    if prefix.strip() and not virtual:
        # Text before the first separator that is no label: an unlabelled list whose first item has no
        # separator in front of it ("甲##乙##丙").
        return _unlabelled(text, seps, include_prefix=True)

    head = virtual[0] if virtual else seps[0]
    if head.letter != "A":
        letters = [m.letter for m in seps]
        if not virtual and all(letters) and sorted(letters) == list(LETTERS[: len(letters)]) and len(letters) >= 2:
            # Labels in shuffled order ("**C电磁场**A电伤**B电击"): each label still names its option.
            texts = dict(zip(letters, _chain_texts(text, seps), strict=True))
            return OptionSplit([texts[letter] for letter in sorted(texts)])
        if head.letter and head.style:
            return OptionSplit(
                [],
                (
                    f"第一个选项标为 {head.letter}，缺少 A",
                    f"the first option is labelled {head.letter}, A is missing",
                ),
            )
        return _unlabelled(text, seps, include_prefix=False)

    labelled = [m for m in seps if m.letter]
    # The row's label style is the most common punctuation among its labels (a tie goes to punctuation
    # over none). In a punctuated row a bare "**C" is the letter artefact, so it is no label candidate.
    styles = Counter(m.style for m in [*virtual, *labelled])
    style = max(styles, key=lambda s: (styles[s], s is not None))
    inline = [] if seps else _inline_markers(text, head.text_start, seps)
    strict = [m for m in [*labelled, *inline] if style is None or m.style == style]

    chain, ambiguous = _best_chain(text, head, strict, style)
    in_text = _inline_markers(text, head.text_start, seps)
    following = chr(ord(chain[-1].letter or "A") + 1)
    if _misplaced_labels(chain, labelled) or any(m.letter == following and m.start > chain[-1].start for m in in_text):
        # A label lost its separator ("…**B、…部门C、国务院…**D、…", "**A、参数B、特征C、载客量") or its
        # punctuation ("**D、…**E压力容器…"): look again, accepting labels inside the text and of any style.
        chain, ambiguous = _best_chain(text, head, [*labelled, *in_text], style)
    misplaced = _misplaced_labels(chain, labelled)
    if misplaced:
        labels = ", ".join(misplaced)
        return OptionSplit([], (f"缺少或错位的标号 {labels}", f"label {labels} missing or out of place"))
    if ambiguous:
        return OptionSplit(
            [],
            (
                "同一标号出现多次，无法确定哪一个是选项的开始",
                "a label occurs more than once and it is unclear which one starts the option",
            ),
        )
    options = _chain_texts(text, chain)
    following = chr(ord(chain[-1].letter or "A") + 1)
    hidden = re.search(_HIDDEN_LABEL.format(letter=following), options[-1])
    if hidden:
        context = options[-1][max(0, hidden.start() - 4) : hidden.end() + 4]
        return OptionSplit(
            [],
            (
                f"选项 {chain[-1].letter} 中似乎夹着没有分隔符的标号 {following}（…{context}…）",
                f"option {chain[-1].letter} seems to contain label {following} without a separator (…{context}…)",
            ),
        )
    return OptionSplit(options)


def _unlabelled(text: str, seps: list[_Marker], *, include_prefix: bool) -> OptionSplit:
    """Options separated by ** / ## without labels. An empty piece between separators is kept (and
    reported later); empty pieces at the end are a trailing separator, not options."""
    pieces = [text[: seps[0].start]] if include_prefix else []
    ends = [m.start for m in seps[1:]] + [len(text)]
    pieces += [text[m.start : end] for m, end in zip(seps, ends, strict=True)]
    options = [_strip_separators(p) for p in pieces]
    while options and not options[-1]:
        options.pop()
    return OptionSplit(options)


def _strip_label(text: str, letter: str) -> str:
    """An option from its own column: drop a leading label equal to the column's letter ("A．…")."""
    match = re.match(rf"^\s*{letter}\s*[{_PUNCT}]", text, re.IGNORECASE)
    return _clean_text(text[match.end() :] if match else text)


# ---------------------------------------------------------------------------------------------
# Answers and types
# ---------------------------------------------------------------------------------------------

QTYPES = {
    "judge": "judge",
    "判断": "judge",
    "判断题": "judge",
    "是非": "judge",
    "是非题": "judge",
    "truefalse": "judge",
    "true/false": "judge",
    "tf": "judge",
    "single": "single",
    "单选": "single",
    "单选题": "single",
    "单项选择": "single",
    "单项选择题": "single",
    "multi": "multi",
    "multiple": "multi",
    "多选": "multi",
    "多选题": "multi",
    "多项选择": "multi",
    "多项选择题": "multi",
}
TRUE_WORDS = {"T", "TRUE", "对", "正确", "√", "✓", "✔", "是", "Y", "YES"}
FALSE_WORDS = {"F", "FALSE", "错", "错误", "不正确", "×", "✗", "✘", "X", "否", "N", "NO"}
_ANSWER_SEPARATORS_RE = re.compile(r"[\s,，、;；/|]+")


def _judge_word(text: str) -> str | None:
    """Map a true/false word (正确, ×, false…) to "T" or "F"; None for anything else."""
    word = unicodedata.normalize("NFKC", text).strip().rstrip("。.").upper()
    if word in TRUE_WORDS:
        return "T"
    if word in FALSE_WORDS:
        return "F"
    return None


@dataclass(frozen=True)
class _Conventions:
    """What a layout implies beyond its cells."""

    zero_means_true: bool = False  # diyadiangong judge lines: $0 = 正确, $1 = 错误
    infer_qtype: bool = False  # the layout has no type column


# ---------------------------------------------------------------------------------------------
# One row → a question or problems
# ---------------------------------------------------------------------------------------------


@dataclass
class _RawRow:
    """One data row: canonical field → raw text, and field → the column name to show in a report."""

    number: int
    values: dict[str, str]
    columns: dict[str, str]
    sheet: str = ""
    option_list: list[str] | None = None  # options already split by the layout itself (diyadiangong)

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def column(self, key: str) -> str:
        return self.columns.get(key, key)

    @property
    def blank(self) -> bool:
        return not any(v.strip() for v in [*self.values.values(), *(self.option_list or [])])


OPTION_KEYS = [f"option_{letter.lower()}" for letter in LETTERS]


def _row_options(row: _RawRow, problems: list[BankProblem]) -> tuple[list[str], str]:
    """The row's options (labels stripped) and the column to blame for option problems."""
    if row.option_list is not None:
        return [_clean_text(option) for option in row.option_list], row.column("options")
    if any(row.get(key).strip() for key in OPTION_KEYS):
        cells = [row.get(key) for key in OPTION_KEYS]
        last = max(i for i, cell in enumerate(cells) if cell.strip())
        options = [_strip_label(cell, LETTERS[i]) for i, cell in enumerate(cells[: last + 1])]
        return options, row.column("option_a")
    split = split_options(row.get("options"))
    if split.detail:
        zh, en = split.detail
        problems.append(
            _problem(
                row.number,
                row.column("options"),
                row.get("options"),
                "option_labels",
                row.sheet,
                detail_zh=zh,
                detail_en=en,
            )
        )
    return split.options, row.column("options")


def _letters(answer: str) -> str:
    return _ANSWER_SEPARATORS_RE.sub("", unicodedata.normalize("NFKC", answer)).upper()


def _build(
    row: _RawRow, conventions: _Conventions, numbers: _StemNumbers
) -> tuple[ParsedQuestion | None, list[BankProblem]]:
    """Validate one row; a question when it is well formed, else every problem found in it."""
    problems: list[BankProblem] = []
    sheet = row.sheet

    def fail(key: str, code: str, value: Any = None, **params: Any) -> None:
        problems.append(
            _problem(row.number, row.column(key), row.get(key) if value is None else value, code, sheet, **params)
        )

    stem = _clean_stem(row.get("stem"), numbers)
    if not stem:
        fail("stem", "empty_stem")
    options, options_column = _row_options(row, problems)
    answer_raw = row.get("answer").strip()

    qtype_raw = row.get("qtype").strip()
    qtype = QTYPES.get(re.sub(r"\s+", "", qtype_raw).lower())
    if not qtype_raw and conventions.infer_qtype:
        letters = _letters(answer_raw)
        qtype = "judge" if not options else ("multi" if len(letters) > 1 else "single")
    elif not qtype_raw:
        fail("qtype", "empty_qtype")
    elif qtype is None:
        fail("qtype", "unknown_qtype" if options else "unknown_qtype_no_options")

    if qtype in ("single", "multi"):
        _check_choice_options(row, qtype, options, options_column, problems)
    answer = ""
    if not answer_raw:
        fail("answer", "empty_answer")
    elif qtype == "judge":
        answer = _judge_answer(row, answer_raw, options, options_column, conventions, problems)
        options = []  # a judge question has no options of its own; 正确/错误 only decoded the letter
    elif qtype in ("single", "multi"):
        answer = _choice_answer(row, qtype, answer_raw, options, problems)

    difficulty = None
    if row.get("difficulty").strip():
        difficulty = _difficulty(row.get("difficulty"))
        if difficulty is None:
            fail("difficulty", "invalid_difficulty")

    if problems or qtype is None:
        return None, problems
    return (
        ParsedQuestion(
            source_row=row.number,
            qtype=qtype,
            stem=stem,
            options=options,
            answer=answer,
            category=_clean_text(row.get("category")),
            knowledge_point=_clean_text(row.get("knowledge_point")),
            difficulty=difficulty,
            explanation=_clean_text(row.get("explanation")),
            code=row.get("code").strip(),
            sheet=sheet,
        ),
        problems,
    )


def _judge_answer(
    row: _RawRow,
    answer_raw: str,
    options: list[str],
    options_column: str,
    conventions: _Conventions,
    problems: list[BankProblem],
) -> str:
    """The answer of a true/false row as "T" or "F"; "" after recording a problem when it cannot be read."""
    word = _judge_word(answer_raw)
    if word:
        return word
    token = unicodedata.normalize("NFKC", answer_raw).strip()
    if token in ("0", "1"):
        if conventions.zero_means_true:
            return "T" if token == "0" else "F"
        problems.append(_problem(row.number, row.column("answer"), answer_raw, "ambiguous_judge_answer", row.sheet))
        return ""
    letters = _letters(answer_raw)
    if letters in ("A", "B"):
        if not options:
            # No options given: every bank we know writes A = 正确, B = 错误.
            return "T" if letters == "A" else "F"
        meanings = [_judge_word(option) for option in options]
        if len(options) != 2 or sorted(m or "" for m in meanings) != ["F", "T"]:
            value = " / ".join(options)
            problems.append(_problem(row.number, options_column, value, "judge_options", row.sheet))
            return ""
        return meanings[ord(letters) - ord("A")] or ""
    problems.append(_problem(row.number, row.column("answer"), answer_raw, "invalid_judge_answer", row.sheet))
    return ""


def _check_choice_options(
    row: _RawRow, qtype: str, options: list[str], options_column: str, problems: list[BankProblem]
) -> None:
    """Record what is wrong with a single/multi row's options: too few, too many, empty ones."""
    if any(p.code == "option_labels" for p in problems):
        return  # the options could not be split: counting them is moot
    sheet = row.sheet
    shown = row.get("options") or " / ".join(options)
    if len(options) > MAX_OPTIONS:
        problems.append(_problem(row.number, options_column, shown, "too_many_options", sheet, count=len(options)))
    elif len(options) < MIN_OPTIONS[qtype]:
        qtype_zh, qtype_en = QTYPE_NAMES[qtype]
        problems.append(
            _problem(
                row.number,
                options_column,
                shown,
                "too_few_options",
                sheet,
                qtype_zh=qtype_zh,
                qtype_en=qtype_en,
                minimum=MIN_OPTIONS[qtype],
                count=len(options),
            )
        )
    empty = [LETTERS[index] for index, option in enumerate(options[:MAX_OPTIONS]) if not option]
    if empty:
        problems.append(_problem(row.number, options_column, shown, "empty_option", sheet, letters="、".join(empty)))


def _choice_answer(row: _RawRow, qtype: str, answer_raw: str, options: list[str], problems: list[BankProblem]) -> str:
    """The sorted answer letters of a single/multi row, or "" after recording what is wrong with them."""
    if any(p.code == "option_labels" for p in problems):
        return ""  # without the options the letters cannot be checked
    before = len(problems)
    column = row.column("answer")
    sheet = row.sheet
    letters = _letters(answer_raw)
    if not re.fullmatch(r"[A-Z]+", letters):
        problems.append(_problem(row.number, column, answer_raw, "invalid_answer", sheet))
        return ""
    if len(set(letters)) != len(letters):
        problems.append(_problem(row.number, column, answer_raw, "repeated_answer", sheet))
    elif qtype == "single" and len(letters) > 1:
        problems.append(_problem(row.number, column, answer_raw, "single_many_answers", sheet))
    elif qtype == "multi" and len(letters) < 2:
        problems.append(_problem(row.number, column, answer_raw, "multi_one_answer", sheet))
    if options and max(letters) > LETTERS[min(len(options), MAX_OPTIONS) - 1]:
        count = min(len(options), MAX_OPTIONS)
        problems.append(
            _problem(row.number, column, answer_raw, "answer_out_of_range", sheet, count=count, last=LETTERS[count - 1])
        )
    return "" if len(problems) > before else "".join(sorted(letters))


def _difficulty(raw: str) -> int | None:
    try:
        number = float(unicodedata.normalize("NFKC", raw).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() and 1 <= number <= 5 else None


# ---------------------------------------------------------------------------------------------
# De-duplication
# ---------------------------------------------------------------------------------------------


def _dedupe(result: BankResult, candidates: list[ParsedQuestion], stem_columns: dict[int, str]) -> None:
    """Keep the first of each stem + options and count the identical copies dropped; reject contradictions.

    Options compare as a set: the same options in another order are the same question (diyadiangong's
    site shuffles them at display time). Copies that disagree on type or on which option texts are
    correct are no duplicates but a contradiction: no copy can be trusted, so every one is rejected,
    naming the others.
    """
    groups: dict[tuple[str, tuple[str, ...]], list[ParsedQuestion]] = {}
    for question in candidates:
        key = (_key_text(question.stem), tuple(sorted(_key_text(o) for o in question.options)))
        groups.setdefault(key, []).append(question)
    for group in groups.values():
        if len({_meaning(q) for q in group}) == 1:
            result.questions.append(group[0])
            result.duplicates += len(group) - 1
            continue
        for question in group:
            others = "、".join(_where(q, question.sheet) for q in group if q is not question)
            column = stem_columns.get(id(question), "stem")
            result.problems.append(
                _problem(
                    question.source_row, column, question.stem, "conflicting_duplicate", question.sheet, others=others
                )
            )
    order = {id(q): index for index, q in enumerate(candidates)}
    result.questions.sort(key=lambda q: order[id(q)])


def _where(question: ParsedQuestion, sheet: str) -> str:
    """A row number, prefixed with its sheet when that differs from ``sheet`` ("pd!85")."""
    return str(question.source_row) if question.sheet == sheet else f"{question.sheet}!{question.source_row}"


def _meaning(question: ParsedQuestion) -> tuple[str, frozenset[str]]:
    if question.qtype == "judge":
        return question.qtype, frozenset(question.answer)
    chosen = frozenset(_key_text(question.options[ord(letter) - ord("A")]) for letter in question.answer)
    return question.qtype, chosen


# ---------------------------------------------------------------------------------------------
# Readers: each yields raw rows (or problems) in file order
# ---------------------------------------------------------------------------------------------

# Header → canonical field. Headers are compared after NFKC, without spaces, case and any note in
# brackets ("试题类型(判断题、单选题、多选题)", "题目选项(选项之间用##隔开)").
HEADERS: dict[str, str] = {
    "question_code": "code",
    "试题编号": "code",
    "operation_item": "category",
    "作业项目": "category",
    "作业种类": "category",
    "category": "category",
    "类别": "category",
    "分类": "category",
    "qtype": "qtype",
    "题型": "qtype",
    "试题类型": "qtype",
    "题目类型": "qtype",
    "type": "qtype",
    "stem": "stem",
    "题干": "stem",
    "题目内容": "stem",
    "题目": "stem",
    "试题内容": "stem",
    "试题": "stem",
    "title": "stem",
    "question": "stem",
    "options": "options",
    "题目选项": "options",
    "选项": "options",
    "choices": "options",
    "answer": "answer",
    "答案": "answer",
    "题目答案": "answer",
    "正确答案": "answer",
    "标准答案": "answer",
    "参考答案": "answer",
    "knowledge_point": "knowledge_point",
    "知识点": "knowledge_point",
    "difficulty": "difficulty",
    "难度": "difficulty",
    "explanation": "explanation",
    "解析": "explanation",
    "答案解析": "explanation",
    "试题解析": "explanation",
}
for _letter in LETTERS:
    for _name in (f"option_{_letter}", f"选项{_letter}", _letter, f"option{_letter}"):
        HEADERS[_name.lower()] = f"option_{_letter.lower()}"


def _header_key(header: Any) -> str | None:
    text = unicodedata.normalize("NFKC", _cell_text(header))
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)
    return HEADERS.get(re.sub(r"\s+", "", text).lower())


def _header_map(cells: list[Any]) -> dict[int, str] | None:
    """Column index → field when ``cells`` is a header row (it names at least the stem and the answer)."""
    mapping: dict[int, str] = {}
    for index, cell in enumerate(cells):
        key = _header_key(cell)
        if key and key not in mapping.values():
            mapping[index] = key
    return mapping if {"stem", "answer"} <= set(mapping.values()) else None


HEADER_SEARCH_ROWS = 10  # a title line or two may sit above the header


def _table_rows(rows: Iterable[tuple[int, list[Any]]], sheet: str) -> tuple[str | None, Iterator[_RawRow]]:
    """Find the header among the first rows, then yield the data rows below it as raw rows.

    Returns (layout, rows): layout is "exchange" when there is a question_code column, "bank" for
    other headed tables, None when no header was found.
    """
    iterator = iter(rows)
    mapping = None
    header_cells: list[Any] = []
    # Rows above the header (a title line) are no questions and are passed over.
    for _attempt, (_number, cells) in zip(range(HEADER_SEARCH_ROWS), iterator, strict=False):
        mapping = _header_map(cells)
        if mapping:
            header_cells = cells
            break
    if not mapping:
        return None, iter(())
    columns = {key: _cell_text(header_cells[index]).strip() for index, key in mapping.items()}
    layout = "exchange" if "code" in mapping.values() else "bank"

    def generate() -> Iterator[_RawRow]:
        for number, cells in iterator:
            values = {key: _cell_text(cells[index]) if index < len(cells) else "" for index, key in mapping.items()}
            yield _RawRow(number, values, columns, sheet)

    return layout, generate()


def _xlsx_sheets(workbook: Any) -> Iterator[tuple[str, list[tuple[int, list[Any]]]]]:
    for sheet in workbook.worksheets:
        yield sheet.title, [(number, list(cells)) for number, cells in enumerate(sheet.iter_rows(values_only=True), 1)]


# diyadiangong's processed workbook has no header: sheet "xz" (选择) holds stem + options with the
# correct one first, sheet "pd" (判断) holds stem + 0/1 with 0 = 正确.
DIYADIANGONG_SHEETS = {"xz": "single", "pd": "judge"}


def _diyadiangong_rows(sheet: str, rows: Iterable[tuple[int, list[Any]]]) -> Iterator[_RawRow]:
    qtype = DIYADIANGONG_SHEETS[sheet]
    for number, cells in rows:
        texts = [_cell_text(c) for c in cells]
        stem = texts[0] if texts else ""
        if qtype == "judge":
            values = {"qtype": "判断题", "stem": stem, "answer": texts[1] if len(texts) > 1 else ""}
            yield _RawRow(number, values, {"stem": "A", "answer": "B", "qtype": "sheet"}, sheet)
            continue
        options = texts[1:]
        while options and not options[-1].strip():
            options.pop()  # a short row ends in empty cells; they are no options
        # The first option is the correct one (see the NOTE): the answer is implied, not read.
        values = {"qtype": "单选题", "stem": stem, "answer": "A" if options else ""}
        columns = {"stem": "A", "options": "B–", "answer": "B", "qtype": "sheet"}
        yield _RawRow(number, values, columns, sheet, option_list=options)


def _looks_like_diyadiangong(sheet: str, rows: list[tuple[int, list[Any]]]) -> bool:
    if sheet not in DIYADIANGONG_SHEETS:
        return False
    sample = [cells for _n, cells in rows if any(_cell_text(c).strip() for c in cells)][:20]
    if not sample:
        return False
    if DIYADIANGONG_SHEETS[sheet] == "judge":
        return all(_cell_text(cells[1] if len(cells) > 1 else "").strip() in ("0", "1") for cells in sample)
    return all(sum(1 for c in cells[1:] if _cell_text(c).strip()) >= 2 for cells in sample)


def _read_xlsx(workbook: Any, result: BankResult) -> tuple[str, list[tuple[_RawRow, _Conventions]]]:
    """Every worksheet with a known layout; the others are listed in ``result.skipped_sheets``."""
    rows_out: list[tuple[_RawRow, _Conventions]] = []
    layouts: list[str] = []
    for sheet, materialised in _xlsx_sheets(workbook):
        layout, raw_rows = _table_rows(materialised, sheet)
        if layout:
            layouts.append(layout)
            rows_out += [(row, _Conventions()) for row in raw_rows]
        elif _looks_like_diyadiangong(sheet, materialised):
            layouts.append("diyadiangong")
            rows_out += [(row, _Conventions(zero_means_true=True)) for row in _diyadiangong_rows(sheet, materialised)]
        elif any(_cell_text(c).strip() for _n, cells in materialised for c in cells):
            result.skipped_sheets.append(sheet)
    return (layouts[0] if layouts else ""), rows_out


def _read_csv(text: str) -> tuple[str, list[tuple[_RawRow, _Conventions]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    rows = ((number, cells) for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1))
    layout, raw_rows = _table_rows(rows, "")
    return (layout or ""), [(row, _Conventions()) for row in raw_rows]


_JUDGE_LINE_RE = re.compile(r"^\s*\d*\s*#(?P<stem>.*)\$\s*(?P<answer>[01])\s*$")
_CHOICE_LINE_RE = re.compile(r"^\s*\d*\s*#(?P<stem>[^#]*)#(?P<options>.*)$")


def _read_diyadiangong_txt(text: str, result: BankResult) -> list[tuple[_RawRow, _Conventions]]:
    """Lines ``<n>#<statement>$<0|1>`` (0 = 正确) and ``<n>#<stem>#<o1>$<o2>$…`` (first option correct)."""
    rows: list[tuple[_RawRow, _Conventions]] = []
    conventions = _Conventions(zero_means_true=True)
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        choice = _CHOICE_LINE_RE.match(line)
        judge = _JUDGE_LINE_RE.match(line)
        if choice:
            options = choice.group("options").split("$")
            # The first option is the correct one (see the NOTE): the answer is implied, not read.
            values = {"qtype": "单选题", "stem": choice.group("stem"), "answer": "A"}
            columns = {"stem": "stem", "options": "options", "answer": "options", "qtype": "line"}
            rows.append((_RawRow(number, values, columns, option_list=options), conventions))
        elif judge:
            values = {"qtype": "判断题", "stem": judge.group("stem"), "answer": judge.group("answer")}
            rows.append((_RawRow(number, values, {"stem": "stem", "answer": "answer", "qtype": "line"}), conventions))
        else:
            result.problems.append(_problem(number, "line", line, "bad_line"))
    return rows


def _read_json(data: Any, result: BankResult) -> list[tuple[_RawRow, _Conventions]] | None:
    """A list of question objects (None when ``data`` is no list); gtpx_web keeps the type in ``category``."""
    if isinstance(data, dict):
        # Some exports wrap the list: {"questions": [...]} or {"data": [...]}.
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list):
        return None
    keys_seen = {key for item in data if isinstance(item, dict) for key in item}
    type_in_category = "category" in keys_seen and not any(_header_key(k) == "qtype" for k in keys_seen)
    rows: list[tuple[_RawRow, _Conventions]] = []
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict):
            result.problems.append(
                _problem(number, "", json.dumps(item, ensure_ascii=False), "bad_record", index=number)
            )
            continue
        values: dict[str, str] = {}
        columns: dict[str, str] = {}
        for name, value in item.items():
            key = "qtype" if (name == "category" and type_in_category) else _header_key(name)
            if key and key not in values:
                values[key] = _cell_text(value)
                columns[key] = name
        rows.append((_RawRow(number, values, columns), _Conventions(infer_qtype="qtype" not in columns)))
    return rows


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def _read_bytes(path_or_file: str | os.PathLike[str] | BinaryIO | bytes) -> bytes:
    if isinstance(path_or_file, bytes):
        return path_or_file
    if isinstance(path_or_file, str | os.PathLike):
        return Path(path_or_file).read_bytes()
    data = path_or_file.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _decode(data: bytes) -> str:
    # UTF-8 (with or without BOM) is the exchange rule; GB18030 covers the GBK files Chinese Excel
    # and Notepad still write.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def parse_bank(path_or_file: str | os.PathLike[str] | BinaryIO | bytes, filename: str) -> BankResult:
    """Parse one question-bank file into accepted questions, problems and a duplicate count.

    ``path_or_file`` is a path, an open binary file or the file's bytes; ``filename`` gives the
    extension (.xlsx, .csv, .json, .txt), and the content decides the layout within it. The result's
    ``format`` names what was recognised: ``xlsx-bank``, ``xlsx-exchange``, ``xlsx-diyadiangong``,
    ``csv-bank``, ``csv-exchange``, ``json``, ``txt-diyadiangong`` or ``unknown`` (then a problem says why).
    """
    data = _read_bytes(path_or_file)
    extension = Path(filename).suffix.lower().lstrip(".")
    if extension not in ("xlsx", "xlsm", "xls", "csv", "json", "txt"):
        # Unknown or missing extension: let the content say what it is.
        head = data[:64].lstrip()
        extension = "xlsx" if data[:2] == b"PK" else "json" if head[:1] in (b"[", b"{") else "txt"

    result = BankResult(format="unknown")
    if extension == "xls":
        return _unreadable(result, "Excel 97–2003 (.xls); save it as .xlsx")
    layout = ""
    rows: list[tuple[_RawRow, _Conventions]] | None = []
    if extension in ("xlsx", "xlsm"):
        import openpyxl  # only XLSX needs it

        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            return _unreadable(result, f"{type(error).__name__}: {error}")
        try:
            layout, rows = _read_xlsx(workbook, result)
        finally:
            workbook.close()
        layout = f"xlsx-{layout}" if layout else ""
    elif extension == "csv":
        layout, rows = _read_csv(_decode(data))
        layout = f"csv-{layout}" if layout else ""
    elif extension == "json":
        try:
            loaded = json.loads(_decode(data))
        except ValueError as error:
            return _unreadable(result, f"JSON: {error}")
        rows = _read_json(loaded, result)
        layout = "json" if rows is not None else ""
    else:
        rows = _read_diyadiangong_txt(_decode(data), result)
        # A text file is only a bank when at least one line fits; otherwise one problem, not one per line.
        layout = "txt-diyadiangong" if rows else ""
        if not rows:
            result.problems.clear()

    if not layout or rows is None:
        if not result.problems:
            result.problems.append(
                _problem(
                    1,
                    "",
                    "",
                    "unknown_layout",
                    detail_zh="找不到含“题干/题目内容”和“答案/题目答案”列的表头，也不是已知的文本或 JSON 格式。",
                    detail_en="no header row naming the stem (题干/题目内容) and answer (答案/题目答案) columns, "
                    "and not a known text or JSON layout.",
                )
            )
        return result
    result.format = layout
    _collect(result, rows, exchange=layout.endswith("exchange"))
    return result


def _unreadable(result: BankResult, detail: str) -> BankResult:
    result.problems.append(
        _problem(
            1,
            "",
            detail,
            "unknown_layout",
            detail_zh=f"文件无法读取（{detail}）。",
            detail_en=f"the file cannot be read ({detail}).",
        )
    )
    return result


def _collect(result: BankResult, rows: list[tuple[_RawRow, _Conventions]], *, exchange: bool) -> None:
    """Build every row, report the defective ones, then de-duplicate the accepted questions."""
    accepted: list[ParsedQuestion] = []
    stem_columns: dict[int, str] = {}  # id(question) -> the stem's column name, for reports on duplicates
    codes: dict[str, int] = {}
    numbers: dict[str, _StemNumbers] = {}
    for row, conventions in rows:
        if row.blank:
            continue  # sheets end in hundreds of formatted but empty rows
        question, problems = _build(row, conventions, numbers.setdefault(row.sheet, _StemNumbers()))
        if exchange:
            code = row.get("code").strip()
            if not code:
                problems.append(_problem(row.number, row.column("code"), "", "missing_code", row.sheet))
            elif code in codes:
                problems.append(
                    _problem(row.number, row.column("code"), code, "duplicate_code", row.sheet, first=codes[code])
                )
            else:
                codes[code] = row.number
        if problems:
            result.problems += problems
        elif question:
            accepted.append(question)
            stem_columns[id(question)] = row.column("stem")
    _dedupe(result, accepted, stem_columns)
    # Conflicting duplicates are found last; put every problem back in file order (sheets as they come).
    sheets = {row.sheet: index for index, (row, _c) in reversed(list(enumerate(rows)))}
    result.problems.sort(key=lambda p: (sheets.get(p.sheet, 0), p.row))
