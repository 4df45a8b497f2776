"""Grades: recomputed set-based from the record up to an as-of date, overridden by a region with a reason until a
day, and never changed silently (every change leaves a GradeEvent, the subject's notice, and a change-log row)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, current_context, record_bulk_rows, snapshot
from peikao.core.bulk import insert_rows, reserve_ids, update_rows
from peikao.core.errors import DomainError, PermissionDenied
from peikao.core.events import current_request_id
from peikao.core.models import Region, User
from peikao.core.permissions import Perm, require_perm
from peikao.core.scoping import region_code_range
from peikao.oversight.grading import indicators, rules
from peikao.oversight.grading.choices import GRADED_KINDS, EnterpriseScope, GradeChange, GradeLetter
from peikao.oversight.grading.models import Grade, GradeEvent, IndicatorSet
from peikao.registry.choices import OrganizationKind, OrganizationStatus
from peikao.registry.models import Organization

BATCH = 2000


def indicator_set_on(day: dt.date) -> IndicatorSet:
    """The indicator set in force on ``day`` (the latest that started), or a coded error."""
    found = IndicatorSet.objects.in_force(day).order_by("-valid_from", "-version").first()
    if found is None:
        raise DomainError(
            "no_indicator_set",
            _("No grading indicator set is in force on %(day)s: run load_reference."),
            {"day": day.isoformat()},
        )
    return found


def subjects_of(kind: str, region: Region | None, indicator_set: IndicatorSet | None = None) -> QuerySet[Organization]:
    """The organisations of ``kind`` that are graded: in ``region`` (and below), not closed. Enterprises: those of
    the high-risk industries unless ``indicator_set`` grades every enterprise — and any enterprise graded already
    (its grade is kept up to date, never left stale nor dropped without notice)."""
    qs = Organization.objects.filter(kind=kind).exclude(status=OrganizationStatus.CLOSED)
    if region is not None:
        qs = qs.filter(region__code__range=region_code_range(region.prefix))
    if (
        kind == OrganizationKind.ENTERPRISE
        and indicator_set is not None
        and indicator_set.enterprises != EnterpriseScope.ALL
    ):
        graded = Grade.objects.filter(organization=OuterRef("pk"))
        qs = qs.filter(Q(industry__high_risk=True) | Exists(graded))
    return qs.order_by()


def _jsonable(measured: indicators.Measured, earned: Decimal) -> dict:
    row: dict = {"n": measured.n, "points": str(earned)}
    if measured.part:
        row["part"] = measured.part
    if measured.rate is not None:
        row["rate"] = str(measured.rate)
    if measured.extra:
        row["peer"] = measured.extra
    return row


def score_subjects(
    indicator_set: IndicatorSet, kind: str, subjects: QuerySet[Organization], as_of: dt.date
) -> dict[int, tuple[Decimal, dict]]:
    """Score and details per subject pk: one aggregate query per indicator over all the subjects at once. Only the
    subjects something was counted of are touched here; the others score 0 with no details."""
    ids = subjects.values_list("pk", flat=True).order_by()
    details: dict[int, dict] = {}
    scores: dict[int, Decimal] = {}
    for indicator in indicator_set.indicators.all():
        if kind not in indicator.kinds or indicator.code not in indicators.INDICATOR_CODES:
            continue
        for pk, measured in indicators.measure(indicator, subjects, as_of).items():
            earned = indicators.points(indicator, measured)
            details.setdefault(pk, {})[indicator.code] = _jsonable(measured, earned)
            scores[pk] = scores.get(pk, ZERO) + earned
    return {pk: (scores.get(pk, ZERO), details.get(pk, {})) for pk in ids.iterator(chunk_size=BATCH)}


ZERO = Decimal(0)


def _dump(details: dict) -> str:
    return json.dumps(details) if details else "{}"  # most subjects: nothing counted


# The columns the recomputation writes, in the order of its rows (database column names).
GRADE_COLUMNS = (
    "organization_id",
    "kind",
    "computed",
    "score",
    "details",
    "indicator_set_id",
    "as_of",
    "computed_at",
    "streak",
    "override",
    "override_reason",
    "override_until",
    "override_by_id",
    "override_region_id",
    "updated_at",
)
UPDATE_COLUMNS = ("computed", "score", "details", "indicator_set_id", "as_of", "computed_at", "updated_at", "streak")
EVENT_COLUMNS = (
    "grade_id",
    "transition",
    "change",
    "old_status",
    "new_status",
    "reason",
    "score",
    "indicator_set_version",
    "as_of",
    "actor_id",
    "actor_label",
    "time",
    "request_id",
)


def _event(grade_id: int, old: str, new: str, change: str, **fields) -> GradeEvent:
    context = current_context()
    return GradeEvent(
        grade_id=grade_id,
        transition=change,
        change=change,
        old_status=old,
        new_status=new,
        actor=context.actor if getattr(context.actor, "is_authenticated", False) else None,
        actor_label=context.actor_label[:150],
        time=timezone.now(),
        request_id=current_request_id(),
        **fields,
    )


def _insert_grades(rows: list[tuple], subjects: QuerySet[Organization]) -> dict[int, int]:
    """Insert new grades (rows in ``GRADE_COLUMNS`` order) in one COPY; their pks by subject pk."""
    ids = reserve_ids(Grade, len(rows))
    if ids is not None:
        insert_rows(Grade, ("id", *GRADE_COLUMNS), ((pk, *row) for pk, row in zip(ids, rows, strict=True)))
        return {row[0]: pk for pk, row in zip(ids, rows, strict=True)}
    insert_rows(Grade, GRADE_COLUMNS, rows)  # no sequence to reserve from (SQLite): read the keys back
    return dict(Grade.objects.filter(organization__in=subjects).values_list("organization_id", "id"))


@transaction.atomic
def grades_recompute(*, actor: User | None, region: Region | None = None, as_of: dt.date | None = None) -> dict:
    """Recompute the grades of every graded kind in ``region`` (all regions: None) from the record up to
    ``as_of`` (today by default), by the indicator set in force that day. A new or changed grade is written with
    an event (its notice); an override that ended before ``as_of`` is lifted with an event. Returns the count per
    grade of each kind: ``{kind: {"A": n, ...}}``.

    Set-based: one aggregate query per indicator over all the subjects of a kind; the new grades, the changed
    ones, their events and the change log are each written in one bulk statement (COPY on PostgreSQL)."""
    if actor is not None:
        require_perm(actor, Perm.PLAN_MANAGE)
        own = actor.region
        if not actor.sees_everything and (region is None or own is None or not own.contains(region.code)):
            raise PermissionDenied("outside_jurisdiction", _("The region is outside your jurisdiction."))
    as_of = as_of or timezone.localdate()
    indicator_set = indicator_set_on(as_of)
    version = indicator_set.version
    bands = {"max_a": indicator_set.max_a, "max_b": indicator_set.max_b, "max_c": indicator_set.max_c}
    context = current_context()
    actor_id = context.actor.pk if getattr(context.actor, "is_authenticated", False) else None
    label, request_id = context.actor_label[:150], current_request_id()
    now = timezone.now()
    day = as_of.isoformat()
    summary: dict[str, dict[str, int]] = {}

    def event(grade_id: int, old: str, new: str, change: str, score: Decimal, reason: str = "") -> tuple:
        """A row of ``EVENT_COLUMNS``: the grade's change, by whoever runs the recomputation."""
        return (grade_id, change, change, old, new, reason, score, version, as_of, actor_id, label, now, request_id)

    for kind in GRADED_KINDS:
        subjects = subjects_of(kind, region, indicator_set)
        scored = score_subjects(indicator_set, kind, subjects, as_of)
        existing = {
            row[1]: row
            for row in Grade.objects.filter(organization__in=subjects)
            .values_list(
                "id",
                "organization_id",
                "computed",
                "score",
                "details",
                "indicator_set_id",
                "override",
                "override_until",
                "streak",
                "as_of",
            )
            .order_by()
            .iterator(chunk_size=BATCH)
        }
        # A later day's grading that keeps the computed grade lengthens its streak (exit rule GRADE_D_TWICE);
        # one statement for all, before the changed rows are written back with a streak of one.
        Grade.objects.filter(organization__in=subjects, as_of__lt=as_of).update(streak=F("streak") + 1, as_of=as_of)
        creates: list[tuple] = []
        updates: list[tuple] = []
        events: list[tuple] = []
        log: list[tuple[str, int, str, dict | None, dict | None]] = []
        counts: Counter[str] = Counter()

        for pk, (score, details) in scored.items():
            grade_letter = rules.letter(score, **bands)
            old = existing.get(pk)
            if old is None:
                creates.append(
                    (pk, kind, grade_letter, score, _dump(details), version, as_of, now, 1, "", "", None, None,
                     None, now)
                )  # fmt: skip
                counts[grade_letter] += 1
                continue
            grade_id, _org, old_letter, old_score, old_details, old_set, override, until, old_streak, old_as_of = old
            override_live = bool(override) and until is not None
            ended = until is not None and override_live and until < as_of
            counts[override if override_live and not ended else grade_letter] += 1
            same = old_letter == grade_letter and old_score == score and old_details == details and old_set == version
            later = old_as_of < as_of
            streak = 1 if old_letter != grade_letter else old_streak + (1 if later else 0)
            kept = {"streak": old_streak, "as_of": old_as_of.isoformat()}
            if same and not ended:
                if later:  # the statement above lengthened its streak: a change like any other, logged
                    log.append(("update", grade_id, f"{pk} {grade_letter}", kept, {"streak": streak, "as_of": day}))
                continue
            updates.append((grade_id, grade_letter, score, _dump(details), version, as_of, now, now, streak))
            before = {"computed": old_letter, "score": str(old_score), "set": old_set, **kept}
            after = {"computed": grade_letter, "score": str(score), "set": version, "streak": streak, "as_of": day}
            if ended:
                before["override"], after["override"] = override, ""
                reason = str(_("The override ended on %(day)s.") % {"day": until})
                events.append(event(grade_id, override, grade_letter, GradeChange.OVERRIDE_ENDED, score, reason))
            if old_letter != grade_letter:
                events.append(event(grade_id, old_letter, grade_letter, GradeChange.COMPUTED, score))
            log.append(("update", grade_id, f"{pk} {grade_letter}", before, after))
        if creates:
            made = _insert_grades(creates, subjects)
            for row in creates:
                pk, _kind, grade_letter, score = row[:4]
                events.append(event(made[pk], "", grade_letter, GradeChange.COMPUTED, score))
                log.append(
                    ("create", made[pk], f"{pk} {grade_letter}", None,
                     {"computed": grade_letter, "score": str(score), "set": version})
                )  # fmt: skip
        # Only the fields a recomputation sets: an override made meanwhile is not overwritten by a stale one. One
        # set-based statement (PostgreSQL: an UPDATE from the copied rows).
        update_rows(Grade, UPDATE_COLUMNS, updates)
        # Overrides that ended before the as-of day (each has its event above) are lifted in one statement.
        Grade.objects.filter(organization__in=subjects, override_until__lt=as_of).exclude(override="").update(
            override="", override_reason="", override_until=None, override_by=None, override_region=None
        )
        insert_rows(GradeEvent, EVENT_COLUMNS, events)
        record_bulk_rows(Grade, log)
        summary[kind] = {letter: counts.get(letter, 0) for letter in GradeLetter.values}
    return summary


