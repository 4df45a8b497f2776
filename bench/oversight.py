"""Benchmark of the oversight detectors (issue 15) on PostgreSQL: every detector over a province-year — the training
benchmark's province (50,000 classes, 1,000,000 enrolments, 10,000,000 attendance events) plus 1,000,000 theory
results with their answers — in under 5 minutes, each detector's time and its ratio to the bare SQL of its core
join reported. Planted cases of each detector are in the data; the run must find them.

    python -m bench.run oversight [--scale X]
    python -m bench.oversight detect CODE      # one detector, in its own process (prints JSON)
    python -m bench.oversight bare CODE        # the bare SQL of its core join (prints JSON)
    python -m bench.oversight measure SCALE    # measure again on the database built before (no rebuild)

Each figure is wall time; ``db_cpu_seconds`` is the CPU time the database backend spent on it (read from /proc
when the server is local; parallel workers not counted), which a machine loaded by other work does not inflate as
it does the wall time. The data is vacuumed after loading (the state autovacuum keeps a live database in): the
detectors read the attendance in the order of its unique key from the index alone.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time

from bench.harness import DATABASE_URL, PYTHON, cpu_seconds_of, fresh_database, measured, write_result
from bench.training_data import LESSONS_PER_CLASS, TRAINEES_PER_CLASS, lesson_times, load_base

NAME = "oversight"
EXAM_POINTS = 100
QUESTIONS = 1000
PAPER = 100  # questions a paper
PER_SITTING = 50
PLANT_EVERY = 500  # class i and i + 350 share their days: trainees 0-2 of i sit in both, and one teacher
CODES = [
    "TRN-PERSON-TWO-PLACES",
    "TRN-DAY-OVERLOAD",
    "TRN-TEACHER-TWO-PLACES",
    "TRN-CLONED-CHECKINS",
    "EXM-IDENTICAL-ANSWERS",
    "EXM-TOO-FAST",
    "EXM-PASS-RATE-OUTLIER",
    "EXM-TRAINING-NOT-SEPARATED",
]


def _attendance(conn, classes: int) -> int:
    """Attendance straight into the table (the import is the training benchmark's measure, not this one's):
    the training benchmark's shape, and the planted cases."""
    rng = random.Random(11)
    now = dt.datetime.now(dt.UTC)
    twins = [(i, i + 350) for i in range(0, classes - 350, PLANT_EVERY)]
    count = 0
    with (
        conn.cursor() as cur,
        cur.copy(
            "COPY training_attendanceevent (lesson_id, person_id, event, at, source, device_code, received_at)"
            " FROM STDIN"
        ) as copy,
    ):
        for index in range(classes):
            cloned = index % 700 == 1
            for seat in range(TRAINEES_PER_CLASS):
                person = index * TRAINEES_PER_CLASS + seat + 1
                for lesson, (begin, end) in enumerate(lesson_times(index)):
                    arrive = begin - dt.timedelta(seconds=rng.randint(60, 900))
                    leave = end + dt.timedelta(seconds=rng.randint(0, 400))
                    if cloned and lesson == 0 and seat < 6:
                        arrive = begin - dt.timedelta(minutes=2)
                    pk = index * LESSONS_PER_CLASS + lesson + 1
                    copy.write_row((pk, person, "in", arrive, "face", "F-1", now))
                    copy.write_row((pk, person, "out", leave, "face", "F-1", now))
                    count += 2
        for first, second in twins:  # three trainees of `first` signed in at `second` too, all its lessons
            for seat in range(3):
                person = first * TRAINEES_PER_CLASS + seat + 1
                for lesson, (begin, end) in enumerate(lesson_times(second)):
                    pk = second * LESSONS_PER_CLASS + lesson + 1
                    copy.write_row((pk, person, "in", begin, "card", "", now))
                    copy.write_row((pk, person, "out", end, "card", "", now))
                    count += 2
    with (
        conn.cursor() as cur,
        cur.copy("COPY training_enrolment (training_class_id, person_id, enrolled_at) FROM STDIN") as copy,
    ):
        for first, second in twins:
            for seat in range(3):
                copy.write_row((second + 1, first * TRAINEES_PER_CLASS + seat + 1, now))
    # Every class its own teacher (a person of the data); each twin pair shares one.
    conn.execute("UPDATE training_lesson SET teacher_id = training_class_id")
    for first, second in twins:
        conn.execute("UPDATE training_lesson SET teacher_id = %s WHERE training_class_id = %s", [first + 1, second + 1])
    return count


