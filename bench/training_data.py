"""Generated province-year of training for the benchmarks: institutions, persons, classes, lessons,
enrolments (loaded straight into PostgreSQL with COPY — set-up, not measured) and attendance.csv
(imported through Peikao's importer — measured).

Shape at scale 1.0: 50,000 classes of 20 trainees and 5 lessons → 1,000,000 enrolments and
10,000,000 attendance events (an in and an out per trainee and lesson, with realistic faults).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import psycopg

from bench.generate import person_rows
from peikao.core import synthetic

INSTITUTIONS = 200
TRAINEES_PER_CLASS = 20
LESSONS_PER_CLASS = 5
# Annual refresher classes of 20 学时 of lessons: the requirement (12 or 20 学时) is met by those who attend.
CATEGORIES = [("principal", 120), ("safety_manager", 120), ("employee", 200)]
COUNTIES = ["350102", "350103", "350104", "350105", "350111", "350112", "350121", "350203", "350205", "350206",
            "350211", "350212", "350502", "350503", "350582", "350602", "350702", "350802", "350902"]  # fmt: skip
BEIJING = dt.timezone(dt.timedelta(hours=8))
YEAR_START = dt.date(2025, 1, 6)


def lesson_times(class_index: int) -> list[tuple[dt.datetime, dt.datetime]]:
    start = YEAR_START + dt.timedelta(days=class_index % 350)
    times = []
    for lesson in range(LESSONS_PER_CLASS):
        day = start + dt.timedelta(days=lesson // 2)
        begin = dt.datetime.combine(day, dt.time(8, 30) if lesson % 2 == 0 else dt.time(14, 0), tzinfo=BEIJING)
        times.append((begin, begin + dt.timedelta(minutes=180)))
    return times


def load_base(url: str, classes: int) -> dict:
    """COPY institutions, persons, classes, lessons and enrolments; return what attendance generation needs."""
    rng = random.Random(7)
    trainees = classes * TRAINEES_PER_CLASS
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(url) as conn:
        regions = {
            county for (county,) in conn.execute("SELECT code FROM core_region WHERE code = ANY(%s)", [COUNTIES])
        }
        counties = [c for c in COUNTIES if c in regions]
        with conn.cursor() as cur:
            with cur.copy(
                "COPY registry_organization (id, org_code, kind, name, uscc, region_id, practical_device, capacity,"
                " status, address, contact_phone, created_at, updated_at) FROM STDIN"
            ) as copy:
                for index in range(INSTITUTIONS):
                    code = synthetic.uscc(rng, counties[index % len(counties)], "5", "2")
                    copy.write_row((index + 1, code, "training_institution", f"基准培训机构{index + 1}", code,
                                    counties[index % len(counties)], "", 200, "active", "", "", now, now))  # fmt: skip
            with cur.copy(
                "COPY registry_person (id, id_number, name, sex, birth_date, phone, education, created_at, updated_at)"
                " FROM STDIN"
            ) as copy:
                for index, (number, name, phone, _education) in enumerate(person_rows(trainees, seed=99)):
                    birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
                    sex = "M" if int(number[16]) % 2 else "F"
                    copy.write_row((index + 1, number, name, sex, birth, phone, "", now, now))
            with cur.copy(
                "COPY training_trainingclass (id, class_code, name, organization_id, trainee_category, training_type,"
                " start_date, end_date, status, required_tenths, required_basis, offline_hour_minutes,"
                " online_hour_minutes, hours_stale, created_at, updated_at) FROM STDIN"
            ) as copy:
                for index in range(classes):
                    category, tenths = CATEGORIES[index % len(CATEGORIES)]
                    times = lesson_times(index)
                    copy.write_row((index + 1, f"B{index:06d}", "", index % INSTITUTIONS + 1, category, "refresher",
                                    times[0][0].date(), times[-1][0].date(), "accepted", tenths, "order_3 art. 9",
                                    45, 30, True, now, now))  # fmt: skip
            with cur.copy(
                "COPY training_lesson (id, lesson_code, training_class_id, mode, starts_at, ends_at, venue, created_at,"
                " updated_at) FROM STDIN"
            ) as copy:
                for index in range(classes):
                    for lesson, (begin, end) in enumerate(lesson_times(index)):
                        pk = index * LESSONS_PER_CLASS + lesson + 1
                        copy.write_row((pk, f"B{index:06d}-{lesson}", index + 1, "theory", begin, end, "", now, now))
            with cur.copy("COPY training_enrolment (id, training_class_id, person_id, enrolled_at) FROM STDIN") as copy:
                for index in range(classes):
                    for seat in range(TRAINEES_PER_CLASS):
                        pk = index * TRAINEES_PER_CLASS + seat + 1
                        copy.write_row((pk, index + 1, pk, now))
        for table in ("registry_organization", "registry_person", "training_trainingclass", "training_lesson",
                      "training_enrolment"):  # fmt: skip
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.execute("ANALYZE")
    return {"classes": classes, "enrolments": trainees}


def write_attendance(url: str, classes: int, path: Path) -> int:
    """attendance.csv for every class: in and out per trainee and lesson; some absent, late or leaving early."""
    rng = random.Random(11)
    with psycopg.connect(url) as conn:
        numbers = [n for (n,) in conn.execute("SELECT id_number FROM registry_person ORDER BY id")]
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["lesson_code", "id_number", "event", "at", "source", "device_id"])
        for index in range(classes):
            times = lesson_times(index)
            for seat in range(TRAINEES_PER_CLASS):
                number = numbers[index * TRAINEES_PER_CLASS + seat]
                for lesson, (begin, end) in enumerate(times):
                    roll = rng.random()
                    arrive = begin - dt.timedelta(seconds=rng.randint(60, 900))
                    leave = end + dt.timedelta(seconds=rng.randint(0, 400))
                    if roll < 0.03:  # absent: they still show up in the file, as a device saw them pass by
                        arrive, leave = end + dt.timedelta(minutes=30), end + dt.timedelta(minutes=31)
                    elif roll < 0.10:
                        arrive = begin + dt.timedelta(seconds=rng.randint(600, 4000))
                    elif roll < 0.13:
                        leave = end - dt.timedelta(seconds=rng.randint(600, 4000))
                    code = f"B{index:06d}-{lesson}"
                    writer.writerow([code, number, "in", arrive.strftime("%Y-%m-%dT%H:%M:%S"), "face", "F-1"])
                    writer.writerow([code, number, "out", leave.strftime("%Y-%m-%dT%H:%M:%S"), "face", "F-1"])
                    count += 2
    return count
