"""Question banks and blueprints: a question edited (or replaced by a new version), a blueprint saved."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, snapshot
from peikao.core.errors import DomainError
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.exams import papers
from peikao.exams.models import Blueprint, PaperQuestion, Question
from peikao.exams.rules import fingerprint


@transaction.atomic
def question_edit(
    *,
    actor: User,
    question: Question,
    stem: str,
    options: list[str],
    answer: str,
    knowledge_point: str = "",
    difficulty: int | None = None,
    explanation: str = "",
) -> Question:
    """Change a question. One already drawn into a paper is never changed: a new version replaces it."""
    require_perm(actor, Perm.BANK_MANAGE)
    question = Question.objects.select_for_update().get(pk=question.pk)
    used = PaperQuestion.objects.filter(question=question).exists()
    values = {
        "stem": stem,
        "options": options,
        "answer": answer,
        "knowledge_point": knowledge_point,
        "difficulty": difficulty,
        "explanation": explanation,
        "fingerprint": fingerprint(stem, options),
    }
    if not used:
        before = snapshot(question)
        for field, value in values.items():
            setattr(question, field, value)
        audited_update(question, before)
        return question
    before = snapshot(question)
    question.retired = True
    audited_update(question, before)
    successor = Question(
        question_code=f"{question.question_code.split('~')[0]}~v{question.version + 1}",
        operation_item=question.operation_item,
        trainee_category=question.trainee_category,
        qtype=question.qtype,
        version=question.version + 1,
        supersedes=question,
        source=question.source,
        **values,
    )
    return audited_create(successor)


@transaction.atomic
def blueprint_save(*, actor: User, blueprint: Blueprint) -> Blueprint:
    """Create or change a blueprint; its points must add up to the full marks of the regime (100)."""
    require_perm(actor, Perm.BANK_MANAGE)
    total = blueprint.total_points
    if total != Decimal(100):
        raise DomainError("blueprint_points", _("The points add up to %(total)s, not 100."), {"total": total})
    papers.sections_of(blueprint.sections)  # well-formed sections
    if blueprint.pk:
        before = snapshot(Blueprint.objects.get(pk=blueprint.pk))
        audited_update(blueprint, before)
        return blueprint
    return audited_create(blueprint)
