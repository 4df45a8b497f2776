"""Logging helpers: full ID numbers never reach a log."""

from __future__ import annotations

import logging

from gunicorn.glogging import Logger as GunicornBaseLogger

from peikao.core.privacy import mask_id_numbers_in_log_line


class MaskIdNumbersFilter(logging.Filter):
    """Mask anything shaped like an 18-character ID number in a log record, percent-encoded ones too (a request
    line in an access log is written as the client sent it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_id_numbers_in_log_line(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


# The loggers a server writes its access lines to, in the worker process: Granian's (the public verification
# service, docs/adr/0007) and gunicorn's (which GunicornLogger masks as well, in every process of gunicorn).
SERVER_LOGGERS = ("granian.access", "gunicorn.access", "gunicorn.error")


def mask_server_logs() -> None:
    """Mask ID numbers in whatever the server running this worker logs about requests (a path or a query
    string may carry one), whichever options it was started with."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, MaskIdNumbersFilter) for existing in logger.filters):
            logger.addFilter(MaskIdNumbersFilter())


class GunicornLogger(GunicornBaseLogger):
    """gunicorn's logger with ID numbers masked in access and error lines (query strings included)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            logger.addFilter(MaskIdNumbersFilter())