def _exams(conn, results: int, persons: int) -> dict:
    """Exam points, a bank, theory sittings of 50 with results and their answers; planted: copied papers, papers
    answered in minutes, an exam point where everybody passes, a proctor who teaches his candidates."""
    rng = random.Random(23)
    now = dt.datetime.now(dt.UTC)
    item = conn.execute("SELECT id FROM registry_operationitem WHERE code = '1.2'").fetchone()[0]
    region = conn.execute("SELECT region_id FROM registry_organization ORDER BY id LIMIT 1").fetchone()[0]
    first_org = conn.execute("SELECT max(id) FROM registry_organization").fetchone()[0] + 1
    # Half true/false, half single choice of four (as the blueprints of the items): a wrong answer is one of the
    # other options, so two weak candidates share some wrong answers by chance, and copied papers share many.
    answers_of = [("T" if rng.random() < 0.5 else "F") if q % 2 == 0 else rng.choice("ABCD") for q in range(QUESTIONS)]

    def wrong(q: int) -> str:
        options = "TF" if q % 2 == 0 else "ABCD"
        return rng.choice([letter for letter in options if letter != answers_of[q]])

    with conn.cursor() as cur:
        with cur.copy(
            "COPY registry_organization (id, org_code, kind, name, region_id, practical_device, capacity, status,"
            " address, contact_phone, created_at, updated_at) FROM STDIN"
        ) as copy:
            for n in range(EXAM_POINTS):
                copy.write_row((first_org + n, f"EPB{n:05d}", "exam_point", f"基准考点{n + 1}", region, "", 200,
                                "active", "", "", now, now))  # fmt: skip
        with cur.copy(
            "COPY exams_question (question_code, operation_item_id, trainee_category, qtype, stem, options, answer,"
            " knowledge_point, explanation, fingerprint, version, retired, source, created_at, updated_at) FROM STDIN"
        ) as copy:
            for q in range(QUESTIONS):
                qtype, options = ("judge", "[]") if q % 2 == 0 else ("single", '["甲", "乙", "丙", "丁"]')
                copy.write_row((f"QB{q:05d}", item, "", qtype, f"基准题{q}", options, answers_of[q], "", "",
                                f"{q:064d}", 1, False, "bench", now, now))  # fmt: skip
        sittings = max(1, results // PER_SITTING)
        with cur.copy(
            "COPY exams_sitting (id, sitting_code, exam_point_id, part, operation_item_id, trainee_category, starts_at,"
            " ends_at, capacity, status, created_at, updated_at) FROM STDIN"
        ) as copy:
            for s in range(sittings):
                day = dt.date(2025, 1, 6) + dt.timedelta(days=s % 350)
                begin = dt.datetime.combine(day, dt.time(9), tzinfo=dt.timezone(dt.timedelta(hours=8)))
                copy.write_row((s + 1, f"SB{s:07d}", first_org + s % EXAM_POINTS, "theory", item, "", begin,
                                begin + dt.timedelta(hours=2), PER_SITTING, "closed", now, now))  # fmt: skip
        with cur.copy(
            "COPY exams_registration (id, sitting_id, person_id, admission_code, attempt, eligibility,"
            " training_class_id, created_at) FROM STDIN"
        ) as reg_copy:
            for r in range(sittings * PER_SITTING):
                person = r % persons + 1
                reg_copy.write_row((r + 1, r // PER_SITTING + 1, person, f"A{r:09d}", 1 + (r // persons), "[]",
                                    (person - 1) // TRAINEES_PER_CLASS + 1, now))  # fmt: skip
        with cur.copy(
            "COPY exams_result (registration_id, score, passed, status, started_at, submitted_at, device_type, source,"
            " answers, created_at, updated_at) FROM STDIN"
        ) as copy:
            for r in range(sittings * PER_SITTING):
                s, seat = divmod(r, PER_SITTING)
                paper = [(s * 7 + k * 13) % QUESTIONS for k in range(PAPER)]
                outlier = s % EXAM_POINTS == 0  # exam point 0: everyone passes
                skill = 0.97 if outlier else rng.choice([0.95, 0.9, 0.85, 0.8, 0.75])
                if s % 1000 == 3 and seat == 0:  # a copied pair: the same answers, 12 of them wrong
                    copied = {f"QB{q:05d}": wrong(q) if k < 12 else answers_of[q] for k, q in enumerate(paper)}
                if s % 1000 == 3 and seat in (0, 1):
                    answers = dict(copied)
                else:
                    answers = {f"QB{q:05d}": answers_of[q] if rng.random() < skill else wrong(q) for q in paper}
                right = sum(1 for q in paper if answers[f"QB{q:05d}"] == answers_of[q])
                day = dt.date(2025, 1, 6) + dt.timedelta(days=s % 350)
                begin = dt.datetime.combine(day, dt.time(9, 2), tzinfo=dt.timezone(dt.timedelta(hours=8)))
                seconds = 200 if r % 20_000 == 5 else rng.randint(1800, 6000)
                copy.write_row((r + 1, right, right >= 80, "valid", begin, begin + dt.timedelta(seconds=seconds),
                                "", "online", json.dumps(answers), now, now))  # fmt: skip
    # A proctor of exam point 1 who teaches at the institution whose trainees sit its second sitting.
    teacher = conn.execute("SELECT min(id) FROM registry_person").fetchone()[0]
    institution = conn.execute(
        "SELECT c.organization_id FROM exams_registration g JOIN training_trainingclass c ON c.id = g.training_class_id"
        " WHERE g.sitting_id = 2 ORDER BY g.id LIMIT 1"
    ).fetchone()[0]
    for org, role in ((first_org + 1, "proctor"), (institution, "teacher")):
        conn.execute(
            "INSERT INTO registry_assignment (person_id, organization_id, role, start_date, created_at, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [teacher, org, role, dt.date(2024, 1, 1), now, now],
        )
    for table in ("registry_organization", "exams_sitting", "exams_registration"):
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return {"results": sittings * PER_SITTING, "sittings": sittings, "questions": QUESTIONS}


BARE = {
    # The core join of each detector alone: what any query answering the question has to read.
    "TRN-PERSON-TWO-PLACES": "WITH {intervals} SELECT count(*) FROM counted",
    "TRN-DAY-OVERLOAD": "WITH {intervals} SELECT count(*) FROM counted",
    "TRN-TEACHER-TWO-PLACES": (
        "SELECT count(*) FROM training_lesson a JOIN training_lesson b ON b.teacher_id = a.teacher_id"
        " AND b.id > a.id AND b.starts_at < a.ends_at AND a.starts_at < b.ends_at"
    ),
    "TRN-CLONED-CHECKINS": (
        "SELECT count(*) FROM (SELECT lesson_id, at FROM training_attendanceevent WHERE event = 'in'"
        " GROUP BY lesson_id, at) x"
    ),
    "EXM-IDENTICAL-ANSWERS": "SELECT count(*) FROM exams_result r CROSS JOIN LATERAL jsonb_each_text(r.answers) j",
    "EXM-TOO-FAST": (
        "SELECT count(*) FROM exams_result r JOIN exams_registration g ON g.id = r.registration_id"
        " JOIN exams_sitting s ON s.id = g.sitting_id WHERE r.passed"
    ),
    "EXM-PASS-RATE-OUTLIER": (
        "SELECT count(*) FROM (SELECT s.exam_point_id, count(*) FROM exams_result r JOIN exams_registration g"
        " ON g.id = r.registration_id JOIN exams_sitting s ON s.id = g.sitting_id GROUP BY s.exam_point_id) x"
    ),
    "EXM-TRAINING-NOT-SEPARATED": (
        "SELECT count(*) FROM registry_assignment a JOIN registry_assignment b ON b.person_id = a.person_id"
        " AND b.id <> a.id"
    ),
}


def worker(action: str, code: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peikao.settings")
    import django

    django.setup()
    from django.db import connection

    from peikao.core.audit import audit_context
    from peikao.oversight.services import alerts_detect
    from peikao.training.hours import intervals_sql

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    cpu_before = cpu_seconds_of(backend)
    started = time.perf_counter()
    if action == "detect":
        with audit_context(label="bench"):
            [result] = alerts_detect(actor=None, detectors=[code])
        figures = {"seconds": round(time.perf_counter() - started, 3), "alerts": result.found, "new": result.created}
    else:
        with connection.cursor() as cursor:
            cursor.execute(BARE[code].format(intervals=intervals_sql("1 = 1")).replace("%%", "%"))
            rows = cursor.fetchone()[0]
        figures = {"seconds": round(time.perf_counter() - started, 3), "rows": rows}
    cpu_after = cpu_seconds_of(backend)
    if cpu_before is not None and cpu_after is not None:
        figures["db_cpu_seconds"] = round(cpu_after - cpu_before, 2)
    return figures


def build(scale: float) -> dict:
    """A fresh database with the province-year of ``scale``, vacuumed and analysed."""
    import psycopg

    classes = max(700, int(50_000 * scale))
    results = max(PER_SITTING * EXAM_POINTS, int(1_000_000 * scale))
    fresh_database()
    base = load_base(DATABASE_URL, classes)
    with psycopg.connect(DATABASE_URL) as conn:
        events = _attendance(conn, classes)
        exams = _exams(conn, results, base["enrolments"])
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return {"classes": classes, "enrolments": base["enrolments"], "attendance_events": events, **exams}


def measure(scale: float, data: dict) -> dict:
    """Every detector over the data, in its own process, beside the bare SQL of its core join."""
    figures, total, total_cpu = {}, 0.0, 0.0
    for code in CODES:
        ours = measured([PYTHON, "-m", "bench.oversight", "detect", code])
        bare = measured([PYTHON, "-m", "bench.oversight", "bare", code])
        total += ours["seconds"]
        total_cpu += ours.get("db_cpu_seconds") or 0.0
        figures[code] = {
            "seconds": ours["seconds"],
            "alerts": ours["alerts"],
            "bare_sql_seconds": bare["seconds"],
            "ratio_to_bare_sql": round(ours["seconds"] / max(bare["seconds"], 0.001), 2),
            "db_cpu_seconds": ours.get("db_cpu_seconds"),
            "bare_sql_db_cpu_seconds": bare.get("db_cpu_seconds"),
            "projected_seconds_at_scale_1": round(ours["seconds"] / scale, 1),
            "peak_rss_mib": ours["peak_rss_mib"],
        }
    checks = {
        "all_detectors_seconds": {"value": round(total, 1), "target": "< 300", "ok": total < 300},
        "every_detector_finds_its_planted_cases": {
            "value": {code: f["alerts"] for code, f in figures.items()},
            "target": "> 0 each",
            "ok": all(f["alerts"] > 0 for f in figures.values()),
        },
    }
    return {
        "description": "every oversight detector over a generated province-year (training and theory results)",
        "scale": scale,
        **data,
        "detectors": figures,
        "all_detectors_seconds": round(total, 1),
        "all_detectors_db_cpu_seconds": round(total_cpu, 1),
        "projected_seconds_at_scale_1": round(total / scale, 1),
        "checks": checks,
        "ok": all(check["ok"] for check in checks.values()),
    }


def run(scale: float = 1.0) -> dict:
    return measure(scale, build(scale))


def main(scale: float = 1.0) -> dict:
    payload = run(scale)
    write_result(NAME, payload)
    return payload


if __name__ == "__main__":
    if sys.argv[1] == "measure":  # again on the database built before: its sizes as the build reported them
        write_result(NAME, measure(float(sys.argv[2]), json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}))
    else:
        print(json.dumps(worker(sys.argv[1], sys.argv[2])))
