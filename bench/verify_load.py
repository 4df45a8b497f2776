"""Benchmark: the public verification API under load, against a bare Django view on the same server.

Server: the public verification service as deployed (Granian serving ``peikao.public_wsgi``, 2 workers of 4
threads, PostgreSQL; docs/adr/0007), with one extra route, a bare Django view that returns a fixed JSON response
(bench/public_urls.py). ``BENCH_PUBLIC_SERVER=gunicorn`` measures the same under gunicorn's gthread workers,
the setup the ADR compares against.
Load: wrk from a separate process on loopback, 100 connections for 60 s each: first the bare view, then
``POST /api/public/verify`` with the number and name of one of 20,000 certificates (1 in 20 a made-up number,
which becomes a fake-certificate lead), each request from one of 200,000 client addresses (X-Forwarded-For,
as behind the proxy; the per-client limit of 60 a minute stays in force). Before measuring, each worker is
warmed up until its register cache holds the working set (steady state); what a lookup costs in the service's
process with and without the cache is measured apart (``lookup_costs_in_process``).

Targets: throughput at least 70 % of the bare view's, p99 under 50 ms, no errors.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from bench.harness import DATA, PYTHON, ROOT, env, fresh_database, sql_scalar, write_result

NAME = "verify_load"
PORT = 8078
SERVER = os.environ.get("BENCH_PUBLIC_SERVER", "granian")
WORKERS = os.environ.get("BENCH_PUBLIC_WORKERS", "2")
THREADS = os.environ.get("BENCH_PUBLIC_THREADS", "4")
CONNECTIONS = 100
SECONDS = 60
CERTIFICATES = 20_000
WARM_SECONDS = 40

LUA = r"""
local pairs_file = os.getenv("VERIFY_PAIRS")
-- one request body per line
local bodies = {}
for line in io.lines(pairs_file) do bodies[#bodies + 1] = line end
local counter = 0
local seed = 0
function init(args)
  seed = math.random(1, 1000000)
end
function request()
  counter = counter + 1
  local body = bodies[((counter * 7919 + seed) % #bodies) + 1]
  local n = counter * 7 + seed
  local ip = "10." .. (n % 50) .. "." .. (math.floor(n / 50) % 250) .. "." .. (math.floor(n / 12500) % 16 + 1)
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/json", ["X-Forwarded-For"] = ip}, body)
end
"""

LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(path: str, script: Path, bodies: Path) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "-s", str(script),
               f"http://127.0.0.1:{PORT}{path}"]  # fmt: skip
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, "VERIFY_PAIRS": str(bodies)}
    ).stdout
    requests = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {f"p{q}_ms": round(float(value) * UNITS[unit], 2) for q, value, unit in LATENCY.findall(output)}
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(int(n) for n in socket.groups()) if socket else 0)
    total = int(re.search(r"(\d+) requests in", output).group(1))
    return {"requests_per_second": round(requests), "requests": total, "errors": errors, **latency, "wrk": output}


def _server_command() -> list[str]:
    if SERVER == "gunicorn":
        return [str(ROOT / ".venv" / "bin" / "gunicorn"), "peikao.public_wsgi", "--bind", f"127.0.0.1:{PORT}",
                "--workers", WORKERS, "--threads", THREADS, "--worker-class", "gthread", "--log-level", "warning",
                "--backlog", "2048", "--keep-alive", "30"]  # fmt: skip
    return [str(ROOT / ".venv" / "bin" / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(PORT),
            "--workers", WORKERS, "--blocking-threads", THREADS, "--log-level", "warning", "--backlog", "2048",
            "peikao.public_wsgi:application"]  # fmt: skip


def _server() -> subprocess.Popen:
    server = subprocess.Popen(
        _server_command(),
        cwd=ROOT,
        env={**env(), "DJANGO_SETTINGS_MODULE": "bench.public_settings", "CONN_MAX_AGE": "600",
             "PEIKAO_TRUST_X_FORWARDED_FOR": "1"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(150):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            connection.request("POST", "/bench/fixed", body="{}")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the public service did not start")


def main(scale: float = 1.0) -> dict:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (make bench does)")
    count = max(200, int(CERTIFICATES * scale))
    fresh_database()
    pairs = json.loads(
        subprocess.run([PYTHON, "-m", "bench.worker", "cert_setup", str(count)], cwd=ROOT, env=env(), check=True,
                       capture_output=True, text=True).stdout.strip().splitlines()[-1]
    )["pairs"]  # fmt: skip
    sql_scalar("SELECT 1")
    _analyze()  # as autovacuum would have, long before a real load
    DATA.mkdir(parents=True, exist_ok=True)
    bodies = DATA / "verify-bodies.jsonl"
    with bodies.open("w", encoding="utf-8") as out:
        for index, (number, name) in enumerate(pairs):
            if index % 20 == 0:
                number = number[:-4] + "0000"  # a made-up number
            out.write(json.dumps({"cert_no": number, "name": name}, ensure_ascii=False) + "\n")
    script = DATA / "verify.lua"
    script.write_text(LUA)
    costs = json.loads(
        subprocess.run([PYTHON, "-m", "bench.worker", "lookup_costs", str(bodies)], cwd=ROOT,
                       env={**env(), "DJANGO_SETTINGS_MODULE": "bench.public_settings"}, check=True,
                       capture_output=True, text=True).stdout.strip().splitlines()[-1]
    )  # fmt: skip
    server = _server()
    try:
        # Warm up every worker: the bare view briefly; the API until each worker's register cache holds the
        # 20,000 numbers, as after a few minutes in service (what an uncached number costs is in lookup_costs).
        _wrk_warmup("/bench/fixed", script, bodies, seconds=10)
        _wrk_warmup("/api/public/verify", script, bodies, seconds=WARM_SECONDS)
        bare = _wrk("/bench/fixed", script, bodies)
        verify = _wrk("/api/public/verify", script, bodies)
        time.sleep(2)  # the lookup log's last batch
    finally:
        server.terminate()
        server.wait(timeout=30)
    lookups = sql_scalar("SELECT count(*) FROM certificates_lookup")
    started = time.perf_counter()  # what cron does next: the failed lookups become leads, set-based
    subprocess.run([PYTHON, "manage.py", "derive_leads"], cwd=ROOT, env=env(), check=True, capture_output=True)
    derive_seconds = round(time.perf_counter() - started, 2)
    leads = sql_scalar("SELECT count(*) FROM certificates_lead")
    failed_lookups = sql_scalar("SELECT count(*) FROM certificates_lookup WHERE outcome = 'not_found'")
    ratio = verify["requests_per_second"] / bare["requests_per_second"]
    checks = {
        "ratio_to_bare_view": {"value": round(ratio, 2), "target": ">= 0.70", "ok": ratio >= 0.70},
        "p99_ms": {"value": verify.get("p99_ms"), "target": "< 50", "ok": verify.get("p99_ms", 1e9) < 50},
        "errors": {"value": verify["errors"], "target": "== 0", "ok": verify["errors"] == 0},
    }
    payload = {
        "description": "POST /api/public/verify vs a bare Django view on the public service settings, "
        f"wrk {CONNECTIONS} connections {SECONDS} s each",
        "server": f"{SERVER}, {WORKERS} workers x {THREADS} threads" + (" (gthread)" if SERVER == "gunicorn" else ""),
        "scale": scale,
        "certificates": count,
        "bare_view": {k: v for k, v in bare.items() if k != "wrk"},
        "verify_api": {k: v for k, v in verify.items() if k != "wrk"},
        "lookup_costs_in_process": costs,
        "lookups_logged": lookups,
        "failed_lookups": failed_lookups,
        "leads_derived": leads,
        "derive_leads_seconds": derive_seconds,
        "checks": checks,
        "ok": all(check["ok"] for check in checks.values()),
    }
    write_result(NAME, payload)
    return payload


def _analyze() -> None:
    import psycopg

    from bench.harness import DATABASE_URL

    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        connection.execute("ANALYZE")


def _wrk_warmup(path: str, script: Path, bodies: Path, seconds: int) -> None:
    subprocess.run(["wrk", "-t1", "-c50", f"-d{seconds}s", "-s", str(script), f"http://127.0.0.1:{PORT}{path}"],
                   capture_output=True, check=True, env={**os.environ, "VERIFY_PAIRS": str(bodies)})  # fmt: skip
