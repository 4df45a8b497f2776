"""Attendance: entered by hand, sent by devices and platforms, or imported from attendance.csv (docs/adr/0005)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Collection

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, current_context, record_bulk_rows, snapshot
from peikao.core.bulk import insert_rows, insert_rows_ignoring_duplicates
from peikao.core.choices import ChangeAction
from peikao.core.errors import Conflict, DomainError
from peikao.core.i18n import both
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.core.validators import within_calendar
from peikao.registry.models import Organization, Person
from peikao.training.attendance import AttendanceChecker
from peikao.training.choices import AttendanceKind, AttendanceSource
from peikao.training.models import AttendanceBatch, AttendanceDevice, AttendanceEvent, Enrolment, Lesson, TrainingClass
from peikao.training.services._shared import check_open, require_own
from peikao.training.services.credited_hours import mark_hours_stale


@transaction.atomic
def attendance_record(
    *, actor: User, lesson: Lesson, person: Person, event: str, at: dt.datetime, note: str = ""
) -> AttendanceEvent:
    """Manual attendance entry (source ``manual``), for when a device failed; logged like any change."""
    require_perm(actor, Perm.ATTENDANCE_RECORD)
    require_own(actor, lesson.training_class.organization)
    check_open(lesson.training_class)
    if event not in AttendanceKind.values:
        raise DomainError("bad_event", _("An attendance event is in or out."))
    if not Enrolment.objects.filter(training_class=lesson.training_class, person=person).exists():
        raise DomainError("not_enrolled", _("The person is not enrolled in this lesson's class."))
    if timezone.localdate(at) != timezone.localdate(lesson.starts_at):
        raise DomainError("time_not_sane", _("The time is not on the lesson's day."))
    if AttendanceEvent.objects.filter(lesson=lesson, person=person, event=event, at=at).exists():
        raise Conflict("duplicate_event", _("This event is already recorded."))
    record = AttendanceEvent(
        lesson=lesson, person=person, event=event, at=at, source=AttendanceSource.MANUAL, device_code=note[:64]
    )
    audited_create(record)
    mark_hours_stale([lesson.training_class_id])
    return record


ATTENDANCE_COLUMNS = ("lesson_id", "person_id", "event", "at", "source", "device_code", "batch_id", "import_run_id",
                      "received_at")  # fmt: skip


def attendance_insert_bulk(*, rows: list[tuple]) -> int:
    """Insert attendance rows (ATTENDANCE_COLUMNS order), skipping facts already recorded; return the number new.

    New evidence is the common case: when none of the batch's lessons has any event yet (as this transaction
    sees it), the rows go in with a plain COPY; otherwise (re-sent or overlapping data) through a staging
    table and ``ON CONFLICT DO NOTHING``. A concurrent writer that got there first only sends us down the
    second path."""
    conflict = ("lesson_id", "person_id", "event", "at")
    unique = list({(row[0], row[1], row[2], row[3]): row for row in reversed(rows)}.values())
    if connection.vendor == "postgresql" and unique:
        lessons = list({row[0] for row in unique})
        with connection.cursor() as cursor:
            # One index probe per lesson: a plain ``lesson_id = ANY(…) LIMIT 1`` tempts the planner into a
            # sequential scan (it expects an early hit), which over ten million rows is a scan per chunk.
            cursor.execute(
                "SELECT 1 FROM unnest(%s::bigint[]) AS l(id) WHERE EXISTS "
                "(SELECT 1 FROM training_attendanceevent e WHERE e.lesson_id = l.id) LIMIT 1",
                [lessons],
            )
            recorded = cursor.fetchone() is not None
        if not recorded:
            try:
                with transaction.atomic():
                    return insert_rows(AttendanceEvent, ATTENDANCE_COLUMNS, unique)
            except IntegrityError:
                pass
    return insert_rows_ignoring_duplicates(AttendanceEvent, ATTENDANCE_COLUMNS, unique, conflict)


@transaction.atomic
def attendance_import_finish(*, class_ids: Collection[int], run_id: int | None) -> None:
    """After an attendance file: the hours of the classes it touched are computed again when next read, and the
    change log says which classes the import run touched (each attendance row carries its run instead)."""
    mark_hours_stale(class_ids)
    record_bulk_rows(
        TrainingClass,
        [
            (ChangeAction.UPDATE, pk, f"class #{pk}", None, {"attendance_import_run": run_id})
            for pk in sorted(class_ids)
        ],
    )


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def device_register(
    *, actor: User, organization: Organization, device_code: str, kind: str, name: str = ""
) -> tuple[AttendanceDevice, str]:
    """Register an attendance device or online platform; its key is shown once and stored only as a hash."""
    require_perm(actor, Perm.DEVICE_MANAGE)
    require_own(actor, organization)
    if AttendanceDevice.objects.filter(device_code=device_code).exists():
        raise Conflict("device_exists", _("A device with this code is already registered."))
    raw = "dv_" + secrets.token_urlsafe(32)
    device = AttendanceDevice(
        device_code=device_code.strip(),
        organization=organization,
        kind=kind,
        name=name,
        key_prefix=raw[:10],
        key_hash=_hash_key(raw),
    )
    audited_create(device)
    return device, raw


@transaction.atomic
def device_deactivate(*, actor: User, device: AttendanceDevice) -> AttendanceDevice:
    """Withdraw a device's key (lost, stolen, replaced): its key stops working at once; what it sent stays as
    evidence. A device is never reactivated — a replacement is registered with a new key and code."""
    require_perm(actor, Perm.DEVICE_MANAGE)
    require_own(actor, device.organization)
    device = AttendanceDevice.objects.select_for_update().get(pk=device.pk)
    if not device.is_active:
        raise Conflict("device_inactive", _("This device's key has already been withdrawn."))
    before = snapshot(device)
    device.is_active = False
    audited_update(device, before)
    return device


def device_authenticate(raw: str) -> AttendanceDevice | None:
    if not raw or not raw.startswith("dv_"):
        return None
    device = AttendanceDevice.objects.select_related("organization").filter(key_hash=_hash_key(raw)).first()
    if device is None or not device.is_active:
        return None
    return device


MAX_BATCH_EVENTS = 5000


def attendance_ingest(*, device: AttendanceDevice, batch_id: str, events: list[dict]) -> AttendanceBatch:
    """Take a batch of events from a device or platform. Idempotent: a batch id already received returns the
    stored outcome and changes nothing. Each event is checked (enrolled person, known lesson of the
    device's organisation, open class, sane time); rejected events are reported back with their reasons."""
    batch_id = (batch_id or "").strip()
    if not batch_id or len(batch_id) > 100:
        raise DomainError("batch_id_required", _("A batch needs a batch_id of at most 100 characters."))
    if len(events) > MAX_BATCH_EVENTS:
        raise DomainError("batch_too_large", _("At most %(n)d events a batch."), {"n": MAX_BATCH_EVENTS})
    existing = AttendanceBatch.objects.filter(device=device, batch_id=batch_id).first()
    if existing is not None:
        return existing
    now = timezone.now()
    checker = AttendanceChecker(organization_id=device.organization_id)
    checker.load({str(e.get("lesson_code", "")) for e in events}, {str(e.get("id_number", "")).upper() for e in events})
    rows: list[tuple] = []
    report: list[dict] = []
    classes: set[int] = set()
    default_source = AttendanceSource.ONLINE if device.kind == "online" else device.kind
    for index, item in enumerate(events):
        at = _parse_at(item.get("at"))
        source = item.get("source") or default_source
        ids, problem = checker.check(
            str(item.get("lesson_code", "")), str(item.get("id_number", "")).upper(), item.get("event"), at, now
        )
        if problem is None and source not in AttendanceSource.values:
            problem = ("source", _("Unknown source."), {})
        if problem is not None:
            zh, en = both(problem[1], problem[2])
            report.append({"index": index, "field": problem[0], "reason_zh": zh, "reason_en": en})
            continue
        rows.append((ids[0], ids[2], item["event"], at, source, device.device_code, None, None, now))
        classes.add(ids[1])
    with transaction.atomic():
        batch = AttendanceBatch.objects.create(
            device=device,
            batch_id=batch_id,
            received_at=now,
            request_id=current_context().request_id,
            rejected=len(report),
            report=report,
        )
        rows = [row[:6] + (batch.pk,) + row[7:] for row in rows]
        inserted = attendance_insert_bulk(rows=rows) if rows else 0
        batch.accepted, batch.duplicates = inserted, len(rows) - inserted
        batch.save(update_fields=["accepted", "duplicates"])
        AttendanceDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        mark_hours_stale(classes)
    return batch


def _parse_at(value) -> dt.datetime | None:
    """ISO 8601; without an offset, Beijing time (docs/exchange.md)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return parsed if within_calendar(parsed) else None  # 0001-01-01 east of Beijing: no day to judge it by
