"""Grades: recomputed set-based from the record up to an as-of date, overridden by a region with a reason until a
day, and never changed silently (every change leaves a GradeEvent, the subject's notice, and a change-log row)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, current_context, record_bulk_rows, snapshot
from peikao.core.errors import DomainError, PermissionDenied
from peikao.core.events import current_request_id
from peikao.core.models import Region, User
from peikao.core.permissions import Perm, require_perm
from peikao.core.scoping import region_code_range
from peikao.oversight.grading import indicators, rules
from peikao.oversight.grading.choices import GRADED_KINDS, GradeChange, GradeLetter
from peikao.oversight.grading.models import Grade, GradeEvent, IndicatorSet
from peikao.registry.choices import OrganizationStatus
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


def subjects_of(kind: str, region: Region | None) -> QuerySet[Organization]:
    """The organisations of ``kind`` that are graded: in ``region`` (and below), not closed."""
    qs = Organization.objects.filter(kind=kind).exclude(status=OrganizationStatus.CLOSED)
    if region is not None:
        qs = qs.filter(region__code__range=region_code_range(region.prefix))
    return qs


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
    """Score and details per subject pk: one aggregate query per indicator over all the subjects at once."""
    ids = list(subjects.values_list("pk", flat=True))
    details: dict[int, dict] = {pk: {} for pk in ids}
    scores: dict[int, Decimal] = dict.fromkeys(ids, Decimal(0))
    for indicator in indicator_set.indicators.all():
        if kind not in indicator.kinds or indicator.code not in indicators.INDICATOR_CODES:
            continue
        for pk, measured in indicators.measure(indicator, subjects, as_of).items():
            if pk not in details:
                continue
            earned = indicators.points(indicator, measured)
            details[pk][indicator.code] = _jsonable(measured, earned)
            scores[pk] += earned
    return {pk: (scores[pk], details[pk]) for pk in ids}


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


@transaction.atomic
def grades_recompute(*, actor: User | None, region: Region | None = None, as_of: dt.date | None = None) -> dict:
    """Recompute the grades of every graded kind in ``region`` (all regions: None) from the record up to
    ``as_of`` (today by default), by the indicator set in force that day. A new or changed grade is written with
    an event (its notice); an override that ended before ``as_of`` is lifted with an event. Returns the count per
    grade of each kind: ``{kind: {"A": n, ...}}``."""
    if actor is not None:
        require_perm(actor, Perm.PLAN_MANAGE)
        own = actor.region
        if not actor.sees_everything and (region is None or own is None or not own.contains(region.code)):
            raise PermissionDenied("outside_jurisdiction", _("The region is outside your jurisdiction."))
    as_of = as_of or timezone.localdate()
    indicator_set = indicator_set_on(as_of)
    bands = {"max_a": indicator_set.max_a, "max_b": indicator_set.max_b, "max_c": indicator_set.max_c}
    now = timezone.now()
    summary: dict[str, dict[str, int]] = {}
    for kind in GRADED_KINDS:
        subjects = subjects_of(kind, region)
        scored = score_subjects(indicator_set, kind, subjects, as_of)
        existing = {
            row["organization_id"]: row
            for row in Grade.objects.filter(organization__in=subjects).values(
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
        }
        # A later day's grading that keeps the computed grade lengthens its streak (exit rule GRADE_D_TWICE);
        # one statement for all, before the changed rows are written back with a streak of one.
        Grade.objects.filter(organization__in=subjects, as_of__lt=as_of).update(streak=F("streak") + 1, as_of=as_of)
        creates: list[Grade] = []
        updates: list[Grade] = []
        events: list[GradeEvent] = []
        log: list[tuple[str, int, str, dict | None, dict | None]] = []
        counts: Counter[str] = Counter()
        for pk, (score, details) in scored.items():
            grade_letter = rules.letter(score, **bands)
            old = existing.get(pk)
            if old is None:
                creates.append(
                    Grade(
                        organization_id=pk,
                        kind=kind,
                        computed=grade_letter,
                        score=score,
                        details=details,
                        indicator_set_id=indicator_set.version,
                        as_of=as_of,
                        computed_at=now,
                        updated_at=now,
                    )
                )
                counts[grade_letter] += 1
                continue
            until: dt.date | None = old["override_until"]
            override_live = bool(old["override"]) and until is not None
            ended = until is not None and override_live and until < as_of
            counts[old["override"] if override_live and not ended else grade_letter] += 1
            same = (
                old["computed"] == grade_letter
                and Decimal(old["score"]) == score
                and old["details"] == details
                and old["indicator_set_id"] == indicator_set.version
            )
            later = old["as_of"] < as_of
            streak = 1 if old["computed"] != grade_letter else old["streak"] + (1 if later else 0)
            kept = {"streak": old["streak"], "as_of": old["as_of"].isoformat()}
            if same and not ended:
                if later:  # the statement above lengthened its streak: a change like any other, logged
                    log.append(
                        (
                            "update",
                            old["id"],
                            f"{pk} {grade_letter}",
                            kept,
                            {"streak": streak, "as_of": as_of.isoformat()},
                        )
                    )
                continue
            grade = Grade(
                pk=old["id"],
                organization_id=pk,
                kind=kind,
                computed=grade_letter,
                score=score,
                details=details,
                indicator_set_id=indicator_set.version,
                as_of=as_of,
                computed_at=now,
                updated_at=now,
                override="" if ended else old["override"],
                override_until=None if ended else old["override_until"],
                streak=streak,
            )
            updates.append(grade)
            before = {"computed": old["computed"], "score": str(old["score"]), "set": old["indicator_set_id"], **kept}
            after = {"computed": grade_letter, "score": str(score), "set": indicator_set.version}
            after |= {"streak": streak, "as_of": as_of.isoformat()}
            if ended:
                before["override"], after["override"] = old["override"], ""
                events.append(
                    _event(
                        old["id"],
                        old["override"],
                        grade_letter,
                        GradeChange.OVERRIDE_ENDED,
                        score=score,
                        indicator_set_version=indicator_set.version,
                        as_of=as_of,
                        reason=str(_("The override ended on %(day)s.") % {"day": old["override_until"]}),
                    )
                )
            if old["computed"] != grade_letter:
                events.append(
                    _event(
                        old["id"],
                        old["computed"],
                        grade_letter,
                        GradeChange.COMPUTED,
                        score=score,
                        indicator_set_version=indicator_set.version,
                        as_of=as_of,
                    )
                )
            log.append(("update", old["id"], f"{pk} {grade_letter}", before, after))
        Grade.objects.bulk_create(creates, batch_size=BATCH)
        if creates:
            if any(grade.pk is None for grade in creates):  # a database that returns no keys from a bulk insert
                made = dict(Grade.objects.filter(organization__in=subjects).values_list("organization_id", "id"))
                for grade in creates:
                    grade.pk = made[grade.organization_id]
            for grade in creates:
                events.append(
                    _event(
                        grade.pk,
                        "",
                        grade.computed,
                        GradeChange.COMPUTED,
                        score=grade.score,
                        indicator_set_version=indicator_set.version,
                        as_of=as_of,
                    )
                )
                log.append(
                    (
                        "create",
                        grade.pk,
                        f"{grade.organization_id} {grade.computed}",
                        None,
                        {"computed": grade.computed, "score": str(grade.score), "set": indicator_set.version},
                    )
                )
        if updates:
            # Only the fields a recomputation sets: an override made meanwhile is not overwritten by a stale one.
            Grade.objects.bulk_update(
                updates,
                ["computed", "score", "details", "indicator_set", "as_of", "computed_at", "updated_at", "streak"],
                batch_size=BATCH,
            )
        # Overrides that ended before the as-of day (each has its event above) are lifted in one statement.
        Grade.objects.filter(organization__in=subjects, override_until__lt=as_of).exclude(override="").update(
            override="", override_reason="", override_until=None, override_by=None, override_region=None
        )
        GradeEvent.objects.bulk_create(events, batch_size=BATCH)
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
