"""The detectors: one registered, set-based statement each (PostgreSQL and SQLite). Importing this package
registers them all (``base.REGISTRY``: code → function of a ``RunScope`` returning the alerts found)."""

from peikao.oversight.detectors import exams, training
from peikao.oversight.detectors.base import REGISTRY, Found, RunScope, detector

__all__ = ["REGISTRY", "Found", "RunScope", "detector", "exams", "training"]
