"""The grades export gives the grades in force on a day, from their history (issue 17, exchange.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peikao.core.exchange import ExportContext, get_kind
from peikao.oversight.grading.models import GradeEvent
from peikao.oversight.grading.services.grades import grades_recompute
from peikao.oversight.tests import grading_records as rec
from peikao.oversight.tests.helpers import institution, region

pytestmark = pytest.mark.django_db


def rows(on: dt.date) -> dict[str, dict]:
    kind = get_kind("grades")
    return {row["org_code"]: row for row in kind.export_rows(ExportContext(user=None, as_of=on))}


def test_today_the_current_grade_and_a_past_day_the_grade_then():
    org = institution()
    today = timezone.localdate()
    grades_recompute(actor=None, region=region("350102"), as_of=today)
    GradeEvent.objects.filter(grade__organization=org).update(time=timezone.now() - dt.timedelta(days=10))
    rec.findings(org, 1, day=today)
    grades_recompute(actor=None, region=region("350102"), as_of=today)
    now = rows(today)[org.org_code]
    assert (now["grade"], now["points"], now["indicator_set"], now["overridden"]) == ("B", "2.00", "2026.1", "false")
    assert rows(today - dt.timedelta(days=5))[org.org_code]["grade"] == "A"
    assert org.org_code not in rows(today - dt.timedelta(days=20))  # not graded yet then
