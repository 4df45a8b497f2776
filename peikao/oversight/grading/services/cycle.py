"""The scheduled grading (issue 17), one definition for ``manage.py grade``, the ``grade`` task and the demo."""

from __future__ import annotations

import datetime as dt

from peikao.core.models import Region
from peikao.oversight.grading.services.commitments import commitments_refresh
from peikao.oversight.grading.services.exits import exit_proposals_detect
from peikao.oversight.grading.services.grades import grades_recompute


def grading_run(*, region: Region | None = None, as_of: dt.date | None = None) -> tuple[dict, int]:
    """The commitments brought up to date (breached by a finding, expired), the grades of ``region`` (all: None)
    recomputed from the record up to ``as_of`` (today by default), then the exit rules run; by the system (no actor:
    the caller's audit context names the run). Returns the grades per kind (``grades_recompute``) and the number of
    new exit proposals."""
    commitments_refresh(actor=None, on=as_of)
    summary = grades_recompute(actor=None, region=region, as_of=as_of)
    return summary, exit_proposals_detect(actor=None, region=region, on=as_of)
