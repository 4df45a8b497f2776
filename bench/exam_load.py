"""Benchmark: 500 candidates taking the theory exam at once through the exam API, on the production server
setup (gunicorn, gthread workers, PostgreSQL), load from a separate process on loopback.

Load model: candidates sit down over the first minute (log in, fetch the paper), then autosave 20 answers with
1-5 s of thinking between them (≈170 requests/s for 500 candidates), and all submit within the same 5 seconds,
as when the time runs out. Targets: no errors, p99 latency under 300 ms.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time

from bench.harness import PYTHON, ROOT, env, fresh_database, write_result

PORT = 8077
WORKERS = os.environ.get("BENCH_WORKERS", "5")
THREADS = os.environ.get("BENCH_THREADS", "4")
ARRIVAL_SECONDS = 60.0


def _setup(candidates: int) -> list[tuple[str, str]]:
    """Create the exam (in a Django subprocess) and return (ID number, admission code) pairs."""
    output = subprocess.run(
        [PYTHON, "-m", "bench.worker", "exam_setup", str(candidates)],
        cwd=ROOT,
        env=env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])["pairs"]


class Candidate(threading.Thread):
    def __init__(self, id_number: str, code: str, start_barrier: threading.Barrier, submit_at: float, seed: int):
        super().__init__(daemon=True)
        self.id_number, self.code = id_number, code
        self.barrier, self.submit_at = start_barrier, submit_at
        self.rng = random.Random(seed)
        self.latencies: list[tuple[str, float, int]] = []
        self.errors: list[str] = []

    def _send(self, method, path, body, headers):
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = self.conn.getresponse()
        return response, response.read()

    def call(self, method, path, body=None, token=None, kind=""):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        try:
            try:
                response, data = self._send(method, path, body, headers)
            except (ConnectionError, http.client.HTTPException):
                # The server closed an idle keep-alive connection: reconnect and send again, as a browser does
                # (every exam call is idempotent: an answer saved twice, a second submission, change nothing).
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                response, data = self._send(method, path, body, headers)
        except Exception as exc:  # a dropped or refused connection is an error of the run
            self.errors.append(f"{kind}: {type(exc).__name__}")
            return None
        elapsed = time.perf_counter() - started
        self.latencies.append((kind, elapsed, response.status))
        if response.status >= 400:
            self.errors.append(f"{kind}: HTTP {response.status} {data[:120]!r}")
            return None
        return json.loads(data) if data else {}

    def run(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        self.barrier.wait()
        time.sleep(self.rng.uniform(0, ARRIVAL_SECONDS))  # candidates sit down over the first minute
        login = {"id_number": self.id_number, "admission_code": self.code}
        session = self.call("POST", "/api/exam/session", login, kind="login")
        if not session:
            return
        token = session["token"]
        paper = self.call("GET", "/api/exam/paper", token=token, kind="paper")
        if not paper:
            return
        for position in range(20):
            time.sleep(self.rng.uniform(1.0, 5.0))
            question = paper["questions"][position]
            answer = self.rng.choice("TF") if question["qtype"] == "judge" else self.rng.choice("ABCD")
            self.call("PUT", f"/api/exam/answers/{position}", {"answer": answer}, token=token, kind="answer")
        time.sleep(max(0.0, self.submit_at - time.time()) + self.rng.uniform(0, 5))
        self.call("POST", "/api/exam/submit", token=token, kind="submit")
        self.conn.close()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(scale: float = 1.0) -> dict:
    candidates = max(10, int(500 * scale))
    fresh_database()
    pairs = _setup(candidates)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "peikao.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", WORKERS,
         "--threads", THREADS, "--worker-class", "gthread", "--log-level", "warning", "--backlog", "2048",
         "--keep-alive", "10"],
        cwd=ROOT, env={**env(), "CONN_MAX_AGE": "60"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/login/")
                break
            except OSError:
                time.sleep(0.2)
        barrier = threading.Barrier(len(pairs))
        submit_at = time.time() + ARRIVAL_SECONDS + 20 * 5.0 + 5
        threads = [Candidate(number, code, barrier, submit_at, seed) for seed, (number, code) in enumerate(pairs)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies = [latency for thread in threads for latency in thread.latencies]
    errors = [error for thread in threads for error in thread.errors]
    by_kind = {}
    for kind in ("login", "paper", "answer", "submit"):
        values = [seconds for k, seconds, _status in latencies if k == kind]
        if values:
            by_kind[kind] = {"requests": len(values), "p50_ms": round(statistics.median(values) * 1000, 1),
                             "p99_ms": round(_percentile(values, 0.99) * 1000, 1)}  # fmt: skip
    all_values = [seconds for _k, seconds, _s in latencies]
    p99 = _percentile(all_values, 0.99) * 1000 if all_values else float("inf")
    checks = {
        "errors": {"value": len(errors), "target": "== 0", "ok": not errors},
        "p99_ms": {"value": round(p99, 1), "target": "< 300", "ok": p99 < 300},
    }
    payload = {
        "description": __doc__.strip().splitlines()[0],
        "load_model": "log in over 60 s, paper, 20 autosaves with 1-5 s think time, all submit within the same 5 s; "
        "gunicorn --keep-alive 10, the client reconnects when an idle connection was closed",
        "server": f"gunicorn gthread, {WORKERS} workers x {THREADS} threads, PostgreSQL",
        "candidates": candidates,
        "requests": len(latencies),
        "wall_seconds": round(wall, 1),
        "requests_per_second": round(len(latencies) / wall, 1),
        "by_kind": by_kind,
        "first_errors": errors[:10],
        "checks": checks,
        "ok": all(check["ok"] for check in checks.values()),
    }
    write_result("exam_load", payload)
    return payload


if __name__ == "__main__":
    print(json.dumps(main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0), indent=2))
