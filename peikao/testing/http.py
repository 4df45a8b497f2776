"""Reading what the test client answers."""

from __future__ import annotations

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
