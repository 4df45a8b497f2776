"""Shared plumbing for the benchmarks: a fresh PostgreSQL database, measured subprocesses, results as JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peikao_bench")
PYTHON = ROOT / ".venv" / "bin" / "python"
BENCH_VENV = ROOT / ".venv-bench"


def env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DJANGO_SETTINGS_MODULE": "peikao.settings",
        "PYTHONPATH": str(ROOT),
    }


def _psql(sql: str) -> None:
    url = urlparse(DATABASE_URL)
    admin = url._replace(path="/postgres").geturl()
    subprocess.run(["psql", admin, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, stdout=subprocess.DEVNULL)


def fresh_database() -> None:
    """Drop and create the benchmark database, migrate it and load the reference data."""
    name = urlparse(DATABASE_URL).path.lstrip("/")
    _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{name}"')
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env(), check=True)
    subprocess.run([PYTHON, "manage.py", "load_reference"], cwd=ROOT, env=env(), check=True, stdout=subprocess.DEVNULL)


def measured(command: list[str | Path], *, extra_env: dict | None = None) -> dict:
    """Run ``command`` (which prints one JSON object last) and add its wall time and peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(part) for part in command], cwd=ROOT, env={**env(), **(extra_env or {})}, stdout=subprocess.PIPE, text=True
    )
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{command} failed with {process.returncode}:\n{output}")
    result = json.loads(output.strip().splitlines()[-1])
    result["process_seconds"] = round(wall, 3)
    result["process_cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 3)
    result["peak_rss_mib"] = round(usage.ru_maxrss / 1024, 1)  # ru_maxrss is in KiB on Linux
    return result


def cpu_seconds_of(pid: int) -> float | None:
    """CPU seconds (user + system) a process of this machine has used so far (a PostgreSQL server or backend
    process, beside a benchmark's wall time); None where it cannot be read (a database on another machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sql_scalar(sql: str, *, database: str | None = None):
    import psycopg

    url = DATABASE_URL if database is None else urlparse(DATABASE_URL)._replace(path=f"/{database}").geturl()
    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchone()[0]


def write_result(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": name,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "database": "PostgreSQL " + str(sql_scalar("SHOW server_version", database="postgres")),
        **payload,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return path


def ensure_bench_venv() -> Path:
    """.venv-bench: the project's pinned dependencies plus the comparison libraries (bench/requirements.txt)."""
    python = BENCH_VENV / "bin" / "python"
    stamp = BENCH_VENV / ".installed"
    requirements = [ROOT / "requirements" / "base.txt", ROOT / "bench" / "requirements.txt"]
    if stamp.exists() and all(stamp.stat().st_mtime >= r.stat().st_mtime for r in requirements):
        return python
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", BENCH_VENV], check=True)
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--require-hashes",
         *sum((["-r", str(r)] for r in requirements), [])],
        check=True,
    )  # fmt: skip
    stamp.touch()
    return python
