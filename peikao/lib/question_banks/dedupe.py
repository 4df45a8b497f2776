"""De-duplication: identical copies are counted and dropped, contradicting copies all rejected."""

from __future__ import annotations

from peikao.lib.question_banks.messages import problem
from peikao.lib.question_banks.results import BankResult, ParsedQuestion
from peikao.lib.question_banks.text import key_text


def dedupe(result: BankResult, candidates: list[ParsedQuestion], stem_columns: dict[int, str]) -> None:
    """Keep the first of each stem + options and count the identical copies dropped; reject contradictions.

    Options compare as a set: the same options in another order are the same question (diyadiangong's
    site shuffles them at display time). Copies that disagree on type or on which option texts are
    correct are no duplicates but a contradiction: no copy can be trusted, so every one is rejected,
    naming the others.
    """
    groups: dict[tuple[str, tuple[str, ...]], list[ParsedQuestion]] = {}
    for question in candidates:
        key = (key_text(question.stem), tuple(sorted(key_text(o) for o in question.options)))
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
                problem(
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
    chosen = frozenset(key_text(question.options[ord(letter) - ord("A")]) for letter in question.answer)
    return question.qtype, chosen
