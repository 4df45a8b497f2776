"""Reading what the test client answers."""

from __future__ import annotations

import re
from urllib.parse import unquote

from django.core.signals import request_finished
from django.db import close_old_connections


def read_download(response) -> bytes:
    """The body of a streamed download, closing its file the way the test client itself would."""
    body = b"".join(response.streaming_content)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return body


def file_names(header: str) -> tuple[str, str]:
    """What a browser (RFC 6266: ``filename*`` first) and what an older client (``filename=``) names the file of a
    Content-Disposition ``header``."""
    extended = re.search(r"(?:^|;)\s*filename\*=UTF-8''([^;\s]+)", header, flags=re.I)
    plain = re.search(r'(?:^|;)\s*filename="((?:[^"\\]|\\.)*)"', header)
    assert plain, header
    fallback = re.sub(r"\\(.)", r"\1", plain.group(1))
    return (unquote(extended.group(1), errors="strict") if extended else fallback), fallback
