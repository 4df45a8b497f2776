"""The public verification service under the server it is deployed with (Granian, docs/adr/0007): started as
in production from its WSGI entry point, in a process of its own, and asked over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GRANIAN = Path(sys.executable).parent / "granian"
ACCESS_LOG_FORMAT = '%(addr)s "%(method)s %(path)s?%(query_string)s" %(status)d'  # an operator may log queries


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def public_service(tmp_path_factory):
    """Granian serving ``peikao.public_wsgi`` with its access log on. The requests below never reach the
    database (they are refused or answered before a lookup), so an empty one will do."""
    var = tmp_path_factory.mktemp("public-var")
    port = _free_port()
    log = (var / "server.log").open("w+")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peikao.settings_public",
        "DATABASE_URL": f"sqlite:///{var / 'empty.sqlite3'}",
        "PEIKAO_VAR_DIR": str(var),
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(
        [str(GRANIAN), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--blocking-threads", "2", "--access-log", "--access-log-fmt", ACCESS_LOG_FORMAT,
         "peikao.public_wsgi:application"],
        cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        for _attempt in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    log.seek(0)
                    pytest.fail(f"Granian did not start:\n{log.read()}")
                time.sleep(0.1)
        yield port, log
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def _ask(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.headers, response.read()  # headers: case-insensitive


def test_the_public_service_answers_under_granian(public_service):
    port, _log = public_service
    status, headers, body = _ask(port, "GET", "/verify/")
    assert status == 200
    assert headers["X-Robots-Tag"] == "noindex, nofollow" and headers["Referrer-Policy"] == "same-origin"
    assert "证书查询" in body.decode()
    status, _headers, body = _ask(
        port, "POST", "/api/public/verify", b"{not json", {"Content-Type": "application/json"}
    )
    assert status == 400 and json.loads(body)["code"] == "invalid_json"
    # Nothing of the platform behind it.
    assert _ask(port, "GET", "/admin/")[0] == 404
    assert _ask(port, "GET", "/registry/persons/")[0] == 404


def test_an_oversized_body_is_refused_before_it_is_read(public_service):
    port, _log = public_service
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    # Announce 50 MB and send none of it: the answer must come from the Content-Length alone.
    connection.putrequest("POST", "/api/public/verify")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(50 * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    answer = json.loads(response.read())
    assert response.status == 413
    assert answer["code"] == "too_large" and answer["message_zh"] and answer["message_en"]


def _log_lines(log, wanted: list[str], timeout: float = 15.0) -> str:
    """The server's log once every line in ``wanted`` (a substring each) was written, or fail with what is there.
    Lines come from the worker after the response (access lines) or during it (Django's own): wait for each one,
    not for whichever comes last."""
    deadline = time.monotonic() + timeout
    while True:
        log.seek(0)
        written = log.read()
        missing = [line for line in wanted if line not in written]
        if not missing:
            return written
        if time.monotonic() > deadline:
            pytest.fail(f"the server did not log {missing} within {timeout} s; it logged:\n{written}")
        time.sleep(0.05)


def test_the_access_log_never_carries_a_full_id_number(public_service):
    port, log = public_service
    assert _ask(port, "GET", "/verify/?cert_no=T11010519491231002X&name=x")[0] == 200
    assert _ask(port, "GET", "/nothing/11010519491231002X")[0] == 404
    assert _ask(port, "GET", "/encoded/?q=1101051949123100%32x")[0] == 404  # percent-encoded, lower-case x
    written = _log_lines(
        log,
        [
            '"GET /verify/?cert_no=T1101**********002X&name=x" 200',  # the server's access line, query masked
            "Not Found: /nothing/1101**********002X",  # Django's own warning, path masked
            '"GET /nothing/1101**********002X?" 404',  # the access line of the 404
            '"GET /encoded/?q=1101**********002X" 404',  # decoded to be masked
        ],
    )
    # No line of any writer carries the number in full, with or without its T, in any case.
    assert "10519491231" not in written and "1949123100" not in written
