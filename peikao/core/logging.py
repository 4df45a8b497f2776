"""Logging helpers: full ID numbers never reach a log."""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger as GunicornBaseLogger

# An 18-character ID number on its own, or inside a special-operations certificate number ("T" + ID number).
ID_NUMBER_PATTERN = re.compile(r"(?<![0-9A-Za-z])([Tt]?\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_id_numbers(text: str) -> str:
    return ID_NUMBER_PATTERN.sub(lambda m: f"{m.group(1)}**********{m.group(2).upper()}", text)


class MaskIdNumbersFilter(logging.Filter):
    """Mask anything shaped like an 18-character ID number in a log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_id_numbers(message)
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
