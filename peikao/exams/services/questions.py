"""Question banks and blueprints: a question edited (or replaced by a new version), a blueprint saved."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, record_bulk_rows, snapshot
from peikao.core.bulk import insert_rows
from peikao.core.choices import ChangeAction
from peikao.core.errors import DomainError
from peikao.core.exchange import WriteCounts
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.exams import papers
from peikao.exams.models import Blueprint, PaperQuestion, Question
from peikao.exams.rules import fingerprint
from peikao.exams.selectors import require_bank_owner
from peikao.lib.question_banks import ParsedQuestion
from peikao.registry.models import OperationItem


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
    """Change a question. One already drawn into a paper is never changed: a new version replaces it. Only the
    authority that owns the banks edits them: a question carries its answer."""
    require_perm(actor, Perm.BANK_MANAGE)
    require_bank_owner(actor)
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


# -- questions of a bank file (questions.csv and the banks of the industry) ---------------------------------

QuestionRecord = tuple[ParsedQuestion, OperationItem | None, str]  # a parsed question, its item or category


def _generated_code(item: OperationItem | None, category: str, fingerprint: str) -> str:
    prefix = item.code if item else category[:3].upper()
    return f"Q{prefix}-{fingerprint[:12]}"


@transaction.atomic(savepoint=False)  # in an import, all or nothing is the file's: no savepoint per chunk
def question_create_bulk(*, actor: User | None, rows: Iterable[QuestionRecord], source: str) -> WriteCounts:
    """Add a bank's questions: one already in the bank (same stem and options, by ``rules.fingerprint``, as
    ``question_edit`` keeps it) or whose code is taken is left as it is; a question without a code gets one
    from its content. Inserted in bulk with a change-log row each. ``actor`` None: the system (a command)."""
    if actor is not None:
        require_perm(actor, Perm.BANK_MANAGE)
        require_bank_owner(actor)
    counts = WriteCounts()
    rows = list(rows)
    prints = {fingerprint(q.stem, q.options): (q, item, category) for q, item, category in rows}
    existing = dict(
        Question.objects.filter(fingerprint__any=list(prints), retired=False).values_list(
            "fingerprint", "question_code"
        )
    )
    codes = {q.code for q, _i, _c in rows if q.code}
    taken = set(Question.objects.filter(question_code__in=codes).values_list("question_code", flat=True))
    now = timezone.now()
    new: list[dict[str, Any]] = []
    for key, (question, item, category) in prints.items():
        if key in existing or (question.code and question.code in taken):
            counts.unchanged += 1
            continue
        new.append(
            {
                "question_code": question.code or _generated_code(item, category, key),
                "operation_item_id": item.pk if item else None,
                "trainee_category": category,
                "qtype": question.qtype,
                "stem": question.stem,
                "options": question.options,
                "answer": question.answer,
                "knowledge_point": question.knowledge_point,
                "difficulty": question.difficulty,
                "explanation": question.explanation,
                "fingerprint": key,
                "version": 1,
                "supersedes_id": None,
                "retired": False,
                "source": source[:200],
                "created_at": now,
                "updated_at": now,
            }
        )
    if new:
        columns = list(new[0])
        insert_rows(
            Question,
            columns,
            ([json.dumps(r[c], ensure_ascii=False) if c == "options" else r[c] for c in columns] for r in new),
        )
        pks = dict(
            Question.objects.filter(question_code__in=[r["question_code"] for r in new]).values_list(
                "question_code", "pk"
            )
        )
        record_bulk_rows(
            Question,
            [
                (
                    ChangeAction.CREATE,
                    pks[r["question_code"]],
                    r["question_code"],
                    None,
                    {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()},
                )
                for r in new
            ],
        )
    counts.imported = len(new)
    return counts
