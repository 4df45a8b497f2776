"""One raw row → a normalised question, or every problem found in it."""

from __future__ import annotations

import re
from typing import Any

from peikao.lib.question_banks.answers import (
    QTYPES,
    answer_letters,
    check_choice_options,
    choice_answer,
    judge_answer,
    parse_difficulty,
)
from peikao.lib.question_banks.messages import problem
from peikao.lib.question_banks.options import split_options, strip_label
from peikao.lib.question_banks.raw import Conventions, RawRow
from peikao.lib.question_banks.results import LETTERS, BankProblem, ParsedQuestion
from peikao.lib.question_banks.text import StemNumbers, clean_stem, clean_text

OPTION_KEYS = [f"option_{letter.lower()}" for letter in LETTERS]


def _row_options(row: RawRow, problems: list[BankProblem]) -> tuple[list[str], str]:
    """The row's options (labels stripped) and the column to blame for option problems."""
    if row.option_list is not None:
        return [clean_text(option) for option in row.option_list], row.column("options")
    if any(row.get(key).strip() for key in OPTION_KEYS):
        cells = [row.get(key) for key in OPTION_KEYS]
        last = max(i for i, cell in enumerate(cells) if cell.strip())
        options = [strip_label(cell, LETTERS[i]) for i, cell in enumerate(cells[: last + 1])]
        return options, row.column("option_a")
    split = split_options(row.get("options"))
    if split.detail:
        zh, en = split.detail
        problems.append(
            problem(
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


def build(
    row: RawRow, conventions: Conventions, numbers: StemNumbers
) -> tuple[ParsedQuestion | None, list[BankProblem]]:
    """Validate one row; a question when it is well formed, else every problem found in it."""
    problems: list[BankProblem] = []
    sheet = row.sheet

    def fail(key: str, code: str, value: Any = None, **params: Any) -> None:
        problems.append(
            problem(row.number, row.column(key), row.get(key) if value is None else value, code, sheet, **params)
        )

    stem = clean_stem(row.get("stem"), numbers)
    if not stem:
        fail("stem", "empty_stem")
    options, options_column = _row_options(row, problems)
    answer_raw = row.get("answer").strip()

    qtype_raw = row.get("qtype").strip()
    qtype = QTYPES.get(re.sub(r"\s+", "", qtype_raw).lower())
    if not qtype_raw and conventions.infer_qtype:
        letters = answer_letters(answer_raw)
        qtype = "judge" if not options else ("multi" if len(letters) > 1 else "single")
    elif not qtype_raw:
        fail("qtype", "empty_qtype")
    elif qtype is None:
        fail("qtype", "unknown_qtype" if options else "unknown_qtype_no_options")

    if qtype in ("single", "multi"):
        check_choice_options(row, qtype, options, options_column, problems)
    answer = ""
    if not answer_raw:
        fail("answer", "empty_answer")
    elif qtype == "judge":
        answer = judge_answer(row, answer_raw, options, options_column, conventions, problems)
        options = []  # a judge question has no options of its own; 正确/错误 only decoded the letter
    elif qtype in ("single", "multi"):
        answer = choice_answer(row, qtype, answer_raw, options, problems)

    difficulty = None
    if row.get("difficulty").strip():
        difficulty = parse_difficulty(row.get("difficulty"))
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
            category=clean_text(row.get("category")),
            knowledge_point=clean_text(row.get("knowledge_point")),
            difficulty=difficulty,
            explanation=clean_text(row.get("explanation")),
            code=row.get("code").strip(),
            sheet=sheet,
        ),
        problems,
    )
