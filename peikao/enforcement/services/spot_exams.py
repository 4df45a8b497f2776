"""Spot exams at an inspection (逢查必考): workers drawn from the roster answer a short paper on their own phone
through a one-time link; a failure becomes a finding."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, snapshot
from peikao.core.errors import Conflict, DomainError
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.enforcement import rules, selectors
from peikao.enforcement.choices import FindingSource, SpotExamStatus
from peikao.enforcement.models import Inspection, SpotExam
from peikao.enforcement.services._common import _require_open
from peikao.enforcement.services.inspections import finding_record
from peikao.exams.models import Question
from peikao.exams.services import displayed_answer, normalised_answer
from peikao.registry.models import Assignment

SPOT_LINK_HOURS = 4
SPOT_FAILURE_VIOLATION = "ENT-NO-TRAIN"


@transaction.atomic
def spot_draw(
    *, actor: User, inspection: Inspection, count: int = 3, seed: int | None = None, pass_score: int = 80
) -> list[tuple[SpotExam, str]]:
    """Draw ``count`` workers at random from the roster (special operators ×3, principals and safety managers
    ×2, others ×1) and give each a short paper from their item's bank (the general bank of employees where the
    item has none, which the paper says), or their trainee category's; return the exams and one-time links."""
    require_perm(actor, Perm.INSPECT)
    _require_open(inspection)
    if not 1 <= pass_score <= 100:
        raise DomainError("pass_score", _("The pass mark lies between 1 and 100."))
    already = set(inspection.spot_exams.values_list("person_id", flat=True))
    candidates = [
        a for a in selectors.roster(inspection.organization, inspection.inspected_on) if a.person_id not in already
    ]
    by_person: dict[int, Assignment] = {}
    for assignment in candidates:  # one entry per person: the post that weighs most
        best = by_person.get(assignment.person_id)
        if best is None or rules.SPOT_WEIGHTS[assignment.role] > rules.SPOT_WEIGHTS[best.role]:
            by_person[assignment.person_id] = assignment
    if not by_person:
        raise DomainError("empty_roster", _("Nobody on the roster is left to draw."))
    rng = random.Random(seed if seed is not None else secrets.randbelow(2**53))
    pool = sorted(by_person.values(), key=lambda a: a.person_id)
    keyed = sorted(pool, key=lambda a: -(rng.random() ** (1 / rules.SPOT_WEIGHTS[a.role])))
    drawn = []
    for assignment in keyed[:count]:
        raw = secrets.token_urlsafe(18)
        bank, category = selectors.spot_question_bank(assignment)
        items = rules.spot_paper(rng, bank, rules.SPOT_QUESTIONS)
        exam = audited_create(
            SpotExam(
                inspection=inspection,
                person=assignment.person,
                role=assignment.role,
                operation_item=assignment.operation_item,
                trainee_category=category,  # with an operation item: its general bank, the item having none
                items=items,
                pass_score=pass_score,
                token_hash=rules.spot_token_hash(raw),
                expires_at=timezone.now() + dt.timedelta(hours=SPOT_LINK_HOURS),
                status=SpotExamStatus.DRAWN if items else SpotExamStatus.NO_BANK,
            )
        )
        drawn.append((exam, raw))
    return drawn


@transaction.atomic
def spot_relink(*, actor: User, exam: SpotExam) -> str:
    """A new one-time link for a paper not answered yet (the old link stops working): links are shown only
    once, to the inspector who drew them, and a phone gets lost or a worker steps away."""
    require_perm(actor, Perm.INSPECT)
    _require_open(exam.inspection)
    exam = SpotExam.objects.select_for_update().get(pk=exam.pk)
    if exam.status != SpotExamStatus.DRAWN:
        raise Conflict("spot_answered", _("This paper has been answered: its link is not renewed."))
    raw = secrets.token_urlsafe(18)
    before = snapshot(exam)
    exam.token_hash = rules.spot_token_hash(raw)
    exam.expires_at = timezone.now() + dt.timedelta(hours=SPOT_LINK_HOURS)
    audited_update(exam, before)
    return raw


@transaction.atomic
def spot_submit(*, raw: str, answers: dict[str, str]) -> SpotExam:
    """Score at once; a failure becomes a finding of the inspection. The link works once."""
    exam = selectors.spot_open(raw)
    exam = SpotExam.objects.select_for_update().get(pk=exam.pk)
    if exam.status != SpotExamStatus.DRAWN:
        raise DomainError("link_used", _("This link is not valid or has been used."), status=404)
    questions = Question.objects.in_bulk([item["q"] for item in exam.items])
    score = Decimal(0)
    given_all = {}
    for position, item in enumerate(exam.items):
        question = questions[item["q"]]
        given = normalised_answer(answers.get(str(position), ""))
        given_all[str(position)] = given
        if given and displayed_answer(question, item["o"], given) == question.answer:
            score += Decimal(item["p"])
    score = min(Decimal(100), score.quantize(Decimal("0.1")))
    before = snapshot(exam)
    exam.answers, exam.score, exam.passed = given_all, score, score >= exam.pass_score
    exam.status, exam.submitted_at = SpotExamStatus.SUBMITTED, timezone.now()
    if not exam.passed:
        violation = selectors.current_item(SPOT_FAILURE_VIOLATION)
        exam.finding = finding_record(
            actor=None,
            inspection=exam.inspection,
            violation=violation,
            description=str(
                _("Spot exam: %(name)s scored %(score)s, below the pass mark of %(pass)s.")
                % {"name": exam.person.name, "score": score, "pass": exam.pass_score}
            ),
            person=exam.person,
            source=FindingSource.SPOT_EXAM,
        )
    audited_update(exam, before)
    return exam
