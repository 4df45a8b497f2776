"""The last run of a scheduled job (peikao.core.schedule) for a page's "last run" line:
``{% load schedule %}{% last_scheduled_run "detect" as run %}`` gives its ``ScheduledRun`` (or None): the latest
attempt of the latest period, with ``attempts`` (how many the job has per period, None when the job is no longer in
the schedule) and ``retry_at`` (when the next attempt may go after a failed one, None when none will) set on it. The
page says what its ``summary`` counts mean; ``{% scheduled_run_attempt run %}`` then adds which attempt it was and
what comes next, when that is worth saying (a retry, a failure).

A scheduled job runs for the whole country, so its counts are the whole country's: they reach only a user who sees
everything. For anyone else the run comes with an empty ``summary`` (when and how it went, no figures), so no page
can show them by forgetting to check."""

from __future__ import annotations

from django import template

from peikao.core.models import ScheduledRun, ScheduledRunStatus
from peikao.core.schedule import job_named

register = template.Library()


@register.simple_tag(takes_context=True)
def last_scheduled_run(context, job: str) -> ScheduledRun | None:
    run = ScheduledRun.objects.filter(job=job).order_by("-due_at", "-attempt").first()
    if run is None:
        return None
    request = context.get("request")
    if not getattr(getattr(request, "user", None), "sees_everything", False):
        run.summary = {}
    try:
        scheduled = job_named(job)
    except KeyError:  # taken out of the schedule: its last run stays, with no attempts to come
        attempts, retry_at = None, None
    else:
        attempts, retry_at = scheduled.attempts, scheduled.retry_at(run)
    run.attempts = attempts  # type: ignore[attr-defined]  # for the page only, not a field
    run.retry_at = retry_at  # type: ignore[attr-defined]
    return run


@register.inclusion_tag("core/_scheduled_run_attempt.html")
def scheduled_run_attempt(run: ScheduledRun) -> dict:
    """Which attempt ``run`` (from ``last_scheduled_run``) was and, when it failed, when the next one may go or that
    none is left: nothing for a first attempt that did not fail."""
    return {"run": run, "show": run.attempt > 1 or run.status == ScheduledRunStatus.FAILED}
