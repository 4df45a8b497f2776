"""Question types and answers: the spellings of the banks, true/false words, the letters of choices."""

from __future__ import annotations

import re
import unicodedata

from peikao.lib.question_banks.messages import QTYPE_NAMES, problem
from peikao.lib.question_banks.raw import Conventions, RawRow
from peikao.lib.question_banks.results import LETTERS, MAX_OPTIONS, MIN_OPTIONS, BankProblem, QType

QTYPES: dict[str, QType] = {
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


def answer_letters(answer: str) -> str:
    return _ANSWER_SEPARATORS_RE.sub("", unicodedata.normalize("NFKC", answer)).upper()


def judge_answer(
    row: RawRow,
    answer_raw: str,
    options: list[str],
    options_column: str,
    conventions: Conventions,
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
        problems.append(problem(row.number, row.column("answer"), answer_raw, "ambiguous_judge_answer", row.sheet))
        return ""
    letters = answer_letters(answer_raw)
    if letters in ("A", "B"):
        if not options:
            # No options given: every bank we know writes A = 正确, B = 错误.
            return "T" if letters == "A" else "F"
        meanings = [_judge_word(option) for option in options]
        if len(options) != 2 or sorted(m or "" for m in meanings) != ["F", "T"]:
            value = " / ".join(options)
            problems.append(problem(row.number, options_column, value, "judge_options", row.sheet))
            return ""
        return meanings[ord(letters) - ord("A")] or ""
    problems.append(problem(row.number, row.column("answer"), answer_raw, "invalid_judge_answer", row.sheet))
    return ""


def check_choice_options(
    row: RawRow, qtype: str, options: list[str], options_column: str, problems: list[BankProblem]
) -> None:
    """Record what is wrong with a single/multi row's options: too few, too many, empty ones."""
    if any(p.code == "option_labels" for p in problems):
        return  # the options could not be split: counting them is moot
    sheet = row.sheet
    shown = row.get("options") or " / ".join(options)
    if len(options) > MAX_OPTIONS:
        problems.append(problem(row.number, options_column, shown, "too_many_options", sheet, count=len(options)))
    elif len(options) < MIN_OPTIONS[qtype]:
        qtype_zh, qtype_en = QTYPE_NAMES[qtype]
        problems.append(
            problem(
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
        problems.append(problem(row.number, options_column, shown, "empty_option", sheet, letters="、".join(empty)))


def choice_answer(row: RawRow, qtype: str, answer_raw: str, options: list[str], problems: list[BankProblem]) -> str:
    """The sorted answer letters of a single/multi row, or "" after recording what is wrong with them."""
    if any(p.code == "option_labels" for p in problems):
        return ""  # without the options the letters cannot be checked
    before = len(problems)
    column = row.column("answer")
    sheet = row.sheet
    letters = answer_letters(answer_raw)
    if not re.fullmatch(r"[A-Z]+", letters):
        problems.append(problem(row.number, column, answer_raw, "invalid_answer", sheet))
        return ""
    if len(set(letters)) != len(letters):
        problems.append(problem(row.number, column, answer_raw, "repeated_answer", sheet))
    elif qtype == "single" and len(letters) > 1:
        problems.append(problem(row.number, column, answer_raw, "single_many_answers", sheet))
    elif qtype == "multi" and len(letters) < 2:
        problems.append(problem(row.number, column, answer_raw, "multi_one_answer", sheet))
    if options and max(letters) > LETTERS[min(len(options), MAX_OPTIONS) - 1]:
        count = min(len(options), MAX_OPTIONS)
        problems.append(
            problem(row.number, column, answer_raw, "answer_out_of_range", sheet, count=count, last=LETTERS[count - 1])
        )
    return "" if len(problems) > before else "".join(sorted(letters))


def parse_difficulty(raw: str) -> int | None:
    try:
        number = float(unicodedata.normalize("NFKC", raw).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() and 1 <= number <= 5 else None
