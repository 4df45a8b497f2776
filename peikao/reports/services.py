"""The reports app's write path: historical patrol records (patrols.csv) written through the exams services,
with the patroller's identity kept beside the patrol (``ImportedPatrol``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from peikao.core.audit import audited_create
from peikao.core.exchange.base import WriteCounts
from peikao.core.models import User
from peikao.exams import services as exams_services
from peikao.exams.choices import PatrolMode, Sanction
from peikao.exams.models import PatrolFinding, Registration, Sitting
from peikao.reports.models import ImportedPatrol

# outcome of patrols.csv → the sanction of the patrol finding (no_issue: a patrol without a finding)
OUTCOMES = {"no_issue": None, "warning": Sanction.WARNING, "score_cancelled": Sanction.SCORE_CANCELLED}


@dataclass(frozen=True)
class PatrolRow:
    """One cleaned row of patrols.csv."""

    sitting: Sitting
    patrolled_at: dt.datetime
    patroller_id_number: str
    outcome: str
    registration: Registration | None
    note: str


@transaction.atomic
def patrol_import_bulk(*, actor: User, rows: list[PatrolRow]) -> WriteCounts:
    """Write historical patrols: one patrol per sitting, time and patroller (the importing regulator is its
    watcher, the patroller's ID number is kept beside it), and a confirmed finding with its sanction per warned
    or cancelled candidate (a cancelled score goes through the result's transition). A row already imported
    changes nothing."""
    counts = WriteCounts()
    if not rows:
        return counts
    existing = {
        (p.patrol.sitting_id, p.patrol.started_at, p.patroller_id_number): p.patrol
        for p in ImportedPatrol.objects.filter(
            patrol__sitting__in={row.sitting.pk for row in rows},
            patroller_id_number__in={row.patroller_id_number for row in rows},
        ).select_related("patrol")
    }
    sanctioned = set(
        PatrolFinding.objects.filter(
            patrol__in=[patrol.pk for patrol in existing.values()], registration__isnull=False
        ).values_list("patrol_id", "registration_id", "sanction")
    )
    for row in rows:
        key = (row.sitting.pk, row.patrolled_at, row.patroller_id_number)
        patrol = existing.get(key)
        new = patrol is None
        if patrol is None:
            patrol = exams_services.patrol_record(
                actor=actor,
                sitting=row.sitting,
                mode=PatrolMode.LIVE,
                started_at=row.patrolled_at,
                ended_at=None,
                notes=row.note,
            )
            audited_create(
                ImportedPatrol(patrol=patrol, patroller_id_number=row.patroller_id_number, imported_by=actor)
            )
            existing[key] = patrol
        sanction = OUTCOMES[row.outcome]
        if sanction is not None and row.registration is not None:
            mark = (patrol.pk, row.registration.pk, sanction)
            if mark not in sanctioned:
                exams_services.finding_record(
                    actor=actor,
                    sitting=row.sitting,
                    observation=row.note or str(sanction.label),
                    sanction=sanction,
                    observed_at=row.patrolled_at,
                    registration=row.registration,
                    patrol=patrol,
                )
                sanctioned.add(mark)
                new = True
        if new:
            counts.imported += 1
        else:
            counts.unchanged += 1
    return counts
