"""The last run of a scheduled job (peikao.core.schedule) for a page's "last run" line:
``{% load schedule %}{% last_scheduled_run "detect" as run %}`` gives its ``ScheduledRun`` (or None); the page says
what its ``summary`` counts mean.

A scheduled job runs for the whole country, so its counts are the whole country's: they reach only a user who sees
everything. For anyone else the run comes with an empty ``summary`` (when and how it went, no figures), so no page
can show them by forgetting to check."""

from __future__ import annotations

from django import template

from peikao.core.models import ScheduledRun

register = template.Library()


@register.simple_tag(takes_context=True)
def last_scheduled_run(context, job: str) -> ScheduledRun | None:
    run = ScheduledRun.objects.filter(job=job).order_by("-due_at").first()
    request = context.get("request")
    if run is not None and not getattr(getattr(request, "user", None), "sees_everything", False):
        run.summary = {}
    return run
