"""Registration: a candidate registered when every eligibility check passes, and their paper drawn."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create
from peikao.core.errors import Conflict, DomainError
from peikao.core.i18n import Bilingual
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.exams import papers
from peikao.exams.choices import ExamPart, SittingStatus
from peikao.exams.models import Paper, PaperQuestion, Registration, Sitting
from peikao.exams.selectors import eligibility, pool_for
from peikao.exams.services._common import require_own
from peikao.registry.models import Person


@transaction.atomic
def register(*, actor: User, sitting: Sitting, person: Person) -> Registration:
    """Register a candidate if every eligibility check passes; refuse with every failed check's reason."""
    require_perm(actor, Perm.SITTING_MANAGE)
    require_own(actor, sitting.exam_point)
    sitting = Sitting.objects.select_for_update().get(pk=sitting.pk)
    if sitting.status != SittingStatus.PLANNED:
        raise Conflict("sitting_not_planned", _("Candidates register before the sitting opens."))
    if Registration.objects.filter(sitting=sitting, person=person).exists():
        raise Conflict("already_registered", _("This candidate is already registered for this sitting."))
    if sitting.registrations.count() >= sitting.capacity:
        raise DomainError("sitting_full", _("The sitting is full (%(n)d seats)."), {"n": sitting.capacity})
    checks, training_class, attempt = eligibility(person=person, sitting=sitting)
    failed = [check for check in checks if not check.ok]
    if failed:
        raise DomainError(
            "not_eligible",
            _("%(name)s may not sit this exam: %(reasons)s"),
            {
                "name": person.name,
                "reasons": Bilingual("；".join(c.zh for c in failed), "; ".join(c.en for c in failed)),
            },
        )
    registration = Registration(
        sitting=sitting,
        person=person,
        admission_code=f"{secrets.randbelow(10**8):08d}",
        attempt=attempt,
        eligibility=[check.as_dict() for check in checks],
        training_class=training_class,
    )
    audited_create(registration)
    if sitting.part == ExamPart.THEORY and sitting.blueprint_id:
        draw_paper(registration)
    return registration


def _max_overlap(sitting_id: int, items: list[dict]) -> float:
    """The largest share of ``items`` that one paper already drawn in the sitting has too (one query)."""
    ids = [item["q"] for item in items]
    shared = (
        PaperQuestion.objects.filter(paper__registration__sitting_id=sitting_id, question_id__in=ids)
        .values("paper_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("n", flat=True)
        .first()
    )
    return (shared or 0) / max(1, len(ids))


def draw_paper(registration: Registration, *, drawer: papers.Drawer | None = None, attempts: int = 20) -> Paper:
    """Draw the candidate's paper; redraw while it shares more with another paper of the sitting than the
    blueprint allows (the overlap is then as low as the bank permits)."""
    blueprint = registration.sitting.blueprint
    drawer = drawer or papers.Drawer(papers.sections_of(blueprint.sections), pool_for(blueprint=blueprint))
    limit = float(blueprint.max_overlap)
    best = None
    for _attempt in range(attempts):
        seed = papers.new_seed()
        items = drawer.draw(seed)
        worst = _max_overlap(registration.sitting_id, items)
        if best is None or worst < best[2]:
            best = (seed, items, worst)
        if worst <= limit:
            break
    seed, items, _worst = best
    paper = Paper.objects.create(registration=registration, blueprint=blueprint, seed=seed, items=items)
    PaperQuestion.objects.bulk_create(
        [PaperQuestion(paper=paper, question_id=item["q"], position=index) for index, item in enumerate(items)]
    )
    return paper
