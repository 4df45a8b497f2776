"""Benchmarks of training (PostgreSQL), on a generated province-year:

- importing 10,000,000 attendance events (attendance.csv): at least 30,000 events/s, peak memory < 1 GiB;
- computing credited hours for 1,000,000 enrolments and those events: under 2 minutes, set-based, with the
  ratio to the bare SQL that computes the same result;
- verify_archives over 50,000 sealed classes: under 5 minutes.
"""

from __future__ import annotations

from bench.harness import DATA, DATABASE_URL, PYTHON, fresh_database, measured, sql_scalar, write_result
from bench.training_data import load_base, write_attendance

NAME = "training"


def run(scale: float = 1.0) -> dict:
    classes = int(50_000 * scale)
    fresh_database()
    base = load_base(DATABASE_URL, classes)
    path = DATA / f"attendance-{classes}.csv"
    if not path.exists():
        write_attendance(DATABASE_URL, classes, path)
    with open(path, encoding="utf-8") as fh:
        events = sum(1 for _ in fh) - 1
    imported = measured([PYTHON, "-m", "bench.worker", "import", "attendance", path])
    stored = sql_scalar("SELECT count(*) FROM training_attendanceevent")
    assert imported["ok"] and stored == events, (imported, stored, events)
    imported["events_per_second"] = round(events / imported["seconds"])
    hours = measured([PYTHON, "-m", "bench.worker", "hours"])
    assert hours["enrolments"] == base["enrolments"], hours
    bare = measured([PYTHON, "-m", "bench.worker", "bare_hours"])
    ours_sum = sql_scalar("SELECT sum(credited_tenths) FROM training_creditedhours")
    assert bare["enrolments"] == base["enrolments"] and bare["sum_tenths"] == ours_sum, (bare, ours_sum)
    completed = sql_scalar("SELECT count(*) FROM training_creditedhours WHERE completed")
    sealing = measured([PYTHON, "-m", "bench.worker", "seal_all"])
    verified = measured([PYTHON, "-m", "bench.worker", "verify"])
    assert verified["checked"] == classes and verified["mismatches"] == 0, verified
    checks = {
        "attendance_events_per_second": {"value": imported["events_per_second"], "target": ">= 30000",
                                         "ok": imported["events_per_second"] >= 30_000},
        "attendance_import_peak_rss_mib": {"value": imported["peak_rss_mib"], "target": "< 1024",
                                           "ok": imported["peak_rss_mib"] < 1024},
        "credited_hours_seconds": {"value": round(hours["seconds"], 1), "target": "< 120",
                                   "ok": hours["seconds"] < 120},
        "verify_archives_seconds": {"value": round(verified["seconds"], 1), "target": "< 300",
                                    "ok": verified["seconds"] < 300},
    }  # fmt: skip
    return {
        "description": "a generated province-year: classes, lessons, enrolments, attendance events",
        "scale": scale,
        "classes": classes,
        "enrolments": base["enrolments"],
        "events": events,
        "attendance_import": imported,
        "credited_hours": {**hours, "completed": completed},
        "bare_sql": bare,
        "ratio_to_bare_sql": round(hours["seconds"] / bare["seconds"], 2),
        "seal_all_setup": sealing,
        "verify_archives": verified,
        "checks": checks,
        "ok": all(check["ok"] for check in checks.values()),
    }


def main(scale: float = 1.0) -> dict:
    payload = run(scale)
    write_result(NAME, payload)
    return payload
