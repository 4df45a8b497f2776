"""``update_rows``: many rows' columns set in one statement (PostgreSQL: from a copied table; SQLite: executemany),
only the columns given of only the rows named, and bad input refused with nothing written. Run on both databases
(``DATABASE_URL=postgres://…`` for PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peikao.core.bulk import update_rows
from peikao.core.models import LegalInstrument, Region, ScheduledRun

pytestmark = pytest.mark.django_db

DUE = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def runs(n: int) -> list[ScheduledRun]:
    return [ScheduledRun.objects.create(job=f"job{i}", due_at=DUE, summary={"n": i}) for i in range(n)]


def test_sets_the_columns_given_of_the_rows_named_and_nothing_else():
    first, second, untouched = runs(3)
    started = timezone.now().replace(microsecond=123456)
    count = update_rows(
        ScheduledRun,
        ("status", "started_at", "summary", "attempt"),
        [
            (first.pk, "succeeded", started, json.dumps({"written": 7, "名": "甲"}), 2),
            (second.pk, "failed", None, "{}", 3),
        ],
    )
    assert count == 2
    first.refresh_from_db()
    second.refresh_from_db()
    untouched_before = (untouched.status, untouched.summary, untouched.attempt)
    untouched.refresh_from_db()
    assert (first.status, first.started_at, first.summary, first.attempt) == (
        "succeeded",
        started,
        {"written": 7, "名": "甲"},
        2,
    )
    assert (second.status, second.started_at, second.summary, second.attempt) == ("failed", None, {}, 3)
    assert first.job == "job0" and first.due_at == DUE  # columns not given are kept
    assert (untouched.status, untouched.summary, untouched.attempt) == untouched_before


def test_rows_by_another_unique_key_and_keys_that_name_nothing_are_skipped():
    LegalInstrument.objects.create(code="law_a", title="甲法")
    LegalInstrument.objects.create(code="law_b", title="乙法")
    count = update_rows(LegalInstrument, ("title",), [("law_b", "新乙法"), ("no_such", "x")], key="code")
    assert count == 1
    assert dict(LegalInstrument.objects.filter(code__startswith="law_").values_list("code", "title")) == {
        "law_a": "甲法",
        "law_b": "新乙法",
    }


def test_a_text_primary_key_and_a_boolean():
    Region.objects.create(code="990000", name="测试省", level="province")
    assert update_rows(Region, ("name", "is_development_zone"), [("990000", "改名省", True)]) == 1
    region = Region.objects.get(code="990000")
    assert (region.name, region.is_development_zone) == ("改名省", True)


def test_two_sets_of_columns_of_one_table_in_one_transaction():
    """PostgreSQL stages each set of columns in a table of its own shape (one per table would mix them)."""
    [run] = runs(1)
    update_rows(ScheduledRun, ("status",), [(run.pk, "succeeded")])
    update_rows(ScheduledRun, ("attempt", "error"), [(run.pk, 5, "boom")])
    update_rows(ScheduledRun, ("status",), [(run.pk, "failed")])
    run.refresh_from_db()
    assert (run.status, run.attempt, run.error) == ("failed", 5, "boom")


def test_many_rows_in_a_fixed_number_of_statements():
    made = runs(40)

    def statements(rows) -> int:
        with CaptureQueriesContext(connection) as captured:
            update_rows(ScheduledRun, ("attempt",), rows)
        return len(captured.captured_queries)

    few = statements([(run.pk, 2) for run in made[:2]])
    assert statements([(run.pk, 3) for run in made]) == few
    assert set(ScheduledRun.objects.values_list("attempt", flat=True)) == {3}


def test_no_rows_no_statement():
    with CaptureQueriesContext(connection) as captured:
        assert update_rows(ScheduledRun, ("status",), []) == 0
    assert captured.captured_queries == []


@pytest.mark.parametrize(
    ("columns", "rows", "message"),
    [
        (("status",), [(1, "succeeded"), (2, "succeeded"), (1, "failed")], "row 2 repeats the key"),
        (("status",), [(1, "succeeded"), (2,)], "row 1 has 1 values"),
        (("no_such_column",), [(1, "x")], "bad columns"),
        (("id",), [(1, 2)], "bad columns"),
        ((), [(1,)], "bad columns"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(columns, rows, message):
    made = runs(2)
    rows = [(made[index - 1].pk, *rest) for index, *rest in rows]
    with pytest.raises(ValueError, match=message):
        update_rows(ScheduledRun, columns, rows)
    assert set(ScheduledRun.objects.values_list("status", "attempt")) == {("enqueued", 1)}
