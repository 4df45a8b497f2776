"""The alert queue and the grades page say when the scheduled job last ran and how it went (issue 15)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

from peikao.core.models import ScheduledRun, ScheduledRunStatus

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _run(job: str, *, status=ScheduledRunStatus.SUCCEEDED, summary=None, day=7, attempt=1) -> ScheduledRun:
    due = dt.datetime(2026, 12, day, 2, 0, tzinfo=BEIJING)
    return ScheduledRun.objects.create(
        job=job,
        due_at=due,
        attempt=attempt,
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


def _attempt(attempt: int, attempts: int = 3) -> str:
    with translation.override("zh-hans"):  # the pages' language
        return pgettext("scheduled run", "Attempt %(attempt)s of %(attempts)s.") % {
            "attempt": attempt,
            "attempts": attempts,
        }


def _next_attempt(at: str) -> str:
    with translation.override("zh-hans"):
        return gettext("The next attempt goes from %(at)s.") % {"at": at}


def _none_left() -> str:
    with translation.override("zh-hans"):
        return gettext("No attempts left: the job runs again at its next scheduled time.")


def test_a_failed_run_says_which_attempt_it_was_and_when_the_next_goes(client, world):
    _run("detect", status=ScheduledRunStatus.FAILED)  # finished 02:00:17, retried 15 minutes later
    line = _line(client, world, "province_admin", reverse("oversight:alert_list"))
    assert _attempt(1) in line and _next_attempt("2026-12-07 02:15") in line and _none_left() not in line
    assert "第 1 次尝试（共 3 次）。" in line and "下次尝试不早于 2026-12-07 02:15。" in line  # in Chinese
    _run("grade", status=ScheduledRunStatus.FAILED, attempt=3)
    spent = _line(client, world, "province_admin", reverse("grading:grade_list"))
    assert _attempt(3) in spent and _none_left() in spent and "02:15" not in spent
    assert "第 3 次尝试（共 3 次）。" in spent and "尝试次数已用完" in spent


def test_the_line_shows_the_latest_attempt_of_the_latest_period(client, world):
    _run("detect", summary={"found": 99, "created": 1, "detectors": {}}, day=6)
    _run("detect", status=ScheduledRunStatus.FAILED)
    _run("detect", summary={"found": 12, "created": 3, "detectors": {}}, attempt=2)
    ministry = _line(client, world, "ministry_admin", reverse("oversight:alert_list"))
    assert "2026-12-07 02:00" in ministry and _attempt(2) in ministry
    assert _figures(ministry.replace(_attempt(2), "")) == ["12", "3"]  # the retry's counts
    assert _next_attempt("2026-12-07 02:15") not in ministry  # it succeeded: nothing comes next


def test_a_first_attempt_that_succeeded_says_nothing_of_attempts(client, world):
    _run("grade", summary={"grades": {}, "exit_proposals": 2})
    line = _line(client, world, "ministry_admin", reverse("grading:grade_list"))
    assert _attempt(1) not in line and _figures(line) == ["2"]
