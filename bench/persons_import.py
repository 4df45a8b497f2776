"""Benchmark: importing persons.csv into PostgreSQL with full validation (issue: foundation).

Targets: at least 20,000 rows/s for 1,000,000 rows, peak memory under 1 GiB, and at least 10x the
throughput of django-import-export importing the same 100,000-row file into the same database.
"""

from __future__ import annotations

from bench.generate import write_persons
from bench.harness import DATA, PYTHON, ensure_bench_venv, fresh_database, measured, sql_scalar, write_result

NAME = "persons_import"
TARGET_ROWS_PER_SECOND = 20_000
TARGET_PEAK_MIB = 1024
TARGET_RATIO = 10.0


def _file(rows: int):
    path = DATA / f"persons-{rows}.csv"
    if not path.exists():
        write_persons(rows, path)
    return path


def _ours(path, rows: int) -> dict:
    fresh_database()
    result = measured([PYTHON, "-m", "bench.worker", "import", "persons", path])
    assert result["ok"] and result["summary"].startswith(f"imported {rows},"), result
    assert sql_scalar("SELECT count(*) FROM registry_person") == rows
    logged = sql_scalar(
        "SELECT count(*) FROM core_changelog c JOIN django_content_type t ON t.id = c.content_type_id"
        " WHERE t.app_label = 'registry' AND t.model = 'person' AND c.action = 'create'"
    )
    assert logged == rows, logged
    result["rows_per_second"] = round(rows / result["seconds"])
    return result


def _theirs(path, rows: int, bulk: bool) -> dict:
    python = ensure_bench_venv()
    fresh_database()
    command = [python, "-m", "bench.die_worker", path] + (["--bulk"] if bulk else [])
    result = measured(command)
    assert sql_scalar("SELECT count(*) FROM registry_person") == rows, result
    result["rows_per_second"] = round(rows / result["seconds"])
    return result


def run(scale: float = 1.0) -> dict:
    big_rows = int(1_000_000 * scale)
    small_rows = int(100_000 * scale)
    big = _ours(_file(big_rows), big_rows)
    small = _ours(_file(small_rows), small_rows)
    die_rows = _theirs(_file(small_rows), small_rows, bulk=False)
    die_bulk = _theirs(_file(small_rows), small_rows, bulk=True)
    best_theirs = max(die_rows["rows_per_second"], die_bulk["rows_per_second"])
    ratio = round(small["rows_per_second"] / best_theirs, 1)
    checks = {
        "rows_per_second_1m": {"value": big["rows_per_second"], "target": f">= {TARGET_ROWS_PER_SECOND}",
                               "ok": big["rows_per_second"] >= TARGET_ROWS_PER_SECOND},
        "peak_rss_mib_1m": {"value": big["peak_rss_mib"], "target": f"< {TARGET_PEAK_MIB}",
                            "ok": big["peak_rss_mib"] < TARGET_PEAK_MIB},
        "ratio_to_django_import_export_100k": {"value": ratio, "target": f">= {TARGET_RATIO}",
                                               "ok": ratio >= TARGET_RATIO},
    }  # fmt: skip
    return {
        "description": "persons.csv into PostgreSQL with full validation and a change-log row per person",
        "scale": scale,
        "peikao_1m": big,
        "peikao_100k": small,
        "django_import_export_100k_row_by_row": die_rows,
        "django_import_export_100k_bulk": die_bulk,
        "checks": checks,
        "ok": all(check["ok"] for check in checks.values()),
    }


def main(scale: float = 1.0) -> dict:
    payload = run(scale)
    write_result(NAME, payload)
    return payload