@transaction.atomic
def grade_override(*, actor: User, grade: Grade, letter: str, reason: str, until: dt.date) -> GradeEvent:
    """A region sets a subject's grade by hand: only with a reason, only until a day (at most a year ahead), by a
    regulator whose jurisdiction holds the subject; the computed grade stays beside it and returns when it ends."""
    require_perm(actor, Perm.PLAN_MANAGE)
    locked = Grade.objects.select_for_update().select_related("organization__region").get(pk=grade.pk)
    own = actor.region
    if not actor.sees_everything and (own is None or not own.contains(locked.organization.region_id)):
        raise PermissionDenied("outside_jurisdiction", _("The subject is outside your jurisdiction."))
    if letter not in GradeLetter.values:
        raise DomainError("grade_unknown", _("Choose a grade A, B, C or D."), field="letter")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("override_reason", _("Say why the grade is overridden."), field="reason")
    today = timezone.localdate()
    if until <= today or until > today + dt.timedelta(days=366):
        raise DomainError("override_until", _("An override ends after today and within a year."), field="until")
    old = locked.effective
    before = snapshot(locked)
    locked.override, locked.override_reason, locked.override_until = letter, reason, until
    locked.override_by, locked.override_region = actor, own
    audited_update(locked, before)
    return audited_create(
        _event(
            locked.pk,
            old,
            letter,
            GradeChange.OVERRIDE,
            score=locked.score,
            indicator_set_version=locked.indicator_set_id,
            as_of=today,
            reason=reason,
        )
    )


@transaction.atomic
def grade_override_end(*, actor: User, grade: Grade, reason: str) -> GradeEvent:
    """End an override before its day (a reason is required); the computed grade counts again."""
    require_perm(actor, Perm.PLAN_MANAGE)
    locked = Grade.objects.select_for_update().select_related("organization__region").get(pk=grade.pk)
    own = actor.region
    if not actor.sees_everything and (own is None or not own.contains(locked.organization.region_id)):
        raise PermissionDenied("outside_jurisdiction", _("The subject is outside your jurisdiction."))
    if not locked.override:
        raise DomainError("no_override", _("This grade is not overridden."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("override_reason", _("Say why the override ends."), field="reason")
    old = locked.effective
    before = snapshot(locked)
    locked.override, locked.override_reason, locked.override_until = "", "", None
    locked.override_by, locked.override_region = None, None
    audited_update(locked, before)
    return audited_create(
        _event(
            locked.pk,
            old,
            locked.computed,
            GradeChange.OVERRIDE_ENDED,
            score=locked.score,
            indicator_set_version=locked.indicator_set_id,
            as_of=timezone.localdate(),
            reason=reason,
        )
    )
