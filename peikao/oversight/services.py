"""The write path of oversight: running the detectors into alerts (an upsert by fingerprint, in bulk) and the
named steps of an alert's review — review, confirm into an inspection finding, dismiss with a reason, reopen.

Every write is in the change log; every step leaves an ``AlertEvent``.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from string import Formatter
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, current_context, record_bulk, snapshot
from peikao.core.choices import ChangeAction
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.models import Region, User
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import TRANSITION_REFUSED, apply_transition
from peikao.enforcement import selectors as enforcement_selectors
from peikao.enforcement import services as enforcement
from peikao.enforcement.choices import FindingSource, InspectionKind, InspectionStatus, PlanStatus
from peikao.enforcement.models import Finding, Inspection, InspectionPlan
from peikao.oversight.choices import ALERT_TRANSITIONS, AlertState, DismissReason
from peikao.oversight.detectors import REGISTRY, Found, RunScope
from peikao.oversight.detectors.base import fingerprint
from peikao.oversight.models import Alert, AlertEvent, Detector, DetectorRun
from peikao.registry.models import Organization

CHUNK = 1000
REFRESHED = ("period_from", "period_to", "severity", "evidence", "explanation", "violation_code", "last_seen")


@dataclass(frozen=True)
class DetectResult:
    """What one detector's run found: alerts in all, and how many of them are new."""

    code: str
    found: int
    created: int
    seconds: float


class _Figures(dict):
    """Explanation figures; a placeholder the template names but the detector did not give stays visible."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_explanation(template: str, figures: dict[str, Any]) -> str:
    """The detector's Chinese template filled with the evidence figures."""
    return Formatter().vformat(template, (), _Figures(figures))


