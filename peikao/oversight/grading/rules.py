"""Pure rules of graded supervision (no queries): the grade of a score, the effective grade (of one grade, and as a
filter of many)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from peikao.oversight.grading.choices import GradeLetter


def letter(score: Decimal, *, max_a: Decimal, max_b: Decimal, max_c: Decimal) -> str:
    """The grade of ``score`` by the bands of its indicator set: up to ``max_a`` A, up to ``max_b`` B, up to
    ``max_c`` C, above D."""
    if score <= max_a:
        return GradeLetter.A
    if score <= max_b:
        return GradeLetter.B
    if score <= max_c:
        return GradeLetter.C
    return GradeLetter.D


def effective(*, computed: str, override: str, override_until: dt.date | None, on: dt.date) -> str:
    """The override while it lasts (through ``override_until``), else the computed grade."""
    if override and override_until is not None and on <= override_until:
        return override
    return computed


def effective_q(on: dt.date, letter: str) -> Q:
    """Grades whose effective grade on ``on`` is ``letter`` (an override while it lasts, else the computed)."""
    live = ~Q(override="") & Q(override_until__gte=on)
    return (live & Q(override=letter)) | (~live & Q(computed=letter))
