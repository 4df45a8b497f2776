"""The alert queue and the grades page say when the scheduled job last ran and how it went (issue 15)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from peikao.core.models import ScheduledRun, ScheduledRunStatus

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _run(job: str, *, status=ScheduledRunStatus.SUCCEEDED, summary=None, day=7) -> ScheduledRun:
    due = dt.datetime(2026, 12, day, 2, 0, tzinfo=BEIJING)
    return ScheduledRun.objects.create(
        job=job,
        due_at=due,
        started_at=due + dt.timedelta(seconds=5),
        finished_at=due + dt.timedelta(seconds=17, milliseconds=400) if status != ScheduledRunStatus.RUNNING else None,
        status=status,
        summary=summary or {},
    )


def _line(client, world, persona: str, url: str) -> str:
    client.force_login(world.users[persona])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    if 'id="scheduled-run"' not in text:
        return ""
    return text.split('id="scheduled-run"', 1)[1].split("</p>", 1)[0]


def _figures(line: str) -> list[str]:
    """The numbers of a line besides its time and its duration."""
    return re.findall(r"\d+", line.replace("2026-12-07 02:00", "").replace("12.4", ""))


def _english(line: str) -> list[str]:
    """Latin words of a line's text (its tags aside): the pages speak Chinese."""
    return re.findall(r"[A-Za-z]{2,}", re.sub(r"<[^>]*>", " ", line.split(">", 1)[1]))


def test_no_line_before_the_first_scheduled_run(client, world):
    assert _line(client, world, "province_admin", reverse("oversight:alert_list")) == ""
    assert _line(client, world, "province_admin", reverse("grading:grade_list")) == ""


def test_the_queue_shows_the_last_detectors_run_and_its_counts_to_the_ministry_only(client, world):
    _run("detect", summary={"found": 99, "created": 1, "detectors": {}}, day=6)
    _run("detect", summary={"found": 12, "created": 3, "detectors": {}})
    ministry = _line(client, world, "ministry_admin", reverse("oversight:alert_list"))
    assert "2026-12-07 02:00" in ministry and "12.4" in ministry
    assert _figures(ministry) == ["12", "3"]  # the latest run's, not an earlier one's
    county = _line(client, world, "county_inspector", reverse("oversight:alert_list"))
    assert "2026-12-07 02:00" in county and "12.4" in county
    assert _figures(county) == []  # no province-wide counts for a county
    assert _english(ministry) == _english(county) == []


def test_a_failed_or_running_run_says_so(client, world):
    _run("detect", status=ScheduledRunStatus.FAILED)
    _run("grade", status=ScheduledRunStatus.RUNNING)
    failed = _line(client, world, "province_admin", reverse("oversight:alert_list"))
    running = _line(client, world, "province_admin", reverse("grading:grade_list"))
    with translation.override("zh-hans"):  # the pages' language
        assert str(ScheduledRunStatus.FAILED.label) in failed and "2026-12-07 02:00" in failed
        assert str(ScheduledRunStatus.RUNNING.label) in running


def test_the_grades_page_shows_the_last_recomputation_and_its_counts_to_the_ministry_only(client, world):
    _run("grade", summary={"grades": {}, "exit_proposals": 2})
    ministry = _line(client, world, "ministry_admin", reverse("grading:grade_list"))
    assert "2026-12-07 02:00" in ministry and "12.4" in ministry and _figures(ministry) == ["2"]
    province = _line(client, world, "province_admin", reverse("grading:grade_list"))
    assert "2026-12-07 02:00" in province and "12.4" in province
    assert _figures(province) == []  # the country's new exit proposals are not a province's
    assert _english(ministry) == _english(province) == []