def _jsonable(value: Any) -> Any:
    """Evidence as the database returns it (so that an unchanged re-run compares equal)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _run_scope(
    *, actor: User | None, region: str | None, date_from: dt.date | None, date_to: dt.date | None
) -> tuple[str, str]:
    """The region prefix of a run (the actor's jurisdiction at most) and its code as given."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise DomainError("dates_reversed", _("The start date is after the end date."), field="date_from")
    prefix = ""
    if region:
        found = Region.objects.filter(code=region).first()
        if found is None:
            raise DomainError("unknown_region", _("No region has the code %(code)s."), {"code": region}, field="region")
        prefix = found.prefix
    if actor is not None and not actor.sees_everything:
        own = actor.region.prefix if actor.is_regulator and actor.region is not None else None
        if own is None:
            raise PermissionDenied("outside_jurisdiction", _("The subject is outside your jurisdiction."))
        if not prefix:
            prefix = own
        elif not prefix.startswith(own):
            raise PermissionDenied("outside_jurisdiction", _("The region is outside your jurisdiction."))
    return prefix, region or ""


def alerts_detect(
    *,
    actor: User | None,
    detectors: list[str] | None = None,
    region: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[DetectResult]:
    """Run the detectors (all active ones by default) over the subjects of ``region`` (a region code; the actor's
    jurisdiction by default) and the activity of the Beijing days ``date_from``–``date_to``, with the thresholds
    in force today. Each alert found is upserted by its fingerprint: a new one is created in state new; one found
    before gets its evidence, explanation and period refreshed and its review state left alone. ``actor`` is None
    for a scheduled run. Each detector's run is one transaction and is recorded (``DetectorRun``)."""
    if actor is not None:
        require_perm(actor, Perm.COMPLIANCE_SCAN)
    prefix, region_code = _run_scope(actor=actor, region=region, date_from=date_from, date_to=date_to)
    wanted = Detector.objects.filter(active=True).order_by("position", "code")
    if detectors:
        unknown = sorted(
            set(detectors) - set(Detector.objects.values_list("code", flat=True))
            | {code for code in detectors if code not in REGISTRY}
        )
        if unknown:
            raise DomainError(
                "unknown_detector",
                _("No detector has the code %(code)s."),
                {"code": ", ".join(unknown)},
                field="detector",
            )
        wanted = wanted.filter(code__in=detectors)
    today = timezone.localdate()
    results = []
    for detector in wanted:
        scope = RunScope(
            thresholds=detector.thresholds_on(today), region_prefix=prefix, date_from=date_from, date_to=date_to
        )
        started = time.perf_counter()
        with transaction.atomic():
            found, created = _upsert(detector, REGISTRY[detector.code](scope))
            seconds = time.perf_counter() - started
            run = DetectorRun(
                detector=detector,
                region_code=region_code,
                date_from=date_from,
                date_to=date_to,
                seconds=round(seconds, 3),
                found=found,
                created=created,
                actor_label=current_context().actor_label[:150],
            )
            audited_create(run, validate=False)
        results.append(DetectResult(code=detector.code, found=run.found, created=created, seconds=run.seconds))
    return results


def _upsert(detector: Detector, found: list[Found]) -> tuple[int, int]:
    """Create the new alerts and refresh the known ones, in bulk; log both; return how many alerts were found (one
    per fingerprint) and how many of them are new."""
    now = timezone.now()
    rows: dict[str, Alert] = {}
    for item in found:
        key = fingerprint(detector.code, item.organization_id, item.person_id, item.keys)
        rows[key] = Alert(
            fingerprint=key,
            detector_id=detector.code,
            organization_id=item.organization_id,
            person_id=item.person_id,
            period_from=item.period_from,
            period_to=item.period_to,
            severity=detector.severity,
            evidence=_jsonable(item.evidence),
            explanation=render_explanation(detector.explanation, item.figures),
            violation_code=detector.violation_code,
            first_seen=now,
            last_seen=now,
            updated_at=now,
        )
    keys = list(rows)
    created: list[Alert] = []
    log: list[tuple[str, Alert, dict | None, dict | None]] = []
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        known = {alert.fingerprint: alert for alert in Alert.objects.select_for_update().filter(fingerprint__in=chunk)}
        changed = []
        for key in chunk:
            fresh = rows[key]
            alert = known.get(key)
            if alert is None:
                created.append(fresh)
                continue
            before = snapshot(alert)
            for field in REFRESHED:
                setattr(alert, field, getattr(fresh, field))
            alert.updated_at = now
            changed.append(alert)
            log.append((ChangeAction.UPDATE, alert, before, snapshot(alert)))
        if changed:
            Alert.objects.bulk_update(changed, [*REFRESHED, "updated_at"], batch_size=CHUNK)
    Alert.objects.bulk_create(created, batch_size=CHUNK)
    log.extend((ChangeAction.CREATE, alert, None, snapshot(alert)) for alert in created)
    # The change log names each alert by its subject (Alert.__str__): the subjects are fetched in one query,
    # not one an alert.
    subjects = Organization.objects.in_bulk({alert.organization_id for _action, alert, _b, _a in log})
    for _action, alert, _before, _after in log:
        alert.organization = subjects[alert.organization_id]
    record_bulk(log)
    return len(rows), len(created)


# -- the review ----------------------------------------------------------------------------------------------


def _require_reviewer(actor: User, alert: Alert) -> None:
    require_perm(actor, Perm.INSPECT)
    if not Alert.objects.visible_to(actor).filter(pk=alert.pk).exists():
        raise PermissionDenied("outside_jurisdiction", _("The subject is outside your jurisdiction."))


def _require_state(alert: Alert, state: str, to: str) -> None:
    """A step named for one starting state (review: from new; reopen: from dismissed) starts from no other."""
    if alert.state != state:
        raise Conflict("transition_not_allowed", TRANSITION_REFUSED, {"old": alert.state, "new": to})


def _step(alert: Alert, to: str, actor: User, reason: str = "", changes: dict | None = None) -> AlertEvent:
    return apply_transition(
        alert,
        to_status=to,
        transitions=ALERT_TRANSITIONS,
        event_model=AlertEvent,
        owner_field="alert",
        actor=actor,
        reason=reason,
        status_field="state",
        changes={"updated_at": timezone.now(), **(changes or {})},
    )


@transaction.atomic
def alert_review(*, actor: User, alert: Alert, note: str = "") -> AlertEvent:
    """Take a new alert into review (a regulator is looking at it)."""
    _require_reviewer(actor, alert)
    _require_state(alert, AlertState.NEW, AlertState.REVIEWING)
    return _step(alert, AlertState.REVIEWING, actor, note.strip())


@transaction.atomic
def alert_reopen(*, actor: User, alert: Alert, note: str) -> AlertEvent:
    """Take a dismissed alert back into review (new evidence, a dismissal found wrong); the reason is required."""
    _require_reviewer(actor, alert)
    if not note.strip():
        raise DomainError("reason_required", _("Say why the alert is reopened."), field="note")
    _require_state(alert, AlertState.DISMISSED, AlertState.REVIEWING)
    return _step(alert, AlertState.REVIEWING, actor, note.strip(), {"dismiss_reason": ""})


@transaction.atomic
def alert_dismiss(*, actor: User, alert: Alert, reason: str, note: str = "") -> AlertEvent:
    """Dismiss an alert with a reason (a data error is then corrected through the normal import); "other" needs
    the reason in words. A new alert is taken into review first (both steps are recorded)."""
    _require_reviewer(actor, alert)
    if reason not in DismissReason.values:
        raise DomainError("reason_required", _("Choose why the alert is dismissed."), field="reason")
    if reason == DismissReason.OTHER and not note.strip():
        raise DomainError("reason_required", _("Say why the alert is dismissed."), field="note")
    if alert.state == AlertState.NEW:
        _step(alert, AlertState.REVIEWING, actor)
    text = str(DismissReason(reason).label) if not note.strip() else note.strip()
    return _step(alert, AlertState.DISMISSED, actor, text, {"dismiss_reason": reason, "note": note.strip()})


@transaction.atomic
def alert_confirm(
    *,
    actor: User,
    alert: Alert,
    inspection: Inspection | None = None,
    inspectors: list[User] | None = None,
    inspected_on: dt.date | None = None,
    kind: str = InspectionKind.SPECIAL,
    note: str = "",
) -> Finding:
    """Confirm an alert into a finding of an inspection of its subject: the given planned or open inspection, or a
    new one (special by default) by ``inspectors`` (two at least, of the subject's jurisdiction). A planned
    inspection is started (its record opens). The finding carries the suggested catalogue item in force, the
    explanation with its evidence figures and the person; the alert keeps the link. A new alert is taken into
    review first."""
    _require_reviewer(actor, alert)
    if alert.state not in (AlertState.NEW, AlertState.REVIEWING):
        raise Conflict("transition_not_allowed", TRANSITION_REFUSED, {"old": alert.state, "new": AlertState.CONFIRMED})
    if inspection is None:
        inspection = enforcement.inspection_create(
            actor=actor,
            organization=alert.organization,
            kind=kind,
            inspected_on=inspected_on or timezone.localdate(),
            inspectors=list(inspectors or []),
        )
    elif inspection.organization_id != alert.organization_id:
        raise DomainError("other_subject", _("The inspection is of another subject."), field="inspection")
    elif inspection.status == InspectionStatus.COMPLETED:
        raise Conflict("inspection_completed", _("The inspection is completed; choose another or a new one."))
    if inspection.status == InspectionStatus.PLANNED:
        enforcement.inspection_start(actor=actor, inspection=inspection)
    if alert.state == AlertState.NEW:
        _step(alert, AlertState.REVIEWING, actor)
    description = f"{alert.explanation}（监管预警：{alert.detector.name}，预警编号{alert.pk}）"
    if note.strip():
        description = f"{description}\n{note.strip()}"
    finding = enforcement.finding_record(
        actor=actor,
        inspection=inspection,
        violation=enforcement_selectors.current_item(alert.violation_code) if alert.violation_code else None,
        description=description,
        person=alert.person,
        source=FindingSource.MANUAL,
    )
    _step(alert, AlertState.CONFIRMED, actor, note.strip(), {"inspection": inspection, "finding": finding})
    return finding


@transaction.atomic
def alert_force_into_plan(*, actor: User, alert: Alert, plan: InspectionPlan, note: str = "") -> AlertEvent:
    """Confirm an alert by putting its subject first in the next draw of ``plan`` (a draft plan of a region that
    holds the subject and draws its kind): the draw takes it before all others (enforcement.hooks.forced_subjects,
    answered by ``oversight.draw.forced_by_alert``). A new alert is taken into review first."""
    _require_reviewer(actor, alert)
    require_perm(actor, Perm.PLAN_MANAGE)
    if alert.state not in (AlertState.NEW, AlertState.REVIEWING):
        raise Conflict("transition_not_allowed", TRANSITION_REFUSED, {"old": alert.state, "new": AlertState.CONFIRMED})
    if not InspectionPlan.objects.visible_to(actor).filter(pk=plan.pk).exists():
        raise PermissionDenied("outside_jurisdiction", _("The plan is outside your jurisdiction."))
    if plan.status != PlanStatus.DRAFT:
        raise Conflict("plan_drawn", _("The plan has been drawn; choose a plan whose draw is still to come."))
    organization = alert.organization
    if not plan.region.contains(organization.region_id):
        raise DomainError("plan_region", _("The subject is outside the plan's region."), field="plan")
    if plan.subject_kinds and organization.kind not in plan.subject_kinds:
        raise DomainError("plan_kind", _("The plan does not draw subjects of this kind."), field="plan")
    if alert.state == AlertState.NEW:
        _step(alert, AlertState.REVIEWING, actor)
    reason = note.strip() or f"列入抽查计划“{plan.name}”的下一次抽取"
    return _step(alert, AlertState.CONFIRMED, actor, reason, {"forced_plan": plan})
