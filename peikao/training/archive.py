"""Tamper-evident training archives: a class's records, in a canonical form, hashed into a SHA-256 chain.

Sealing stores the chain's head (and the head of each section). Verifying recomputes them from the rows
as they are now: a direct SQL edit of any sealed row — a class field, a lesson, an enrolment, an
attendance event, the credited hours — changes a head and is reported. The same code builds the
records for sealing and for verifying.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from peikao.training.choices import ClassStatus
from peikao.training.models import (
    ArchiveAmendment,
    ArchiveSeal,
    AttendanceEvent,
    CreditedHours,
    Enrolment,
    Lesson,
    TrainingClass,
)

VERSION = "peikao-archive-v1"
SECTIONS = ("class", "lessons", "enrolments", "attendance", "hours", "amendments")
BATCH = 500


def _ts(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _s(value) -> str:
    return "" if value is None else str(value)


@dataclass
class ClassRecords:
    class_id: int
    class_code: str
    sections: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name in SECTIONS})


@dataclass(frozen=True)
class ChainResult:
    head: str
    count: int
    section_heads: dict[str, list]  # section → [count, head]


def chain(class_code: str, records: ClassRecords) -> ChainResult:
    """Hash the records, section by section, into one chain: h = SHA-256(h ‖ SHA-256(record))."""
    head = hashlib.sha256(f"{VERSION}|{class_code}".encode()).digest()
    count = 0
    section_heads = {}
    for name in SECTIONS:
        section = hashlib.sha256(f"{VERSION}|{name}".encode()).digest()
        rows = records.sections[name]
        for record in rows:
            digest = hashlib.sha256(record.encode()).digest()
            head = hashlib.sha256(head + digest).digest()
            section = hashlib.sha256(section + digest).digest()
        count += len(rows)
        section_heads[name] = [len(rows), section.hex()]
    return ChainResult(head.hex(), count, section_heads)


def collect(class_ids: Sequence[int]) -> dict[int, ClassRecords]:
    """The canonical records of these classes, in a few queries (one per section)."""
    out: dict[int, ClassRecords] = {}
    for row in TrainingClass.objects.filter(pk__in=class_ids).values_list(
        "pk", "class_code", "organization__org_code", "trainee_category", "training_type", "operation_item__code",
        "industry__code", "syllabus_hours", "start_date", "end_date", "required_tenths", "required_basis",
    ):  # fmt: skip
        pk, code = row[0], row[1]
        out[pk] = ClassRecords(pk, code)
        out[pk].sections["class"].append("class|" + "|".join(_s(value) for value in row[1:]))
    lessons = (
        Lesson.objects.filter(training_class_id__in=class_ids)
        .order_by("training_class_id", "lesson_code")
        .values_list("training_class_id", "lesson_code", "mode", "starts_at", "ends_at", "teacher__id_number", "venue")
    )
    for class_id, code, mode, starts, ends, teacher, venue in lessons.iterator(chunk_size=5000):
        out[class_id].sections["lessons"].append(
            f"lesson|{code}|{mode}|{_ts(starts)}|{_ts(ends)}|{_s(teacher)}|{venue}"
        )
    enrolments = (
        Enrolment.objects.filter(training_class_id__in=class_ids)
        .order_by("training_class_id", "person__id_number")
        .values_list("training_class_id", "person__id_number")
    )
    for class_id, number in enrolments.iterator(chunk_size=5000):
        out[class_id].sections["enrolments"].append(f"enrolment|{number}")
    events = (
        AttendanceEvent.objects.filter(lesson__training_class_id__in=class_ids)
        .order_by("lesson__training_class_id", "lesson__lesson_code", "person__id_number", "at", "event")
        .values_list(
            "lesson__training_class_id", "lesson__lesson_code", "person__id_number", "event", "at", "source",
            "device_code",
        )
    )  # fmt: skip
    for class_id, lesson, number, event, at, source, device in events.iterator(chunk_size=20000):
        out[class_id].sections["attendance"].append(f"event|{lesson}|{number}|{event}|{_ts(at)}|{source}|{device}")
    hours = (
        CreditedHours.objects.filter(enrolment__training_class_id__in=class_ids)
        .order_by("enrolment__training_class_id", "enrolment__person__id_number")
        .values_list(
            "enrolment__training_class_id", "enrolment__person__id_number", "offline_seconds", "online_seconds",
            "credited_tenths", "required_tenths", "completed",
        )
    )  # fmt: skip
    for class_id, number, offline, online, credited, required, completed in hours.iterator(chunk_size=5000):
        out[class_id].sections["hours"].append(
            f"hours|{number}|{offline}|{online}|{credited}|{required}|{'1' if completed else '0'}"
        )
    amendments = (
        ArchiveAmendment.objects.filter(training_class_id__in=class_ids)
        .order_by("training_class_id", "sequence")
        .values_list("training_class_id", "sequence", "actor_label", "reason", "changes", "time")
    )
    for class_id, sequence, actor, reason, changes, time in amendments:
        payload = json.dumps(changes, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        out[class_id].sections["amendments"].append(f"amendment|{sequence}|{actor}|{reason}|{payload}|{_ts(time)}")
    return out


def compute(class_ids: Sequence[int]) -> dict[int, ChainResult]:
    return {pk: chain(records.class_code, records) for pk, records in collect(class_ids).items()}


@dataclass(frozen=True)
class Mismatch:
    """A sealed class whose records no longer hash to its seal."""

    class_id: int
    class_code: str
    sealed_head: str
    actual_head: str
    sealed_count: int
    actual_count: int
    sections: list[str]  # the sections whose head or count changed


def verify(class_ids: Iterable[int] | None = None) -> Iterator[tuple[int, Mismatch | None]]:
    """Recompute every sealed (or closed) class, or those given, against its latest seal, a batch at a time.
    Yields (class id, mismatch or None). A closed class without a seal is a mismatch too."""
    sealed = ArchiveSeal.objects.all()
    closed = TrainingClass.objects.filter(status=ClassStatus.CLOSED)
    if class_ids is not None:
        wanted = list(class_ids)
        sealed, closed = sealed.filter(training_class_id__in=wanted), closed.filter(pk__in=wanted)
    ids = sorted(set(sealed.values_list("training_class_id", flat=True)) | set(closed.values_list("pk", flat=True)))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        latest: dict[int, ArchiveSeal] = {}
        for seal in ArchiveSeal.objects.filter(training_class_id__in=batch).order_by("training_class_id", "sequence"):
            latest[seal.training_class_id] = seal
        records = collect(batch)
        for class_id in batch:
            seal = latest.get(class_id)
            class_records = records.get(class_id)
            if seal is None:
                code = class_records.class_code if class_records else "?"
                yield class_id, Mismatch(class_id, code, "", "", 0, 0, ["seal"])
                continue
            if class_records is None:  # the class row itself is gone
                yield class_id, Mismatch(class_id, "?", seal.head, "", seal.record_count, 0, ["class"])
                continue
            result = chain(class_records.class_code, class_records)
            if result.head == seal.head and result.count == seal.record_count:
                yield class_id, None
                continue
            changed = [name for name in SECTIONS if seal.section_heads.get(name) != result.section_heads.get(name)]
            yield (
                class_id,
                Mismatch(
                    class_id, class_records.class_code, seal.head, result.head, seal.record_count, result.count, changed
                ),
            )
