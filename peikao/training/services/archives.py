"""Archives: a closed class's records sealed in a SHA-256 chain, changed only by recorded amendments."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, current_context
from peikao.core.errors import Conflict, DomainError
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.registry.models import Person
from peikao.training import archive, hours
from peikao.training.choices import AttendanceSource, ClassStatus
from peikao.training.models import ArchiveAmendment, ArchiveSeal, AttendanceEvent, TrainingClass
from peikao.training.services._shared import require_own


def seal(training_class: TrainingClass, *, actor: User, reason: str) -> ArchiveSeal:
    """Seal the class's archive as it is now, chained to the previous seal."""
    result = archive.compute([training_class.pk])[training_class.pk]
    previous = training_class.seals.order_by("-sequence").first()
    seal = ArchiveSeal(
        training_class=training_class,
        sequence=(previous.sequence + 1) if previous else 1,
        head=result.head,
        previous_head=previous.head if previous else "",
        record_count=result.count,
        section_heads=result.section_heads,
        reason=reason[:200],
        sealed_by=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=current_context().actor_label,
    )
    return audited_create(seal)


@transaction.atomic
def archive_amend(
    *,
    actor: User,
    training_class: TrainingClass,
    reason: str,
    add_events: list[dict] | None = None,
    move_events: list[dict] | None = None,
) -> ArchiveSeal:
    """Change a sealed archive: add attendance events (with evidence named in ``reason``) or correct their
    times. Records who, why and what, recomputes the hours and re-seals with the amendment in the chain."""
    require_perm(actor, Perm.ARCHIVE_AMEND)
    require_own(actor, training_class.organization)
    if training_class.status != ClassStatus.CLOSED:
        raise Conflict("not_sealed", _("Only a sealed archive is amended; an open class is simply corrected."))
    if not reason or not reason.strip():
        raise DomainError("reason_required", _("Say why the sealed archive is changed."))
    mismatch = next(
        (m for _id, m in archive.verify([training_class.pk]) if m is not None), None
    )  # never amend a tampered archive
    if mismatch is not None:
        raise Conflict(
            "archive_tampered",
            _("The archive no longer matches its seal (%(sections)s): it must be investigated, not amended."),
            {"sections": ", ".join(mismatch.sections)},
        )
    changes: list[dict] = []
    lessons = {lesson.lesson_code: lesson for lesson in training_class.lessons.all()}
    for spec in add_events or []:
        lesson = lessons.get(spec["lesson_code"])
        person = Person.objects.filter(id_number=spec["id_number"]).first()
        if lesson is None or person is None:
            raise DomainError("amendment_invalid", _("Unknown lesson or person in the amendment."))
        if not training_class.enrolments.filter(person=person).exists():
            raise DomainError("not_enrolled", _("The person is not enrolled in this lesson's class."))
        event = AttendanceEvent.objects.create(
            lesson=lesson,
            person=person,
            event=spec["event"],
            at=spec["at"],
            source=AttendanceSource.MANUAL,
            device_code="amendment",
        )
        changes.append(
            {"op": "add_event", "lesson": lesson.lesson_code, "person": person.masked_id_number,
             "event": event.event, "at": event.at.isoformat()}
        )  # fmt: skip
    for spec in move_events or []:
        event = AttendanceEvent.objects.select_related("lesson", "person").get(
            pk=spec["event_id"], lesson__training_class=training_class
        )
        old = event.at
        event.at = spec["at"]
        event.save(update_fields=["at"])
        changes.append(
            {"op": "move_event", "lesson": event.lesson.lesson_code, "person": event.person.masked_id_number,
             "event": event.event, "from": old.isoformat(), "to": event.at.isoformat()}
        )  # fmt: skip
    if not changes:
        raise DomainError("amendment_empty", _("The amendment changes nothing."))
    sequence = (training_class.amendments.order_by("-sequence").values_list("sequence", flat=True).first() or 0) + 1
    amendment = ArchiveAmendment(
        training_class=training_class,
        sequence=sequence,
        actor=actor,
        actor_label=current_context().actor_label,
        reason=reason.strip(),
        changes=changes,
    )
    audited_create(amendment)  # the change log gets the who, why and what (the changes) with it
    hours.recompute([training_class.pk])
    return seal(training_class, actor=actor, reason=f"{_('Amendment')} {sequence}: {reason.strip()}"[:200])
