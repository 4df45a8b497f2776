"""Server access logs never carry a full ID number, not even percent-encoded in a URL (issue 13, item 8):
gunicorn's logger (GunicornLogger, the production platform) and runserver's (the django.server logger)."""

from __future__ import annotations

import datetime as dt
import io
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from peikao.core.logging import GunicornLogger
from peikao.core.privacy import mask_id_numbers_in_log_line

NUMBER = "35010219900101123X"
# The same number with its digits percent-encoded, as a client may send it: %33 is "3", %35 "5", %58 "X"; the server
# decodes it before the view sees it, the access log writes the raw request line.
ENCODED = "%33%35%30%31%30%32%31%39%39%30%30%31%30%31%31%32%33%58"
PATHS = [
    f"/api/public/verify?id_number={ENCODED}",
    "/api/public/verify?id_number=3501%302199001011%323X",  # some digits encoded
    "/registry/persons/?q=%2533%35%30102199001011234",  # encoded twice: %2533 is "%33", which is "3"
    "/api/public/verify?cert_no=T%33%350102199001011234&name=%E5%BC%A0%E4%B8%89",
]


@pytest.mark.parametrize("path", PATHS)
def test_a_percent_encoded_number_is_masked_in_a_log_line(path):
    line = mask_id_numbers_in_log_line(f'127.0.0.1 - - "GET {path} HTTP/1.1" 200 12')
    assert "**********" in line
    assert "0101123" not in line


def test_log_lines_without_a_number_are_left_as_they_are():
    line = '"GET /registry/persons/?q=%E5%BC%A0%E4%B8%89&page=2 HTTP/1.1" 200 100% done'
    assert mask_id_numbers_in_log_line(line) == line


def test_gunicorn_access_log_masks_a_percent_encoded_number():
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = GunicornLogger(cfg)
    out = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.setStream(out)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/public/verify?id_number={ENCODED}",
        "PATH_INFO": "/api/public/verify",
        "QUERY_STRING": f"id_number={ENCODED}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    response = SimpleNamespace(status="200 OK", sent=12, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=3))
    line = out.getvalue()
    assert "/api/public/verify" in line and "3501**********123X" in line
    assert ENCODED not in line and NUMBER not in line


def test_runserver_access_log_masks_numbers_plain_and_encoded():
    logger = logging.getLogger("django.server")
    out = io.StringIO()
    streams = [
        (handler, handler.setStream(out)) for handler in logger.handlers if type(handler) is logging.StreamHandler
    ]
    assert streams, "the django.server logger writes somewhere"
    try:
        for path in (f"/api/public/verify?id_number={ENCODED}", f"/registry/persons/?q={NUMBER}"):
            # What django.core.servers.basehttp.WSGIRequestHandler.log_message logs for each request.
            logger.info('"%s" %s %s', f"GET {path} HTTP/1.1", "200", "12", extra={"status_code": 200})
    finally:
        for handler, stream in streams:
            handler.setStream(stream)
    written = out.getvalue()
    assert written.count("3501**********123X") == 2
    assert ENCODED not in written and NUMBER not in written
