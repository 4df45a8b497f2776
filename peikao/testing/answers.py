"""The right answer as it appears on a candidate's shuffled paper: for the exam demo and tests (no factory_boy)."""

from __future__ import annotations

from peikao.exams.models import Question


def correct_letters(registration, position: int) -> str:
    """The letters on the candidate's paper (options shuffled) that are the bank's right answer."""
    item = registration.paper.items[position]
    question = Question.objects.get(pk=item["q"])
    if question.qtype == "judge":
        return question.answer
    letters = "ABCDEF"
    return "".join(sorted(letters[item["o"].index(letters.index(letter))] for letter in question.answer))
