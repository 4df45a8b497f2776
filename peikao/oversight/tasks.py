"""Background tasks of oversight (issue 15, issue 17): the detectors and the grades, as ``manage.py detect`` and
``manage.py grade`` run them, for ``manage.py db_worker``. ``settings.PEIKAO_SCHEDULE`` names them (detectors
nightly, grades weekly); ``manage.py schedule`` enqueues them when due. Each returns its counts (JSON), which the
scheduled run keeps."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from peikao.core.audit import audit_context
from peikao.core.models import Region
from peikao.oversight.grading.services.cycle import grading_run
from peikao.oversight.services import alerts_detect


@task()
def detect(detectors: list[str] | None = None, region: str | None = None) -> dict:
    """Run the detectors (all active ones by default) over the whole province's data, as ``manage.py detect`` does.
    Returns ``{"detectors": {code: {"found": n, "created": n}}, "found": n, "created": n}``."""
    with audit_context(label="task:detect"):
        results = alerts_detect(actor=None, detectors=detectors, region=region)
    per_detector = {result.code: {"found": result.found, "created": result.created} for result in results}
    return {
        "detectors": per_detector,
        "found": sum(result.found for result in results),
        "created": sum(result.created for result in results),
    }


@task()
def grade(region: str | None = None, as_of: str | None = None) -> dict:
    """Recompute the grades as ``manage.py grade`` does: commitments brought up to date, the grades, then the exit
    rules. Returns ``{"grades": {kind: {"A": n, …}}, "exit_proposals": n}``."""
    place = Region.objects.get(code=region) if region else None
    day = dt.date.fromisoformat(as_of) if as_of else None
    with audit_context(label="task:grade"):
        summary, proposals = grading_run(region=place, as_of=day)
    grades = {str(kind): {str(letter): int(n) for letter, n in counts.items()} for kind, counts in summary.items()}
    return {"grades": grades, "exit_proposals": proposals}
