"""What both WSGI entry points do once a worker has loaded the application."""

from __future__ import annotations

import gc


def settle() -> None:
    """Mask ID numbers in the server's access log (``mask_server_logs``). Import every view now rather than
    on the first request, then move what start-up loaded (modules, URL patterns, templates' code: hundreds of
    thousands of objects that live as long as the process) out of the garbage collector's reach: a full
    collection then walks only what requests allocate, instead of pausing every thread of the worker for tens
    of milliseconds (the tail latency of a busy service)."""
    from django.urls import get_resolver

    from peikao.core.logging import mask_server_logs

    mask_server_logs()
    get_resolver().url_patterns  # noqa: B018 (loads the URLconf and the view modules)
    gc.freeze()
