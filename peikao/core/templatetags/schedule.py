"""The last run of a scheduled job (peikao.core.schedule) for a page's "last run" line:
``{% load schedule %}{% last_scheduled_run "detect" as run %}`` gives its ``ScheduledRun`` (or None); the page says
what its ``summary`` counts mean."""

from __future__ import annotations

from django import template

from peikao.core.models import ScheduledRun

register = template.Library()


@register.simple_tag
def last_scheduled_run(job: str) -> ScheduledRun | None:
    return ScheduledRun.objects.filter(job=job).order_by("-due_at").first()
