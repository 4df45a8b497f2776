"""The reasons a row is rejected: (zh, en) templates filled with ``str.format``, one per problem code."""

from __future__ import annotations

from typing import Any

from peikao.lib.question_banks.results import VALUE_LIMIT, BankProblem
from peikao.lib.question_banks.text import cell_text

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


def problem(row: int, column: str, value: Any, code: str, sheet: str = "", **params: Any) -> BankProblem:
    """A problem with its reason filled in from ``MESSAGES`` (``value`` is also a template parameter)."""
    text = cell_text(value)
    zh, en = MESSAGES[code]
    params.setdefault("value", text[:VALUE_LIMIT])
    return BankProblem(row, column, text[:VALUE_LIMIT], code, zh.format(**params), en.format(**params), sheet)
