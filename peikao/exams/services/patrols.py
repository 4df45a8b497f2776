"""Patrols: a score cancelled, what a patrol saw and its sanction, the video-analytics feeds and their events."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, snapshot
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.models import Region, User
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import apply_transition
from peikao.exams.choices import RESULT_TRANSITIONS, FindingSource, FindingStatus, ResultStatus, Sanction
from peikao.exams.models import Patrol, PatrolFeed, PatrolFinding, Registration, Result, ResultEvent, Sitting


def result_cancel(*, actor: User, result: Result, reason: str) -> ResultEvent:
    """Cancel a score (e.g. cheating seen by a patrol): a logged transition; the result no longer passes."""
    require_perm(actor, Perm.PATROL)
    if not reason.strip():
        raise DomainError("reason_required", _("A reason is required."))
    return apply_transition(
        result,
        to_status=ResultStatus.CANCELLED,
        transitions=RESULT_TRANSITIONS,
        event_model=ResultEvent,
        owner_field="result",
        actor=actor,
        reason=reason,
        changes={"passed": False},
    )


@transaction.atomic
def patrol_record(
    *, actor: User, sitting: Sitting, mode: str, started_at: dt.datetime, ended_at: dt.datetime | None, notes: str
) -> Patrol:
    """A regulator's patrol of a sitting, live or from the recording."""
    require_perm(actor, Perm.PATROL)
    return audited_create(
        Patrol(sitting=sitting, watcher=actor, mode=mode, started_at=started_at, ended_at=ended_at, notes=notes)
    )


@transaction.atomic
def finding_record(
    *,
    actor: User,
    sitting: Sitting,
    observation: str,
    sanction: str,
    observed_at: dt.datetime,
    registration: Registration | None = None,
    patrol: Patrol | None = None,
) -> PatrolFinding:
    """What a patrol saw, and the sanction: a cancelled score changes the result through its transition."""
    require_perm(actor, Perm.PATROL)
    if sanction != Sanction.NONE and registration is None:
        raise DomainError("candidate_required", _("A sanction names the candidate."))
    finding = audited_create(
        PatrolFinding(
            sitting=sitting,
            patrol=patrol,
            registration=registration,
            source=FindingSource.PATROL,
            observed_at=observed_at,
            observation=observation,
            sanction=sanction,
            status=FindingStatus.CONFIRMED,
            reviewed_by=actor,
            reviewed_at=timezone.now(),
        )
    )
    _apply_sanction(actor, finding)
    return finding


def _apply_sanction(actor: User, finding: PatrolFinding) -> None:
    if finding.sanction == Sanction.SCORE_CANCELLED:
        result = Result.objects.filter(registration=finding.registration).first()
        if result is None:  # not submitted yet: the cancelled score is recorded now
            result = audited_create(
                Result(registration=finding.registration, status=ResultStatus.VALID, source="patrol")
            )
        if result.status != ResultStatus.CANCELLED:
            result_cancel(actor=actor, result=result, reason=f"{finding.get_sanction_display()}：{finding.observation}")


@transaction.atomic
def finding_review(
    *, actor: User, finding: PatrolFinding, confirm: bool, sanction: str = Sanction.NONE
) -> PatrolFinding:
    """A regulator confirms (with a sanction) or dismisses what video analytics reported."""
    require_perm(actor, Perm.PATROL)
    finding = PatrolFinding.objects.select_for_update().get(pk=finding.pk)
    if finding.status != FindingStatus.TO_REVIEW:
        raise Conflict("already_reviewed", _("This finding has been reviewed."))
    before = snapshot(finding)
    finding.status = FindingStatus.CONFIRMED if confirm else FindingStatus.DISMISSED
    finding.sanction = sanction if confirm else Sanction.NONE
    finding.reviewed_by, finding.reviewed_at = actor, timezone.now()
    audited_update(finding, before)
    if confirm:
        _apply_sanction(actor, finding)
    return finding


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def feed_register(*, actor: User, name: str, region: Region) -> tuple[PatrolFeed, str]:
    """Register a video-analytics feed of a region; its key is returned once, in clear, and kept as a hash."""
    require_perm(actor, Perm.PATROL)
    raw = "va_" + secrets.token_urlsafe(32)
    feed = audited_create(PatrolFeed(name=name, region=region, key_prefix=raw[:10], key_hash=_hash_key(raw)))
    return feed, raw


@transaction.atomic
def feed_deactivate(*, actor: User, feed: PatrolFeed) -> PatrolFeed:
    """Withdraw a feed's key (leaked, replaced, contract ended): it stops working at once; its findings stay.
    A regulator of the feed's region or above."""
    require_perm(actor, Perm.PATROL)
    if not actor.sees_everything and not (actor.region is not None and actor.region.contains(feed.region.code)):
        raise PermissionDenied("outside_jurisdiction", _("This feed belongs to another region."))
    feed = PatrolFeed.objects.select_for_update().get(pk=feed.pk)
    if not feed.is_active:
        raise Conflict("feed_inactive", _("This feed's key has already been withdrawn."))
    before = snapshot(feed)
    feed.is_active = False
    audited_update(feed, before)
    return feed


def feed_authenticate(raw: str) -> PatrolFeed | None:
    """The active feed with this key, or None."""
    if not raw or not raw.startswith("va_"):
        return None
    return PatrolFeed.objects.select_related("region").filter(key_hash=_hash_key(raw), is_active=True).first()


@transaction.atomic
def analytics_event(
    *,
    feed: PatrolFeed,
    external_id: str,
    sitting_code: str,
    observed_at: dt.datetime,
    observation: str,
    admission_code: str = "",
    confidence: Decimal | None = None,
) -> tuple[PatrolFinding, bool]:
    """An event from video analytics becomes a finding to review. Idempotent on (feed, external id).
    Returns (finding, created)."""
    existing = PatrolFinding.objects.filter(feed=feed, external_id=external_id).first()
    if existing is not None:
        return existing, False
    sitting = Sitting.objects.filter(
        sitting_code=sitting_code, exam_point__region__code__startswith=feed.region.prefix
    ).first()
    if sitting is None:
        raise DomainError("unknown_sitting", _("No such sitting in the feed's region."), status=404)
    registration = None
    if admission_code:
        registration = sitting.registrations.filter(admission_code=admission_code).first()
        if registration is None:
            raise DomainError("unknown_candidate", _("No candidate with this admission code in the sitting."))
    finding = PatrolFinding(
        sitting=sitting,
        registration=registration,
        source=FindingSource.ANALYTICS,
        feed=feed,
        external_id=external_id,
        observed_at=observed_at,
        observation=observation[:2000],
        confidence=confidence,
        status=FindingStatus.TO_REVIEW,
    )
    return audited_create(finding), True
