"""Question banks in the exams app: the Django-free parser (``peikao.lib.question_banks``) and what needs
the database — which operation item or trainee category a bank's questions are for."""

from __future__ import annotations

from peikao.lib.question_banks import MESSAGES, BankProblem, BankResult, ParsedQuestion, parse_bank, split_options
from peikao.registry.models import OperationItem

__all__ = [
    "CATEGORY_WORDS",
    "MESSAGES",
    "BankProblem",
    "BankResult",
    "ParsedQuestion",
    "bank_subjects",
    "operation_items",
    "parse_bank",
    "resolve_bank",
    "split_options",
]

CATEGORY_WORDS = {
    "主要负责人": "principal",
    "负责人": "principal",
    "安全管理": "safety_manager",
    "管理员": "safety_manager",
}

Subject = tuple[OperationItem | None, str]  # an operation item, or a trainee category
BankRow = tuple[ParsedQuestion, OperationItem | None, str]


def operation_items() -> dict[str, OperationItem]:
    """Operation items by code and by name: banks name them either way."""
    items = {item.code: item for item in OperationItem.objects.all()}
    return {**items, **{item.name: item for item in items.values()}}


def resolve_bank(
    category_text: str, options: dict, items: dict[str, OperationItem]
) -> tuple[OperationItem | None, str]:
    """(item, trainee category) of a bank: the import's option, else the file's 作业种类 text."""
    code = options.get("operation_item")
    if code:
        return items.get(code), ""
    category = options.get("trainee_category")
    if category:
        return None, category
    text = (category_text or "").strip()
    if text in items:
        return items[text], ""
    for item in items.values():
        if text and (text == item.name or text.replace("作业", "") == item.name.replace("作业", "")):
            return item, ""
    for word, value in CATEGORY_WORDS.items():
        if word in text:
            return None, value
    return None, ""


def bank_subjects(
    parsed: BankResult, options: dict, items: dict[str, OperationItem]
) -> tuple[list[BankRow], list[ParsedQuestion]]:
    """The accepted questions with their (item, trainee category), and those whose subject is unknown."""
    rows: list[BankRow] = []
    unknown: list[ParsedQuestion] = []
    for question in parsed.questions:
        item, category = resolve_bank(question.category, options, items)
        if item is None and not category:
            unknown.append(question)
        else:
            rows.append((question, item, category))
    return rows, unknown
