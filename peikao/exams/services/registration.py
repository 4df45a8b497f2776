"""Registration: a candidate registered when every eligibility check passes, and their paper drawn."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, snapshot
from peikao.core.errors import Conflict, DomainError
from peikao.core.exchange import WriteCounts
from peikao.core.i18n import Bilingual
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.core.refdata import sync_rows
from peikao.core.validators import validate_id_number
from peikao.exams import papers
from peikao.exams.choices import ExamPart, ResultStatus, SittingStatus
from peikao.exams.models import ExamRegime, Paper, PaperQuestion, Registration, Result, Sitting
from peikao.exams.selectors import eligibility, pool_for
from peikao.exams.services._common import require_own, sitting_blueprint
from peikao.registry.choices import PersonLinkStatus
from peikao.registry.models import Person
from peikao.registry.services.links import person_link_note
from peikao.registry.services.persons import person_enter


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
        admission_code=_admission_code(),
        attempt=attempt,
        eligibility=[check.as_dict() for check in checks],
        training_class=training_class,
    )
    audited_create(registration)
    person_link_note(actor=actor, organization=sitting.exam_point, person=person)
    if sitting.part == ExamPart.THEORY and sitting.blueprint_id:
        draw_paper(registration)
    return registration


@transaction.atomic
def candidate_identify(*, actor: User, sitting: Sitting, id_number: str, name: str = "") -> Person:
    """The candidate who applies with their ID card (ADR 0009). An exam point enters the person by number and name,
    as any organisation does; until the link is confirmed, the name must be the registered one — else the
    eligibility checks would tell a stranger's training and exam record to whoever typed the number. The refusal
    does not say whether the number is registered. A regulator names a registered person by number."""
    require_perm(actor, Perm.SITTING_MANAGE)  # before any look-up: no one else learns whether a number is known
    require_own(actor, sitting.exam_point)
    if not actor.is_org_member:
        person = Person.objects.filter(id_number=validate_id_number(id_number)).first()
        if person is None:
            raise DomainError("unknown_person", _("No person with this ID number is registered."))
        return person
    link = person_enter(actor=actor, organization=sitting.exam_point, id_number=id_number, name=name)
    given = (name or link.entered_name).strip()
    if link.status != PersonLinkStatus.CONFIRMED and given != link.person.name:
        raise DomainError(
            "id_number_name_mismatch",
            _("The name and the ID number do not belong together: check them against the ID card."),
        )
    return link.person


def _admission_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


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
    blueprint = sitting_blueprint(registration.sitting)
    drawer = drawer or papers.Drawer(papers.sections_of(blueprint.sections), pool_for(blueprint=blueprint))
    limit = float(blueprint.max_overlap)
    best: tuple[int, list[dict], float] | None = None
    for _attempt in range(max(1, attempts)):
        seed = papers.new_seed()
        items = drawer.draw(seed)
        worst = _max_overlap(registration.sitting_id, items)
        if best is None or worst < best[2]:
            best = (seed, items, worst)
        if worst <= limit:
            break
    assert best is not None, "the loop above runs at least once"
    seed, items, _worst = best
    paper = Paper.objects.create(registration=registration, blueprint=blueprint, seed=seed, items=items)
    PaperQuestion.objects.bulk_create(
        [PaperQuestion(paper=paper, question_id=item["q"], position=index) for index, item in enumerate(items)]
    )
    return paper


# -- results of other systems (results.csv) -----------------------------------------------------------------

# What a registration made for an imported result records instead of eligibility checks.
IMPORTED_CHECK = {"code": "imported", "ok": True, "zh": "历史成绩导入", "en": "Imported historical result", "basis": ""}
IMPORTED_PASS_SCORE = 80


@dataclass(frozen=True)
class ResultRecord:
    """A result as results.csv carries it; ``registration`` is the candidate's registration for the sitting
    already recorded (with its result loaded), if any."""

    sitting: Sitting
    person: Person
    attempt: int
    score: Decimal | None
    status: str
    started_at: dt.datetime | None
    submitted_at: dt.datetime | None
    answers: dict[str, str]
    registration: Registration | None = None


@transaction.atomic(savepoint=False)  # in an import, all or nothing is the file's: no savepoint per chunk
def result_record_bulk(*, actor: User | None, rows: Iterable[ResultRecord]) -> WriteCounts:
    """Record results of other systems: a candidate not registered for the sitting is registered (eligibility
    is not judged again: the result is history), a result is created or takes the file's values (where it
    came from does not change). ``actor`` None: the system (a command)."""
    if actor is not None:
        require_perm(actor, Perm.SITTING_MANAGE)
    counts = WriteCounts()
    for row in rows:
        registration = row.registration
        if registration is None:
            registration = audited_create(
                Registration(
                    sitting=row.sitting,
                    person=row.person,
                    admission_code=_admission_code(),
                    attempt=row.attempt,
                    eligibility=[dict(IMPORTED_CHECK)],
                )
            )
            person_link_note(actor=actor, organization=row.sitting.exam_point, person=row.person)
        values = {
            "score": row.score,
            "status": row.status,
            "passed": row.status == ResultStatus.VALID and (row.score or 0) >= IMPORTED_PASS_SCORE,
            "started_at": row.started_at,
            "submitted_at": row.submitted_at,
            "answers": row.answers,
        }
        result = getattr(registration, "result", None) if row.registration is not None else None
        if result is None:
            audited_create(Result(registration=registration, source="import", **values))
            counts.imported += 1
            continue
        before = snapshot(result)  # where the result came from does not change
        for name, value in values.items():
            setattr(result, name, value)
        counts.updated += int(audited_update(result, before))
        counts.unchanged += int(snapshot(result) == before)
    return counts


# -- the exam regimes registration is judged by (reference data) ----------------------------------------------


@transaction.atomic(savepoint=False)  # in load_reference, all or nothing is the whole loading's
def exam_regime_sync_bulk(*, rows: list[dict[str, Any]]) -> str:
    """Create or update the exam regimes (order No. 30, order No. 19) from the domain rules, matched on their
    code, every change recorded; returns a summary."""
    return sync_rows(ExamRegime, "code", rows)
